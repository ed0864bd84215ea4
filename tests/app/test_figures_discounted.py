"""With a discount rate the cumulative chart plots present values and says so (issue 13: NPV basis everywhere)."""

from __future__ import annotations

import dataclasses

import pytest

from costmodel.catalog.loader import default_catalogs
from costmodel.engine import run
from costmodel.scenario.examples import resolve_scenario_path
from costmodel.scenario.io import load_scenario
from ui.figures.common import cumulative_cost_figure


@pytest.mark.parametrize("rate", [0.0, 0.10])
def test_cumulative_chart_follows_the_cost_basis(rate: float) -> None:
    scenario = load_scenario(resolve_scenario_path("document-qa"))
    scenario = dataclasses.replace(scenario, discount_rate_annual_fraction=rate)
    result = run(scenario, default_catalogs())
    fig = cumulative_cost_figure(result)
    title = fig.layout.title.text
    assert ("discounted" in title and "NPV at 10%" in title) if rate else "discounted" not in title
    for s in result.strategies:
        trace = next(
            t for t in fig.data if t.hovertemplate and t.hovertemplate.endswith(f"<extra>{s.id}</extra>")
        )
        assert trace.y[-1] == pytest.approx(s.npv_usd if rate else s.total_usd, rel=1e-12)
