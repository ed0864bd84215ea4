"""What would change the answer: re-score with each needs answer changed, and at other volumes.

Nothing here is written by hand per criterion: every enumerated answer is tried with each of its
other values (read from the :class:`~costmodel.scenario.Needs` type hints), every numeric answer is
scanned over a range and each switch of the top strategy is located by bisection, and the month-1
volume is scanned by re-evaluating the prepared strategies at scaled volumes.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from costmodel.advisor.figures import Snapshot, count, significant, snapshot, usd
from costmodel.advisor.score import score
from costmodel.engine import RunResult
from costmodel.scenario.types import Needs

POINTS_PER_DECADE = 8
"""Grid density of numeric scans (a switch is then located by bisection)."""

BISECTION_STEPS = 16
"""Halvings of a log-scale bracket: 16 steps narrow a factor-1.33 bracket to well under 0.01%."""

THRESHOLD_DIGITS = 2
"""Thresholds are reported to 2 significant figures ('about 300'): the model is not more precise."""

VOLUME_RANGE = (0.01, 100.0)
"""Month-1 volume scanned from 1/100 to 100 times the scenario's."""

NUMERIC_RANGES: dict[str, tuple[float, float]] = {
    "labeled_examples_available": (10.0, 100_000.0),
    "latency_budget_ms": (100.0, 60_000.0),
}
"""Scan ranges of numeric answers: 10 examples is the fine-tuning API minimum, 100,000 far past
'enough'; 100 ms to a minute spans real-time autocomplete to batch-like jobs. The budget is
scanned from 1/10 of the cheapest to 10 times the dearest average monthly cost."""

WORDING: dict[str, tuple[str, str, str, Callable[[float], str]]] = {
    "labeled_examples_available": (
        "with fewer than about {hi} labelled examples",
        "with more than about {lo} labelled examples",
        "with about {lo} to {hi} labelled examples",
        count,
    ),
    "latency_budget_ms": (
        "with a latency budget under about {hi} ms",
        "with a latency budget over about {lo} ms",
        "with a latency budget of about {lo} to {hi} ms",
        count,
    ),
    "budget_usd_per_month": (
        "with a budget under about {hi} a month",
        "with a budget over about {lo} a month",
        "with a budget of about {lo} to {hi} a month",
        usd,
    ),
    "workload.requests_per_month": (
        "at fewer than about {hi} requests a month",
        "at more than about {lo} requests a month",
        "at about {lo} to {hi} requests a month",
        count,
    ),
}
"""How a range of a numeric answer is written: below a threshold, above one, between two."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One answer (or the volume) that would change the recommendation."""

    answer: str
    """The needs field, or ``workload.requests_per_month``."""
    value: str
    """The changed answer in words ('daily or realtime', 'with fewer than about 290 labelled examples')."""
    recommended_id: str | None
    text: str
    threshold: float | None = None
    """The number past which ``recommended_id`` ranks first (None for a yes/no or categorical answer)."""
    direction: str = "equals"
    """``below`` / ``above``: values past ``threshold`` that way; ``equals``: the answer set to ``value``."""


PAST_FRACTION = 0.01
"""'Just past' a real-valued threshold: 1% beyond it (whole-number answers: one beyond it). A reported
threshold is checked by re-scoring there, so the claim holds when re-run."""


def past(threshold: float, direction: str, integer: bool = False) -> float:
    """A value just past ``threshold`` in ``direction`` (what a re-run uses to check a claim).

    >>> past(200.0, "above"), past(200.0, "below"), past(200.0, "above", integer=True)
    (202.0, 198.0, 201.0)
    """
    sign = 1.0 if direction == "above" else -1.0
    if integer:
        return float(round(threshold) + sign)
    return threshold * (1.0 + sign * PAST_FRACTION) if threshold > 0 else threshold + sign * PAST_FRACTION


def _direction(lo: float | None, hi: float | None, at: float | None) -> str:
    if at is not None:
        return "below" if hi is not None and hi <= at else "above"
    return "below" if lo is None else "above"


def verified_threshold(
    top_at: Callable[[float], str | None], exact: float, direction: str, target: str | None, integer: bool
) -> float:
    """The roundest of (2, 3 significant figures, exact) at whose 'just past' value ``target`` ranks first."""
    candidates = [significant(exact, 2), significant(exact, 3), exact]
    if integer:
        candidates = [
            float(c)
            for c in dict.fromkeys(
                [round(significant(exact, 2)), round(exact), math.floor(exact), math.ceil(exact)]
            )
        ]
    for c in candidates:
        if top_at(past(c, direction, integer)) == target:
            return c
    return exact


def _top(needs: Needs | None, snap: Snapshot) -> str | None:
    return score(needs, snap).recommended_id


def _with(needs: Needs | None, name: str, value: object) -> Needs:
    changes: dict[str, Any] = {name: value}
    return dataclasses.replace(needs or Needs(), **changes)


def _choices(name: str) -> tuple[object, ...] | None:
    """The possible values of an enumerated or yes/no answer (None for numbers)."""
    hint = typing.get_type_hints(Needs)[name]
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if args == [bool]:
        return (True, False)
    literals = [a for a in args if typing.get_origin(a) is typing.Literal]
    if literals:
        return typing.get_args(literals[0])
    return None


def _word(value: object) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _outcome(new_top: str | None) -> str:
    return f"{new_top} would rank first" if new_top else "no strategy would qualify"


def _enum_changes(
    needs: Needs | None, snap: Snapshot, name: str, choices: Sequence[object], now: str | None
) -> list[Change]:
    current = getattr(needs, name, None) if needs is not None else None
    groups: dict[str | None, list[object]] = {}
    for value in choices:
        if value == current:
            continue
        top = _top(_with(needs, name, value), snap)
        if top != now:
            groups.setdefault(top, []).append(value)
    unanswered = " (not answered yet)" if current is None else ""
    out = []
    for top, values in groups.items():
        words = " or ".join(_word(v) for v in values)
        text = f"with {name} {words}{unanswered}, {_outcome(top)}"
        out.append(
            Change(
                answer=name, value=words, recommended_id=top, text=text, threshold=None, direction="equals"
            )
        )
    return out


def _grid(low: float, high: float) -> list[float]:
    n = max(2, math.ceil(math.log10(high / low) * POINTS_PER_DECADE) + 1)
    return [float(x) for x in np.geomspace(low, high, n)]


def _switch(top_at: Callable[[float], str | None], lo: float, hi: float) -> float:
    """Point between lo and hi (log scale) where the top changes; top_at(lo) != top_at(hi)."""
    below = top_at(lo)
    for _ in range(BISECTION_STEPS):
        mid = math.sqrt(lo * hi)
        if top_at(mid) == below:
            lo = mid
        else:
            hi = mid
    return math.sqrt(lo * hi)


Segment = tuple[float | None, float | None, str | None]
"""(lower bound or None, upper bound or None, top strategy) of a range of a numeric answer."""


def segments(top_at: Callable[[float], str | None], low: float, high: float) -> list[Segment]:
    """Ranges of a numeric answer over which the top strategy stays the same (bounds by bisection)."""
    grid = _grid(low, high)
    tops = [top_at(x) for x in grid]
    out: list[Segment] = []
    start: float | None = None
    for i in range(len(grid) - 1):
        if tops[i] != tops[i + 1]:
            t = _switch(top_at, grid[i], grid[i + 1])
            out.append((start, t, tops[i]))
            start = t
    out.append((start, None, tops[-1]))
    return out


def _nearby(parts: list[Segment], at: float | None, now: str | None) -> list[Segment]:
    """The ranges next to ``at`` whose top differs from ``now`` (all such ranges if ``at`` is None)."""
    if at is None:
        return [p for p in parts if p[2] != now][:3]
    here = next(
        i for i, (lo, hi, _) in enumerate(parts) if (lo is None or lo <= at) and (hi is None or at < hi)
    )
    return [parts[i] for i in (here - 1, here + 1) if 0 <= i < len(parts) and parts[i][2] != now]


def _range_words(name: str, lo: float | None, hi: float | None, scale: float = 1.0) -> str:
    below, above, between, fmt = WORDING[name]
    if lo is None and hi is None:
        return f"with any {name}"
    words = {
        k: fmt(significant(v * scale, THRESHOLD_DIGITS)) for k, v in (("lo", lo), ("hi", hi)) if v is not None
    }
    template = below if lo is None else above if hi is None else between
    return template.format(**words)


def _numeric_changes(needs: Needs | None, snap: Snapshot, name: str, low: float, high: float) -> list[Change]:
    current = getattr(needs, name, None) if needs is not None else None
    is_int = int in typing.get_args(typing.get_type_hints(Needs)[name])

    def top_at(x: float) -> str | None:
        return _top(_with(needs, name, round(x) if is_int else x), snap)

    now = _top(needs, snap)
    at = None if current is None else float(current)
    out = []
    for lo, hi, top in _nearby(segments(top_at, low, high), at, now):
        direction = _direction(lo, hi, at)
        exact = hi if direction == "below" else lo
        assert exact is not None
        threshold = verified_threshold(top_at, exact, direction, top, is_int)
        lo, hi = (lo, threshold) if direction == "below" else (threshold, hi)
        words = _range_words(name, lo, hi)
        unanswered = f" ({name}, not answered yet)" if current is None else ""
        text = f"{words}{unanswered}, {_outcome(top)}"
        out.append(
            Change(
                answer=name,
                value=words,
                recommended_id=top,
                text=text,
                threshold=threshold,
                direction=direction,
            )
        )
    return out


def _volume_changes(result: RunResult, needs: Needs | None, now: str | None) -> list[Change]:
    base = float(result.requests_per_month[0])
    if base <= 0:
        return []
    cache: dict[float, str | None] = {}

    def top_at(factor: float) -> str | None:
        if factor not in cache:
            cache[factor] = _top(needs, snapshot(result, factor))
        return cache[factor]

    out = []
    name = "workload.requests_per_month"
    for lo, hi, top in _nearby(segments(top_at, *VOLUME_RANGE), 1.0, now):
        direction = _direction(lo, hi, 1.0)
        exact = (hi if direction == "below" else lo) or 1.0

        def top_at_volume(q: float) -> str | None:
            return top_at(q / base)

        threshold = verified_threshold(top_at_volume, exact * base, direction, top, False)
        lo, hi = (lo, threshold / base) if direction == "below" else (threshold / base, hi)
        words = _range_words(name, lo, hi, scale=base)
        text = f"{words} in month 1 (the growth path scaled), {_outcome(top)}{_engine_says(result, now, top, threshold / base)}"
        out.append(
            Change(
                answer=name,
                value=words,
                recommended_id=top,
                text=text,
                threshold=threshold,
                direction=direction,
            )
        )
    return out


def _engine_says(result: RunResult, now: str | None, top: str | None, factor: float) -> str:
    """What the engine says about the two strategies' costs: their constant-volume breakeven and cost ratio there."""
    if now is None or top is None:
        return ""
    pair = next((p for p in result.breakeven if {p.a, p.b} == {now, top}), None)
    snap = snapshot(result, factor)
    cost = {f.id: f.basis_usd for f in snap.figures}
    a, b = cost.get(top), cost.get(now)
    ratio = f"; there {top} costs {a / b:.1f}x {now}" if a is not None and b is not None and b > 0 else ""
    months = result.scenario.horizon_months
    if pair is None:
        return ratio
    if pair.requests_per_month is None:
        return (
            f"{ratio}, and their {months}-month totals are not equal at any constant volume, "
            "so the change is not a cost breakeven"
        )
    return f"{ratio}; their {months}-month totals are equal at a constant {count(pair.requests_per_month)} requests a month"


def what_would_change(
    result: RunResult, needs: Needs | None, snap: Snapshot | None = None
) -> tuple[Change, ...]:
    """Every single-answer change (and volume change) that would put another strategy first."""
    snap = snap or snapshot(result)
    now = _top(needs, snap)
    out: list[Change] = []
    for f in dataclasses.fields(Needs):
        choices = _choices(f.name)
        if choices is not None:
            out.extend(_enum_changes(needs, snap, f.name, choices, now))
        elif f.name in NUMERIC_RANGES:
            out.extend(_numeric_changes(needs, snap, f.name, *NUMERIC_RANGES[f.name]))
        elif f.name == "budget_usd_per_month":
            averages = [x.total_usd / snap.horizon_months for x in snap.priced() if x.total_usd]
            if averages:
                out.extend(_numeric_changes(needs, snap, f.name, min(averages) / 10, max(averages) * 10))
    out.extend(_volume_changes(result, needs, now))
    return tuple(out)
