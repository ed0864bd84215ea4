"""Strategy editor logic (ui/strategy_editor.py): fields with units and sources, add/duplicate/remove/edit."""

from __future__ import annotations

import pytest

from costmodel.core.errors import InputError
from costmodel.core.schema import field_specs
from costmodel.scenario.io import load_scenario
from costmodel.scenario.types import STRATEGY_KINDS
from ui import strategy_editor as ed

EXAMPLE = "examples/fintech-support.yaml"


@pytest.mark.parametrize("kind", list(STRATEGY_KINDS))
def test_every_field_of_every_kind_has_a_widget_unit_and_source(kind: str) -> None:
    infos = ed.field_infos(kind)
    names = [i.name for i in infos]
    assert names[0] == "id"
    assert set(names) == set(field_specs(STRATEGY_KINDS[kind])) - {"kind"}
    for info in infos:
        assert info.widget in {"number", "integer", "choice", "text", "ref", "bool"}
        assert f"`{info.name}`" in info.help
        assert "default" in info.help or "required" in info.help or "catalog id" in info.help
        if info.unit:
            assert info.unit in info.help


def test_help_names_the_source_of_a_default() -> None:
    infos = {i.name: i for i in ed.field_infos("prompting")}
    assert "schema default" in infos["n_shots"].help  # a neutral default, said so
    assert "catalog id" in infos["model"].help and "Prices page" in infos["model"].help
    assert infos["model"].required and not infos["n_shots"].required


def test_add_every_kind_then_duplicate_and_remove() -> None:
    s = load_scenario(EXAMPLE)
    for kind in STRATEGY_KINDS:
        s = ed.add_strategy(s, kind)
        assert s.strategies[-1].kind == kind
    ids = [x.id for x in s.strategies]
    assert len(ids) == len(set(ids)) == 4 + len(STRATEGY_KINDS)
    s = ed.duplicate_strategy(s, 0)
    assert [x.id for x in s.strategies[:2]] == ["prompt", "prompt-copy"]
    assert s.strategies[1] == s.strategies[0].__class__(**{**_fields(s.strategies[0]), "id": "prompt-copy"})
    s = ed.remove_strategy(s, 1)
    assert "prompt-copy" not in [x.id for x in s.strategies]


def _form(s: object, index: int, **changes: object) -> dict[str, object]:
    """What the editor's form submits: every field of the strategy, some changed."""
    plain = ed.plain_strategies(s)[index]  # type: ignore[arg-type]
    return {**{k: v for k, v in plain.items() if k != "kind"}, **changes}


def _fields(obj: object) -> dict[str, object]:
    return {name: getattr(obj, name) for name in field_specs(type(obj))}


def test_template_caps_retraining_at_a_short_horizon() -> None:
    import dataclasses

    from costmodel.scenario.io import revalidate

    short = load_scenario(EXAMPLE)
    short = revalidate(
        dataclasses.replace(
            short, horizon_months=2, strategies=tuple(x for x in short.strategies if x.kind == "prompting")
        )
    )
    s = ed.add_strategy(short, "finetune_hosted")
    assert s.strategies[-1].retrain_every_months == 2


def test_a_new_hosted_fine_tuning_strategy_starts_on_an_offer_with_no_announced_shutdown() -> None:
    import datetime as dt

    from costmodel.catalog.lifecycle import lifecycle_status
    from costmodel.catalog.loader import default_catalogs
    from costmodel.scenario.types import FinetuneHostedStrategy

    new = ed.add_strategy(load_scenario(EXAMPLE), "finetune_hosted").strategies[-1]
    assert isinstance(new, FinetuneHostedStrategy) and new.offer == ed.DEFAULT_HOSTED_OFFER
    status = lifecycle_status(
        default_catalogs(), "finetune_offer", ed.DEFAULT_HOSTED_OFFER, dt.date(2026, 12, 6)
    )
    assert (status.status, status.shutdown_on, status.new_jobs_until) == ("active", None, None)
    assert status.basis == "no announced shutdown"


def test_removing_the_last_strategy_names_the_field() -> None:
    s = ed.with_strategies(load_scenario(EXAMPLE), ed.plain_strategies(load_scenario(EXAMPLE))[:1])
    with pytest.raises(InputError) as info:
        ed.remove_strategy(s, 0)
    assert info.value.problems[0].field == "strategies"


def test_edit_applies_values_and_none_means_default() -> None:
    s = load_scenario(EXAMPLE)
    edited = ed.edit_strategy(s, 0, _form(s, 0, model="openai/gpt-4.1-mini", n_shots=2, setup_hours=None))
    p = edited.strategies[0]
    assert (p.model, p.n_shots, p.setup_hours) == ("openai/gpt-4.1-mini", 2, 0.0)


@pytest.mark.parametrize(
    ("index", "values", "field"),
    [
        (1, {"id": "rag", "chunk_overlap_tokens": 5000.0}, "strategies[1].chunk_overlap_tokens"),
        (0, {"id": "Bad Id!"}, "strategies[0].id"),
        (0, {"id": "rag"}, "strategies[1].id"),  # duplicate id
        (2, {"id": "ft-hosted", "retrain_every_months": 99}, "strategies[2].retrain_every_months"),
        (0, {"id": "prompt", "cache_hit_fraction": 1.5}, "strategies[0].cache_hit_fraction"),
    ],
)
def test_impossible_edits_name_the_field(index: int, values: dict[str, object], field: str) -> None:
    s = load_scenario(EXAMPLE)
    with pytest.raises(InputError) as info:
        ed.edit_strategy(s, index, _form(s, index, **values))
    assert field in [p.field for p in info.value.problems]


def test_inline_prices_round_trip_and_bad_inline_text_names_the_field() -> None:
    s = load_scenario(EXAMPLE)
    inline = ed.parse_inline("{input_usd_per_mtok: 1, output_usd_per_mtok: 2}", index=0, name="model")
    edited = ed.edit_strategy(s, 0, _form(s, 0, model=inline))
    assert edited.strategies[0].model.input_usd_per_mtok == 1.0
    for text in ("[1, 2]", "{unclosed", ""):
        with pytest.raises(InputError) as info:
            ed.parse_inline(text, index=0, name="model")
        assert info.value.problems[0].field == "strategies[0].model"
    with pytest.raises(InputError) as info:
        ed.edit_strategy(s, 0, _form(s, 0, model={"input_usd_per_mtok": 1}))
    assert "strategies[0].model.output_usd_per_mtok" in [p.field for p in info.value.problems]


@pytest.mark.parametrize(
    ("wanted", "existing", "out"), [("rag", [], "rag"), ("rag", ["rag"], "rag-2"), ("--", [], "strategy")]
)
def test_unique_id(wanted: str, existing: list[str], out: str) -> None:
    assert ed.unique_id(wanted, existing) == out
