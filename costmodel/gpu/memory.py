"""Memory per GPU: the breakdown by component, and the bytes of a training run's tensors.

Weights, gradients and optimizer state (EleutherAI Transformer Math 101), activations (Korthikanti
et al. 2022, arXiv 2205.05198) and fp32 logits; ZeRO/FSDP sharding by stage with the unsharded layer
buffers of stage 3; QLoRA's bf16 adapters with a paged 32-bit optimizer; the caching allocator's
reserve on transient tensors plus the CUDA context (:func:`training_memory`). The fit search lives in
:mod:`costmodel.gpu.training`; serving's weights and KV cache in :mod:`costmodel.gpu.roofline`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from costmodel.catalog.hardware import OpenModel
from costmodel.core.units import BYTES_PER_GB
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
"""Serving: allocator fragmentation and runtime buffers on top of the tensors (docs/formulas.md §2; assumption)."""
QLORA_ADAPTER_RESIDENT_BYTES: Final = 4.0
"""QLoRA adapter weight + gradient in bf16 (artidoro/qlora casts the LoRA modules to bf16 with ``--bf16``)."""
QLORA_OPTIMIZER_BYTES: Final = 8.0
"""QLoRA's 32-bit paged AdamW: m and v in fp32, in unified memory that is evicted to CPU RAM under
pressure (Dettmers et al. 2023, arXiv 2305.14314 §3 "Paged Optimizers")."""
FSDP_UNSHARDED_UNITS: Final = 2
"""Unsharded layers held at once under ZeRO-3/FSDP FULL_SHARD: the running one and the prefetched one
(PyTorch FSDP ``BackwardPrefetch.BACKWARD_PRE`` holds up to two sets of unsharded parameters)."""
TRANSIENT_RESERVE_FACTOR: Final = 1.75
"""PyTorch caching-allocator reserve on transient tensors (activations, logits, gathered layers):
reserved ÷ allocated. Calibrated on the two sharded runs the PEFT docs measure (Llama-2-70B LoRA on 8×H100:
72–80 GB; QLoRA on 2 GPUs: 35.6 GB), which imply 1.6–1.9; persistent tensors (weights, optimizer) are
allocated once and not inflated."""
CUDA_CONTEXT_GB: Final = 0.5
"""CUDA context, cuBLAS and NCCL workspaces per process (assumption: 0.3–1 GB depending on versions)."""
ZeroStage = int
"""0 = DDP (nothing sharded), 1 = optimizer state, 2 = + gradients, 3 = + weights (FSDP FULL_SHARD)."""


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
    offloadable_gb: float = 0.0
    """Paged optimizer state that can move to CPU RAM under pressure; not in ``total_gb``."""

    @property
    def total_gb(self) -> float:
        """Sum of the resident components (``offloadable_gb`` excluded)."""
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


def trainable_state_bytes(method: Method, n_params: float, n_trainable: float) -> tuple[float, float, float]:
    """(gradient, optimizer-state, pageable) bytes of the trained parameters, before sharding.

    full: bf16 gradients 2·N and fp32 master + Adam 12·N; LoRA: fp32 adapters 16 bytes each, counted as
    optimizer state; QLoRA: bf16 adapter + gradient 4 bytes resident, paged Adam 8 bytes.

    >>> trainable_state_bytes("qlora", 7e9, 1e8)
    (0.0, 400000000.0, 800000000.0)
    """
    if method == "full":
        return GRAD_BYTES_PER_PARAM * n_params, ADAM_STATE_BYTES_PER_PARAM * n_params, 0.0
    if method == "qlora":
        return 0.0, QLORA_ADAPTER_RESIDENT_BYTES * n_trainable, QLORA_OPTIMIZER_BYTES * n_trainable
    return 0.0, ADAPTER_BYTES_PER_PARAM * n_trainable, 0.0


def training_memory(
    m: OpenModel,
    *,
    method: Method,
    n_trainable: float,
    n_gpus: int,
    zero_stage: ZeroStage,
    seq_len_tokens: float,
    micro_batch_size: float,
    gradient_checkpointing: bool,
    flash_attention: bool,
    paged_optimizer: bool,
    reserve_factor: float = TRANSIENT_RESERVE_FACTOR,
) -> MemoryBreakdown:
    """Memory per GPU of one training run.

    Sharded over ``n`` GPUs by stage: optimizer state (≥ 1), gradients (≥ 2), weights (3, plus
    ``FSDP_UNSHARDED_UNITS`` gathered layers). Overhead = ``(reserve − 1) · transient + CUDA context``,
    transient = activations + gathered layers. A paged optimizer's state is ``offloadable_gb``.

    >>> from costmodel.catalog import default_catalogs
    >>> m = default_catalogs().find("open_models", "llama-2-7b")
    >>> mem = training_memory(m, method="full", n_trainable=m.n_params, n_gpus=1, zero_stage=3,
    ...     seq_len_tokens=2048, micro_batch_size=1, gradient_checkpointing=True, flash_attention=True,
    ...     paged_optimizer=False)
    >>> round(mem.weights_gb + mem.optimizer_gb, 1)  # 16 bytes x 6.74B parameters
    107.8
    """
    n = n_gpus
    grads, state, pageable = trainable_state_bytes(method, m.n_params, n_trainable)
    weights = weight_bytes(m, method) / (n if zero_stage >= 3 else 1)
    optimizer = grads / (n if zero_stage >= 2 else 1) + state / (n if zero_stage >= 1 else 1)
    pageable /= n if zero_stage >= 1 else 1
    if not paged_optimizer:
        optimizer, pageable = optimizer + pageable, 0.0
    gathered = (
        FSDP_UNSHARDED_UNITS * weight_bytes(m, method) / m.n_layers if zero_stage >= 3 and n > 1 else 0.0
    )
    act = activation_bytes(
        m,
        seq_len_tokens=seq_len_tokens,
        micro_batch_size=micro_batch_size,
        gradient_checkpointing=gradient_checkpointing,
        flash_attention=flash_attention,
    )
    overhead = (reserve_factor - 1.0) * (act + gathered) + CUDA_CONTEXT_GB * BYTES_PER_GB
    return MemoryBreakdown(
        weights_gb=(weights + gathered) / BYTES_PER_GB,
        optimizer_gb=optimizer / BYTES_PER_GB,
        activations_gb=act / BYTES_PER_GB,
        kv_cache_gb=0.0,
        overhead_gb=overhead / BYTES_PER_GB,
        offloadable_gb=pageable / BYTES_PER_GB,
    )
