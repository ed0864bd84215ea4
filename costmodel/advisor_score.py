"""Scoring: the needs answers and the engine's figures in, a ranked list with reasons out.

``score(s) = sum_c(w_c * strength_c * fit_c(s)) / sum_c(w_c * strength_c)`` over the criteria that
apply (table and reasoning in :mod:`costmodel.advisor_criteria`); a hard constraint sets the score of
the strategies it rules out to 0. Every reason starts with the label of the criterion behind it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass

from .advisor_criteria import (
    BY_ID,
    CRITERIA,
    ENOUGH_EXAMPLES_FOR_FINETUNING,
    MIN_EXAMPLES_FOR_FINETUNING,
    Criterion,
)
from .advisor_figures import Figures, Snapshot, count, usd
from .scenario import Needs

NEUTRAL_SCORE = 0.5
"""Score of every strategy when no criterion applies at all (nothing answered, nothing priced)."""

MIN_REFERENCE_USD = 1.0
"""Floor of the economics reference amount, so a scenario whose cheapest strategy is free still scores."""

FINETUNE_KINDS = ("finetune_hosted", "finetune_selfhosted")


@dataclass(frozen=True, slots=True, kw_only=True)
class Reason:
    """One reason: the criterion it comes from, its text, and how much it weighed."""

    criterion: str
    """Id of a row of the criteria table (``advisor_criteria.CRITERIA``) or ``combination``."""
    text: str
    weight: float
    """weight x strength the criterion had (0: information only, it did not move the score)."""
    fit: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Ranked:
    """One strategy's place in the ranking."""

    id: str
    kind: str
    score: float
    available: bool
    excluded: bool
    reasons: tuple[Reason, ...]
    contributions: Mapping[str, float]
    """Criterion id -> its share of the score (the shares sum to the score; empty if excluded)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Scored:
    """A ranking with what went into it."""

    ranking: tuple[Ranked, ...]
    recommended_id: str | None
    applied: Mapping[str, float]
    """Criterion id -> weight x strength, for the criteria that moved the scores."""
    unanswered: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class _Applied:
    criterion: Criterion
    strength: float
    fits: dict[str, float]
    texts: dict[str, tuple[str, ...]]

    @property
    def weight(self) -> float:
        return self.criterion.weight * self.strength


# ---------------------------------------------------------------------------------------------
# Criteria that read an answer
# ---------------------------------------------------------------------------------------------


def _key(value: object) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _answer_text(value: object) -> str:
    if isinstance(value, bool):
        return "required" if value else "not required"
    if isinstance(value, int | float):
        return count(value)
    return str(value)


def _from_table(c: Criterion, value: object, strength: float, snap: Snapshot) -> _Applied:
    assert c.fits is not None and c.says is not None
    head = f"{c.label} ({_answer_text(value)})"
    return _Applied(
        criterion=c,
        strength=strength,
        fits={f.id: c.fits.of(f.kind) for f in snap.figures},
        texts={f.id: (f"{head}: {c.says.of(f.kind)}",) for f in snap.figures},
    )


def example_shortfall(n_examples: float) -> float:
    """How strongly a count of labelled examples counts against fine-tuning, in [0, 1].

    ``1`` at or below MIN_EXAMPLES_FOR_FINETUNING, ``0`` at or above ENOUGH_EXAMPLES_FOR_FINETUNING,
    log-linear between (each doubling of the data closes the same share of the gap; assumption).

    >>> example_shortfall(30), example_shortfall(1000), round(example_shortfall(300), 3)
    (1.0, 0.0, 0.402)
    """
    if n_examples <= MIN_EXAMPLES_FOR_FINETUNING:
        return 1.0
    if n_examples >= ENOUGH_EXAMPLES_FOR_FINETUNING:
        return 0.0
    span = math.log(ENOUGH_EXAMPLES_FOR_FINETUNING / MIN_EXAMPLES_FOR_FINETUNING)
    return 1.0 - math.log(n_examples / MIN_EXAMPLES_FOR_FINETUNING) / span


def _answer_criteria(needs: Needs, snap: Snapshot) -> list[_Applied]:
    out = []
    for c in CRITERIA:
        if c.hard or c.fits is None or c.says is None or c.answer == "engine":
            continue
        value = getattr(needs, c.answer)
        if value is None:
            continue
        strength = example_shortfall(value) if c.id == "labelled_examples" else c.strength(_key(value))
        if strength > 0:
            out.append(_from_table(c, value, strength, snap))
        if c.id == "labelled_examples":
            out.append(_examples_gap(c, value, snap))
    return out


def _examples_gap(c: Criterion, available: int, snap: Snapshot) -> _Applied:
    """Information: fine-tuning strategies that plan on more examples than are available."""
    texts: dict[str, tuple[str, ...]] = {}
    for f in snap.figures:
        planned = getattr(snap.scenario.strategy(f.id), "n_training_examples", None)
        if f.kind in FINETUNE_KINDS and planned is not None and planned > available:
            texts[f.id] = (
                f"{c.label} ({count(available)}): {f.id} plans on {count(planned)} training examples, so "
                f"{count(planned - available)} more must be written or labelled before its cost and "
                "accuracy figures hold",
            )
    return _Applied(criterion=c, strength=0.0, fits={f.id: 0.5 for f in snap.figures}, texts=texts)


# ---------------------------------------------------------------------------------------------
# Criteria computed from the engine's figures
# ---------------------------------------------------------------------------------------------


def _not_estimated(label: str, f: Figures) -> str:
    return f"{label}: not estimated for {f.id} ({f.unavailable_note}), so it scores 0 here"


def _prompt_overhead(snap: Snapshot) -> _Applied | None:
    carriers = [f for f in snap.figures if f.shot_fraction > 0]
    if not carriers:
        return None
    worst = max(carriers, key=lambda f: f.shot_fraction)
    c = BY_ID["prompt_overhead"]
    fits: dict[str, float] = {}
    texts: dict[str, tuple[str, ...]] = {}
    for f in snap.figures:
        if f.kind in FINETUNE_KINDS:
            fits[f.id] = 1.0
            own = f" ({count(f.input_tokens_per_request)} input tokens)" if f.input_tokens_per_request else ""
            texts[f.id] = (
                f"{c.label}: a fine-tuned model learns the examples once instead of reading them with every "
                f"request{own}; {worst.id} sends {count(worst.shot_tokens_per_request)} tokens of examples "
                "each time",
            )
        else:
            fits[f.id] = 1.0 - f.shot_fraction
            if f.shot_fraction > 0:
                texts[f.id] = (
                    f"{c.label}: {f.n_shots} examples ({count(f.shot_tokens_per_request)} tokens, "
                    f"{f.shot_fraction:.0%} of its {count(f.input_tokens_per_request or 0)} input tokens) "
                    "travel with every request",
                )
            else:
                texts[f.id] = (
                    f"{c.label}: none of its {count(f.input_tokens_per_request or 0)} input tokens are "
                    "few-shot examples",
                )
    return _Applied(criterion=c, strength=worst.shot_fraction, fits=fits, texts=texts)


def _over_budget_fit(budget: float, actual: float) -> float:
    """``min(1, budget / actual)^2``: 1 within budget, about 0.6 at 30% over."""
    return 1.0 if actual <= budget else (budget / actual) ** 2


def _budget(needs: Needs, snap: Snapshot) -> _Applied | None:
    budget = needs.budget_usd_per_month
    if budget is None:
        return None
    c = BY_ID["budget"]
    head = f"{c.label} ({usd(budget)}/month)"
    months = snap.horizon_months
    fits: dict[str, float] = {}
    texts: dict[str, tuple[str, ...]] = {}
    over = False
    for f in snap.figures:
        if f.total_usd is None:
            fits[f.id], texts[f.id] = 0.0, (_not_estimated(head, f),)
            continue
        average = f.total_usd / months
        fits[f.id] = _over_budget_fit(budget, average) if budget > 0 else (1.0 if average == 0 else 0.0)
        if average <= budget:
            verdict = "within budget"
        elif budget > 0:
            verdict = f"{average / budget - 1:.0%} over budget"
        else:
            verdict = "over a zero budget"
        over = over or average > budget
        texts[f.id] = (
            f"{head}: averages {usd(average)}/month over {months} months with one-off costs spread, {verdict}",
        )
    return _Applied(criterion=c, strength=1.0 if over else 0.0, fits=fits, texts=texts)


def _latency(needs: Needs, snap: Snapshot) -> _Applied | None:
    budget = needs.latency_budget_ms
    if budget is None:
        return None
    c = BY_ID["latency"]
    head = f"{c.label} ({count(budget)} ms)"
    fits: dict[str, float] = {}
    texts: dict[str, tuple[str, ...]] = {}
    over = False
    for f in snap.figures:
        if f.end_to_end_ms is None:
            fits[f.id], texts[f.id] = 0.0, (_not_estimated(head, f),)
            continue
        fits[f.id] = _over_budget_fit(budget, f.end_to_end_ms)
        over = over or f.end_to_end_ms > budget
        verdict = (
            "within budget"
            if f.end_to_end_ms <= budget
            else f"{f.end_to_end_ms / budget - 1:.0%} over budget"
        )
        first = f" (first token after {count(f.ttft_ms)} ms)" if f.ttft_ms is not None else ""
        texts[f.id] = (f"{head}: about {count(f.end_to_end_ms)} ms end to end{first}, {verdict}",)
    return _Applied(criterion=c, strength=1.0 if over else 0.0, fits=fits, texts=texts)


def uses_net_value(snap: Snapshot) -> bool:
    """True when the economics criterion compares net value (the scenario prices the answers)."""
    priced = snap.priced()
    return (
        snap.scenario.value is not None and bool(priced) and all(f.net_value_usd is not None for f in priced)
    )


def _cost_text(f: Figures, ref: Figures, cheapest: Figures, snap: Snapshot) -> str:
    assert f.total_usd is not None and f.month1_usd is not None
    assert ref.total_usd is not None and ref.month1_usd is not None and cheapest.total_usd is not None
    months = snap.horizon_months
    at = f"at {count(snap.requests_month1)} requests a month"
    if f is cheapest:
        return (
            f"Cost: the cheapest over {months} months, {usd(f.total_usd)} against {usd(ref.total_usd)} for "
            f"{ref.id}; {usd(f.month1_usd)}/month in month 1 {at}"
        )
    ratio = f.total_usd / cheapest.total_usd if cheapest.total_usd > 0 else math.inf
    return (
        f"Cost: {at} {f.id} costs {usd(f.month1_usd)}/month against {usd(ref.month1_usd)} for {ref.id}; "
        f"over {months} months {usd(f.total_usd)} against {usd(ref.total_usd)} ({ratio:.1f}x the cheapest)"
    )


def _value_text(f: Figures, best: Figures, runner_up: Figures | None, months: int) -> str:
    assert f.net_value_usd is not None and best.net_value_usd is not None
    acc = f" at {f.accuracy_fraction:.0%} accuracy" if f.accuracy_fraction is not None else ""
    if f is best:
        gap = ""
        if runner_up is not None and runner_up.net_value_usd is not None:
            gap = f", {usd(f.net_value_usd - runner_up.net_value_usd)} more than {runner_up.id}"
        return f"Net value: the highest, {usd(f.net_value_usd)} over {months} months{acc}{gap}"
    best_acc = f" ({best.accuracy_fraction:.0%})" if best.accuracy_fraction is not None else ""
    return (
        f"Net value: {usd(f.net_value_usd)} over {months} months{acc}, "
        f"{usd(best.net_value_usd - f.net_value_usd)} less than {best.id}{best_acc}"
    )


def _breakeven_text(f: Figures, best: Figures, snap: Snapshot) -> str | None:
    months = snap.horizon_months
    for pair in snap.breakeven:
        if {pair.a, pair.b} != {f.id, best.id}:
            continue
        if pair.month is not None:
            text = f"Breakeven: {pair.b} catches up with {pair.a} in month {pair.month}"
        else:
            text = f"Breakeven: {pair.b} does not catch up with {pair.a} within {months} months"
        if pair.requests_per_month is not None:
            text += (
                f"; their {months}-month totals are equal at about {count(pair.requests_per_month)} "
                f"requests a month (now {count(snap.requests_month1)})"
            )
        else:
            text += f"; their {months}-month totals are not equal at any constant volume"
        return text
    return None


def _economics(snap: Snapshot) -> _Applied:
    c = BY_ID["economics"]
    priced = snap.priced()
    fits: dict[str, float] = {}
    texts: dict[str, tuple[str, ...]] = {}
    if not priced:
        for f in snap.figures:
            fits[f.id], texts[f.id] = 0.0, (_not_estimated(c.label, f),)
        return _Applied(criterion=c, strength=0.0, fits=fits, texts=texts)
    by_cost = sorted(priced, key=lambda f: f.total_usd or 0.0)
    cheapest = by_cost[0]
    assert cheapest.total_usd is not None
    reference = max(cheapest.total_usd, MIN_REFERENCE_USD)
    net = uses_net_value(snap)
    by_value = sorted(priced, key=lambda f: -(f.net_value_usd or 0.0)) if net else by_cost
    best = by_value[0]
    for f in snap.figures:
        if f.total_usd is None:
            fits[f.id], texts[f.id] = 0.0, (_not_estimated(c.label, f),)
            continue
        if net:
            assert f.net_value_usd is not None and best.net_value_usd is not None
            shortfall = best.net_value_usd - f.net_value_usd
        else:
            shortfall = f.total_usd - cheapest.total_usd
        fits[f.id] = 1.0 / (1.0 + max(0.0, shortfall) / reference)
        ref = cheapest if f is not cheapest else (by_cost[1] if len(by_cost) > 1 else f)
        lines = [_cost_text(f, ref, cheapest, snap)]
        if net:
            lines.insert(
                0, _value_text(f, best, by_value[1] if len(by_value) > 1 else None, snap.horizon_months)
            )
        if f is not best:
            be = _breakeven_text(f, best, snap)
            if be:
                lines.append(be)
        texts[f.id] = tuple(lines)
    return _Applied(criterion=c, strength=1.0, fits=fits, texts=texts)


# ---------------------------------------------------------------------------------------------
# Putting it together
# ---------------------------------------------------------------------------------------------


def answered(needs: Needs | None) -> dict[str, object]:
    """The questionnaire answers that were given (field -> value)."""
    if needs is None:
        return {}
    return {
        f.name: getattr(needs, f.name)
        for f in dataclasses.fields(needs)
        if getattr(needs, f.name) is not None
    }


def _order(reasons: list[Reason], mean_fit: Mapping[str, float]) -> tuple[Reason, ...]:
    """Reasons that separated this strategy most from the others first; information-only last."""

    def impact(r: Reason) -> float:
        if r.fit is None or r.weight == 0:
            return -1.0
        return r.weight * abs(r.fit - mean_fit.get(r.criterion, r.fit)) + r.weight * 1e-6

    return tuple(sorted(reasons, key=impact, reverse=True))


def _fallback_note(snap: Snapshot) -> str:
    metric = (
        f"net value over {snap.horizon_months} months, since the scenario prices right and wrong answers"
        if uses_net_value(snap)
        else f"total cost over {snap.horizon_months} months"
    )
    return f"No needs answered: the ranking uses the cost results alone ({metric})."


def score(needs: Needs | None, snap: Snapshot) -> Scored:
    """Score and rank every strategy of the snapshot against the answers in ``needs``."""
    answers = answered(needs)
    applied: list[_Applied] = []
    if needs is not None and answers:
        applied.extend(_answer_criteria(needs, snap))
        overhead = _prompt_overhead(snap)
        if overhead is not None:
            applied.append(overhead)
        applied.extend(a for a in (_budget(needs, snap), _latency(needs, snap)) if a is not None)
    applied.append(_economics(snap))
    den = sum(a.weight for a in applied)
    on_prem = bool(answers.get("data_must_stay_on_premises"))
    hard = BY_ID["on_premises"]
    assert hard.fits is not None and hard.says is not None
    mean_fit = {
        a.criterion.id: sum(a.fits.values()) / len(a.fits) for a in applied if a.weight > 0 and a.fits
    }
    rows = []
    for index, f in enumerate(snap.figures):
        contributions = {a.criterion.id: a.weight * a.fits[f.id] / den for a in applied if a.weight > 0}
        value = sum(contributions.values()) if den > 0 else NEUTRAL_SCORE
        reasons = [
            Reason(criterion=a.criterion.id, text=t, weight=a.weight, fit=a.fits[f.id])
            for a in applied
            for t in a.texts.get(f.id, ())
        ]
        ordered = _order(reasons, mean_fit)
        excluded = on_prem and hard.fits.of(f.kind) == 0.0
        if on_prem:
            verdict = f"excluded (would otherwise score {value:.2f})" if excluded else "qualifies"
            first = Reason(
                criterion=hard.id,
                text=f"{hard.label} (required): {hard.says.of(f.kind)}; {verdict}",
                weight=0.0,
                fit=hard.fits.of(f.kind),
            )
            ordered = (first, *ordered)
        rows.append(
            (
                (0 if excluded else 1, 0.0 if excluded else value, value, -index),
                Ranked(
                    id=f.id,
                    kind=f.kind,
                    score=0.0 if excluded else value,
                    available=f.available,
                    excluded=excluded,
                    reasons=ordered,
                    contributions={} if excluded else contributions,
                ),
            )
        )
    ranking = tuple(r for _, r in sorted(rows, key=lambda kr: kr[0], reverse=True))
    top = ranking[0] if ranking else None
    recommended = top.id if top is not None and not top.excluded else None
    return Scored(
        ranking=ranking,
        recommended_id=recommended,
        applied={a.criterion.id: a.weight for a in applied if a.weight > 0},
        unanswered=tuple(f.name for f in dataclasses.fields(Needs) if f.name not in answers),
        notes=tuple(_notes(answers, snap, on_prem, recommended)),
    )


def _notes(
    answers: Mapping[str, object], snap: Snapshot, on_prem: bool, recommended: str | None
) -> list[str]:
    notes = []
    if not answers:
        notes.append(_fallback_note(snap))
    else:
        missing = [f.name for f in dataclasses.fields(Needs) if f.name not in answers]
        if missing:
            notes.append(f"Not answered: {', '.join(missing)}; those criteria are left out of the scores.")
    if on_prem and recommended is None:
        notes.append(
            "No strategy qualifies: the data must stay on premises and the scenario has no "
            "finetune_selfhosted strategy; add one to price an open model on your own hardware."
        )
    for f in snap.figures:
        if not f.available:
            notes.append(
                f"{f.id}: {f.unavailable_note}; it scores 0 on cost (and latency) until the engine can price it."
            )
    if not snap.priced() and not answers:
        notes.append("Nothing to rank on: no strategy could be priced and no needs were answered.")
    return notes
