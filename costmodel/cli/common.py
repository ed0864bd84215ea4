"""Shared pieces of the command line: the ``--format`` flag, output rendering, flag validation."""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TextIO

from costmodel.core.errors import InputError
from costmodel.core.jsonio import to_json
from costmodel.core.numeric import MAX_INPUT_NUMBER, ceiling_problem

FORMATS = ("table", "json", "csv")

Handler = Callable[[argparse.Namespace], int]
"""A subcommand: takes parsed flags, prints its result, returns the exit code (raises InputError on bad input)."""


def add_format_flag(parser: argparse.ArgumentParser) -> None:
    """Add ``--format table|json|csv`` (default table)."""
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")


def format_cell(value: Any) -> str:
    """Human-readable cell: thousands separators, 4 significant digits for small numbers."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value == 0:
            return "0"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 1:
            return f"{value:,.2f}"
        return f"{value:.4g}"
    return str(value)


def render_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """Plain-text table with a header row; numbers right-aligned."""
    if not rows:
        return "(no rows)"
    columns = list(rows[0].keys())
    cells = [[format_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    numeric = [
        all(isinstance(row.get(c), int | float) or row.get(c) is None for row in rows) for c in columns
    ]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for r in cells:
        lines.append(
            "  ".join(
                (cell.rjust(w) if num else cell.ljust(w))
                for cell, w, num in zip(r, widths, numeric, strict=True)
            )
        )
    return "\n".join(lines)


def render_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """CSV with a header row (floats at full precision)."""
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0].keys()), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return out.getvalue()


def emit(
    data: Any,
    fmt: str,
    *,
    rows: Sequence[Mapping[str, Any]] | None = None,
    title: str | None = None,
    out: TextIO | None = None,
) -> None:
    """Print ``data`` as JSON, or ``rows`` as a table/CSV (``rows`` defaults to ``data`` if it is a list)."""
    stream = out or sys.stdout
    if fmt == "json":
        stream.write(to_json(data) + "\n")
        return
    table_rows = rows if rows is not None else (data if isinstance(data, list) else [data])
    if fmt == "csv":
        stream.write(render_csv(table_rows))
        return
    if title:
        stream.write(title + "\n\n")
    stream.write(render_table(table_rows) + "\n")


def positive_number(flag: str, value: float | None, *, allow_zero: bool = False) -> float | None:
    """Validate a numeric CLI flag: finite, > 0 (or >= 0) and within the input ceiling; InputError naming the flag."""
    if value is None:
        return None
    if isinstance(value, int) and abs(value) > MAX_INPUT_NUMBER:  # float() of a 401-digit int overflows
        raise InputError.single("<command line>", flag, f"expected a number <= {MAX_INPUT_NUMBER:g}")
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise InputError.single("<command line>", flag, f"expected a finite number {bound}, got {value}")
    ceiling = ceiling_problem(value, has_own_max=False)
    if ceiling is not None:
        raise InputError.single("<command line>", flag, ceiling)
    return value
