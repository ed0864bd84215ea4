"""Subcommand ``advise`` of the ``breakeven`` command line: the advisor's ranking and reasons."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from costmodel.advisor.recommendation import Advice, advise
from costmodel.catalog.loader import default_catalogs
from costmodel.cli.common import add_format_flag, emit
from costmodel.engine import run
from costmodel.scenario.examples import resolve_scenario_path
from costmodel.scenario.io import load_scenario


def register(subparsers: Any) -> None:
    """Add ``advise``."""
    p = subparsers.add_parser(
        "advise", help="rank the strategies of a scenario against its needs and costs, with reasons"
    )
    p.add_argument("scenario", help="scenario YAML file with an optional needs block (see SCENARIO.md)")
    add_format_flag(p)
    p.set_defaults(handler=_advise)


def ranking_rows(advice: Advice) -> list[dict[str, Any]]:
    """One row per strategy for the table: rank, score and its strongest reason."""
    return [
        {
            "rank": i,
            "id": r.id,
            "kind": r.kind,
            "score": round(r.score, 3),
            "excluded": r.excluded,
            "main_reason": r.reasons[0].text if r.reasons else "",
        }
        for i, r in enumerate(advice.ranking, start=1)
    ]


def reason_rows(advice: Advice) -> list[dict[str, Any]]:
    """One CSV row per reason: which strategy, its rank and score, the criterion and the text."""
    return [
        {
            "rank": i,
            "id": r.id,
            "kind": r.kind,
            "score": round(r.score, 3),
            "criterion": reason.criterion,
            "weight": round(reason.weight, 3),
            "fit": None if reason.fit is None else round(reason.fit, 3),
            "reason": reason.text,
        }
        for i, r in enumerate(advice.ranking, start=1)
        for reason in r.reasons
    ]


def _print_table(advice: Advice) -> None:
    out = sys.stdout
    emit(None, "table", rows=ranking_rows(advice), title=f"Advisor — {advice.scenario_name}", out=out)
    out.write("\n")
    if advice.recommended_id:
        out.write(f"Recommended: {advice.recommended_id} ({advice.recommended_kind})\n")
    else:
        out.write("Recommended: none (no strategy qualifies)\n")
    for i, r in enumerate(advice.ranking, start=1):
        out.write(f"\n{i}. {r.id} ({r.kind}) — score {r.score:.2f}\n")
        for reason in r.reasons:
            out.write(f"   - {reason.text}\n")
    if advice.what_would_change:
        out.write("\nWhat would change the answer:\n")
        for change in advice.what_would_change:
            out.write(f"  - {change.text}\n")
    if advice.notes:
        out.write("\nNotes:\n")
        for note in advice.notes:
            out.write(f"  - {note}\n")


def _advise(args: argparse.Namespace) -> int:
    scenario = load_scenario(resolve_scenario_path(args.scenario))
    advice = advise(run(scenario, default_catalogs()))
    if args.format == "json":
        emit(advice.to_dict(), "json")
    elif args.format == "csv":
        emit(None, "csv", rows=reason_rows(advice))
    else:
        _print_table(advice)
    return 0
