"""Tornado: hand-computed swings on a linear scenario, ranking, default pair, errors, fallbacks."""

from __future__ import annotations

from typing import Any

import pytest

from costmodel.catalog.entry import Catalogs
from costmodel.core.errors import InputError
from costmodel.engine import run
from costmodel.scenario.distributions import ThreePoint, Uniform
from costmodel.scenario.io import parse_scenario
from costmodel.scenario.uncertain import CostFactor, UncertainInput, scenario_inputs
from costmodel.simulation.default_ranges import default_uncertainty
from costmodel.simulation.sensitivity import HIGH_QUANTILE, LOW_QUANTILE, default_pair, tornado_for
from costmodel.strategies import registry as strategies_module

LINEAR = """
horizon_months: 10
workload: {requests_per_month: 100000, input_tokens_per_request: 0, output_tokens_per_request: 500}
value: {usd_per_correct_answer: 1.0, usd_per_wrong_answer: 0.0}
strategies:
  - {id: a, kind: prompting, model: {input_usd_per_mtok: 0, output_usd_per_mtok: 10}, accuracy_fraction: 0.5}
  - {id: b, kind: prompting, model: {input_usd_per_mtok: 0, output_usd_per_mtok: 10}, accuracy_fraction: 0.5,
     setup_hours: 40, output_tokens_per_request: 250}
"""
# a: total = 1e5 requests x 10 months x X tokens x 10 / 1e6 USD = 10 X; b: 40 h x 100 + 2500 = 6500 USD

OUTPUT = ThreePoint(low=300.0, likely=500.0, high=900.0, shape="triangular")
VOLUME = Uniform(low=50_000.0, high=150_000.0)


def inputs() -> list[UncertainInput]:
    return [
        UncertainInput(path="workload.output_tokens_per_request", dist=OUTPUT, origin="t"),
        UncertainInput(path="workload.requests_per_month", dist=VOLUME, origin="t"),
        UncertainInput(path="strategies[0].accuracy_fraction", dist=Uniform(low=0.4, high=0.6), origin="t"),
    ]


def test_swings_of_one_total_are_hand_computed(test_catalogs: Catalogs) -> None:
    t = tornado_for(parse_scenario(LINEAR), inputs(), strategy_id="a", catalogs=test_catalogs)
    assert t.metric == "total_usd of a" and t.versus_id is None
    assert t.base_usd == 5000.0  # 10 x 500
    volume, out, accuracy = t.bars  # ranked by swing: 4000 (volume), 3356 (output), 0
    # output tokens at the triangular p10/p90: a + sqrt(q (c-a)(m-a)) and c - sqrt((1-q)(c-a)(c-m))
    low_x, high_x = 300 + (0.1 * 600 * 200) ** 0.5, 900 - (0.1 * 600 * 400) ** 0.5
    assert (out.input, out.low_value, out.high_value) == (
        "workload.output_tokens_per_request",
        pytest.approx(low_x),
        pytest.approx(high_x),
    )
    assert out.low_usd == pytest.approx(10 * low_x, rel=1e-12) and out.high_usd == pytest.approx(
        10 * high_x, rel=1e-12
    )
    # volume at its p10/p90 (60,000 and 140,000): total = 0.05 x R1
    assert volume.low_usd == pytest.approx(3000.0, rel=1e-12) and volume.high_usd == pytest.approx(
        7000.0, rel=1e-12
    )
    assert accuracy.swing_usd == 0.0  # accuracy does not change cost
    assert [b.swing_usd for b in t.bars] == sorted((b.swing_usd for b in t.bars), reverse=True)


def test_swings_of_a_difference(test_catalogs: Catalogs) -> None:
    t = tornado_for(parse_scenario(LINEAR), inputs(), strategy_id="b", versus_id="a", catalogs=test_catalogs)
    assert t.base_usd == 1500.0  # 6500 - 5000
    volume = next(b for b in t.bars if b.input == "workload.requests_per_month")
    # b = 4000 + 0.025 R1, a = 0.05 R1: difference 4000 - 0.025 R1 -> 2500 at 60,000, 500 at 140,000
    assert volume.low_usd == pytest.approx(2500.0, rel=1e-12) and volume.high_usd == pytest.approx(
        500.0, rel=1e-12
    )


def test_default_pair_is_runner_up_minus_cheapest(test_catalogs: Catalogs) -> None:
    s = parse_scenario(LINEAR)
    assert default_pair(run(s, test_catalogs)) == ("b", "a")
    t = tornado_for(s, inputs(), catalogs=test_catalogs)
    assert (t.strategy_id, t.versus_id) == ("b", "a")
    one = parse_scenario(LINEAR.split("  - {id: b")[0])
    assert default_pair(run(one, test_catalogs)) == ("a", None)


def test_whole_number_inputs_swing_to_whole_numbers(test_catalogs: Catalogs) -> None:
    s = parse_scenario(
        LINEAR.replace("accuracy_fraction: 0.5}", "accuracy_fraction: 0.5, tokens_per_shot: 100}", 1)
    )
    shots = UncertainInput(
        path="strategies[0].n_shots", dist=Uniform(low=0, high=10), origin="t", integer=True
    )
    t = tornado_for(s, [shots], strategy_id="a", catalogs=test_catalogs)
    assert (t.bars[0].low_value, t.bars[0].high_value) == (1.0, 9.0)


def test_cost_factor_swings(test_catalogs: Catalogs) -> None:
    factor = UncertainInput(
        path="a token price",
        dist=Uniform(low=0.5, high=1.5),
        origin="t",
        factor=CostFactor(strategy_id="a", categories=("tokens",), reference=1.0),
    )
    t = tornado_for(parse_scenario(LINEAR), [factor], strategy_id="a", catalogs=test_catalogs)
    assert t.bars[0].low_usd == pytest.approx(5000 * 0.6) and t.bars[0].high_usd == pytest.approx(5000 * 1.4)
    assert (LOW_QUANTILE, HIGH_QUANTILE) == (0.1, 0.9)


@pytest.mark.parametrize(
    ("kw", "fragment"),
    [
        ({"strategy_id": "aa"}, "did you mean 'a'"),
        ({"strategy_id": "a", "versus_id": "zzz"}, "unknown strategy 'zzz'"),
    ],
)
def test_unknown_strategies_are_input_errors(
    test_catalogs: Catalogs, kw: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(InputError, match=fragment):
        tornado_for(parse_scenario(LINEAR), inputs(), catalogs=test_catalogs, **kw)


def test_a_preparer_that_cannot_take_arrays_is_evaluated_row_by_row(
    test_catalogs: Catalogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = parse_scenario(LINEAR)
    want = tornado_for(s, inputs(), strategy_id="a", catalogs=test_catalogs)
    real = strategies_module.prepare_prompting

    def scalar_only(st: Any, ctx: Any) -> Any:
        float(ctx.scenario.workload.output_tokens_per_request)
        return real(st, ctx)

    monkeypatch.setitem(strategies_module.PREPARERS, "prompting", scalar_only)
    got = tornado_for(s, inputs(), strategy_id="a", catalogs=test_catalogs)
    assert [(b.input, b.low_usd, b.high_usd) for b in got.bars] == [
        (b.input, pytest.approx(b.low_usd, rel=1e-12), pytest.approx(b.high_usd, rel=1e-12))
        for b in want.bars
    ]


def test_no_inputs_no_bars(test_catalogs: Catalogs) -> None:
    t = tornado_for(parse_scenario(LINEAR), [], strategy_id="a", catalogs=test_catalogs)
    assert t.bars == () and t.base_usd == 5000.0


def test_default_uncertainty_tornado_runs(test_catalogs: Catalogs) -> None:
    s = parse_scenario(LINEAR)
    t = tornado_for(s, scenario_inputs(s) + default_uncertainty(s, test_catalogs), catalogs=test_catalogs)
    assert t.bars[0].input == "workload.output_tokens_per_request"  # b overrides its own output length
