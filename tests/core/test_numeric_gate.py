"""The numeric gate (costmodel/core/numeric.py): ceilings on input, finite non-negative costs on output."""

from __future__ import annotations

import dataclasses
import math
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costmodel.catalog.loader import default_catalogs
from costmodel.core import numeric
from costmodel.core.errors import InputError
from costmodel.core.files import read_regular
from costmodel.engine import run
from costmodel.scenario.io import parse_scenario

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = (REPO / "examples" / "fintech-support.yaml").read_text("utf-8")


def test_cost_gate_names_strategy_and_category() -> None:
    """NaN, infinity, negatives and costs over the ceiling are refused; finite costs pass."""
    rows = [
        ("strategies[0]", "ok", {"tokens": np.array([1.0, 2.0]), "one-off": 5.0}),
        ("strategies[1]", "nan", {"gpu": np.array([1.0, math.nan])}),
        ("strategies[2]", "neg", {"gpu": np.array([-3.0e20])}),
        ("strategies[3]", "huge", {"training": 2e18}),
    ]
    with pytest.raises(InputError) as caught:
        numeric.gate_costs("s.yaml", {"strategies[1]": 40}.get, rows)
    problems = caught.value.problems
    assert [p.field for p in problems] == ["strategies[1]", "strategies[2]", "strategies[3]"]
    assert problems[0].line == 40 and "not a finite number" in problems[0].message
    assert "negative" in problems[1].message and "over 1e+18" in problems[2].message


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("requests_per_month: 200000 ", "requests_per_month: 1.0e+300 ", "workload.requests_per_month"),
        (
            "growth_fraction_per_month: 0.05",
            "growth_fraction_per_month: 1.0",
            "workload.growth_fraction_per_month",
        ),
        ("corpus_tokens: 30000000", "corpus_tokens: 1.0e+16", "strategies[1].corpus_tokens"),
        (
            "n_training_examples: 3000",
            "n_training_examples: 10000000000000000",
            "strategies[2].n_training_examples",
        ),
        ("engineer_usd_per_hour: 120", "engineer_usd_per_hour: 1.0e+200", "people.engineer_usd_per_hour"),
    ],
)
def test_huge_schema_valid_inputs_are_refused_naming_the_field(old: str, new: str, field: str) -> None:
    """Numbers the old schema accepted and the engine turned into NaN/inf/$infB are refused at load."""
    assert old in EXAMPLE
    text = EXAMPLE.replace(old, new).replace("horizon_months: 24 ", "horizon_months: 600 ")
    text = text.replace("retrain_every_months: 3 ", "retrain_every_months: 0 ")
    with pytest.raises(InputError) as caught:
        parse_scenario(text, source="big.yaml")
    assert any(p.field == field for p in caught.value.problems), str(caught.value)


@settings(max_examples=40, deadline=None)
@given(
    requests=st.floats(min_value=0, max_value=1e15),
    growth=st.floats(min_value=-0.99, max_value=1.0),
    horizon=st.integers(min_value=1, max_value=600),
    tokens=st.floats(min_value=0, max_value=1e6),
)
def test_accepted_inputs_give_finite_non_negative_costs(
    requests: float, growth: float, horizon: int, tokens: float
) -> None:
    """Property: whatever the loader accepts near the ceilings, every cost is finite and >= 0, or the
    run is refused with an InputError (never NaN, never an exception of another type)."""
    base = parse_scenario(EXAMPLE, source="ex.yaml")
    workload = dataclasses.replace(
        base.workload,
        requests_per_month=requests,
        growth_fraction_per_month=growth,
        output_tokens_per_request=tokens,
    )
    from costmodel.scenario.io import dump_scenario

    candidate = dataclasses.replace(base, workload=workload, horizon_months=horizon)
    text = dump_scenario(candidate).replace("retrain_every_months: 3", "retrain_every_months: 0")
    try:
        scenario = parse_scenario(text, source="ex.yaml")
        result = run(scenario, default_catalogs())
    except InputError:
        return
    for s in result.strategies:
        if s.available:
            assert np.isfinite(s.monthly_usd).all() and (s.monthly_usd >= 0).all()
            assert math.isfinite(s.total_usd) and s.total_usd >= 0


def test_special_files_are_refused_at_once(tmp_path: Path) -> None:
    """A FIFO with no writer (would block forever), /dev/zero (endless), a directory: refused, not read."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path, kind in ((fifo, "FIFO"), (Path("/dev/zero"), "character device"), (tmp_path, "directory")):
        with pytest.raises(InputError, match=kind):
            read_regular(path, max_bytes=1000)


def test_reads_are_bounded(tmp_path: Path) -> None:
    """A file over the limit is refused with its size; exactly at the limit it is read."""
    path = tmp_path / "f.yaml"
    path.write_bytes(b"x" * 1001)
    with pytest.raises(InputError, match="file is 1,001 bytes; the limit is 1,000 bytes"):
        read_regular(path, max_bytes=1000)
    path.write_bytes(b"x" * 1000)
    assert read_regular(path, max_bytes=1000) == b"x" * 1000
