"""Self-hosted fine-tuning estimator: FLOPs, MFU, GPU-hours, memory per GPU, fit and cost at an offer.

Formulas and defaults: formulas.md §1–2 of the design notes, summarised in the README section
"How the GPU estimates work and how far to trust them".
Compute: full fine-tuning ≈ 6·N·D, LoRA/QLoRA ≈ 4·N·D + 6·N_trainable·D, plus the attention term
``3 · 4·n_layers·w·s`` per token (mosaicml/llm-foundry's MFU convention). Memory per GPU: weights,
gradients and optimizer state (sharded across GPUs, FSDP/ZeRO-3 style), activations (Korthikanti et
al. 2022) and fp32 logits, plus 10% for fragmentation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

from costmodel.catalog.hardware import GpuArchitecture, GpuOffer, GpuSpec, OpenModel, check_offer_rents
from costmodel.core.errors import InputError, Problem
from costmodel.core.units import BYTES_PER_GB, FLOPS_PER_TFLOP, S_PER_HOUR

Method = Literal["full", "lora", "qlora"]
LoraTargets = Literal["attention_qv", "attention", "all_linear"]
Framework = Literal["hf", "unsloth"]
METHODS: Final = ("full", "lora", "qlora")

BASE_MFU: Final[dict[str, float]] = {"full": 0.40, "lora": 0.25, "qlora": 0.20}
"""Default MFU by method on Ampere (formulas.md §1.4 recommendation). full: multi-GPU FSDP/Megatron on A100,
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
"""MFU relative to Ampere. hopper = 0.35/0.40, the full-FT defaults of formulas.md §1.4 (llm-foundry H100 BF16
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
formulas.md §1.4 gives a 1.1–1.3 range with no measurement behind it."""

ADAM_STATE_BYTES_PER_PARAM: Final = 12.0
"""fp32 master weights + Adam m + v (EleutherAI Transformer Math 101)."""
GRAD_BYTES_PER_PARAM: Final = 2.0
"""bf16 gradients for full fine-tuning (16 bytes/param in total with bf16 weights and Adam)."""
ADAPTER_BYTES_PER_PARAM: Final = 16.0
"""LoRA adapter: fp32 weight + gradient + Adam m, v (formulas.md §2)."""
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
"""Allocator fragmentation and runtime buffers on top of the tensors (formulas.md §2, ~10%; assumption)."""
MAX_GPUS: Final = 1024
"""Largest GPU count searched for a fit (128 nodes of 8)."""

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
    gradient; litgpt ``estimate_flops``). Source: Kaplan et al. 2020 eq. 2.2; formulas.md §1.1–1.2.

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

    GPT-NeoX and litgpt count checkpointed training as 4 forward passes instead of 3 (formulas.md §1.1).
    """
    return 2.0 * m.n_params + attention_flops_per_token(m, seq_len_tokens)


def gpu_hours(flops: float, peak_tflops: float, mfu_fraction: float) -> float:
    """GPU-hours of pure compute: ``FLOPs / (peak · 1e12 · MFU · 3600)``.

    >>> round(gpu_hours(6 * 6.7e9 * 1e12, 312, 0.5))
    71581
    """
    return flops / (peak_tflops * FLOPS_PER_TFLOP * mfu_fraction * S_PER_HOUR)


def weight_bytes(m: OpenModel, method: Method) -> float:
    """Base weights in bytes: 2 per parameter, or NF4 for QLoRA's linear layers (embeddings stay 16-bit)."""
    if method != "qlora":
        return BF16_BYTES * m.n_params
    embeddings = m.vocab_size * m.hidden_size * (1 if m.tied_embeddings else 2)
    return NF4_BYTES_PER_PARAM * (m.n_params - embeddings) + BF16_BYTES * embeddings


def optimizer_bytes(m: OpenModel, method: Method, n_trainable: float) -> float:
    """Gradients + optimizer state in bytes: 14 per parameter (full), 16 per adapter parameter (LoRA)."""
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


@dataclass(frozen=True, slots=True, kw_only=True)
class MemoryBreakdown:
    """Memory per GPU in GB by component (``kv_cache_gb`` is 0 for training)."""

    weights_gb: float
    optimizer_gb: float
    activations_gb: float
    kv_cache_gb: float
    overhead_gb: float

    @property
    def total_gb(self) -> float:
        """Sum of the components."""
        return self.weights_gb + self.optimizer_gb + self.activations_gb + self.kv_cache_gb + self.overhead_gb


def check_fields(checks: dict[str, tuple[bool, str]], obj: object, file: str) -> None:
    """Raise InputError for every field whose rule fails or whose value is not finite."""
    problems: list[Problem] = []
    for name, (ok, rule) in checks.items():
        value = getattr(obj, name)
        if not ok or (value is not None and not math.isfinite(value)):
            problems.append(
                Problem(file=file, line=None, field=name, message=f"expected {rule}, got {value!r}")
            )
    if problems:
        raise InputError(problems)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrainingInputs:
    """One fine-tuning run; ``dataset_tokens`` are real tokens per epoch (padding via the waste fraction)."""

    model: OpenModel
    method: Method
    gpu: GpuSpec
    n_gpus: int = 1
    dataset_tokens: float
    epochs: float = 3.0
    seq_len_tokens: int = 2048
    micro_batch_size: int = 1
    padding_waste_fraction: float = 0.0
    lora_rank: int = 16
    lora_targets: LoraTargets = "all_linear"
    gradient_checkpointing: bool = True
    flash_attention: bool = False
    framework: Framework = "hf"
    speedup_factor: float | None = None
    mfu_fraction: float | None = None
    overhead_factor: float = DEFAULT_OVERHEAD_FACTOR
    offer: GpuOffer | None = None
    use_spot: bool = False

    def __post_init__(self) -> None:
        checks = {
            "n_gpus": (self.n_gpus >= 1, "a whole number >= 1"),
            "dataset_tokens": (self.dataset_tokens > 0, "> 0"),
            "epochs": (self.epochs > 0, "> 0"),
            "seq_len_tokens": (self.seq_len_tokens >= 1, "a whole number >= 1"),
            "micro_batch_size": (self.micro_batch_size >= 1, "a whole number >= 1"),
            "padding_waste_fraction": (0 <= self.padding_waste_fraction < 1, "a fraction in [0, 1)"),
            "lora_rank": (self.lora_rank >= 1, "a whole number >= 1"),
            "speedup_factor": (self.speedup_factor is None or self.speedup_factor > 0, "> 0"),
            "mfu_fraction": (self.mfu_fraction is None or 0 < self.mfu_fraction <= 1, "a fraction in (0, 1]"),
            "overhead_factor": (self.overhead_factor >= 1, ">= 1 (wall-clock / compute time)"),
        }
        check_fields(checks, self, "<training inputs>")
        if self.seq_len_tokens > self.model.context_tokens:
            raise InputError.single(
                "<training inputs>",
                "seq_len_tokens",
                f"{self.seq_len_tokens:,} tokens exceed the context of {self.model.id} "
                f"({self.model.context_tokens:,})",
            )
        check_offer_rents(self.offer, self.gpu, source="<training inputs>")


@dataclass(frozen=True, slots=True, kw_only=True)
class TrainingEstimate:
    """What one run costs in time, GPU-hours, memory and money."""

    inputs: TrainingInputs
    n_trainable_params: int
    processed_tokens: float
    model_flops: float
    mfu_fraction: float
    tokens_per_s_per_gpu: float
    wall_clock_hours: float
    gpu_hours: float
    memory: MemoryBreakdown
    fits: bool
    min_gpus_to_fit: int | None
    max_micro_batch_size: int
    usd_per_gpu_hour: float | None
    usd: float | None

    @property
    def memory_gb_per_gpu(self) -> float:
        """Total memory per GPU (GB)."""
        return self.memory.total_gb


def trainable_params(i: TrainingInputs) -> int:
    """All parameters for full fine-tuning, the LoRA adapters otherwise."""
    return (
        i.model.n_params
        if i.method == "full"
        else lora_trainable_params(i.model, i.lora_rank, i.lora_targets)
    )


def default_mfu(method: Method, architecture: GpuArchitecture) -> float:
    """Default MFU for the baseline setup (HF, gradient checkpointing on, FlashAttention off)."""
    return BASE_MFU[method] * ARCHITECTURE_MFU_FACTOR[architecture]


def effective_mfu(i: TrainingInputs) -> float:
    """MFU after the speed knobs, or the override/calibrated value as given (knobs then do not apply)."""
    if i.mfu_fraction is not None:
        return i.mfu_fraction
    n_t = trainable_params(i)
    model = model_flops_per_token(i.model, i.method, n_t, i.seq_len_tokens)
    recompute = recompute_flops_per_token(i.model, i.seq_len_tokens)
    checkpoint_factor = 1.0 if i.gradient_checkpointing else (model + recompute) / model
    speedup = i.speedup_factor if i.speedup_factor is not None else FRAMEWORK_SPEEDUP[i.framework]
    flash = (
        FLASH_ATTENTION_SPEEDUP if (i.flash_attention and i.method != "full" and i.framework == "hf") else 1.0
    )
    mfu = default_mfu(i.method, i.gpu.architecture) * checkpoint_factor * speedup * flash
    if mfu > 1:
        raise InputError.single(
            "<training inputs>",
            "speedup_factor",
            f"the speed-ups imply an MFU of {mfu:.2f} > 1; lower the speed-up",
        )
    return mfu


def calibrate_mfu(measured_tokens_per_s_per_gpu: float, i: TrainingInputs) -> float:
    """MFU implied by a measured run of setup ``i``: ``tokens/s · FLOPs per token / peak``.

    Pass the result as ``mfu_fraction`` to estimate other runs of the same setup.
    """
    flops = model_flops_per_token(i.model, i.method, trainable_params(i), i.seq_len_tokens)
    mfu = measured_tokens_per_s_per_gpu * flops / (i.gpu.bf16_dense_tflops * FLOPS_PER_TFLOP)
    if not 0 < mfu <= 1:
        raise InputError.single(
            "<training inputs>",
            "measured_tokens_per_s_per_gpu",
            f"{measured_tokens_per_s_per_gpu:,.0f} tokens/s on {i.gpu.id} implies an MFU of {mfu:.2f}, "
            "outside (0, 1]",
        )
    return mfu


def memory_per_gpu(
    i: TrainingInputs, *, n_gpus: int | None = None, micro_batch_size: int | None = None
) -> MemoryBreakdown:
    """Memory per GPU; weights, gradients and optimizer state are sharded over ``n_gpus`` (FSDP/ZeRO-3)."""
    n = n_gpus if n_gpus is not None else i.n_gpus
    b = micro_batch_size if micro_batch_size is not None else i.micro_batch_size
    weights = weight_bytes(i.model, i.method) / n
    optimizer = optimizer_bytes(i.model, i.method, trainable_params(i)) / n
    act = activation_bytes(
        i.model,
        seq_len_tokens=i.seq_len_tokens,
        micro_batch_size=b,
        gradient_checkpointing=i.gradient_checkpointing,
        flash_attention=i.flash_attention,
    )
    overhead = (FRAGMENTATION_FACTOR - 1.0) * (weights + optimizer + act)
    return MemoryBreakdown(
        weights_gb=weights / BYTES_PER_GB,
        optimizer_gb=optimizer / BYTES_PER_GB,
        activations_gb=act / BYTES_PER_GB,
        kv_cache_gb=0.0,
        overhead_gb=overhead / BYTES_PER_GB,
    )


def min_gpus_to_fit(i: TrainingInputs) -> int | None:
    """Smallest GPU count whose per-GPU memory fits, or None (activations alone too big, or > MAX_GPUS)."""
    capacity = i.gpu.memory_gb * BYTES_PER_GB / FRAGMENTATION_FACTOR
    one = memory_per_gpu(i, n_gpus=1)
    sharded = (one.weights_gb + one.optimizer_gb) * BYTES_PER_GB
    room = capacity - one.activations_gb * BYTES_PER_GB
    if room <= 0:
        return None
    n = max(1, math.ceil(sharded / room))
    return n if n <= MAX_GPUS else None


def max_micro_batch_size(i: TrainingInputs) -> int:
    """Largest micro-batch that fits on ``i.n_gpus`` GPUs (0 when even 1 does not)."""
    base = memory_per_gpu(i, micro_batch_size=1)
    per_sample = memory_per_gpu(i, micro_batch_size=2).total_gb - base.total_gb
    free = i.gpu.memory_gb - (base.total_gb - per_sample)
    return max(0, math.floor(free / per_sample)) if per_sample > 0 else 0


def billed_hours(wall_clock_hours: float, offer: GpuOffer) -> float:
    """Wall-clock rounded up to the offer's billing granularity (per hour / minute / second)."""
    step = {
        "per_hour": 1.0,
        "per_minute": 1 / 60,
        "per_second": 1 / S_PER_HOUR,
        "per_second_active": 1 / S_PER_HOUR,
    }
    unit = step[offer.billing]
    return math.ceil(wall_clock_hours / unit - 1e-9) * unit


def offer_price(offer: GpuOffer, *, use_spot: bool) -> float:
    """USD per GPU-hour at the offer (InputError when spot is asked for but not published)."""
    if not use_spot:
        return offer.on_demand_usd_per_gpu_hour
    if offer.spot_usd_per_gpu_hour is None:
        raise InputError.single("<training inputs>", "use_spot", f"{offer.id} publishes no spot price")
    return offer.spot_usd_per_gpu_hour


def estimate_training(i: TrainingInputs) -> TrainingEstimate:
    """GPU-hours, wall-clock, MFU, memory per GPU, fit and cost of one fine-tuning run."""
    n_t = trainable_params(i)
    processed = i.dataset_tokens * i.epochs / (1.0 - i.padding_waste_fraction)
    flops = model_flops_per_token(i.model, i.method, n_t, i.seq_len_tokens) * processed
    mfu = effective_mfu(i)
    compute_hours_total = gpu_hours(flops, i.gpu.bf16_dense_tflops, mfu)
    wall = compute_hours_total / i.n_gpus * i.overhead_factor
    memory = memory_per_gpu(i)
    price: float | None = None
    usd: float | None = None
    if i.offer is not None:
        price = offer_price(i.offer, use_spot=i.use_spot)
        billed_gpus = math.ceil(i.n_gpus / i.offer.n_gpus) * i.offer.n_gpus
        usd = billed_hours(wall, i.offer) * billed_gpus * price
    return TrainingEstimate(
        inputs=i,
        n_trainable_params=n_t,
        processed_tokens=processed,
        model_flops=flops,
        mfu_fraction=mfu,
        tokens_per_s_per_gpu=processed / (compute_hours_total * S_PER_HOUR),
        wall_clock_hours=wall,
        gpu_hours=wall * i.n_gpus,
        memory=memory,
        fits=memory.total_gb <= i.gpu.memory_gb,
        min_gpus_to_fit=min_gpus_to_fit(i),
        max_micro_batch_size=max_micro_batch_size(i),
        usd_per_gpu_hour=price,
        usd=usd,
    )
