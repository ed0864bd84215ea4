"""Scoring: the needs answers and the engine's figures in, a ranked list with reasons out.

``score(s) = sum_c(w_c * strength_c * fit_c(s)) / sum_c(w_c * strength_c)`` over the criteria that
apply (table and reasoning in :mod:`costmodel.advisor.criteria`), clipped to [0, 1] to absorb float
rounding of the weighted sum (see :func:`_weigh`); a hard constraint sets the score of the strategies
it rules out to 0. Every reason starts with the label of the criterion behind it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass

from costmodel.advisor import measured
from costmodel.advisor.criteria import (
    BY_ID,
    CRITERIA,
    ENOUGH_EXAMPLES_FOR_FINETUNING,
    MIN_EXAMPLES_FOR_FINETUNING,
    Criterion,
)
from costmodel.advisor.figures import Snapshot, count
from costmodel.advisor.measured import FINETUNE_KINDS, Applied
from costmodel.scenario.types import Needs

NEUTRAL_SCORE = 0.5
"""Score of every strategy when no criterion applies at all (nothing answered, nothing priced)."""


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


def _from_table(c: Criterion, value: object, strength: float, snap: Snapshot) -> Applied:
    assert c.fits is not None and c.says is not None
    head = f"{c.label} ({_answer_text(value)})"
    return Applied(
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


def _answer_criteria(needs: Needs, snap: Snapshot) -> list[Applied]:
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


def _examples_gap(c: Criterion, available: int, snap: Snapshot) -> Applied:
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
    return Applied(criterion=c, strength=0.0, fits={f.id: 0.5 for f in snap.figures}, texts=texts)


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
        if measured.uses_net_value(snap)
        else f"total cost over {snap.horizon_months} months"
    )
    return f"No needs answered: the ranking uses the cost results alone ({metric})."


def _weigh(applied: list[Applied], f_id: str) -> tuple[float, dict[str, float], list[Reason]]:
    """Score, contributions and reasons of one strategy under a list of applied criteria.

    The score is clipped to [0, 1] rather than compared with a tolerance downstream: the normalised
    weights ``w_c * strength_c / den`` sum to 1 and every fit is in [0, 1], so the exact weighted sum
    is in [0, 1] and anything outside it (e.g. ``1.0000000000000002``) is floating-point rounding of
    the sum, never a real excess. The contributions are left unclipped (they still sum to the score
    within rounding).
    """
    den = sum(a.weight for a in applied)
    contributions = {a.criterion.id: a.weight * a.fits[f_id] / den for a in applied if a.weight > 0}
    value = min(1.0, max(0.0, sum(contributions.values()))) if den > 0 else NEUTRAL_SCORE
    reasons = [
        Reason(criterion=a.criterion.id, text=t, weight=a.weight, fit=a.fits[f_id])
        for a in applied
        for t in a.texts.get(f_id, ())
    ]
    return value, contributions, reasons


def _mean_fits(applied: list[Applied]) -> dict[str, float]:
    return {a.criterion.id: sum(a.fits.values()) / len(a.fits) for a in applied if a.weight > 0 and a.fits}


def score(needs: Needs | None, snap: Snapshot) -> Scored:
    """Score and rank every strategy of the snapshot against the answers in ``needs``.

    Strategies a hard constraint rules out score 0 (their reasons say what they would otherwise
    score); the money of the others is compared among themselves only.
    """
    answers = answered(needs)
    base: list[Applied] = []
    if needs is not None and answers:
        base.extend(_answer_criteria(needs, snap))
        overhead = measured.prompt_overhead(snap)
        if overhead is not None:
            base.append(overhead)
        base.extend(a for a in (measured.budget(needs, snap), measured.latency(needs, snap)) if a is not None)
    hard = BY_ID["on_premises"]
    assert hard.fits is not None and hard.says is not None
    on_prem = bool(answers.get("data_must_stay_on_premises"))
    excluded_ids = {f.id for f in snap.figures if on_prem and hard.fits.of(f.kind) == 0.0}
    eligible = [f.id for f in snap.figures if f.id not in excluded_ids]
    applied_all = [*base, measured.economics(snap)]
    applied = [*base, measured.economics(snap, pool=eligible)] if excluded_ids and eligible else applied_all
    mean_all, mean_eligible = _mean_fits(applied_all), _mean_fits(applied)
    rows = []
    for index, f in enumerate(snap.figures):
        excluded = f.id in excluded_ids
        value, contributions, reasons = _weigh(applied_all if excluded else applied, f.id)
        ordered = _order(reasons, mean_all if excluded else mean_eligible)
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
                f"{f.id}: {f.unavailable_note}; it scores 0 on cost (and latency) and is not recommended."
            )
    if not snap.priced() and not answers:
        notes.append("Nothing to rank on: no strategy could be priced and no needs were answered.")
    return notes
