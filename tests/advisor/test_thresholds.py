"""Every ``what_would_change`` claim of ``advise`` carries a threshold and a direction, and holds when re-run.

For each bundled example, each claim is checked by re-running with the answer just past its threshold
(:func:`costmodel.advisor.sensitivity.past`): a needs answer is re-scored with that answer; the volume
is re-run through the engine with ``workload.requests_per_month`` changed.
"""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import pytest

from costmodel.advisor.recommendation import advise
from costmodel.advisor.sensitivity import past
from costmodel.catalog.loader import default_catalogs
from costmodel.engine import run
from costmodel.scenario.io import load_scenario
from costmodel.scenario.types import Needs
from costmodel.scenario.uncertain import with_values

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.yaml"))


def _answer(name: str, word: str) -> object:
    hint = typing.get_type_hints(Needs)[name]
    if bool in typing.get_args(hint):
        return word == "true"
    return word


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_claim_holds_when_rerun_past_its_threshold(path: Path) -> None:
    catalogs = default_catalogs()
    result = run(load_scenario(path), catalogs)
    advice = advise(result)
    needs = result.scenario.needs or Needs()
    for change in advice.what_would_change:
        entry = next(e for e in advice.to_dict()["what_would_change"] if e["text"] == change.text)
        assert entry["direction"] in ("below", "above", "equals")
        assert "threshold" in entry
        if change.direction == "equals":
            assert change.threshold is None
            value = _answer(change.answer, change.value.split(" or ")[0])
            got = advise(result, dataclasses.replace(needs, **{change.answer: value}), sensitivity=False)
        elif change.answer == "workload.requests_per_month":
            assert change.threshold is not None
            volume = past(change.threshold, change.direction)
            rerun = run(with_values(result.scenario, {change.answer: volume}), catalogs)
            got = advise(rerun, sensitivity=False)
        else:
            assert change.threshold is not None
            integer = int in typing.get_args(typing.get_type_hints(Needs)[change.answer])
            value = past(change.threshold, change.direction, integer)
            changed = dataclasses.replace(needs, **{change.answer: round(value) if integer else value})
            got = advise(result, changed, sensitivity=False)
        assert got.recommended_id == change.recommended_id, change.text


def test_volume_claim_states_the_engines_breakeven() -> None:
    catalogs = default_catalogs()
    result = run(load_scenario(EXAMPLES[[p.stem for p in EXAMPLES].index("fintech-support")]), catalogs)
    volume = [c for c in advise(result).what_would_change if c.answer == "workload.requests_per_month"]
    assert volume, "the fintech example has a volume at which the pick changes"
    for change in volume:
        assert "the growth path scaled" in change.text
        assert (
            "totals are equal at a constant" in change.text
            or "not equal at any constant volume" in change.text
        )
