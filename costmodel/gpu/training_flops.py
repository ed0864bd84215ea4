"""Training compute: FLOPs per token, MFU defaults and speed-ups, and GPU-hours.

Full fine-tuning ≈ 6·N·D, LoRA/QLoRA ≈ 4·N·D + 6·N_trainable·D, plus the attention term
``3 · 4·n_layers·w·s`` per token (mosaicml/llm-foundry's MFU convention); GPU-hours are
FLOPs ÷ (peak × MFU). Formulas and defaults: docs/formulas.md §1, summarised in the
README section "How the GPU estimates work and how far to trust them".
"""

from __future__ import annotations

from typing import Final, Literal

from costmodel.catalog.hardware import GpuArchitecture, OpenModel
from costmodel.core.units import FLOPS_PER_TFLOP, S_PER_HOUR

Method = Literal["full", "lora", "qlora"]
LoraTargets = Literal["attention_qv", "attention", "all_linear"]
Framework = Literal["hf", "unsloth"]
METHODS: Final[tuple[Method, ...]] = ("full", "lora", "qlora")
LORA_TARGETS: Final[tuple[LoraTargets, ...]] = ("attention_qv", "attention", "all_linear")
FRAMEWORKS: Final[tuple[Framework, ...]] = ("hf", "unsloth")

BASE_MFU: Final[dict[str, float]] = {"full": 0.40, "lora": 0.25, "qlora": 0.20}
"""Default MFU by method on Ampere (docs/formulas.md §1.4 recommendation). full: multi-GPU FSDP/Megatron on A100,
mosaicml/llm-foundry benchmarks 0.47–0.58 with activation checkpointing and LLaMA-1 GPU-hours ≈0.43;
lora: HF PEFT single GPU, LLaMA-Factory benchmark 2,392 tok/s on LLaMA2-7B/A100 ≈ 0.21 (4·N·D);
qlora: HF + bitsandbytes, tutorial runs on A10G/48 GB cards ≈ 0.15–0.30. Baseline setup: gradient
checkpointing on, FlashAttention off for LoRA/QLoRA."""

ARCHITECTURE_MFU_FACTOR: Final[dict[GpuArchitecture, float]] = {
    "ampere": 1.0,
    "ada": 1.0,
    "hopper": 0.875,
    "blackwell": 0.875,
}
"""MFU relative to Ampere. hopper = 0.35/0.40, the full-FT defaults of docs/formulas.md §1.4 (llm-foundry H100 BF16
0.40–0.46 vs A100 0.47–0.58: faster GPUs are harder to keep busy). ada = ampere and blackwell = hopper are
assumptions (no published fine-tuning MFU found)."""

FLASH_ATTENTION_SPEEDUP: Final = 2954 / 2392
"""×1.235 throughput for FlashAttention-2 over HF eager attention (LLaMA-Factory benchmark: LoRA on
LLaMA2-7B, A100, 2,954 vs 2,392 tokens/s)."""

FRAMEWORK_SPEEDUP: Final[dict[str, float]] = {"hf": 1.0, "unsloth": 4007 / 2392}
"""Throughput vs HF PEFT: unsloth ×1.675 (LLaMA-Factory benchmark: unsloth+FA2 4,007 vs HF 2,392 tok/s;
the unsloth figure already includes FlashAttention-2)."""

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
    """Default MFU for the baseline setup (HF, gradient checkpointing on, FlashAttention off).

    ``BASE_MFU[method] · ARCHITECTURE_MFU_FACTOR[architecture]``.

    >>> default_mfu("lora", "hopper")
    0.21875
    """
    return BASE_MFU[method] * ARCHITECTURE_MFU_FACTOR[architecture]
