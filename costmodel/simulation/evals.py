"""Accuracy from evidence: eval results (CSV or JSONL) -> per-strategy accuracy with a Wilson interval.

One row per (strategy, item): ``strategy_id`` (or ``strategy``), ``item_id`` (or ``item``), and
either ``correct`` (0/1, true/false) or ``score`` (a number from 0 to 1; the sum of scores counts as
the number correct). Each strategy's accuracy is ``k / n``, reported with a 95% Wilson score interval
(Wilson 1927, "Probable inference, the law of succession, and statistical inference", JASA 22(158)),
and enters the simulation as a Beta posterior (:class:`costmodel.scenario.distributions.EvalBeta`). Every
malformed row is reported with file, line and column.
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import io
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

from costmodel.core import bounded
from costmodel.core.errors import InputError, Problem
from costmodel.scenario.distributions import EvalBeta
from costmodel.scenario.io import revalidate
from costmodel.scenario.types import Scenario

MAX_EVAL_BYTES = 20_000_000
"""Largest eval file accepted (bytes): a million rows of ids and a 0/1 fit easily."""

MAX_PROBLEMS = 50
"""Problems listed before the rest of a bad file is skipped."""

Z_95 = NormalDist().inv_cdf(0.975)
"""Two-sided 95% standard-normal quantile, 1.959963984540054."""

STRATEGY_KEYS = ("strategy_id", "strategy")
ITEM_KEYS = ("item_id", "item")
TRUE_WORDS = {"1": 1.0, "true": 1.0, "yes": 1.0, "0": 0.0, "false": 0.0, "no": 0.0}


@dataclass(frozen=True, slots=True, kw_only=True)
class EvalSummary:
    """Accuracy of one strategy on an eval set."""

    strategy_id: str
    n_items: int
    n_correct: float
    """Items answered correctly (the sum of scores for scored evals)."""
    accuracy_fraction: float
    wilson_low_fraction: float
    wilson_high_fraction: float
    first_line: int


def wilson_interval(n_correct: float, n_items: float, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval of a proportion ``k / n``.

    ``(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)``. Unlike ``p ± z·sqrt(p(1-p)/n)`` it stays
    inside 0-1 and does not collapse at 0 or n correct.

    >>> [round(x, 4) for x in wilson_interval(170, 200)]  # accuracy 0.85 on 200 items
    [0.7939, 0.8929]
    >>> [round(x, 4) for x in wilson_interval(10, 10)]
    [0.7225, 1.0]
    """
    p = n_correct / n_items
    z2 = z * z
    centre = p + z2 / (2 * n_items)
    half = z * math.sqrt(p * (1 - p) / n_items + z2 / (4 * n_items * n_items))
    denom = 1 + z2 / n_items
    # The interval always holds p; min/max only remove rounding noise at k = 0 and k = n.
    return min(p, max(0.0, (centre - half) / denom)), max(p, min(1.0, (centre + half) / denom))


def _decode(data: bytes | str, source: str) -> str:
    if isinstance(data, str):
        return data
    if len(data) > MAX_EVAL_BYTES:
        raise InputError.single(source, "<file>", f"larger than {MAX_EVAL_BYTES:,} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.single(source, "<file>", f"not UTF-8 text (byte {exc.start})") from None


def _rows(
    text: str, source: str, fmt: str, problems: list[Problem]
) -> Iterator[tuple[int, Mapping[str, Any]]]:
    if fmt == "jsonl":
        for line_no, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = bounded.loads(line, allow_constants=False)
            except (ValueError, RecursionError) as exc:
                problems.append(
                    Problem(
                        file=source,
                        line=line_no,
                        field="<row>",
                        message=f"not JSON: {exc.msg}"
                        if isinstance(exc, json.JSONDecodeError)
                        else bounded.json_problem(exc),
                    )
                )
                continue
            if not isinstance(row, dict):
                problems.append(
                    Problem(file=source, line=line_no, field="<row>", message="expected a JSON object")
                )
                continue
            yield line_no, row
        return
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        problems.append(Problem(file=source, line=1, field="<header>", message=bounded.csv_problem(exc)))
        return
    needed = [STRATEGY_KEYS, ITEM_KEYS, ("correct", "score")]
    missing = [" or ".join(keys) for keys in needed if not any(k in header for k in keys)]
    if missing:
        found = ", ".join(header) if header else "nothing"
        problems.append(
            Problem(
                file=source,
                line=1,
                field="<header>",
                message=f"missing column {', '.join(missing)} (found {found})",
            )
        )
        return
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # an over-long cell or a broken quote: reported, never raised
            problems.append(
                Problem(
                    file=source, line=reader.line_num + 1, field="<row>", message=bounded.csv_problem(exc)
                )
            )
            return
        if None in row:
            problems.append(
                Problem(file=source, line=reader.line_num, field="<row>", message="more cells than columns")
            )
            continue
        yield reader.line_num, row


def _pick(row: Mapping[str, Any], keys: tuple[str, ...]) -> tuple[str, Any]:
    for k in keys:
        if k in row and row[k] not in (None, ""):
            return k, row[k]
    return keys[0], None


def _outcome(row: Mapping[str, Any]) -> tuple[str, float | None, str]:
    """(column, value in 0-1 or None, error message)."""
    has_correct = row.get("correct") not in (None, "")
    has_score = row.get("score") not in (None, "")
    if has_correct and has_score:
        return "correct", None, "give correct or score, not both"
    if has_correct:
        v = row["correct"]
        if isinstance(v, bool):
            return "correct", float(v), ""
        if isinstance(v, int | float) and v in (0, 1):
            return "correct", float(v), ""
        if isinstance(v, str) and v.strip().lower() in TRUE_WORDS:
            return "correct", TRUE_WORDS[v.strip().lower()], ""
        return "correct", None, f"expected 0 or 1 (or true/false), got {v!r}"
    if has_score:
        v = row["score"]
        try:
            x = float(v) if not isinstance(v, bool) else math.nan
        except (TypeError, ValueError):
            x = math.nan
        if math.isfinite(x) and 0.0 <= x <= 1.0:
            return "score", x, ""
        return "score", None, f"expected a number from 0 to 1, got {v!r}"
    return "correct", None, "missing: give correct (0/1) or score (0-1)"


def parse_evals(data: bytes | str, *, source: str, fmt: str | None = None) -> tuple[EvalSummary, ...]:
    """Read an eval-results file; ``fmt`` is ``csv`` or ``jsonl`` (default: from ``source``'s suffix or content).

    Raises InputError listing up to :data:`MAX_PROBLEMS` problems with file, line and column.
    """
    text = _decode(data, source)
    if fmt is None:
        lower = source.lower()
        if lower.endswith((".jsonl", ".ndjson", ".json")):
            fmt = "jsonl"
        elif lower.endswith(".csv"):
            fmt = "csv"
        else:
            fmt = "jsonl" if text.lstrip().startswith("{") else "csv"
    if fmt not in ("csv", "jsonl"):
        raise InputError.single(source, "<format>", f"expected csv or jsonl, got {fmt!r}")
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    totals: dict[str, list[float]] = {}
    first: dict[str, int] = {}
    for line, row in _rows(text, source, fmt, problems):
        if len(problems) >= MAX_PROBLEMS:
            break
        s_key, strategy = _pick(row, STRATEGY_KEYS)
        i_key, item = _pick(row, ITEM_KEYS)
        column, value, error = _outcome(row)
        row_ok = True
        for id_column, v in ((s_key, strategy), (i_key, item)):
            if v is None or not isinstance(v, str | int) or isinstance(v, bool) or not str(v).strip():
                problems.append(
                    Problem(file=source, line=line, field=id_column, message=f"expected an id, got {v!r}")
                )
                row_ok = False
        if error:
            problems.append(Problem(file=source, line=line, field=column, message=error))
            row_ok = False
        if not row_ok or value is None:
            continue
        key = (str(strategy).strip(), str(item).strip())
        if key in seen:
            problems.append(
                Problem(
                    file=source,
                    line=line,
                    field=i_key,
                    message=f"item {key[1]!r} of {key[0]!r} repeats line {seen[key]}",
                )
            )
            continue
        seen[key] = line
        first.setdefault(key[0], line)
        acc = totals.setdefault(key[0], [0.0, 0.0])
        acc[0] += value
        acc[1] += 1
    if problems:
        raise InputError(problems[:MAX_PROBLEMS])
    if not totals:
        raise InputError.single(source, "<file>", "no eval rows found")
    out = []
    for strategy, (k, n) in totals.items():
        low, high = wilson_interval(k, n)
        out.append(
            EvalSummary(
                strategy_id=strategy,
                n_items=int(n),
                n_correct=k,
                accuracy_fraction=k / n,
                wilson_low_fraction=low,
                wilson_high_fraction=high,
                first_line=first[strategy],
            )
        )
    return tuple(out)


def apply_evals(scenario: Scenario, summaries: tuple[EvalSummary, ...], *, source: str) -> Scenario:
    """The scenario with each evaluated strategy's accuracy set to its eval result (a Beta distribution).

    A strategy id the scenario does not have is an error naming the eval file's line.
    """
    ids = [s.id for s in scenario.strategies]
    problems = []
    for e in summaries:
        if e.strategy_id not in ids:
            close = difflib.get_close_matches(e.strategy_id, ids, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (scenario strategies: {', '.join(ids)})"
            problems.append(
                Problem(
                    file=source,
                    line=e.first_line,
                    field="strategy_id",
                    message=f"unknown strategy {e.strategy_id!r}{hint}",
                )
            )
    if problems:
        raise InputError(problems)
    by_id = {e.strategy_id: e for e in summaries}
    uncertain = dict(scenario.uncertain)
    strategies = []
    for i, s in enumerate(scenario.strategies):
        found = by_id.get(s.id)
        if found is None:
            strategies.append(s)
            continue
        dist = EvalBeta(n_correct=found.n_correct, n_items=found.n_items)
        uncertain[f"strategies[{i}].accuracy_fraction"] = dist
        strategies.append(dataclasses.replace(s, accuracy_fraction=dist.central()))
    changed = dataclasses.replace(scenario, strategies=tuple(strategies), uncertain=tuple(uncertain.items()))
    return revalidate(changed)
