"""Starting values of the composite strategy kinds in the strategy editor (``rag_finetuned``, ``cascade``)."""

from __future__ import annotations

from typing import Any

from costmodel.core.errors import InputError
from costmodel.core.schema import to_plain
from costmodel.scenario.types import Scenario

SOURCE = "strategy editor"

_RAG_KEYS = (
    "embedding_model",
    "corpus_tokens",
    "corpus_churn_fraction_per_month",
    "chunks_per_request",
    "tokens_per_chunk",
    "vector_db",
)
_FT_KEYS = (
    "n_training_examples",
    "tokens_per_example",
    "n_epochs",
    "labeling",
    "setup_hours",
    "accuracy_fraction",
)


def composite_template(
    kind: str, new_id: str, scenario: Scenario, example: Scenario, *, offer: str
) -> dict[str, Any]:
    """A new ``rag_finetuned`` (the example's RAG retrieval plus its hosted fine-tuning on ``offer``) or
    ``cascade`` (the scenario's first two other strategies, 20% escalated)."""
    if kind == "cascade":
        tiers = [s.id for s in scenario.strategies if s.kind != "cascade"][:2]
        if len(tiers) < 2:
            raise InputError.single(SOURCE, "kind", "a cascade needs two other strategies to use as tiers")
        return {
            "id": new_id,
            "kind": "cascade",
            "tiers": [{"strategy": tiers[0], "escalate_fraction": 0.2}, {"strategy": tiers[1]}],
        }
    rag = next(to_plain(s) for s in example.strategies if s.kind == "rag")
    ft = next(to_plain(s) for s in example.strategies if s.kind == "finetune_hosted")
    plain = {k: rag[k] for k in _RAG_KEYS if k in rag}
    plain.update({k: ft[k] for k in _FT_KEYS if k in ft})
    return {"id": new_id, "kind": kind, "offer": offer, **plain}
