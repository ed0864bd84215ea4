"""Training compute: FLOPs per token, MFU defaults and speed-ups, and GPU-hours.

Full fine-tuning ≈ 6·N·D, LoRA/QLoRA ≈ 4·N·D + 6·N_trainable·D, plus the attention term
``3 · 4·n_layers·w·s`` per token (mosaicml/llm-foundry's MFU convention); GPU-hours are
FLOPs ÷ (peak × MFU), the MFU coming from the fitted time model of :mod:`costmodel.gpu.efficiency`.
Formulas and defaults: docs/formulas.md §1, summarised in the
README section "How the GPU estimates work and how far to trust them".
"""

from __future__ import annotations

from typing import Final, Literal

from costmodel.catalog.hardware import GpuArchitecture, OpenModel
from costmodel.core.units import FLOPS_PER_TFLOP, S_PER_HOUR
from costmodel.gpu.efficiency import FITTED, architecture_factor

Method = Literal["full", "lora", "qlora"]
LoraTargets = Literal["attention_qv", "attention", "all_linear"]
Framework = Literal["hf", "unsloth", "optimized"]
METHODS: Final[tuple[Method, ...]] = ("full", "lora", "qlora")
LORA_TARGETS: Final[tuple[LoraTargets, ...]] = ("attention_qv", "attention", "all_linear")
FRAMEWORKS: Final[tuple[Framework, ...]] = ("hf", "unsloth", "optimized")

FLASH_ATTENTION_SPEEDUP: Final = 2954 / 2392
"""×1.235 throughput for FlashAttention-2 over HF eager attention (LLaMA-Factory benchmark: LoRA on
LLaMA2-7B, A100, 2,954 vs 2,392 tokens/s)."""

FRAMEWORK_SPEEDUP: Final[dict[str, float]] = {"hf": 1.0, "unsloth": 4007 / 2392, "optimized": 1.0}
"""Throughput vs HF PEFT: unsloth ×1.675 (LLaMA-Factory benchmark: unsloth+FA2 4,007 vs HF 2,392 tok/s;
the unsloth figure already includes FlashAttention-2). ``optimized`` (llm-foundry, Megatron, LLaMA's
xformers stack) differs from HF by its overlapped communication, not by a multiplier
(:mod:`costmodel.gpu.efficiency`)."""

DEFAULT_OVERHEAD_FACTOR: Final = 1.15
"""Wall-clock ÷ pure compute time for evaluation, checkpoint saves, data loading and restarts. Assumption:
docs/formulas.md §1.4 gives a 1.1–1.3 range with no measurement behind it."""

_ATTENTION_TARGETS: Final = {"attention_qv": ("q", "v"), "attention": ("q", "k", "v", "o")}


def lora_trainable_params(m: OpenModel, rank: int, targets: LoraTargets = "all_linear") -> int:
    """Adapter parameters: r·(d_in + d_out) per adapted matrix per layer.

    >>> from costmodel.catalog import default_catalogs
    >>> lora_trainable_params(default_catalogs().find("open_models", "llama-2-7b"), 8, "attention_qv")
    4194304
    """
    d, w, kv = m.hidden_size, m.attention_width, m.n_kv_heads * m.head_dim
    sizes = {"q": d + w, "k": d + kv, "v": d + kv, "o": w + d}
    per_layer = sum(sizes[t] for t in _ATTENTION_TARGETS.get(targets, ("q", "k", "v", "o")))
    if targets == "all_linear":
        per_layer += 3 * (d + m.intermediate_size)
    return rank * per_layer * m.n_layers


def attention_flops_per_token(m: OpenModel, seq_len_tokens: float) -> float:
    """Forward attention-score FLOPs per token, ``4 · n_layers · w · s`` (QKᵀ and AV).

    llm-foundry's MFU convention counts the full s² (no causal halving); ``w = n_heads · head_dim``.

    >>> from costmodel.catalog import default_catalogs
    >>> attention_flops_per_token(default_catalogs().find("open_models", "llama-2-7b"), 1024) / 1e9
    0.536870912
    """
    return 4.0 * m.n_layers * m.attention_width * seq_len_tokens


def model_flops_per_token(m: OpenModel, method: Method, n_trainable: float, seq_len_tokens: float) -> float:
    """Training FLOPs per token against which MFU is measured.

    full: ``6·N + 3·attn``; lora/qlora: ``4·N + 6·N_trainable + 3·attn`` (frozen weights need no weight
    gradient; litgpt ``estimate_flops``). Source: Kaplan et al. 2020 eq. 2.2; docs/formulas.md §1.1–1.2.

    >>> from costmodel.catalog import default_catalogs
    >>> llama = default_catalogs().find("open_models", "llama-2-7b")
    >>> round(model_flops_per_token(llama, "full", 0, 0) / 1e9, 2)
    40.43
    """
    attn = 3.0 * attention_flops_per_token(m, seq_len_tokens)
    if method == "full":
        return 6.0 * m.n_params + attn
    return 4.0 * m.n_params + 6.0 * n_trainable + attn


def recompute_flops_per_token(m: OpenModel, seq_len_tokens: float) -> float:
    """Extra forward pass of gradient checkpointing: ``2·N + attn`` per token.

    GPT-NeoX and litgpt count checkpointed training as 4 forward passes instead of 3 (docs/formulas.md §1.1).

    >>> from costmodel.catalog import default_catalogs
    >>> round(recompute_flops_per_token(default_catalogs().find("open_models", "llama-2-7b"), 0) / 1e9, 2)
    13.48
    """
    return 2.0 * m.n_params + attention_flops_per_token(m, seq_len_tokens)


def gpu_hours(flops: float, peak_tflops: float, mfu_fraction: float) -> float:
    """GPU-hours of pure compute: ``FLOPs / (peak · 1e12 · MFU · 3600)``.

    >>> round(gpu_hours(6 * 6.7e9 * 1e12, 312, 0.5))
    71581
    """
    return flops / (peak_tflops * FLOPS_PER_TFLOP * mfu_fraction * S_PER_HOUR)


def default_mfu(method: Method, architecture: GpuArchitecture) -> float:
    """Utilisation ceiling of the fitted time model for a method on an architecture (hardware FLOPs).

    A real run's MFU is below it: weight passes, exposed communication and the recompute of gradient
    checkpointing come on top (:func:`costmodel.gpu.training.effective_mfu`).

    >>> default_mfu("full", "ampere") == FITTED.hfu_full
    True
    """
    hfu = FITTED.hfu_full if method == "full" else FITTED.hfu_adapter
    return hfu * architecture_factor(architecture)
