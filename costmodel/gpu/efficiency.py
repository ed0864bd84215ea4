"""Training throughput per GPU from a three-term time model, with constants fitted on published runs.

One micro-batch of ``T = micro_batch · seq_len`` tokens on one GPU costs

* **compute**: ``F_hw · T / (peak · hfu · arch)`` — hardware FLOPs (model FLOPs plus the recompute of
  gradient checkpointing) at a utilisation ceiling per method;
* **weight passes**: ``passes · 2N / memory_bandwidth`` — every micro-batch streams the frozen 16-bit
  weights through forward, recompute and backward, and QLoRA also dequantises them; fixed per
  micro-batch, so it dominates short sequences and small batches;
* **exposed communication** (sharded runs, ``n > 1``): ``exposed · k·W_stored · (n−1)/n / link`` —
  FSDP/ZeRO-3 all-gathers the weights for forward and backward (``k = 2``) and reduce-scatters full
  gradients (``k = 3`` for full fine-tuning); ``exposed`` is the share not hidden behind compute.

The constants in :data:`FITTED` come from ``scripts/gpu_validation.py``, which fits them on the "fit"
half of ``benchmarks/data/published_training_runs.yaml`` and reports both halves in
docs/gpu-validation.md. Formulas: docs/formulas.md §1.4b.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Final

from costmodel.catalog.hardware import GpuArchitecture, GpuSpec
from costmodel.core.units import BYTES_PER_GB, FLOPS_PER_TFLOP

INTER_NODE_GB_PER_S_PER_GPU: Final = 25.0
"""Per-GPU network bandwidth between 8-GPU nodes, one direction: one 200 Gb/s HDR InfiniBand port per GPU
(NVIDIA DGX A100 datasheet; llm-foundry's A100 benchmarks ran on 1,600 Gb/s per 8-GPU node, the same)."""

GPUS_PER_NODE: Final = 8
"""GPUs sharing the NVLink/PCIe fabric of one server (HGX/DGX and the 8-GPU cloud instances)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EfficiencyConstants:
    """The fitted constants of the time model (all dimensionless)."""

    hfu_full: float
    """Hardware-FLOP utilisation ceiling of full fine-tuning/pretraining matmuls on Ampere."""
    hfu_adapter: float
    """Same for LoRA/QLoRA (frozen base in bf16 after dequantisation, small adapter matmuls)."""
    weight_passes_lora: float
    """16-bit weight reads per micro-batch (forward, recompute, backward, plus kernel-launch slack);
    applies to LoRA and to full fine-tuning."""
    weight_passes_qlora: float
    """Same for QLoRA, including the bitsandbytes NF4 dequantisation of every weight, every pass."""
    weight_passes_hf_full_extra: float
    """Extra per-micro-batch cost of full fine-tuning under the Hugging Face Trainer with FSDP, in
    weight passes: fp32 master weights cast, gathered and freed layer by layer every micro-batch."""
    exposed_comm_optimized: float
    """Share of FSDP/ZeRO communication not overlapped, tuned stacks (llm-foundry, Megatron, LLaMA)."""
    exposed_comm_hf: float
    """Same for Hugging Face Trainer/Accelerate FSDP and DeepSpeed ZeRO-3 as configured in tutorials."""
    hopper_factor: float
    """Utilisation on Hopper/Blackwell relative to Ampere (faster GPUs are harder to keep busy)."""
    half_width: float
    """Model width at which matmul utilisation is half the ceiling: ``u · d / (d + half_width)``
    (narrow models run smaller, less efficient GEMMs)."""

    def as_dict(self) -> dict[str, float]:
        """The constants by name (for the validation table)."""
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}


FITTED: Final = EfficiencyConstants(
    hfu_full=0.95,
    hfu_adapter=0.616,
    weight_passes_lora=13.5,
    weight_passes_qlora=49.2,
    weight_passes_hf_full_extra=240.0,
    exposed_comm_optimized=0.0,
    exposed_comm_hf=0.446,
    hopper_factor=0.71,
    half_width=1075.0,
)
"""Fitted by scripts/gpu_validation.py on the "fit" runs (see docs/gpu-validation.md for the fit and errors)."""


def architecture_factor(architecture: GpuArchitecture, c: EfficiencyConstants = FITTED) -> float:
    """Utilisation relative to Ampere: Hopper and Blackwell fitted; Ada assumed equal to Ampere.

    >>> architecture_factor("ampere")
    1.0
    """
    return c.hopper_factor if architecture in ("hopper", "blackwell") else 1.0


def width_factor(hidden_size: int, c: EfficiencyConstants = FITTED) -> float:
    """Matmul utilisation relative to an infinitely wide model: ``d / (d + half_width)``.

    >>> width_factor(4096, EfficiencyConstants(**{**FITTED.as_dict(), "half_width": 4096.0}))
    0.5
    """
    return hidden_size / (hidden_size + c.half_width)


def link_gb_per_s(gpu: GpuSpec, n_gpus: int) -> float:
    """One-direction GPU-to-GPU bandwidth a ring collective sees: half the vendor's bidirectional
    figure inside a node, the inter-node network beyond one node.

    >>> from costmodel.catalog import default_catalogs
    >>> h100 = default_catalogs().find("gpus", "h100-sxm-80gb")
    >>> link_gb_per_s(h100, 8), link_gb_per_s(h100, 16)
    (450.0, 25.0)
    """
    intra = gpu.interconnect_gb_per_s / 2
    return intra if n_gpus <= GPUS_PER_NODE else min(intra, INTER_NODE_GB_PER_S_PER_GPU)


def seconds_per_token(
    *,
    hw_flops_per_token: float,
    peak_tflops: float,
    utilisation: float,
    weight_bytes_16bit: float,
    weight_passes: float,
    memory_bandwidth_gb_per_s: float,
    tokens_per_micro_batch: float,
    comm_bytes_per_micro_batch: float,
    link_gb_per_s: float,
    exposed_comm_fraction: float,
) -> float:
    """Seconds of one GPU per training token: compute + weight passes + exposed communication.

    ``F_hw / (peak · u) + passes · W16 / (BW · T) + exposed · C / (link · T)``.

    >>> round(seconds_per_token(hw_flops_per_token=6e9, peak_tflops=100, utilisation=0.5,
    ...     weight_bytes_16bit=2e9, weight_passes=10, memory_bandwidth_gb_per_s=1000,
    ...     tokens_per_micro_batch=1000, comm_bytes_per_micro_batch=0, link_gb_per_s=1,
    ...     exposed_comm_fraction=0) * 1e6, 3)
    140.0
    """
    compute = hw_flops_per_token / (peak_tflops * FLOPS_PER_TFLOP * utilisation)
    passes = weight_passes * weight_bytes_16bit / (memory_bandwidth_gb_per_s * BYTES_PER_GB)
    comm = exposed_comm_fraction * comm_bytes_per_micro_batch / (link_gb_per_s * BYTES_PER_GB)
    return compute + (passes + comm) / tokens_per_micro_batch
