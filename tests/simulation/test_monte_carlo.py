"""Simulator: exactness without uncertainty, reproducibility, analytic checks, fallbacks, bounded memory."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from costmodel.catalog.entry import Catalogs
from costmodel.core.errors import InputError
from costmodel.engine import run
from costmodel.formulas.breakeven import breakeven_month, orient
from costmodel.scenario.distributions import ThreePoint, Uniform
from costmodel.scenario.io import parse_scenario
from costmodel.scenario.types import Scenario
from costmodel.scenario.uncertain import CostFactor, UncertainInput, scenario_inputs, with_values
from costmodel.simulation.costs import CostModel
from costmodel.simulation.default_ranges import default_uncertainty
from costmodel.simulation.monte_carlo import MAX_DRAWS, band_draws, breakeven_months, simulate
from costmodel.strategies import registry as strategies_module
from costmodel.strategies.common import PreparedStrategy

THREE_KINDS = """
name: three kinds
horizon_months: 12
workload: {requests_per_month: 200000, growth_fraction_per_month: 0.03,
           input_tokens_per_request: 150, output_tokens_per_request: 300}
value: {usd_per_correct_answer: 0.4, usd_per_wrong_answer: 1.5}
people: {engineer_usd_per_hour: 120}
strategies:
  - id: prompt
    kind: prompting
    model: {input_usd_per_mtok: 2.0, output_usd_per_mtok: 8.0, cached_input_usd_per_mtok: 0.5}
    system_prompt_tokens: 800
    n_shots: 6
    tokens_per_shot: 200
    cache_hit_fraction: 0.3
    accuracy_fraction: 0.86
    setup_hours: 40
    maintenance_hours_per_month: 8
  - id: rag
    kind: rag
    model: {input_usd_per_mtok: 0.4, output_usd_per_mtok: 1.6}
    embedding_model: {input_usd_per_mtok: 0.02}
    corpus_tokens: 30000000
    corpus_churn_fraction_per_month: 0.1
    vector_db: test-usage-db
    reranker: test-rerank
    accuracy_fraction: 0.9
    setup_hours: 120
    maintenance_hours_per_month: 16
  - id: ft
    kind: finetune_hosted
    offer: test/ft-small
    system_prompt_tokens: 150
    n_training_examples: 3000
    tokens_per_example: 700
    labeling: test-expert
    retrain_every_months: 3
    n_new_examples_per_retrain: 500
    accuracy_fraction: 0.93
    setup_hours: 20
    maintenance_hours_per_month: 2
"""


@pytest.fixture
def three(test_catalogs: Catalogs) -> Scenario:
    return parse_scenario(THREE_KINDS)


def sim(s: Scenario, catalogs: Catalogs, draws: int = 2000, seed: int = 7, **kw: Any) -> Any:
    return simulate(s, draws=draws, rng=np.random.default_rng(seed), catalogs=catalogs, **kw)


# --- exactness ---------------------------------------------------------------------------------


@pytest.mark.parametrize("growth", [0.03, 0.0, -0.2])
def test_without_uncertain_inputs_every_percentile_is_the_engine_result(
    test_catalogs: Catalogs, growth: float
) -> None:
    s = parse_scenario(
        THREE_KINDS.replace("growth_fraction_per_month: 0.03", f"growth_fraction_per_month: {growth}")
    )
    det = run(s, test_catalogs)
    res = sim(s, test_catalogs, draws=257, chunk_draws=100)
    for got, want in zip(res.strategies, det.strategies, strict=True):
        assert got.mode == "central"
        assert got.total_usd is not None and got.net_value_usd is not None
        assert got.total_usd.p10 == got.total_usd.p50 == got.total_usd.p90 == want.total_usd
        assert got.net_value_usd.p10 == got.net_value_usd.p50 == got.net_value_usd.p90 == want.net_value_usd
        for bands, series in ((got.monthly_usd, want.monthly_usd), (got.cumulative_usd, want.cumulative_usd)):
            assert bands is not None
            for band in (bands.p10, bands.p50, bands.p90):
                assert band.tolist() == series.tolist()
        assert got.p_cheapest == (1.0 if want.id == det.cheapest_id else 0.0)
    best = max(det.strategies, key=lambda r: r.net_value_usd or -math.inf).id
    assert [x.p_best_value for x in res.strategies] == [1.0 if x.id == best else 0.0 for x in det.strategies]
    assert len(res.breakeven) == len(det.breakeven)
    for dist, pair in zip(res.breakeven, det.breakeven, strict=True):
        assert (dist.a, dist.b) == (pair.a, pair.b)
        assert dist.p10 == dist.p50 == dist.p90 == pair.month
        assert dist.p_never == (1.0 if pair.month is None else 0.0)
    if growth > 0:
        assert any(p.month is not None for p in det.breakeven)  # the scenario does exercise a crossing
    assert res.notes == ("no uncertain inputs: every percentile is the deterministic result",)


def test_engine_goldens_hold_through_the_simulator(test_catalogs: Catalogs) -> None:
    # tests/test_engine.py's prompting golden: total 1610.0955 USD over 3 months.
    s = parse_scenario(
        """
horizon_months: 3
workload: {requests_per_month: 1000, growth_fraction_per_month: 0.1, input_tokens_per_request: 100, output_tokens_per_request: 200}
people: {engineer_usd_per_hour: 100}
strategies:
  - {id: cached, kind: prompting, model: {input_usd_per_mtok: 2.0, cached_input_usd_per_mtok: 0.5, output_usd_per_mtok: 8.0},
     system_prompt_tokens: 500, n_shots: 2, tokens_per_shot: 250, cache_hit_fraction: 0.5, setup_hours: 10,
     maintenance_hours_per_month: 2}
"""
    )
    res = sim(s, test_catalogs, draws=10)
    assert res.strategies[0].total_usd is not None
    assert res.strategies[0].total_usd.p50 == pytest.approx(1610.0955, rel=1e-12)
    assert res.strategies[0].net_value_usd is None and res.strategies[0].p_best_value is None


# --- reproducibility ---------------------------------------------------------------------------


def flat(res: Any) -> list[Any]:
    out: list[Any] = []
    for s in res.strategies:
        out += [s.total_usd, s.net_value_usd, s.p_cheapest, s.p_best_value, s.mode]
        for b in (s.monthly_usd, s.cumulative_usd, s.cumulative_net_value_usd):
            out += [b.p10.tolist(), b.p50.tolist(), b.p90.tolist()]
    for d in res.breakeven:
        out += [d.a, d.b, d.p_never, d.p10, d.p50, d.p90, d.n_by_month.tolist()]
    return out


def test_same_seed_same_output_any_chunking(three: Scenario, test_catalogs: Catalogs) -> None:
    inputs = scenario_inputs(three) + default_uncertainty(three, test_catalogs)
    a = sim(three, test_catalogs, inputs=inputs)
    b = sim(three, test_catalogs, inputs=inputs)
    c = sim(three, test_catalogs, inputs=inputs, chunk_draws=333)
    assert flat(a) == flat(b) == flat(c)
    d = sim(three, test_catalogs, inputs=inputs, seed=8)
    assert flat(a) != flat(d)


def test_adding_an_input_leaves_the_other_inputs_draws_alone(
    three: Scenario, test_catalogs: Catalogs
) -> None:
    out = UncertainInput(
        path="workload.output_tokens_per_request", dist=ThreePoint(low=200, likely=300, high=600), origin="t"
    )
    rate = UncertainInput(path="value.usd_per_wrong_answer", dist=Uniform(low=1.0, high=2.0), origin="t")
    one = sim(three, test_catalogs, inputs=[out])
    two = sim(three, test_catalogs, inputs=[out, rate])
    assert [s.total_usd for s in one.strategies] == [s.total_usd for s in two.strategies]
    assert [s.net_value_usd for s in one.strategies] != [s.net_value_usd for s in two.strategies]


# --- analytic checks through the model ---------------------------------------------------------

LINEAR = """
horizon_months: 10
workload: {requests_per_month: 100000, input_tokens_per_request: 0, output_tokens_per_request: 500}
value: {usd_per_correct_answer: 1.0, usd_per_wrong_answer: 0.0}
strategies:
  - {id: a, kind: prompting, model: {input_usd_per_mtok: 0, output_usd_per_mtok: 10}, accuracy_fraction: 0.5}
  - {id: b, kind: prompting, model: {input_usd_per_mtok: 0, output_usd_per_mtok: 10}, accuracy_fraction: 0.5,
     setup_hours: 40, output_tokens_per_request: 250}
"""
# a: total = 1e5 requests * 10 months * X tokens * 10/1e6 $ = 10 X USD; b: 4000 + 2500 = 6500 USD


def test_quantiles_and_probability_match_a_linear_model(test_catalogs: Catalogs) -> None:
    s = parse_scenario(LINEAR)
    x = ThreePoint(low=300.0, likely=500.0, high=900.0, shape="triangular")
    res = sim(
        s,
        test_catalogs,
        draws=40_000,
        inputs=[UncertainInput(path="workload.output_tokens_per_request", dist=x, origin="t")],
    )
    a, b = res.strategies
    n = res.draws
    assert a.mode == "vectorised" and b.mode == "vectorised"  # b overrides the output length: unaffected
    assert b.total_usd is not None and b.total_usd.p10 == b.total_usd.p90 == 6500.0
    assert a.total_usd is not None
    for q, got in zip((0.1, 0.5, 0.9), (a.total_usd.p10, a.total_usd.p50, a.total_usd.p90), strict=True):
        assert abs(x.cdf(got / 10.0) - q) <= 5 * math.sqrt(q * (1 - q) / n)
    # a is cheapest when 10 X < 6500, X < 650: triangular CDF (x-a)^2/((c-a)(m-a)) or 1-(c-x)^2/((c-a)(c-m))
    p = 1 - (900 - 650) ** 2 / ((900 - 300) * (900 - 500))
    assert abs(a.p_cheapest - p) <= 5 * math.sqrt(p * (1 - p) / n)
    assert a.p_cheapest + b.p_cheapest == 1.0
    # net value = 0.5 * 1e6 * 1.0 - total: best value is the cheaper one
    assert a.p_best_value == a.p_cheapest


def test_volume_growth_and_value_are_applied_outside_preparation(test_catalogs: Catalogs) -> None:
    s = parse_scenario(LINEAR)
    r1 = Uniform(low=50_000.0, high=150_000.0)
    v = Uniform(low=0.5, high=1.5)
    inputs = [
        UncertainInput(path="workload.requests_per_month", dist=r1, origin="t"),
        UncertainInput(path="value.usd_per_correct_answer", dist=v, origin="t"),
    ]
    res = sim(s, test_catalogs, draws=30_000, inputs=inputs)
    a = res.strategies[0]
    assert a.mode == "central"
    # total = R1 * 10 months * 500 tokens * 1e-5 $ = 0.05 R1: p50 near 0.05 * 100,000 = 5000
    assert a.total_usd is not None
    assert abs(r1.cdf(a.total_usd.p50 / 0.05) - 0.5) <= 5 * math.sqrt(0.25 / res.draws)
    # net = 0.5 * 10 R1 * V - 0.05 R1, E[net] = 5 E[R1] E[V] - 0.05 E[R1] = 495,000 (independent inputs)
    assert a.cumulative_net_value_usd is not None and a.net_value_usd is not None
    assert a.net_value_usd.p10 < 495_000 < a.net_value_usd.p90


def test_vectorised_draws_equal_engine_runs_draw_by_draw(three: Scenario, test_catalogs: Catalogs) -> None:
    inputs = tuple(
        [
            UncertainInput(
                path="workload.input_tokens_per_request", dist=Uniform(low=50, high=400), origin="t"
            ),
            UncertainInput(
                path="workload.output_tokens_per_request", dist=Uniform(low=100, high=900), origin="t"
            ),
            UncertainInput(
                path="workload.growth_fraction_per_month", dist=Uniform(low=-0.05, high=0.1), origin="t"
            ),
            UncertainInput(path="people.engineer_usd_per_hour", dist=Uniform(low=60, high=200), origin="t"),
            UncertainInput(
                path="strategies[0].cache_hit_fraction", dist=Uniform(low=0.1, high=0.9), origin="t"
            ),
            UncertainInput(
                path="strategies[0].n_shots", dist=Uniform(low=1, high=9), origin="t", integer=True
            ),
            UncertainInput(path="strategies[1].corpus_tokens", dist=Uniform(low=1e6, high=1e8), origin="t"),
            UncertainInput(
                path="strategies[1].model.input_usd_per_mtok", dist=Uniform(low=0.2, high=0.6), origin="t"
            ),
            UncertainInput(
                path="strategies[2].n_training_examples",
                dist=Uniform(low=500, high=9000),
                origin="t",
                integer=True,
            ),
            UncertainInput(
                path="strategies[2].accuracy_fraction", dist=Uniform(low=0.8, high=0.99), origin="t"
            ),
        ]
    )
    model = CostModel(three, inputs, catalogs=test_catalogs, total_draws=12)
    rng = np.random.default_rng(3)
    values = {
        i.path: (np.floor(i.dist.sample(rng, 12) + 0.5) if i.integer else i.dist.sample(rng, 12))
        for i in inputs
    }
    costs = model.evaluate(values, 12)
    assert set(model.modes().values()) == {"vectorised"}
    for r in range(12):
        det = run(with_values(three, {p: float(v[r]) for p, v in values.items()}), test_catalogs)
        for c, want in zip(costs, det.strategies, strict=True):
            assert c.total_usd[r] == pytest.approx(want.total_usd, rel=1e-12)
            assert c.cumulative_usd[r].tolist() == pytest.approx(want.cumulative_usd.tolist(), rel=1e-12)
            assert c.net_value_usd is not None
            assert c.net_value_usd[r] == pytest.approx(want.net_value_usd, rel=1e-12)


def test_cost_factors_scale_their_categories(three: Scenario, test_catalogs: Catalogs) -> None:
    factor = UncertainInput(
        path="ft labelling price",
        dist=Uniform(low=1.0, high=3.0),
        origin="t",
        factor=CostFactor(strategy_id="ft", categories=("labeling",), reference=1.0),
    )
    model = CostModel(three, (factor,), catalogs=test_catalogs)
    costs = model.evaluate({"ft labelling price": np.array([1.0, 2.0])}, 2)
    det = run(three, test_catalogs).strategy("ft")
    labeling = det.breakdown_usd["labeling"]
    assert costs[2].total_usd.tolist() == pytest.approx([det.total_usd, det.total_usd + labeling], rel=1e-12)


# --- fallbacks for preparers that cannot take arrays -------------------------------------------


def scalar_only(real: Callable[..., PreparedStrategy]) -> Callable[..., PreparedStrategy]:
    def preparer(s: Any, ctx: Any) -> PreparedStrategy:
        float(ctx.scenario.workload.output_tokens_per_request)  # a TypeError for arrays of draws
        return real(s, ctx)

    return preparer


def silently_wrong(real: Callable[..., PreparedStrategy]) -> Callable[..., PreparedStrategy]:
    def preparer(s: Any, ctx: Any) -> PreparedStrategy:
        w = ctx.scenario.workload
        mean = dataclasses.replace(w, output_tokens_per_request=np.mean(w.output_tokens_per_request))
        return real(s, dataclasses.replace(ctx, scenario=dataclasses.replace(ctx.scenario, workload=mean)))

    return preparer


OUTPUT = UncertainInput(
    path="workload.output_tokens_per_request", dist=Uniform(low=100, high=900), origin="t"
)


@pytest.mark.parametrize("wrap", [scalar_only, silently_wrong])
def test_a_preparer_that_cannot_take_arrays_is_prepared_draw_by_draw(
    three: Scenario, test_catalogs: Catalogs, monkeypatch: pytest.MonkeyPatch, wrap: Any
) -> None:
    reference = sim(three, test_catalogs, draws=300, inputs=[OUTPUT])
    monkeypatch.setitem(strategies_module.PREPARERS, "rag", wrap(strategies_module.prepare_rag))
    res = sim(three, test_catalogs, draws=300, inputs=[OUTPUT])
    assert res.strategy("rag").mode == "loop"
    assert res.strategy("prompt").mode == "vectorised"
    assert any("rag: the rag preparer does not take arrays; prepared draw by draw" in n for n in res.notes)
    got, want = res.strategy("rag").total_usd, reference.strategy("rag").total_usd
    assert got is not None and want is not None
    assert [got.p10, got.p50, got.p90] == pytest.approx([want.p10, want.p50, want.p90], rel=1e-12)


def test_too_many_draws_for_the_loop_hold_the_inputs_fixed_and_say_so(
    three: Scenario, test_catalogs: Catalogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(strategies_module.PREPARERS, "rag", scalar_only(strategies_module.prepare_rag))
    res = sim(three, test_catalogs, draws=500, inputs=[OUTPUT], max_loop_draws=100)
    rag = res.strategy("rag")
    assert rag.mode == "fixed"
    assert (
        rag.total_usd is not None
        and rag.total_usd.p10 == rag.total_usd.p90 == run(three, test_catalogs).strategy("rag").total_usd
    )
    assert any(
        "exceed the 100-draw loop limit" in n and "workload.output_tokens_per_request" in n for n in res.notes
    )


def test_unavailable_strategies_are_listed_but_not_simulated(
    three: Scenario, test_catalogs: Catalogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable(s: Any, ctx: Any) -> PreparedStrategy:
        return dataclasses.replace(strategies_module.prepare_rag(s, ctx), available=False)

    monkeypatch.setitem(strategies_module.PREPARERS, "rag", unavailable)
    res = sim(three, test_catalogs, draws=200, inputs=[OUTPUT])
    rag = res.strategy("rag")
    assert not rag.available and rag.total_usd is None and rag.p_cheapest == 0.0
    assert [(d.a, d.b) for d in res.breakeven] == [("prompt", "ft")] or [
        (d.a, d.b) for d in res.breakeven
    ] == [("ft", "prompt")]
    assert any("not simulated" in n and "rag" in n for n in res.notes)


# --- breakeven months, memory, bad input --------------------------------------------------------


@given(st.lists(st.tuples(st.floats(-50, 50), st.floats(-50, 50)), min_size=2, max_size=8))
def test_vectorised_breakeven_month_equals_the_engines(steps: list[tuple[float, float]]) -> None:
    a = np.cumsum([x for x, _ in steps])
    b = np.cumsum([y for _, y in steps])
    swapped, _ = orient(a, b)
    low, high = (b, a) if swapped else (a, b)
    want = breakeven_month(low, high)
    assert breakeven_months(a[None, :], b[None, :]).tolist() == [want or 0]


def test_breakeven_month_distribution_counts_every_draw(three: Scenario, test_catalogs: Catalogs) -> None:
    inputs = [UncertainInput(path="workload.requests_per_month", dist=Uniform(low=1e4, high=4e5), origin="t")]
    res = sim(three, test_catalogs, draws=3000, inputs=inputs)
    for d in res.breakeven:
        assert int(d.n_by_month.sum()) + d.n_never == 3000
        assert d.p_never == d.n_never / 3000
        months = [m for m in (d.p10, d.p50, d.p90) if m is not None]
        assert months == sorted(months)
    pair = next(d for d in res.breakeven if {d.a, d.b} == {"prompt", "ft"})
    assert 0 < pair.p_never < 1  # at low volume ft never catches up with prompting; at high volume it does


def test_bands_are_bounded_for_huge_runs() -> None:
    assert band_draws(1_000_000, 5, 36) * 3 * 5 * 36 * 8 <= 64_000_000
    assert band_draws(500, 5, 600) == 500
    assert band_draws(1_000_000, 10, 600) == 1_000


def test_a_large_run_uses_bounded_bands_and_says_so(
    three: Scenario, test_catalogs: Catalogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("costmodel.simulation.monte_carlo.BAND_BUDGET_BYTES", 3 * 3 * 12 * 8 * 1000)
    seen: list[tuple[int, int]] = []
    res = sim(
        three,
        test_catalogs,
        draws=5000,
        inputs=[OUTPUT],
        chunk_draws=1500,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert res.band_draws == 1000
    assert seen == [(1500, 5000), (3000, 5000), (4500, 5000), (5000, 5000)]
    assert any("first 1,000 of 5,000 draws" in n for n in res.notes)


@pytest.mark.parametrize("draws", [0, -5, MAX_DRAWS + 1, 2.5, True])
def test_bad_draw_counts_are_input_errors(three: Scenario, test_catalogs: Catalogs, draws: Any) -> None:
    with pytest.raises(InputError, match="draws"):
        simulate(three, draws=draws, rng=np.random.default_rng(0), catalogs=test_catalogs)


def test_two_distributions_for_one_field_are_an_input_error(three: Scenario, test_catalogs: Catalogs) -> None:
    with pytest.raises(InputError, match="given two distributions"):
        sim(three, test_catalogs, draws=10, inputs=[OUTPUT, OUTPUT])


def test_which_inputs_reach_each_strategys_preparation(three: Scenario, test_catalogs: Catalogs) -> None:
    paths = [
        "workload.requests_per_month",  # the request array only
        "workload.output_tokens_per_request",
        "people.engineer_usd_per_hour",
        "needs.latency_budget_ms",  # the self-hosted preparer reads it
        "value.usd_per_correct_answer",  # net value only
        "strategies[0].accuracy_fraction",  # net value only
        "strategies[0].n_shots",
        "strategies[1].corpus_tokens",
    ]
    inputs = tuple(UncertainInput(path=p, dist=Uniform(low=1, high=2), origin="t") for p in paths)
    model = CostModel(three, inputs, catalogs=test_catalogs)
    common = ("workload.output_tokens_per_request", "people.engineer_usd_per_hour", "needs.latency_budget_ms")
    assert [plan.preparation_paths for plan in model.plans] == [
        (*common, "strategies[0].n_shots"),
        (*common, "strategies[1].corpus_tokens"),
        common,
    ]
