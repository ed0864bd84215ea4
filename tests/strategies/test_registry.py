"""The registry: one preparer per strategy kind, and ``prepare`` dispatches on the kind."""

from __future__ import annotations

import pytest

from costmodel.catalog.entry import Catalogs
from costmodel.scenario.io import parse_scenario
from costmodel.scenario.types import STRATEGY_KINDS
from costmodel.strategies import finetune_hosted, finetune_selfhosted, prompting, rag, rag_finetuned
from costmodel.strategies.common import Context
from costmodel.strategies.registry import PREPARERS, prepare


def test_every_kind_has_a_preparer_and_every_preparer_a_kind() -> None:
    assert set(PREPARERS) == set(STRATEGY_KINDS)
    assert len(PREPARERS) == 6


@pytest.mark.parametrize("kind", sorted(STRATEGY_KINDS))
def test_the_preparer_of_a_kind_is_its_modules_prepare_function(kind: str) -> None:
    modules = {
        "prompting": prompting,
        "rag": rag,
        "finetune_hosted": finetune_hosted,
        "finetune_selfhosted": finetune_selfhosted,
        "rag_finetuned": rag_finetuned,
    }
    if kind == "cascade":  # costmodel/strategies/cascade.py prepares its tiers with registry.prepare
        assert PREPARERS[kind].__name__ == "_prepare_cascade"
        return
    # costmodel/strategies/<kind>.py defines prepare_<kind>
    assert PREPARERS[kind] is getattr(modules[kind], f"prepare_{kind}")


def test_prepare_dispatches_on_the_kind(test_catalogs: Catalogs) -> None:
    scenario = parse_scenario(
        """
name: dispatch
horizon_months: 1
workload: {requests_per_month: 10, input_tokens_per_request: 100, output_tokens_per_request: 10}
strategies:
  - {id: p, kind: prompting, model: {input_usd_per_mtok: 1.0, output_usd_per_mtok: 2.0}}
  - {id: f, kind: finetune_hosted, offer: test/ft-small, n_training_examples: 10, tokens_per_example: 100}
"""
    )
    ctx = Context(scenario=scenario, catalogs=test_catalogs)
    p, f = (prepare(s, ctx) for s in scenario.strategies)
    assert (p.id, p.kind, f.id, f.kind) == ("p", "prompting", "f", "finetune_hosted")
    # prompting: 100 * 1.0 + 10 * 2.0 = 120 $/M; finetune_hosted on test/ft-small: 100 * 0.8 + 10 * 3.2 = 112 $/M
    assert p.per_request_usd["tokens"] == pytest.approx(120 / 1e6, rel=1e-12)
    assert f.per_request_usd["tokens"] == pytest.approx(112 / 1e6, rel=1e-12)
