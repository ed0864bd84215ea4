"""Subcommands ``run``, ``models`` and ``defaults`` of the ``breakeven`` command line."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from costmodel.advisor.verdict import verdict
from costmodel.catalog import prices
from costmodel.catalog.entry import Catalogs
from costmodel.catalog.lifecycle import lifecycle_status
from costmodel.catalog.loader import default_catalogs
from costmodel.cli.common import add_format_flag, emit
from costmodel.core.schema import to_plain
from costmodel.engine import run
from costmodel.report import breakeven_lines, summary_rows
from costmodel.scenario.calendar import today
from costmodel.scenario.examples import resolve_scenario_path
from costmodel.scenario.io import defaults_table, load_scenario
from costmodel.simulation.default_ranges import default_uncertainty


def register(subparsers: Any) -> None:
    """Add ``run``, ``models`` and ``defaults``."""
    p = subparsers.add_parser("run", help="evaluate a scenario file: costs, latency, breakeven points")
    p.add_argument("scenario", help="scenario YAML file or a bundled example's name (see SCENARIO.md)")
    add_format_flag(p)
    p.set_defaults(handler=_run)

    p = subparsers.add_parser("models", help="list priced LLM API models with prices and as-of dates")
    p.add_argument("--search", metavar="TEXT", help="only models whose provider/model id contains TEXT")
    add_format_flag(p)
    p.set_defaults(handler=_models)

    p = subparsers.add_parser("defaults", help="list every optional scenario key with its default and unit")
    add_format_flag(p)
    p.set_defaults(handler=_defaults)


def _run(args: argparse.Namespace) -> int:
    catalogs = default_catalogs()
    result = run(load_scenario(resolve_scenario_path(args.scenario)), catalogs)
    if args.format == "json":
        answer = verdict(result, catalogs, extra=default_uncertainty(result.scenario, catalogs))
        emit({**result.to_dict(), "verdict": answer.to_dict()}, "json")
        return 0
    if args.format == "csv":
        emit(None, "csv", rows=summary_rows(result))
        return 0
    horizon = result.scenario.horizon_months
    data = result.price_data.source if result.price_data else "price data unknown"
    title = (
        f"{result.scenario.name} — {horizon} months from {result.start_date:%B %Y}, "
        f"prices as of {result.prices_as_of or 'n/a'} ({data})"
    )
    emit(None, "table", rows=summary_rows(result), title=title)
    print()
    answer = verdict(result, catalogs, extra=default_uncertainty(result.scenario, catalogs))
    print(answer.sentence)
    for decisive in answer.decisive_assumptions:
        print(f"  {decisive.text}")
    if result.cheapest_id:
        basis = " (NPV)" if result.cost_basis == "npv" else ""
        print(f"Cheapest over {horizon} months{basis}: {result.cheapest_id}")
    for line in breakeven_lines(result):
        print(f"  {line}")
    for s in result.strategies:
        for note in s.notes:
            print(f"  note [{s.id}]: {note}")
    return 0


def model_rows(catalogs: Catalogs, on: dt.date, search: str | None = None) -> list[dict[str, Any]]:
    """``breakeven models`` rows: prices plus lifecycle ``status``, ``shutdown_on`` and ``replacement``."""
    rows: list[dict[str, Any]] = []
    for m in prices.list_models(catalogs, search):
        st = lifecycle_status(catalogs, "model", m.id, on)
        rows.append(
            {
                **to_plain(m, drop_none=False),
                "status": st.status,
                "shutdown_on": st.shutdown_on.isoformat() if st.shutdown_on else None,
                "replacement": st.replacement,
            }
        )
    return rows


def _models(args: argparse.Namespace) -> int:
    rows = model_rows(default_catalogs(), today(), args.search)
    if args.format == "json":
        emit(rows, "json")
    else:
        emit(None, args.format, rows=rows, title=f"{len(rows)} models (USD per 1M tokens)")
    return 0


def _defaults(args: argparse.Namespace) -> int:
    emit(defaults_table(), args.format, title="Scenario keys, defaults and units")
    return 0
