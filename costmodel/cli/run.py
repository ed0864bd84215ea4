"""Subcommands ``run``, ``models`` and ``defaults`` of the ``breakeven`` command line."""

from __future__ import annotations

import argparse
from typing import Any

from costmodel.catalog import prices
from costmodel.catalog.loader import default_catalogs
from costmodel.cli.common import add_format_flag, emit
from costmodel.core.schema import to_plain
from costmodel.engine import RunResult, run
from costmodel.scenario.io import defaults_table, load_scenario


def register(subparsers: Any) -> None:
    """Add ``run``, ``models`` and ``defaults``."""
    p = subparsers.add_parser("run", help="evaluate a scenario file: costs, latency, breakeven points")
    p.add_argument("scenario", help="scenario YAML file (see SCENARIO.md)")
    add_format_flag(p)
    p.set_defaults(handler=_run)

    p = subparsers.add_parser("models", help="list priced LLM API models with prices and as-of dates")
    p.add_argument("--search", metavar="TEXT", help="only models whose provider/model id contains TEXT")
    add_format_flag(p)
    p.set_defaults(handler=_models)

    p = subparsers.add_parser("defaults", help="list every optional scenario key with its default and unit")
    add_format_flag(p)
    p.set_defaults(handler=_defaults)


def summary_rows(result: RunResult) -> list[dict[str, Any]]:
    """One row per strategy: the figures a decision memo needs."""
    rows = []
    for s in result.strategies:
        rows.append(
            {
                "id": s.id,
                "kind": s.kind,
                "one_off_usd": s.one_off_usd if s.available else None,
                "total_usd": s.total_usd if s.available else None,
                "npv_usd": s.npv_usd if s.available else None,
                "usd_per_request": s.usd_per_request if s.available else None,
                "ttft_ms": s.latency.time_to_first_token_ms if s.latency else None,
                "end_to_end_ms": s.latency.end_to_end_ms if s.latency else None,
                "accuracy_fraction": s.accuracy_fraction,
                "net_value_usd": s.net_value_usd,
            }
        )
    return rows


def _run(args: argparse.Namespace) -> int:
    result = run(load_scenario(args.scenario))
    if args.format == "json":
        emit(result.to_dict(), "json")
        return 0
    if args.format == "csv":
        emit(None, "csv", rows=summary_rows(result))
        return 0
    horizon = result.scenario.horizon_months
    title = f"{result.scenario.name} — {horizon} months, prices as of {result.prices_as_of or 'n/a'}"
    emit(None, "table", rows=summary_rows(result), title=title)
    print()
    if result.cheapest_id:
        print(f"Cheapest over {horizon} months: {result.cheapest_id}")
    for pair in result.breakeven:
        when = (
            f"catches up in month {pair.month}"
            if pair.month
            else f"does not catch up within {horizon} months"
        )
        volume = (
            f"; totals equal at {pair.requests_per_month:,.0f} requests/month"
            if pair.requests_per_month is not None
            else "; totals never equal at any constant volume"
        )
        print(f"  {pair.b} vs {pair.a}: {when}{volume}")
    for s in result.strategies:
        for note in s.notes:
            print(f"  note [{s.id}]: {note}")
    return 0


def _models(args: argparse.Namespace) -> int:
    rows = [to_plain(m, drop_none=False) for m in prices.list_models(default_catalogs(), args.search)]
    if args.format == "json":
        emit(rows, "json")
    else:
        emit(None, args.format, rows=rows, title=f"{len(rows)} models (USD per 1M tokens)")
    return 0


def _defaults(args: argparse.Namespace) -> int:
    emit(defaults_table(), args.format, title="Scenario keys, defaults and units")
    return 0
