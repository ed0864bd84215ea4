"""Memory per GPU: the breakdown by component, and the bytes of a training run's tensors.

Weights, gradients and optimizer state (EleutherAI Transformer Math 101), activations (Korthikanti
et al. 2022, arXiv 2205.05198) and fp32 logits, plus 10% for fragmentation. Sharding over GPUs and
the fit search live in :mod:`costmodel.gpu.training`; serving's weights and KV cache in
:mod:`costmodel.gpu.roofline`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from costmodel.catalog.hardware import OpenModel
from costmodel.gpu.training_flops import Method

ADAM_STATE_BYTES_PER_PARAM: Final = 12.0
"""fp32 master weights + Adam m + v (EleutherAI Transformer Math 101)."""
GRAD_BYTES_PER_PARAM: Final = 2.0
"""bf16 gradients for full fine-tuning (16 bytes/param in total with bf16 weights and Adam)."""
ADAPTER_BYTES_PER_PARAM: Final = 16.0
"""LoRA adapter: fp32 weight + gradient + Adam m, v (docs/formulas.md §2)."""
BF16_BYTES: Final = 2.0
"""Bytes per bf16/fp16 value."""
NF4_BYTES_PER_PARAM: Final = (4 + 0.127) / 8
"""QLoRA NF4 with double quantisation: 4 bits + 0.127 bits of quantisation constants per parameter
(Dettmers et al. 2023, arXiv 2305.14314 §3); embeddings and the LM head stay in 16-bit."""
LOGITS_BYTES: Final = 4.0
"""fp32 logits kept for the loss (HF upcasts bf16 logits; assumption: one fp32 copy)."""
ACTIVATION_BYTES_PER_TOKEN_WIDTH: Final = 34.0
"""Korthikanti et al. 2022 (arXiv 2205.05198): s·b·d·(34 + 5·a·s/d) bytes per layer in 16-bit without
recomputation."""
ATTENTION_SCORE_BYTES: Final = 5.0
"""The 5·a·s/d attention-score term of the same formula; FlashAttention does not store scores."""
CHECKPOINT_BYTES_PER_TOKEN_WIDTH: Final = 2.0
"""Full recomputation keeps each layer's bf16 input: 2·s·b·d bytes per layer (same paper)."""
FRAGMENTATION_FACTOR: Final = 1.10
"""Allocator fragmentation and runtime buffers on top of the tensors (docs/formulas.md §2, ~10%; assumption)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MemoryBreakdown:
    """Memory per GPU in GB by component (``kv_cache_gb`` is 0 for training).

    >>> MemoryBreakdown(weights_gb=16.0, optimizer_gb=1.0, activations_gb=2.0, kv_cache_gb=0.0,
    ...                 overhead_gb=1.0).total_gb
    20.0
    """

    weights_gb: float
    optimizer_gb: float
    activations_gb: float
    kv_cache_gb: float
    overhead_gb: float

    @property
    def total_gb(self) -> float:
        """Sum of the components."""
        return self.weights_gb + self.optimizer_gb + self.activations_gb + self.kv_cache_gb + self.overhead_gb


def weight_bytes(m: OpenModel, method: Method) -> float:
    """Base weights in bytes: 2 per parameter, or NF4 for QLoRA's linear layers (embeddings stay 16-bit).

    >>> from costmodel.catalog import default_catalogs
    >>> weight_bytes(default_catalogs().find("open_models", "llama-2-7b"), "lora") / 1e9
    13.476831232
    """
    if method != "qlora":
        return BF16_BYTES * m.n_params
    embeddings = m.vocab_size * m.hidden_size * (1 if m.tied_embeddings else 2)
    return NF4_BYTES_PER_PARAM * (m.n_params - embeddings) + BF16_BYTES * embeddings


def optimizer_bytes(m: OpenModel, method: Method, n_trainable: float) -> float:
    """Gradients + optimizer state in bytes: 14 per parameter (full), 16 per adapter parameter (LoRA).

    >>> from costmodel.catalog import default_catalogs
    >>> optimizer_bytes(default_catalogs().find("open_models", "llama-2-7b"), "lora", 1e6)
    16000000.0
    """
    if method == "full":
        return (GRAD_BYTES_PER_PARAM + ADAM_STATE_BYTES_PER_PARAM) * m.n_params
    return ADAPTER_BYTES_PER_PARAM * n_trainable


def activation_bytes(
    m: OpenModel,
    *,
    seq_len_tokens: float,
    micro_batch_size: float,
    gradient_checkpointing: bool,
    flash_attention: bool,
) -> float:
    """Activation memory per GPU for one micro-batch (Korthikanti et al. 2022) plus fp32 logits.

    No recomputation: ``n_layers · s·b·d·(34 + 5·a·s/d)``; with checkpointing: ``n_layers · 2·s·b·d`` plus one
    layer recomputed in full. FlashAttention drops the ``5·a·s/d`` score term. Logits: ``b·s·V·4``.
    """
    s, b, d = seq_len_tokens, micro_batch_size, m.hidden_size
    scores = 0.0 if flash_attention else ATTENTION_SCORE_BYTES * m.n_heads * s / d
    full_layer = s * b * d * (ACTIVATION_BYTES_PER_TOKEN_WIDTH + scores)
    layers = (
        m.n_layers * CHECKPOINT_BYTES_PER_TOKEN_WIDTH * s * b * d + full_layer
        if gradient_checkpointing
        else m.n_layers * full_layer
    )
    return layers + b * s * m.vocab_size * LOGITS_BYTES
