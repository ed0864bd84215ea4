"""Subcommand ``simulate``: Monte Carlo ranges, probability of winning, breakeven months and a tornado."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.loader import default_catalogs
from costmodel.cli.common import add_format_flag, emit
from costmodel.core.errors import InputError
from costmodel.core.files import read_regular
from costmodel.core.schema import suggest
from costmodel.scenario.examples import resolve_scenario_path
from costmodel.scenario.io import load_scenario
from costmodel.scenario.types import Scenario
from costmodel.scenario.uncertain import UncertainInput, scenario_inputs
from costmodel.simulation.default_ranges import default_uncertainty
from costmodel.simulation.evals import MAX_EVAL_BYTES, apply_evals, parse_evals
from costmodel.simulation.monte_carlo import MAX_DRAWS, simulate
from costmodel.simulation.results import Quantiles, SimulationResult, strategy_summary_rows
from costmodel.simulation.sensitivity import Tornado, tornado_for

DEFAULT_DRAWS = 10_000
"""Draws when ``--draws`` is not given: p10/p90 then move by well under 1% between seeds."""


def register(subparsers: Any) -> None:
    """Add ``simulate``."""
    p = subparsers.add_parser(
        "simulate",
        help="Monte Carlo over uncertain inputs: ranges, chance of winning, breakeven months, tornado",
    )
    p.add_argument("scenario", help="scenario YAML file; numbers may be distributions (see SCENARIO.md)")
    p.add_argument(
        "--draws", type=int, default=DEFAULT_DRAWS, help=f"number of draws (default {DEFAULT_DRAWS:,})"
    )
    p.add_argument(
        "--seed", type=int, default=0, help="random seed; the same seed gives the same output (default 0)"
    )
    p.add_argument(
        "--default-uncertainty",
        action="store_true",
        help="add sourced default ranges to output tokens, growth, accuracy, GPU price and MFU",
    )
    p.add_argument(
        "--evals", metavar="FILE", help="eval results (CSV or JSONL): accuracy per strategy from evidence"
    )
    p.add_argument(
        "--tornado-strategy", metavar="ID", help="tornado of this strategy's total (default: runner-up)"
    )
    p.add_argument(
        "--tornado-versus", metavar="ID", help="...minus this strategy's total (default: the cheapest)"
    )
    add_format_flag(p)
    p.set_defaults(handler=_simulate)


def _quantiles(q: Quantiles | None) -> dict[str, float] | None:
    return None if q is None else {"p10": q.p10, "p50": q.p50, "p90": q.p90}


def simulation_dict(result: SimulationResult, tornado: Tornado | None, *, seed: int) -> dict[str, Any]:
    """The JSON contract of ``breakeven simulate --format json`` (docs/SCENARIO.md)."""
    return {
        "draws": result.draws,
        "seed": seed,
        "strategies": [
            {
                "id": s.id,
                "total_usd": _quantiles(s.total_usd),
                "net_value_usd": _quantiles(s.net_value_usd),
                "p_cheapest": s.p_cheapest,
                "p_best_value": s.p_best_value,
            }
            for s in result.strategies
        ],
        "breakeven_months": [
            {"a": b.a, "b": b.b, "p_never": b.p_never, "p10": b.p10, "p50": b.p50, "p90": b.p90}
            for b in result.breakeven
        ],
        "tornado": []
        if tornado is None
        else [{"input": bar.input, "low_usd": bar.low_usd, "high_usd": bar.high_usd} for bar in tornado.bars],
    }


def load_inputs(
    path: str, *, default: bool, evals_path: str | None, catalogs: Catalogs
) -> tuple[Scenario, list[UncertainInput]]:
    """The scenario (with eval results applied) and the inputs to sample."""
    scenario = load_scenario(resolve_scenario_path(path))
    if evals_path is not None:
        data = read_regular(evals_path, max_bytes=MAX_EVAL_BYTES)
        scenario = apply_evals(scenario, parse_evals(data, source=evals_path), source=evals_path)
    inputs = scenario_inputs(scenario)
    if default:
        inputs += default_uncertainty(scenario, catalogs)
    return scenario, inputs


def _check_flags(args: argparse.Namespace) -> None:
    if not 1 <= args.draws <= MAX_DRAWS:
        raise InputError.single("<command line>", "--draws", f"expected 1 to {MAX_DRAWS:,}, got {args.draws}")
    if args.seed < 0:
        raise InputError.single("<command line>", "--seed", f"expected a whole number >= 0, got {args.seed}")
    if args.tornado_versus is not None and args.tornado_strategy is None:
        raise InputError.single("<command line>", "--tornado-versus", "needs --tornado-strategy too")


def _simulate(args: argparse.Namespace) -> int:
    _check_flags(args)
    catalogs = default_catalogs()
    scenario, inputs = load_inputs(
        args.scenario, default=args.default_uncertainty, evals_path=args.evals, catalogs=catalogs
    )
    ids = [s.id for s in scenario.strategies]
    for flag, wanted in (
        ("--tornado-strategy", args.tornado_strategy),
        ("--tornado-versus", args.tornado_versus),
    ):
        if wanted is not None and wanted not in ids:
            raise InputError.single(
                "<command line>",
                flag,
                f"unknown strategy {wanted!r}{suggest(wanted, ids)}; the scenario has {', '.join(ids)}",
            )
    result = simulate(
        scenario, draws=args.draws, rng=np.random.default_rng(args.seed), inputs=inputs, catalogs=catalogs
    )
    tornado = None
    if inputs:
        try:
            tornado = tornado_for(
                scenario,
                inputs,
                strategy_id=args.tornado_strategy,
                versus_id=args.tornado_versus,
                catalogs=catalogs,
            )
        except InputError as exc:
            flags = {"strategy": "--tornado-strategy", "versus": "--tornado-versus"}
            p = exc.problems[0]
            raise InputError.single("<command line>", flags.get(p.field, p.field), p.message) from None
    data = simulation_dict(result, tornado, seed=args.seed)
    notes = list(result.notes)
    if not inputs:
        notes.append(
            "give numbers as distributions in the scenario, or pass --default-uncertainty or --evals"
        )
    if args.format != "table":
        emit(data, args.format, rows=strategy_summary_rows(result))
        for note in notes:
            sys.stderr.write(f"note: {note}\n")
        return 0
    title = f"{scenario.name} — {result.draws:,} draws, seed {args.seed}, {scenario.horizon_months} months"
    emit(None, "table", rows=strategy_summary_rows(result), title=title)
    if result.breakeven:
        print("\nBreakeven month (b catches up with a; never = not within the horizon)\n")
        emit(None, "table", rows=data["breakeven_months"])
    if tornado is not None and tornado.bars:
        print(
            f"\nTornado: {tornado.metric} (at central values {tornado.base_usd:,.0f} USD), inputs at p10 / p90\n"
        )
        emit(None, "table", rows=data["tornado"])
    if inputs:
        print("\nUncertain inputs\n")
        emit(
            None,
            "table",
            rows=[{"input": i.path, "distribution": i.dist.describe(), "from": i.origin} for i in inputs],
        )
    for note in notes:
        print(f"  note: {note}")
    return 0
