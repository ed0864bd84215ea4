"""Which preparer prepares which strategy kind (the registry imports every kind's module)."""

from __future__ import annotations

from collections.abc import Callable

from costmodel.scenario.types import (
    Strategy,
)
from costmodel.strategies.cascade import prepare_cascade
from costmodel.strategies.common import Context, PreparedStrategy
from costmodel.strategies.finetune_hosted import prepare_finetune_hosted
from costmodel.strategies.finetune_selfhosted import prepare_finetune_selfhosted
from costmodel.strategies.lifecycle import with_lifecycle
from costmodel.strategies.prompting import prepare_prompting
from costmodel.strategies.rag import prepare_rag
from costmodel.strategies.rag_finetuned import prepare_rag_finetuned

Preparer = Callable[[Strategy, Context], PreparedStrategy]

PREPARERS: dict[str, Preparer] = {
    "prompting": prepare_prompting,  # type: ignore[dict-item]
    "rag": prepare_rag,  # type: ignore[dict-item]
    "finetune_hosted": prepare_finetune_hosted,  # type: ignore[dict-item]
    "finetune_selfhosted": prepare_finetune_selfhosted,
    "rag_finetuned": prepare_rag_finetuned,
}


def _prepare_cascade(s: Strategy, ctx: Context) -> PreparedStrategy:
    """A cascade, its tiers prepared by :func:`prepare` (each with its own lifecycle events)."""
    return prepare_cascade(s, ctx, prepare)


PREPARERS["cascade"] = _prepare_cascade


def prepare(s: Strategy, ctx: Context) -> PreparedStrategy:
    """Prepare one strategy with its kind's preparer, then apply lifecycle events and the price trend.

    A cascade is priced from its tiers, each prepared here (with their own lifecycle events)."""
    if s.kind == "cascade":
        return _prepare_cascade(s, ctx)
    return with_lifecycle(PREPARERS[s.kind], s, ctx)
