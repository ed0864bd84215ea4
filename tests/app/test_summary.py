"""Verdict, cost table and breakeven words (costmodel/report.py, ui/summary.py) on the hand-computed golden scenario."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest
from ui_golden import TOTAL_A_USD, TOTAL_B_USD, golden_result

from costmodel import report
from costmodel.catalog.entry import Catalogs
from costmodel.engine import RunResult
from ui import summary


@pytest.fixture(scope="module")
def golden(test_catalogs: Catalogs) -> RunResult:
    return golden_result(test_catalogs)


def test_verdict_names_cheapest_saving_and_payoff(golden: RunResult) -> None:
    text = report.verdict(golden)
    saving = TOTAL_A_USD - TOTAL_B_USD
    assert text == (
        "Over 12 months at 100k requests/month, b (hosted fine-tuning) is the cheapest at $1.24k in total, "
        f"$1.16k ({saving / TOTAL_A_USD:.0%}) less than a ($2.4k); it pays off vs a in month 6."
    )


def test_verdict_single_and_no_strategy(golden: RunResult) -> None:
    only_a = dataclasses.replace(golden, strategies=(golden.strategy("a"),), breakeven=())
    assert "a (prompting) costs $2.4k in total (the only strategy costed)" in report.verdict(only_a)
    none = dataclasses.replace(
        golden, strategies=tuple(dataclasses.replace(s, available=False) for s in golden.strategies)
    )
    assert "no strategy could be costed" in report.verdict(none)


def test_cost_table_rows_and_units(golden: RunResult) -> None:
    table = summary.cost_table(golden)
    assert list(table.columns) == [
        "strategy",
        "model / offer",
        "total, 12 mo (USD)",
        report.PER_REQUEST_ALL_IN,
        "accuracy (fraction)",
        "net value (USD)",
        "end to end (ms)",
        "status",
    ]
    assert list(table["strategy"]) == ["a", "b"]
    assert list(table["model / offer"]) == ["inline price", "inline price"]
    assert table.loc[1, "status"] == "cheapest"
    assert table.loc[0, "total, 12 mo (USD)"] == pytest.approx(TOTAL_A_USD)
    # all-in: a's total over 12 x 100,000 requests; b's includes its $1,000 one-off
    assert table.loc[0, report.PER_REQUEST_ALL_IN] == pytest.approx(2400.0 / 1_200_000)
    assert table.loc[1, report.PER_REQUEST_ALL_IN] == pytest.approx(1240.0 / 1_200_000)
    assert table.loc[0, "end to end (ms)"] == pytest.approx(1555.0)
    details = summary.cost_details(golden)
    assert all("(" in c for c in details.columns[2:])  # every figure column names its unit
    assert details.loc[1, "one-off (USD)"] == pytest.approx(1000.0)
    assert details.loc[0, report.PER_REQUEST_MARGINAL] == pytest.approx(0.002)  # 200 tokens x $10/Mtok
    assert details.loc[1, report.PER_CORRECT_ALL_IN] == pytest.approx(1240.0 / (1_200_000 * 0.9))


def test_model_label_names_catalog_ids_and_gpu() -> None:
    prompt = SimpleNamespace(model="openai/gpt-4.1")
    assert report.model_label(prompt) == "openai/gpt-4.1"
    selfhosted = SimpleNamespace(base_model="llama-3.1-8b", serve_gpu_offer="aws/l40s-48gb")
    assert report.model_label(selfhosted) == "llama-3.1-8b on aws/l40s-48gb"
    assert report.model_label(SimpleNamespace(offer={"input_usd_per_mtok": 1.0})) == "inline price"
    tiers = (SimpleNamespace(strategy="ft-small"), SimpleNamespace(strategy="prompt"))
    assert report.model_label(SimpleNamespace(tiers=tiers)) == "ft-small → prompt"


def test_breakeven_words(golden: RunResult) -> None:
    assert report.breakeven_sentences(golden) == [
        "b pays off vs a in month 6; at a constant volume their 12-month totals are equal at "
        "46.3k requests/month."
    ]
    table = summary.breakeven_table(golden)
    assert table.iloc[0].tolist() == ["b", "a", "month 6", "46.3k requests/month"]


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.0, "$0"), (950.4, "$950"), (1_240.0, "$1.24k"), (2.5e6, "$2.5M"), (-1_500.0, "-$1.5k")],
)
def test_format_usd(value: float, text: str) -> None:
    assert report.format_usd(value) == text


def test_npv_column_only_when_discounted(golden: RunResult) -> None:
    assert "NPV (USD)" not in summary.cost_details(golden).columns  # undiscounted: NPV equals the total
    scenario = dataclasses.replace(golden.scenario, discount_rate_annual_fraction=0.1)
    discounted = dataclasses.replace(golden, scenario=scenario)
    assert "NPV (USD)" in summary.cost_details(discounted).columns
    assert "NPV, 12 mo (USD)" in summary.cost_table(discounted).columns  # the decision table's basis
    assert "NPV (discounted at 10%/year)" in report.verdict(discounted)


def test_cli_rows_and_lines_share_the_figures(golden: RunResult) -> None:
    rows = report.summary_rows(golden)
    assert [r["id"] for r in rows] == ["a", "b"]
    assert list(rows[0]) == [
        "id",
        "kind",
        "one_off_usd",
        "total_usd",
        "npv_usd",
        "usd_per_request",
        "ttft_ms",
        "end_to_end_ms",
        "accuracy_fraction",
        "net_value_usd",
        "all_in_usd_per_request",
        "model",
    ]
    assert rows[0]["total_usd"] == pytest.approx(TOTAL_A_USD)
    assert rows[1]["one_off_usd"] == pytest.approx(1000.0)
    table = summary.cost_table(golden)
    assert table["total, 12 mo (USD)"].tolist() == [r["total_usd"] for r in rows]
    assert report.breakeven_lines(golden) == [
        "b vs a: catches up in month 6; totals equal at 46,296 requests/month"
    ]


def test_a_strategy_not_costed_has_no_cost_figures(golden: RunResult) -> None:
    gone = dataclasses.replace(golden.strategy("b"), available=False)
    result = dataclasses.replace(golden, strategies=(golden.strategy("a"), gone), cheapest_id="a")
    row = report.summary_rows(result)[1]
    assert row["total_usd"] is None and row["one_off_usd"] is None and row["net_value_usd"] is None
    assert row["end_to_end_ms"] is not None  # latency does not depend on the costs
    assert summary.cost_table(result).loc[1, "status"] == report.NOT_COSTED


def test_latency_rows_compare_with_the_budget(golden: RunResult) -> None:
    rows = report.latency_rows(golden, 1500.0)
    assert [r["vs budget"] for r in rows] == ["✗ over by 55 ms", "✓ within (478 ms to spare)"]
    assert {r["vs budget"] for r in report.latency_rows(golden, None)} == {"no budget set"}
