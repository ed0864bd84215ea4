"""Self-hosted fine-tuning estimator: one run's GPU-hours, wall-clock, memory per GPU, fit and cost.

Compute comes from :mod:`costmodel.gpu.training_flops` (FLOPs per token, MFU), tensor bytes from
:mod:`costmodel.gpu.memory`, billing from :mod:`costmodel.gpu.offers`. Weights, gradients and
optimizer state are sharded across GPUs (FSDP/ZeRO-3 style); activations are not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from costmodel.catalog.hardware import GpuOffer, GpuSpec, OpenModel, check_offer_rents
from costmodel.core.errors import InputError
from costmodel.core.units import FLOPS_PER_TFLOP, S_PER_HOUR
from costmodel.gpu.efficiency import (
    FITTED,
    EfficiencyConstants,
    architecture_factor,
    link_gb_per_s,
    seconds_per_token,
    width_factor,
)
from costmodel.gpu.memory import (
    BF16_BYTES,
    CUDA_CONTEXT_GB,
    FSDP_UNSHARDED_UNITS,
    TRANSIENT_RESERVE_FACTOR,
    MemoryBreakdown,
    training_memory,
    weight_bytes,
)
from costmodel.gpu.offers import billed_gpus, billed_hours, offer_price
from costmodel.gpu.training_flops import (
    DEFAULT_OVERHEAD_FACTOR,
    FLASH_ATTENTION_SPEEDUP,
    FRAMEWORK_SPEEDUP,
    Framework,
    LoraTargets,
    Method,
    gpu_hours,
    lora_trainable_params,
    model_flops_per_token,
    recompute_flops_per_token,
)
from costmodel.gpu.validation import check_fields

MAX_GPUS: Final = 1024
"""Largest GPU count searched for a fit (128 nodes of 8)."""
SHARDED_COLLECTIVES_FULL: Final = 3.0
"""Weight-sized collectives per micro-batch under FSDP/ZeRO-3, full fine-tuning: all-gather for forward,
all-gather for backward, reduce-scatter of gradients (PyTorch FSDP paper, Zhao et al. 2023, §3)."""
SHARDED_COLLECTIVES_ADAPTER: Final = 2.0
"""Same for LoRA/QLoRA: the two all-gathers of the frozen weights; adapter gradients are negligible."""


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
    zero_stage: int = 3
    paged_optimizer: bool | None = None
    allocator_reserve_factor: float = TRANSIENT_RESERVE_FACTOR

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
            "zero_stage": (self.zero_stage in (0, 1, 2, 3), "a ZeRO stage 0, 1, 2 or 3"),
            "allocator_reserve_factor": (self.allocator_reserve_factor >= 1, ">= 1 (reserved / allocated)"),
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
    memory_assumptions: tuple[str, ...] = ()

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


def speed_knob_factor(i: TrainingInputs) -> float:
    """Throughput multiplier of the speed knobs: framework (or ``speedup_factor``) × FlashAttention-2.

    FlashAttention applies to LoRA/QLoRA on plain HF only (unsloth includes it; tuned full-training
    stacks already use fused attention).
    """
    speedup = i.speedup_factor if i.speedup_factor is not None else FRAMEWORK_SPEEDUP[i.framework]
    flash = (
        FLASH_ATTENTION_SPEEDUP if (i.flash_attention and i.method != "full" and i.framework == "hf") else 1.0
    )
    return speedup * flash


def modelled_tokens_per_s_per_gpu(i: TrainingInputs, c: EfficiencyConstants = FITTED) -> float:
    """Training tokens per second per GPU from the fitted time model (:mod:`costmodel.gpu.efficiency`).

    Compute at the method's utilisation ceiling, plus the per-micro-batch weight passes, plus the
    exposed FSDP/ZeRO-3 communication when sharded over more than one GPU; then the speed knobs.
    """
    n_t = trainable_params(i)
    model = model_flops_per_token(i.model, i.method, n_t, i.seq_len_tokens)
    recompute = recompute_flops_per_token(i.model, i.seq_len_tokens) if i.gradient_checkpointing else 0.0
    full = i.method == "full"
    utilisation = (
        (c.hfu_full if full else c.hfu_adapter)
        * architecture_factor(i.gpu.architecture, c)
        * width_factor(i.model.hidden_size, c)
    )
    passes = c.weight_passes_qlora if i.method == "qlora" else c.weight_passes_lora
    if full and i.framework != "optimized":
        passes += c.weight_passes_hf_full_extra
    n = i.n_gpus
    if i.zero_stage >= 3:
        gathers = SHARDED_COLLECTIVES_FULL if full else SHARDED_COLLECTIVES_ADAPTER
        comm = gathers * weight_bytes(i.model, i.method) * (n - 1) / n
    else:  # gradients all-reduced (ring: 2× their bytes); adapter gradients are negligible
        comm = 2.0 * BF16_BYTES * i.model.n_params * (n - 1) / n if full else 0.0
    exposed = c.exposed_comm_optimized if i.framework == "optimized" else c.exposed_comm_hf
    s = seconds_per_token(
        hw_flops_per_token=model + recompute,
        peak_tflops=i.gpu.bf16_dense_tflops,
        utilisation=utilisation,
        weight_bytes_16bit=BF16_BYTES * i.model.n_params,
        weight_passes=passes,
        memory_bandwidth_gb_per_s=i.gpu.memory_bandwidth_gb_per_s,
        tokens_per_micro_batch=float(i.micro_batch_size * i.seq_len_tokens),
        comm_bytes_per_micro_batch=comm,
        link_gb_per_s=link_gb_per_s(i.gpu, n),
        exposed_comm_fraction=exposed,
    )
    return speed_knob_factor(i) / s


def effective_mfu(i: TrainingInputs) -> float:
    """Model-FLOP utilisation of the run: the override as given, else ``tokens/s · FLOPs per token / peak``
    from the fitted time model (knobs included)."""
    if i.mfu_fraction is not None:
        return i.mfu_fraction
    flops = model_flops_per_token(i.model, i.method, trainable_params(i), i.seq_len_tokens)
    mfu = modelled_tokens_per_s_per_gpu(i) * flops / (i.gpu.bf16_dense_tflops * FLOPS_PER_TFLOP)
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


def uses_paged_optimizer(i: TrainingInputs) -> bool:
    """The paged optimizer setting: as given, else on for QLoRA (the paper's recipe), off otherwise."""
    return i.paged_optimizer if i.paged_optimizer is not None else i.method == "qlora"


def memory_per_gpu(
    i: TrainingInputs, *, n_gpus: int | None = None, micro_batch_size: int | None = None
) -> MemoryBreakdown:
    """Memory per GPU (:func:`costmodel.gpu.memory.training_memory`) at ``n_gpus`` and ``micro_batch_size``."""
    return training_memory(
        i.model,
        method=i.method,
        n_trainable=trainable_params(i),
        n_gpus=n_gpus if n_gpus is not None else i.n_gpus,
        zero_stage=i.zero_stage,
        seq_len_tokens=i.seq_len_tokens,
        micro_batch_size=micro_batch_size if micro_batch_size is not None else i.micro_batch_size,
        gradient_checkpointing=i.gradient_checkpointing,
        flash_attention=i.flash_attention,
        paged_optimizer=uses_paged_optimizer(i),
        reserve_factor=i.allocator_reserve_factor,
    )


def memory_assumptions(i: TrainingInputs) -> tuple[str, ...]:
    """What the memory estimate assumes, in words (shown beside the estimate)."""
    stage = {
        0: "DDP, nothing sharded",
        1: "ZeRO-1, optimizer sharded",
        2: "ZeRO-2, optimizer and gradients sharded",
    }
    sharding = (
        "one GPU, nothing sharded"
        if i.n_gpus == 1
        else stage.get(
            i.zero_stage,
            f"ZeRO-3/FSDP full shard over {i.n_gpus} GPUs, {FSDP_UNSHARDED_UNITS} gathered layers",
        )
    )
    return (
        sharding,
        "gradient checkpointing on" if i.gradient_checkpointing else "gradient checkpointing off",
        "FlashAttention (no attention-score memory)"
        if i.flash_attention
        else "eager attention (scores stored)",
        "paged 32-bit optimizer (its state can move to CPU RAM)"
        if uses_paged_optimizer(i)
        else "optimizer state resident on the GPU",
        f"allocator reserve ×{i.allocator_reserve_factor:g} on activations and gathered layers, "
        f"{CUDA_CONTEXT_GB:g} GB CUDA context",
    )


def min_gpus_to_fit(i: TrainingInputs) -> int | None:
    """Smallest GPU count whose per-GPU memory fits, or None (unsharded part alone too big, or > MAX_GPUS).

    Beyond one GPU the memory is ``A + B / n`` (B: sharded state), so ``n = ceil(B / (capacity − A))``.
    """
    capacity = i.gpu.memory_gb
    if memory_per_gpu(i, n_gpus=1).total_gb <= capacity:
        return 1
    two, four = memory_per_gpu(i, n_gpus=2).total_gb, memory_per_gpu(i, n_gpus=4).total_gb
    sharded = 4 * (two - four)
    fixed = two - sharded / 2
    if capacity - fixed <= 0:
        return None
    n = max(2, math.ceil(sharded / (capacity - fixed) - 1e-9))
    while n <= MAX_GPUS and memory_per_gpu(i, n_gpus=n).total_gb > capacity:
        n += 1
    return n if n <= MAX_GPUS else None


def max_micro_batch_size(i: TrainingInputs) -> int:
    """Largest micro-batch that fits on ``i.n_gpus`` GPUs (0 when even 1 does not)."""
    base = memory_per_gpu(i, micro_batch_size=1)
    per_sample = memory_per_gpu(i, micro_batch_size=2).total_gb - base.total_gb
    free = i.gpu.memory_gb - (base.total_gb - per_sample)
    return max(0, math.floor(free / per_sample)) if per_sample > 0 else 0


def estimate_training(i: TrainingInputs) -> TrainingEstimate:
    """GPU-hours, wall-clock, MFU, memory per GPU, fit and cost of one fine-tuning run.

    ``tokens = dataset · epochs / (1 − padding)``; ``wall = FLOPs / (peak · MFU) / n_gpus · overhead``;
    cost = billed hours · billed GPUs (whole instances) · USD per GPU-hour.
    """
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
        usd = billed_hours(wall, i.offer) * billed_gpus(i.n_gpus, i.offer) * price
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
        memory_assumptions=memory_assumptions(i),
    )
