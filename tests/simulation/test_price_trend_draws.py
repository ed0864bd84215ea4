"""The simulator draws ``price_change_fraction_per_year`` (issue 12): token costs fall with the drawn trend."""

from __future__ import annotations

import numpy as np

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.loader import parse_catalog
from costmodel.engine import run
from costmodel.scenario.io import parse_scenario
from costmodel.simulation.monte_carlo import simulate

MODEL = """
models:
  - {id: t/m, input_usd_per_mtok: 1.0, output_usd_per_mtok: 4.0, source_url: "https://example.org/p", as_of: 2026-11-01}
"""
TEXT = """
horizon_months: 12
price_change_fraction_per_year: {dist: uniform, low: -0.5, high: 0.0}
workload: {requests_per_month: 1000000, input_tokens_per_request: 100, output_tokens_per_request: 100}
strategies:
  - {id: p, kind: prompting, model: t/m}
"""


def test_a_drawn_price_trend_spreads_the_total_below_the_flat_price(test_catalogs: Catalogs) -> None:
    catalogs = test_catalogs.merged(parse_catalog(MODEL, source="m.yaml"))
    scenario = parse_scenario(TEXT, source="s.yaml")
    flat = 12 * 500.0  # 1M requests x (100 x $1 + 100 x $4) per 1M tokens, every month, r = 0
    sim = simulate(scenario, draws=2_000, rng=np.random.default_rng(3), catalogs=catalogs)
    total = sim.strategies[0].total_usd
    # r = -0.5: month m costs 500 x 0.5^((m-1)/12); the 12-month sum is the lower bound.
    lowest = sum(500.0 * 0.5 ** (m / 12.0) for m in range(12))
    assert lowest <= total.p10 < total.p90 <= flat
    central = run(scenario, catalogs).strategy("p").total_usd  # the engine at the central value, r = -0.25
    assert total.p10 < central < total.p90
