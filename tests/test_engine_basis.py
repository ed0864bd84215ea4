"""Cost basis (NPV when discounting) and the two per-request figures, by hand (SCENARIO.md, verdict additions)."""

from __future__ import annotations

import pytest

from costmodel.catalog.entry import Catalogs
from costmodel.engine import RunResult, run
from costmodel.scenario.io import parse_scenario

# upfront: 10 setup hours x $100 = $1,000 one-off; 10,000 requests x 200 tokens x $5/Mtok = $10/month.
# pay-as-you-go: no one-off; 10,000 x 200 x $47.5/Mtok = $95/month.
# 12-month totals: upfront 1,000 + 120 = 1,120; pay-as-you-go 1,140 -> upfront is cheaper in total.
# Undiscounted, upfront catches up when 1,000 + 10 m <= 95 m, i.e. m >= 11.76: month 12.
SCENARIO = """
name: basis
horizon_months: 12
discount_rate_annual_fraction: {rate}
workload: {{requests_per_month: 10000, input_tokens_per_request: 100, output_tokens_per_request: 100}}
people: {{engineer_usd_per_hour: 100}}
strategies:
  - {{id: upfront, kind: prompting, model: {{input_usd_per_mtok: 5, output_usd_per_mtok: 5}}, setup_hours: 10}}
  - {{id: paygo, kind: prompting, model: {{input_usd_per_mtok: 47.5, output_usd_per_mtok: 47.5}}}}
"""

# At 12%/year the monthly factors are 1.12^(-m/12); their sum over 12 months is
# q (1 - q^12) / (1 - q) with q = 1.12^(-1/12): about 11.29.
Q = 1.12 ** (-1 / 12)
DISCOUNT_SUM = Q * (1 - Q**12) / (1 - Q)


def _run(rate: float, catalogs: Catalogs) -> RunResult:
    return run(parse_scenario(SCENARIO.format(rate=rate)), catalogs)


def test_undiscounted_basis_is_the_total(test_catalogs: Catalogs) -> None:
    result = _run(0.0, test_catalogs)
    assert result.cost_basis == "total"
    assert result.strategy("upfront").total_usd == pytest.approx(1120.0)
    assert result.strategy("paygo").total_usd == pytest.approx(1140.0)
    assert result.cheapest_id == "upfront"
    (pair,) = result.breakeven
    assert (pair.a, pair.b, pair.month) == ("paygo", "upfront", 12)


def test_discounted_basis_is_npv_for_cheapest_and_months(test_catalogs: Catalogs) -> None:
    result = _run(0.12, test_catalogs)
    assert result.cost_basis == "npv"
    assert round(DISCOUNT_SUM, 2) == 11.29
    upfront, paygo = result.strategy("upfront"), result.strategy("paygo")
    assert upfront.npv_usd == pytest.approx(1000 + 10 * DISCOUNT_SUM)  # 1,112.9
    assert paygo.npv_usd == pytest.approx(95 * DISCOUNT_SUM)  # 1,072.5: cheaper on NPV
    assert result.cheapest_id == "paygo"
    # discounted: 1,000 + 10 S_m <= 95 S_m needs S_m >= 11.76, but S_12 = 11.29: never within 12 months
    (pair,) = result.breakeven
    assert (pair.a, pair.b, pair.month) == ("paygo", "upfront", None)
    # the volume is still where the undiscounted totals are equal: 12 x 0.0095 Q = 1,000 + 12 x 0.001 Q
    assert pair.requests_per_month == pytest.approx(1000 / (12 * 0.0085))
    assert upfront.discounted_cumulative_usd is not None
    assert upfront.discounted_cumulative_usd[-1] == pytest.approx(upfront.npv_usd)
    data = result.to_dict()
    assert data["cost_basis"] == "npv" and data["cheapest_id"] == "paygo"


def test_marginal_and_all_in_per_request(test_catalogs: Catalogs) -> None:
    result = _run(0.0, test_catalogs)
    upfront = result.strategy("upfront")
    assert upfront.usd_per_request == pytest.approx(200 * 5e-6)  # marginal: tokens only, $0.001
    assert upfront.all_in_usd_per_request == pytest.approx(1120.0 / 120_000)  # one-off included
    row = next(s for s in result.to_dict()["strategies"] if s["id"] == "upfront")
    assert row["usd_per_request"] == pytest.approx(0.001)
    assert row["all_in_usd_per_request"] == pytest.approx(1120.0 / 120_000)
