"""Subcommand ``budget`` of the ``breakeven`` command line: what fits in a monthly budget."""

from __future__ import annotations

import argparse
from typing import Any

from costmodel.budget import solve_budget
from costmodel.catalog.loader import default_catalogs
from costmodel.cli.common import add_format_flag, emit, positive_number
from costmodel.engine import run
from costmodel.scenario.examples import resolve_scenario_path
from costmodel.scenario.io import load_scenario


def register(subparsers: Any) -> None:
    """Add ``budget``."""
    p = subparsers.add_parser(
        "budget",
        help="per strategy: the largest monthly volume a budget pays for, and the month growth crosses it",
    )
    p.add_argument("scenario", help="scenario YAML file or a bundled example's name")
    p.add_argument(
        "--usd-per-month", type=float, required=True, metavar="X", help="monthly budget in USD (> 0)"
    )
    add_format_flag(p)
    p.set_defaults(handler=_budget)


def _fmt_volume(v: float | None) -> str:
    return "does not fit even at zero volume" if v is None else f"{v:,.0f}"


def _budget(args: argparse.Namespace) -> int:
    budget = positive_number("--usd-per-month", args.usd_per_month)
    assert budget is not None
    result = run(load_scenario(resolve_scenario_path(args.scenario)), default_catalogs())
    answer = solve_budget(result, budget)
    if args.format == "json":
        emit(answer.to_dict(), "json")
        return 0
    rows = [
        {
            "id": r.id,
            "kind": r.kind,
            "max_requests_per_month": _fmt_volume(r.max_requests_per_month),
            "fixed_usd_per_month": round(r.average_monthly_usd_at_zero, 2),
            "first_month_over_budget": r.first_month_over_budget if r.first_month_over_budget else "never",
        }
        for r in answer.strategies
    ]
    title = (
        f"{result.scenario.name}: what fits in {budget:,.2f} USD a month "
        f"(average over {answer.horizon_months} months, one-off costs spread over them)"
    )
    emit(None, args.format, rows=rows, title=title)
    return 0
