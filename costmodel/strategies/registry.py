"""Which preparer prepares which strategy kind (the registry imports every kind's module)."""

from __future__ import annotations

from collections.abc import Callable

from costmodel.scenario.types import (
    Strategy,
)
from costmodel.strategies.common import Context, PreparedStrategy
from costmodel.strategies.finetune_hosted import prepare_finetune_hosted
from costmodel.strategies.finetune_selfhosted import prepare_finetune_selfhosted
from costmodel.strategies.lifecycle import with_lifecycle
from costmodel.strategies.prompting import prepare_prompting
from costmodel.strategies.rag import prepare_rag

Preparer = Callable[[Strategy, Context], PreparedStrategy]

PREPARERS: dict[str, Preparer] = {
    "prompting": prepare_prompting,  # type: ignore[dict-item]
    "rag": prepare_rag,  # type: ignore[dict-item]
    "finetune_hosted": prepare_finetune_hosted,  # type: ignore[dict-item]
    "finetune_selfhosted": prepare_finetune_selfhosted,
}


def prepare(s: Strategy, ctx: Context) -> PreparedStrategy:
    """Prepare one strategy with its kind's preparer, then apply lifecycle events and the price trend."""
    return with_lifecycle(PREPARERS[s.kind], s, ctx)
