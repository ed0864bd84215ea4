"""The advisor: which strategy fits a scenario's needs and costs, why, and what would change that.

>>> from costmodel.advisor.criteria import CRITERIA
>>> [c.id for c in CRITERIA if c.hard]
['on_premises']

Scoring is in :mod:`costmodel.advisor.score` (weights table: :mod:`costmodel.advisor.criteria`),
the sensitivity search in :mod:`costmodel.advisor.sensitivity`. This module puts them together
and renders the JSON contract of ``breakeven advise`` (SCENARIO.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from costmodel.advisor.criteria import BY_ID
from costmodel.advisor.figures import count, lifecycle_phrase, snapshot, usd
from costmodel.advisor.measured import FINETUNE_KINDS
from costmodel.advisor.score import Ranked, Reason, score
from costmodel.advisor.sensitivity import Change, what_would_change
from costmodel.engine import RunResult
from costmodel.scenario.types import Needs

SCORE_DECIMALS = 3
"""Scores are reported to 3 decimals (the weights are not more precise than that)."""

FRESH_FOR_COMBINATION = ("monthly", "weekly", "daily", "realtime")
"""Knowledge that changes at least monthly is too fresh to keep in weights alone."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Advice:
    """The advisor's answer for one scenario."""

    scenario_name: str
    recommended_id: str | None
    recommended_kind: str | None
    ranking: tuple[Ranked, ...]
    notes: tuple[str, ...]
    combine: str | None
    """Set when both retrieval and fine-tuning criteria hold: how the two combine."""
    what_would_change: tuple[Change, ...]
    applied: Mapping[str, float]
    """Criterion id -> weight x strength of the criteria that moved the scores."""

    def to_dict(self) -> dict[str, Any]:
        """Plain data in the JSON contract's shape (SCENARIO.md) plus optional extra keys."""
        return {
            "recommended_id": self.recommended_id,
            "recommended_kind": self.recommended_kind,
            "ranking": [
                {
                    "id": r.id,
                    "kind": r.kind,
                    "score": round(r.score, SCORE_DECIMALS),
                    "reasons": [reason.text for reason in r.reasons],
                    "available": r.available,
                    "excluded": r.excluded,
                    "contributions": {k: round(v, SCORE_DECIMALS + 1) for k, v in r.contributions.items()},
                }
                for r in self.ranking
            ],
            "what_would_change": [
                {
                    "answer": c.answer,
                    "value": c.value,
                    "recommended_id": c.recommended_id,
                    "text": c.text,
                    "threshold": c.threshold,
                    "direction": c.direction,
                }
                for c in self.what_would_change
            ],
            "combine": self.combine,
            "notes": list(self.notes),
            "criteria": [
                {"id": cid, "label": BY_ID[cid].label, "weight": round(w, SCORE_DECIMALS)}
                for cid, w in self.applied.items()
            ],
        }


def combination(needs: Needs | None) -> str | None:
    """Advice to combine retrieval and fine-tuning, when fresh facts and a strict shape are both needed.

    >>> combination(Needs(knowledge_change="weekly", style_consistency="high"))[:40]
    'Retrieval and fine-tuning combine: knowl'
    >>> combination(Needs(knowledge_change="weekly", style_consistency="medium")) is None
    True
    """
    if needs is None:
        return None
    fresh = []
    if needs.knowledge_change in FRESH_FOR_COMBINATION:
        fresh.append(f"knowledge changes {needs.knowledge_change}")
    if needs.needs_citations:
        fresh.append("answers must cite sources")
    shaped = []
    if needs.output_format_strictness == "high":
        shaped.append("the output format is strict")
    if needs.style_consistency == "high":
        shaped.append("the voice must stay consistent")
    if not fresh or not shaped:
        return None
    return (
        f"Retrieval and fine-tuning combine: {' and '.join(fresh)} (retrieval's strength), and "
        f"{' and '.join(shaped)} (fine-tuning's). Retrieve the facts at question time and let a model "
        "fine-tuned on the format and voice write the answer; neither alone covers both. Each strategy "
        "here is priced on its own: to price the pair, add a rag strategy whose model is priced inline at "
        "the fine-tuned model's rates, plus the fine-tuning strategy's one-off costs."
    )


def _with_combination(r: Ranked, text: str) -> Ranked:
    if r.kind != "rag" and r.kind not in FINETUNE_KINDS:
        return r
    role = "the fresh facts and sources" if r.kind == "rag" else "the format and voice"
    extra = Reason(
        criterion="combination",
        text=f"Combination: pair it with {'fine-tuning' if r.kind == 'rag' else 'retrieval'}; it covers {role}",
        weight=0.0,
        fit=None,
    )
    return dataclasses.replace(r, reasons=(*r.reasons, extra))


def lifecycle_notes(result: RunResult) -> dict[str, str]:
    """One note per strategy with a shutdown or end of new fine-tuning jobs inside the horizon (by id)."""
    notes: dict[str, str] = {}
    for r in result.strategies:
        events = [e for e in r.lifecycle_events if e.kind != "deprecated"]
        parts = [
            f"{e.subject} {lifecycle_phrase(e.kind)} {e.date.isoformat()} (month {e.month})" for e in events
        ]
        if events and not r.available:
            parts[-1] += f": no migration, it stops after month {r.available_months}"
        elif events:
            cost = sum(e.one_off_usd for e in events)
            parts[-1] += f": migrates to {events[-1].replacement} ({usd(cost)} one-off)"
        if parts:
            notes[r.id] = f"Model lifecycle — {r.id}: " + "; ".join(parts) + "."
    return notes


def batch_notes(result: RunResult, needs: Needs | None) -> list[str]:
    """A warning per strategy when a latency budget meets batch traffic (the budget covers the interactive share)."""
    budget = needs.latency_budget_ms if needs is not None else None
    if budget is None:
        return []
    out = []
    for r in result.strategies:
        if r.batch_fraction > 0:
            window = (
                f"{r.batch_completion_window_hours:g} h"
                if r.batch_completion_window_hours
                else "the batch window"
            )
            out.append(
                f"{r.id}: {r.batch_fraction:.0%} of requests go through the batch API (answered within {window}); "
                f"the {count(budget)} ms latency budget applies to the interactive share only"
            )
    return out


def _with_lifecycle(r: Ranked, text: str | None) -> Ranked:
    if text is None:
        return r
    extra = Reason(criterion="lifecycle", text=text.removeprefix("Model lifecycle — "), weight=0.0, fit=None)
    return dataclasses.replace(r, reasons=(*r.reasons, extra))


def advise(result: RunResult, needs: Needs | None = None, *, sensitivity: bool = True) -> Advice:
    """Rank the strategies of an engine run against the needs answers (default: the scenario's).

    Args:
        result: the engine's run of the scenario (costs, latency, breakeven points).
        needs: answers to use instead of ``result.scenario.needs`` (None: the scenario's own).
        sensitivity: also search for the answers (and volumes) that would change the recommendation.
    """
    answers = needs if needs is not None else result.scenario.needs
    snap = snapshot(result)
    scored = score(answers, snap)
    combine = combination(answers)
    ranking = scored.ranking
    notes = scored.notes
    if combine is not None:
        ranking = tuple(_with_combination(r, combine) for r in ranking)
        notes = (*notes, combine)
    lifecycle = lifecycle_notes(result)
    notes = (*notes, *lifecycle.values(), *batch_notes(result, answers))
    ranking = tuple(_with_lifecycle(r, lifecycle.get(r.id)) for r in ranking)
    top = next((r for r in ranking if r.id == scored.recommended_id), None)
    return Advice(
        scenario_name=result.scenario.name,
        recommended_id=scored.recommended_id,
        recommended_kind=top.kind if top is not None else None,
        ranking=ranking,
        notes=notes,
        combine=combine,
        what_would_change=what_would_change(result, answers, snap) if sensitivity else (),
        applied=scored.applied,
    )
