"""One verdict a decision-maker can act on: cheapest, best net value and the advisor's pick, and what decides them.

``cheapest_id`` is the engine's (on the run's cost basis: NPV when the scenario discounts, else the
horizon total); ``best_value_id`` the available strategy with the highest net value (None without a
``value`` block); ``recommended_id`` the advisor's pick (None without a ``needs`` block). When they
differ, the sentence says why in one clause each.

Decisive assumptions: every input with a plausible range (a catalog labelling rate's low/high, a
distribution written in the scenario, the simulator's default ranges the caller passes in) is set to
each end of its range and the scenario re-run; where the cheapest (or best-value) strategy changes,
the switch point is located by bisection and reported as ``flips_at`` (SCENARIO.md, "Version 1
additions (verdict)").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from costmodel.advisor.figures import significant
from costmodel.advisor.recommendation import Advice, advise
from costmodel.catalog.entry import Catalogs
from costmodel.core.errors import InputError
from costmodel.engine import RunResult, StrategyResult, run
from costmodel.report import basis_words, format_usd, scope_words
from costmodel.scenario.types import InlineLabeling, Scenario
from costmodel.scenario.uncertain import UncertainInput, get_value, is_integer_field, with_values

BISECTION_STEPS = 24
"""Halvings of a range when locating a flip: 24 narrow any range to under one part in 10 million."""

FLIP_DIGITS = 3
"""``flips_at`` is reported to 3 significant figures, rounded towards the flipped side."""

MAX_DECISIVE = 3
"""At most this many decisive assumptions are reported, those nearest their current value first."""

TOP_REASONS = 3
"""Reasons of the advisor's pick shown under the verdict."""

WORKLOAD_WORDS = {
    "workload.growth_fraction_per_month": "monthly growth",
    "workload.output_tokens_per_request": "output tokens per request",
    "workload.input_tokens_per_request": "input tokens per request",
    "workload.requests_per_month": "month-1 requests",
}
"""Workload fields in words."""

Outcome = tuple[str | None, str | None]
"""(cheapest id, best-value id) of one run."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Plausible:
    """One input with a plausible range: where it is, its value now, its range and how sure it is."""

    path: str
    value: float
    low: float
    high: float
    confidence: str
    label: str
    integer: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Decisive:
    """An input whose plausible range contains a value at which the verdict flips."""

    plausible: Plausible
    flips_at: float
    direction: str
    """``below`` or ``above``: the verdict flips when the input goes past ``flips_at`` that way."""
    subject: str
    """``cheapest`` or ``best value``: which part of the verdict flips."""
    new_id: str | None

    @property
    def text(self) -> str:
        """'flips if … falls to $4.10 (now $9.60; plausible $3.40–$24.00, assumption): rag would be the cheapest'."""
        p = self.plausible
        fmt = _formatter(p.path)
        who = (
            f"{self.new_id} would be the {self.subject}"
            if self.new_id
            else f"no strategy would be the {self.subject}"
        )
        move = "falls to" if self.direction == "below" else "rises to"
        return (
            f"flips if {p.label} {move} {fmt(self.flips_at)} (now {fmt(p.value)}; plausible "
            f"{fmt(p.low)}–{fmt(p.high)}, {p.confidence}): {who}"
        )

    def to_dict(self) -> dict[str, Any]:
        """The contract's keys (field, value, flips_at, confidence) plus the range and the outcome."""
        p = self.plausible
        return {
            "field": p.path,
            "value": p.value,
            "flips_at": self.flips_at,
            "confidence": p.confidence,
            "direction": self.direction,
            "low": p.low,
            "high": p.high,
            "changes": self.subject.replace(" ", "_"),
            "new_id": self.new_id,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """The one answer: who is cheapest, who makes the most, whom the advisor picks, and why."""

    cost_basis: str
    cheapest_id: str | None
    best_value_id: str | None
    recommended_id: str | None
    sentence: str
    reasons: tuple[str, ...]
    """The advisor's top reasons for its pick (empty without a needs block)."""
    decisive_assumptions: tuple[Decisive, ...]

    def to_dict(self) -> dict[str, Any]:
        """The ``verdict`` object of ``breakeven run --format json``."""
        return {
            "cheapest_id": self.cheapest_id,
            "best_value_id": self.best_value_id,
            "recommended_id": self.recommended_id,
            "sentence": self.sentence,
            "reasons": list(self.reasons),
            "decisive_assumptions": [d.to_dict() for d in self.decisive_assumptions],
        }


def best_value_id(result: RunResult) -> str | None:
    """The available strategy with the highest net value; None without a value block (ties: scenario order)."""
    if result.scenario.value is None:
        return None
    valued = [s for s in result.strategies if s.available and s.net_value_usd is not None]
    if not valued:
        return None
    return max(valued, key=lambda s: s.net_value_usd or 0.0).id


def outcome(result: RunResult) -> Outcome:
    """(cheapest, best value) of a run: what a decisive assumption can flip."""
    return result.cheapest_id, best_value_id(result)


# ---------------------------------------------------------------------------------------------
# The sentence
# ---------------------------------------------------------------------------------------------


def _cost(s: StrategyResult, basis: str) -> float:
    return s.npv_usd if basis == "npv" else s.total_usd


def _why_value(best: StrategyResult, cheap: StrategyResult) -> str:
    if best.net_value_usd is None:
        return f"{best.id} has the highest net value"
    if cheap.net_value_usd is None:
        return f"{best.id} has the highest net value ({format_usd(best.net_value_usd)})"
    gap = format_usd(best.net_value_usd - cheap.net_value_usd)
    a, b = best.accuracy_fraction, cheap.accuracy_fraction
    if a is not None and b is not None and a > b:
        return f"{best.id} earns {gap} more net value because it is right {a:.0%} of the time against {b:.0%}"
    return f"{best.id} earns {gap} more net value"


def sentence(result: RunResult, best_id: str | None, advice: Advice | None) -> str:
    """The verdict in one sentence (see the module docstring)."""
    basis = result.cost_basis
    scope = scope_words(result)
    rec_id = advice.recommended_id if advice is not None else None
    if result.cheapest_id is None:
        return f"{scope}, no strategy could be costed: see the notes below the table."
    cheap = result.strategy(result.cheapest_id)
    head = f"{scope}, {cheap.id} is the cheapest at {format_usd(_cost(cheap, basis))} {basis_words(result)}"
    roles = []
    if best_id == cheap.id:
        roles.append("the best net value")
    if rec_id == cheap.id:
        roles.append("the advisor's pick")
    if roles:
        head += ", " + " and ".join(roles)
    parts = [head]
    if best_id is not None and best_id != cheap.id:
        parts.append(_why_value(result.strategy(best_id), cheap))
    if rec_id is not None and rec_id != cheap.id and advice is not None:
        top = next(r for r in advice.ranking if r.id == rec_id)
        reason = top.reasons[0].text if top.reasons else ""
        also = " too" if rec_id == best_id else ""
        parts.append(
            f"the advisor recommends {rec_id}{also}" + (f" ({reason})" if reason and not also else "")
        )
    elif advice is not None and rec_id is None and result.scenario.needs is not None:
        parts.append("no strategy meets the needs' hard constraints")
    return "; ".join(parts) + "."


# ---------------------------------------------------------------------------------------------
# Decisive assumptions
# ---------------------------------------------------------------------------------------------


def _formatter(path: str) -> Callable[[float], str]:
    if path.endswith("usd_per_example") or "usd" in path.rpartition(".")[2]:
        return lambda x: f"${significant(x, 3):,.2f}" if abs(x) < 100 else format_usd(x)
    if path.endswith("_fraction_per_month"):
        return lambda x: f"{x:.1%}/month"
    if path.endswith("_fraction"):
        return lambda x: f"{x:.1%}"
    return lambda x: f"{significant(x, 3):,g}"


def _label(scenario: Scenario, path: str) -> str:
    head, _, name = path.partition(".")
    if head.startswith("strategies["):
        s = scenario.strategies[int(head[len("strategies[") : -1])]
        words = {
            "labeling.usd_per_example": f"labelling ({s.labeling}) for {s.id}, per example"
            if hasattr(s, "labeling")
            else "labelling per example",
            "accuracy_fraction": f"{s.id}'s accuracy",
            "output_tokens_per_request": f"{s.id}'s output tokens per request",
        }
        return words.get(name, f"{s.id}: {name.replace('_', ' ')}")
    return WORKLOAD_WORDS.get(path, path.replace("_", " "))


def _bounds(item: UncertainInput) -> tuple[float, float]:
    dist: Any = item.dist
    if hasattr(dist, "low") and hasattr(dist, "high"):
        return float(dist.low), float(dist.high)
    return float(dist.ppf(0.05)), float(dist.ppf(0.95))


def _confidence(origin: str) -> str:
    if origin.startswith("default: assumption"):
        return "assumption"
    if origin.startswith("default"):
        return "default range"
    return origin


def plausible_inputs(
    scenario: Scenario, catalogs: Catalogs, extra: Sequence[UncertainInput] = ()
) -> list[Plausible]:
    """Inputs with a plausible range: catalog labelling rates, the scenario's distributions, ``extra``."""
    out: list[Plausible] = []
    for i, s in enumerate(scenario.strategies):
        ref = getattr(s, "labeling", None)
        entry = catalogs.find("labeling_rates", ref) if isinstance(ref, str) else None
        low, high = getattr(entry, "low_usd_per_example", None), getattr(entry, "high_usd_per_example", None)
        if entry is not None and low is not None and high is not None:
            path = f"strategies[{i}].labeling.usd_per_example"
            out.append(
                Plausible(
                    path=path,
                    value=float(entry.usd_per_example),
                    low=float(low),
                    high=float(high),
                    confidence=str(entry.confidence),
                    label=_label(scenario, path),
                )
            )
    seen = {p.path for p in out}
    for item in (*(UncertainInput(path=k, dist=d, origin="scenario") for k, d in scenario.uncertain), *extra):
        if item.factor is not None or item.path in seen:
            continue
        seen.add(item.path)
        low, high = _bounds(item)
        out.append(
            Plausible(
                path=item.path,
                value=float(get_value(scenario, item.path)),
                low=low,
                high=high,
                confidence=_confidence(item.origin),
                label=_label(scenario, item.path),
                integer=is_integer_field(scenario, item.path),
            )
        )
    return out


def with_input(scenario: Scenario, path: str, x: float) -> Scenario:
    """The scenario with one plausible input set to ``x`` (a catalog labelling rate becomes an inline one)."""
    head, _, rest = path.partition(".")
    if rest == "labeling.usd_per_example":
        return with_values(scenario, {f"{head}.labeling": InlineLabeling(usd_per_example=x)})  # type: ignore[no-any-return]
    return with_values(scenario, {path: x})  # type: ignore[no-any-return]


def _flip(
    at: Callable[[float], Outcome | None], now: Outcome, k: int, inside: float, outside: float, integer: bool
) -> float:
    """The value between ``inside`` (verdict as now) and ``outside`` (flipped) where part ``k`` changes."""
    if integer:
        lo_int, hi_int = round(inside), round(outside)
        while abs(hi_int - lo_int) > 1:
            mid_int = (lo_int + hi_int) // 2
            got = at(mid_int)
            if got is not None and got[k] == now[k]:
                lo_int = mid_int
            else:
                hi_int = mid_int
        return float(hi_int)
    for _ in range(BISECTION_STEPS):
        mid = (inside + outside) / 2
        got = at(mid)
        if got is not None and got[k] == now[k]:
            inside = mid
        else:
            outside = mid
    for digits in (2, FLIP_DIGITS):
        rounded = _round_towards(outside, inside, digits)
        got = at(rounded)
        if got is not None and got[k] != now[k]:
            return rounded
    return outside


def _round_towards(x: float, away_from: float, digits: int) -> float:
    """``x`` to ``digits`` significant figures, rounded away from ``away_from`` (towards the flipped side)."""
    if x == 0 or not math.isfinite(x):
        return x
    exponent = math.floor(math.log10(abs(x))) - digits + 1
    n = math.ceil(x / 10.0**exponent) if x > away_from else math.floor(x / 10.0**exponent)
    return float(round(n * 10.0**exponent, -exponent))


def decisive_assumptions(
    result: RunResult, catalogs: Catalogs, extra: Sequence[UncertainInput] = ()
) -> tuple[Decisive, ...]:
    """Inputs whose plausible range flips the cheapest or best-value strategy, nearest flip first."""
    scenario = result.scenario
    now = outcome(result)
    found: list[Decisive] = []
    for p in plausible_inputs(scenario, catalogs, extra):

        def at(x: float, path: str = p.path) -> Outcome | None:
            try:
                return outcome(run(with_input(scenario, path, x), catalogs, at=None))
            except InputError:
                return None

        for end, direction in ((p.low, "below"), (p.high, "above")):
            if end == p.value:
                continue
            got = at(end)
            if got is None:
                continue
            for k, subject in ((0, "cheapest"), (1, "best value")):
                if got[k] == now[k] or now[k] is None:
                    continue
                x = _flip(at, now, k, p.value, end, p.integer)
                flipped = at(x)
                new_id = flipped[k] if flipped is not None else got[k]
                found.append(
                    Decisive(plausible=p, flips_at=x, direction=direction, subject=subject, new_id=new_id)
                )
    found.sort(key=lambda d: abs(d.flips_at - d.plausible.value) / max(abs(d.plausible.value), 1e-12))
    return tuple(found[:MAX_DECISIVE])


def verdict(
    result: RunResult,
    catalogs: Catalogs,
    *,
    advice: Advice | None = None,
    extra: Sequence[UncertainInput] = (),
    assumptions: bool = True,
) -> Verdict:
    """The verdict of a run (``advice``: the advisor's answer if already computed; ``extra``: default ranges)."""
    if advice is None and result.scenario.needs is not None:
        advice = advise(result, sensitivity=False)
    if result.scenario.needs is None:
        advice = None
    best = best_value_id(result)
    reasons: tuple[str, ...] = ()
    if advice is not None and advice.recommended_id is not None:
        top = next(r for r in advice.ranking if r.id == advice.recommended_id)
        reasons = tuple(r.text for r in top.reasons[:TOP_REASONS])
    return Verdict(
        cost_basis=result.cost_basis,
        cheapest_id=result.cheapest_id,
        best_value_id=best,
        recommended_id=advice.recommended_id if advice is not None else None,
        sentence=sentence(result, best, advice),
        reasons=reasons,
        decisive_assumptions=decisive_assumptions(result, catalogs, extra) if assumptions else (),
    )
