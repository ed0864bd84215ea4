"""Simulator figures: titles, axis titles with units, trace names, the numbers drawn, and their CSV tables."""

from __future__ import annotations

import numpy as np
import pytest

from costmodel.catalog.entry import Catalogs
from costmodel.scenario.distributions import ThreePoint, Uniform
from costmodel.scenario.io import parse_scenario
from costmodel.scenario.uncertain import UncertainInput
from costmodel.simulation.monte_carlo import simulate
from costmodel.simulation.results import SimulationResult
from costmodel.simulation.sensitivity import tornado_for
from ui.figures.simulate import (
    bands_frame,
    breakeven_frame,
    breakeven_histogram_figure,
    fan_chart_figure,
    inputs_frame,
    tornado_figure,
    tornado_frame,
    win_frame,
    win_probability_figure,
)
from ui.words import path_label

SCENARIO = """
name: figures
horizon_months: 8
workload: {requests_per_month: 100000, input_tokens_per_request: 100, output_tokens_per_request: 300}
value: {usd_per_correct_answer: 0.2, usd_per_wrong_answer: 0.5}
strategies:
  - {id: prompt, kind: prompting, model: {input_usd_per_mtok: 2, output_usd_per_mtok: 8}, accuracy_fraction: 0.85}
  - {id: ft, kind: finetune_hosted, offer: test/ft-small, n_training_examples: 1000, tokens_per_example: 500,
     labeling: test-expert, accuracy_fraction: 0.9}
"""

INPUTS = [
    UncertainInput(
        path="workload.output_tokens_per_request",
        dist=ThreePoint(low=100, likely=300, high=900),
        origin="test",
    ),
    UncertainInput(path="workload.requests_per_month", dist=Uniform(low=20_000, high=200_000), origin="test"),
]


@pytest.fixture(scope="module")
def sim(test_catalogs: Catalogs) -> SimulationResult:
    return simulate(
        parse_scenario(SCENARIO),
        draws=3000,
        rng=np.random.default_rng(1),
        inputs=INPUTS,
        catalogs=test_catalogs,
    )


@pytest.mark.parametrize(
    ("quantity", "title", "y_title"),
    [
        ("cumulative", "Range of cumulative cost, month by month — figures", "cumulative cost (USD)"),
        ("monthly", "Range of monthly cost, month by month — figures", "cost in the month (USD)"),
        ("net", "Range of cumulative net value, month by month — figures", "cumulative net value (USD)"),
    ],
)
def test_fan_chart(sim: SimulationResult, quantity: str, title: str, y_title: str) -> None:
    fig = fan_chart_figure(sim, quantity)
    assert fig.layout.title.text == title
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("month", y_title)
    assert [t.name for t in fig.data] == [
        "prompt p90",
        "prompt p10–p90",
        "prompt median (prompting)",
        "ft p90",
        "ft p10–p90",
        "ft median (hosted fine-tuning)",
    ]
    bands = {"cumulative": sim.strategies[0].cumulative_usd, "monthly": sim.strategies[0].monthly_usd}.get(
        quantity, sim.strategies[0].cumulative_net_value_usd
    )
    assert bands is not None
    assert list(fig.data[0].y) == bands.p90.tolist() and list(fig.data[1].y) == bands.p10.tolist()
    assert list(fig.data[2].y) == bands.p50.tolist() and list(fig.data[2].x) == list(range(1, 9))
    assert fig.data[1].fill == "tonexty"
    assert "3,000 draws" in fig.layout.title.subtitle.text


def test_win_probability_bars(sim: SimulationResult) -> None:
    fig = win_probability_figure(sim)
    assert fig.layout.title.text == "Chance of winning over 8 months"
    assert fig.layout.yaxis.title.text == "probability (share of draws)"
    assert [t.name for t in fig.data] == ["cheapest over the horizon", "best net value"]
    assert list(fig.data[0].y) == [s.p_cheapest for s in sim.strategies]
    assert sum(fig.data[0].y) == pytest.approx(1.0) and sum(fig.data[1].y) == pytest.approx(1.0)


def test_breakeven_histogram(sim: SimulationResult) -> None:
    fig = breakeven_histogram_figure(sim)
    (pair,) = sim.breakeven
    (trace,) = fig.data
    assert trace.name == f"{pair.b} catches up with {pair.a}"
    assert list(trace.x) == [str(m) for m in range(1, 9)] + ["never"]
    assert sum(trace.y) == pytest.approx(1.0)
    assert trace.y[-1] == pair.p_never
    assert fig.layout.xaxis.title.text.startswith("breakeven month")
    assert fig.layout.yaxis.title.text == "share of draws"
    assert breakeven_histogram_figure(sim, pairs=[("x", "y")]).data == ()


def test_tornado_chart_puts_the_largest_swing_on_top(sim: SimulationResult, test_catalogs: Catalogs) -> None:
    t = tornado_for(parse_scenario(SCENARIO), INPUTS, strategy_id="prompt", catalogs=test_catalogs)
    fig = tornado_figure(t)
    assert fig.layout.title.text == "What decides it: total of prompt"
    assert fig.layout.xaxis.title.text == "total of prompt (USD)"
    assert [tr.name for tr in fig.data] == ["input at its p10", "input at its p90"]
    assert list(fig.data[0].y)[-1] == path_label(t.bars[0].input)  # plotly draws the last category on top
    assert "_" not in "".join(fig.data[0].y)  # field paths in words
    low = fig.data[0]
    assert [b + x for b, x in zip([low.base] * len(low.x), low.x, strict=True)] == pytest.approx(
        [b.low_usd for b in reversed(t.bars)]
    )
    frame = tornado_frame(t)
    assert list(frame["input"]) == [b.input for b in t.bars]
    assert (frame["swing_usd"].diff().dropna() <= 0).all()


def test_tables_for_csv_export(sim: SimulationResult) -> None:
    bands = bands_frame(sim)
    assert list(bands.columns) == ["strategy", "quantity", "month", "p10_usd", "p50_usd", "p90_usd"]
    assert len(bands) == 2 * 3 * 8
    assert (bands["p10_usd"] <= bands["p50_usd"]).all() and (bands["p50_usd"] <= bands["p90_usd"]).all()
    win = win_frame(sim)
    assert list(win["strategy"]) == ["prompt", "ft"] and win["p_cheapest"].sum() == pytest.approx(1.0)
    be = breakeven_frame(sim)
    assert be["n_draws"].sum() == 3000 and set(be["month"]) == {*map(str, range(1, 9)), "never"}
    inputs = inputs_frame(INPUTS)
    assert list(inputs["input"]) == [i.path for i in INPUTS]
    assert inputs["central"].tolist() == [300.0, 110_000.0]
    assert inputs["p10"].tolist()[1] == pytest.approx(38_000.0)
