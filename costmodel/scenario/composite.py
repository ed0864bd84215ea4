"""Loading rules of the composite kinds (SCENARIO.md "Version 1 additions (composite strategies and budget)").

``cascade`` tiers and router are nested mappings that :func:`costmodel.core.schema.build` does not read
itself: :func:`cascade_fields` validates them. :func:`composite_problems` checks what needs the whole
strategy list: tiers naming unknown strategies, cycles between cascades, a tier listed twice, where
``escalate_fraction`` is required or not allowed, and which of ``offer`` / ``base_model`` a
``rag_finetuned`` strategy uses. :func:`synthetic_labeling_problems` checks an inline synthetic label
rate. Every problem names file, line and field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from costmodel.core.schema import Collector, build, describe, line_of
from costmodel.scenario.types import (
    CascadeRouter,
    CascadeStrategy,
    CascadeTier,
    FinetuneHostedStrategy,
    FinetuneSelfhostedStrategy,
    InlineLabeling,
    RagFinetunedStrategy,
    Strategy,
)

__all__ = ["cascade_fields", "cascade_order", "composite_problems", "synthetic_labeling_problems"]

Problem = tuple[int | None, str, str]
"""(line, field path, message)."""

SELFHOSTED_KEYS = ("base_model", "train_gpu_offer", "serve_gpu_offer")
"""Keys a self-hosted ``rag_finetuned`` strategy needs (a hosted one gives ``offer`` instead)."""


def cascade_fields(node: Mapping[str, Any], path: str, col: Collector) -> tuple[dict[str, Any], bool]:
    """``tiers`` and ``router`` of a cascade mapping, validated (problems go to ``col``)."""
    out: dict[str, Any] = {}
    ok = True
    raw = node.get("tiers")
    if not isinstance(raw, list) or len(raw) < 2:
        col.add(
            line_of(node, "tiers") or line_of(node),
            f"{path}.tiers",
            f"expected a list of at least two tiers, got {describe(raw)}",
        )
        ok = False
        out["tiers"] = ()
    else:
        tiers = [build(CascadeTier, t, path=f"{path}.tiers[{i}]", col=col) for i, t in enumerate(raw)]
        ok = all(t is not None for t in tiers)
        out["tiers"] = tuple(t for t in tiers if t is not None)
    if "router" in node and node["router"] is not None:
        router = build(CascadeRouter, node["router"], path=f"{path}.router", col=col)
        ok = ok and router is not None
        out["router"] = router
    return out, ok


def _tier_problems(i: int, s: CascadeStrategy, node: Any, ids: Mapping[str, int]) -> list[Problem]:
    out: list[Problem] = []
    seen: set[str] = set()
    tiers_node = node.get("tiers") if isinstance(node, Mapping) else None
    last = len(s.tiers) - 1
    for k, tier in enumerate(s.tiers):
        t_node = tiers_node[k] if isinstance(tiers_node, list) and k < len(tiers_node) else None
        path = f"strategies[{i}].tiers[{k}]"
        if tier.strategy not in ids:
            known = ", ".join(x for x in ids if x != s.id) or "none"
            out.append(
                (
                    line_of(t_node, "strategy"),
                    f"{path}.strategy",
                    f"unknown strategy id {tier.strategy!r} (strategies in this scenario: {known})",
                )
            )
        elif tier.strategy == s.id:
            out.append((line_of(t_node, "strategy"), f"{path}.strategy", "a cascade cannot be its own tier"))
        if tier.strategy in seen:
            out.append(
                (line_of(t_node, "strategy"), f"{path}.strategy", f"{tier.strategy!r} is listed twice")
            )
        seen.add(tier.strategy)
        if k < last and tier.escalate_fraction is None:
            out.append((line_of(t_node), f"{path}.escalate_fraction", "required on every tier but the last"))
        if k == last and tier.escalate_fraction is not None:
            out.append(
                (
                    line_of(t_node, "escalate_fraction"),
                    f"{path}.escalate_fraction",
                    "the last tier answers everything that reaches it: remove escalate_fraction",
                )
            )
    return out


def cascade_order(strategies: Sequence[Strategy]) -> list[str] | None:
    """Cascade ids in an order where each comes after the cascades it uses; None when they form a cycle."""
    cascades = {s.id: s for s in strategies if isinstance(s, CascadeStrategy)}
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(sid: str) -> bool:
        if state.get(sid) == 2:
            return True
        if state.get(sid) == 1:
            return False
        state[sid] = 1
        for tier in cascades[sid].tiers:
            if tier.strategy in cascades and not visit(tier.strategy):
                return False
        state[sid] = 2
        order.append(sid)
        return True

    return order if all(visit(sid) for sid in cascades) else None


def _rag_finetuned_problems(i: int, s: RagFinetunedStrategy, node: Any) -> list[Problem]:
    path = f"strategies[{i}]"
    given = [k for k in SELFHOSTED_KEYS if getattr(s, k) is not None]
    if s.offer is not None and given:
        return [
            (
                line_of(node, given[0]),
                f"{path}.{given[0]}",
                "give either offer (hosted fine-tuning) or base_model / train_gpu_offer / serve_gpu_offer "
                "(self-hosted), not both",
            )
        ]
    if s.offer is None and not given:
        return [
            (line_of(node), f"{path}.offer", "required: a fine-tuning offer, or base_model for self-hosting")
        ]
    missing = [k for k in SELFHOSTED_KEYS if getattr(s, k) is None] if s.offer is None else []
    return [(line_of(node), f"{path}.{k}", "required when the model is self-hosted") for k in missing]


def synthetic_labeling_problems(label: Any, node: Any, path: str) -> list[Problem]:
    """An inline labelling rate gives ``usd_per_example`` or ``teacher_model`` (exactly one)."""
    if not isinstance(label, InlineLabeling):
        return []
    lab_node = node.get("labeling") if isinstance(node, Mapping) else None
    if (label.usd_per_example is None) == (label.teacher_model is None):
        return [
            (
                line_of(node, "labeling"),
                f"{path}.labeling",
                "give exactly one of usd_per_example (a flat rate) and teacher_model (synthetic labels)",
            )
        ]
    if label.teacher_model is not None and label.teacher_input_tokens + label.teacher_output_tokens <= 0:
        return [
            (
                line_of(lab_node, "teacher_output_tokens") or line_of(node, "labeling"),
                f"{path}.labeling.teacher_output_tokens",
                "synthetic labels need teacher_input_tokens or teacher_output_tokens > 0",
            )
        ]
    return []


def composite_problems(strategies: Sequence[Strategy | None], nodes: Sequence[Any]) -> list[Problem]:
    """Problems of cascades and rag_finetuned strategies that need the whole strategy list."""
    present = [s for s in strategies if s is not None]
    ids = {s.id: i for i, s in enumerate(strategies) if s is not None}
    out: list[Problem] = []
    for i, s in enumerate(strategies):
        node = nodes[i] if i < len(nodes) else None
        if isinstance(s, CascadeStrategy):
            out.extend(_tier_problems(i, s, node, ids))
        elif isinstance(s, RagFinetunedStrategy):
            out.extend(_rag_finetuned_problems(i, s, node))
        if isinstance(s, FinetuneHostedStrategy | FinetuneSelfhostedStrategy | RagFinetunedStrategy):
            out.extend(synthetic_labeling_problems(s.labeling, node, f"strategies[{i}]"))
    if not out and cascade_order(present) is None:
        cascades = {s.id: s for s in present if isinstance(s, CascadeStrategy)}
        cyc = next(i for i, s in enumerate(strategies) if s is not None and _leads_back(s.id, cascades))
        out.append(
            (
                line_of(nodes[cyc], "tiers") if cyc < len(nodes) else None,
                f"strategies[{cyc}].tiers",
                "cascades refer to each other in a cycle: a tier must not lead back to its cascade",
            )
        )
    return out


def _leads_back(sid: str, cascades: Mapping[str, CascadeStrategy]) -> bool:
    """True when following the tiers of cascade ``sid`` leads back to it."""
    if sid not in cascades:
        return False
    todo, seen = [t.strategy for t in cascades[sid].tiers], set()
    while todo:
        cur = todo.pop()
        if cur == sid:
            return True
        if cur in seen or cur not in cascades:
            continue
        seen.add(cur)
        todo.extend(t.strategy for t in cascades[cur].tiers)
    return False
