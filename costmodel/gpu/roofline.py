"""Serving roofline: weight and KV-cache bytes, peak FLOP/s by precision, prefill and decode times.

Prefill is compute-bound; a decode step reads every weight plus the batch's KV cache, so it is
bandwidth-bound until the batch makes it compute-bound (docs/formulas.md §3). Tensor parallelism over
``tp`` GPUs divides weights, compute and bandwidth and adds two ring all-reduces per layer over the
GPU link. Times are numpy functions of an array of batch sizes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from costmodel.catalog.hardware import GpuSpec, OpenModel

Precision = Literal["bf16", "fp8", "int8", "int4"]
KvPrecision = Literal["bf16", "fp8"]
PRECISIONS: Final[tuple[Precision, ...]] = ("bf16", "fp8", "int8", "int4")
Array = NDArray[np.float64]

WEIGHT_BYTES: Final[dict[str, float]] = {"bf16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5 + 2.5 / 128}
"""Bytes per quantised weight. int4: 4 bits + an fp16 scale and a 4-bit zero point per group of 128
(AWQ/GPTQ defaults) ≈ 0.52, inside docs/formulas.md §3.1's 0.5–0.56. Embeddings and the LM head stay 16-bit."""

KV_BYTES: Final[dict[str, float]] = {"bf16": 2.0, "fp8": 1.0}
"""Bytes per KV-cache element."""

ACTIVATION_BYTES: Final = 2.0
"""Bytes per activation value exchanged in tensor-parallel all-reduces (bf16)."""

DEFAULT_INFERENCE_MFU: Final = 0.5
"""Share of peak FLOP/s reached by prefill and compute-bound decode. Assumption: below the 0.7 that
cli99/llm-analysis gives as the inference ceiling; with it this model reproduces TensorRT-LLM's published
Llama-3.1-8B FP8 throughput on H100 within ±15% (reference case I01)."""

DEFAULT_MBU: Final = 0.8
"""Share of HBM bandwidth reached by decode. Assumption: cli99/llm-analysis calls 0.9 "aggressive"."""


def kv_cache_bytes_per_token(m: OpenModel, kv_bytes: float = 2.0) -> float:
    """KV-cache bytes per token of context: ``2 · n_layers · n_kv_heads · head_dim · bytes``.

    Same formula as cli99/llm-analysis ``get_memory_kv_cache_per_layer`` (summed over layers).

    >>> from costmodel.catalog import default_catalogs
    >>> kv_cache_bytes_per_token(default_catalogs().find("open_models", "llama-2-70b"))
    327680.0
    """
    return 2.0 * m.n_layers * m.n_kv_heads * m.head_dim * kv_bytes


def serving_weight_bytes(m: OpenModel, precision: Precision) -> float:
    """Resident weight bytes: quantised linear layers, 16-bit embeddings and LM head.

    >>> from costmodel.catalog import default_catalogs
    >>> serving_weight_bytes(default_catalogs().find("open_models", "llama-2-70b"), "bf16") / 1e9
    137.953296384
    """
    if precision == "bf16":
        return WEIGHT_BYTES["bf16"] * m.n_params
    embeddings = m.vocab_size * m.hidden_size * (1 if m.tied_embeddings else 2)
    return WEIGHT_BYTES[precision] * (m.n_params - embeddings) + WEIGHT_BYTES["bf16"] * embeddings


def peak_tflops(gpu: GpuSpec, precision: Precision) -> float:
    """Dense peak for the math the precision runs: FP8/INT8 tensor cores where the GPU has them.

    Without FP8 (Ampere) FP8 checkpoints run weight-only at BF16 speed; INT4 (AWQ/GPTQ) is weight-only
    everywhere, so its math runs at the BF16 rate.
    """
    if precision == "fp8" and gpu.fp8_dense_tflops is not None:
        return gpu.fp8_dense_tflops
    if precision == "int8" and gpu.int8_dense_tops is not None:
        return gpu.int8_dense_tops
    return gpu.bf16_dense_tflops


@dataclass(frozen=True, slots=True, kw_only=True)
class Roofline:
    """The constants of one replica that the time formulas need (totals over the tensor-parallel group)."""

    n_params: float
    n_layers: int
    attention_width: int
    hidden_size: int
    weight_bytes: float
    kv_bytes_per_token: float
    flops_per_s: float
    bytes_per_s: float
    tp: int
    link_bytes_per_s: float


def allreduce_s(r: Roofline, tokens: ArrayLike) -> Array:
    """Two ring all-reduces per layer of ``tokens · d`` activations: ``2·(tp−1)/tp · bytes / link`` each."""
    if r.tp == 1:
        return np.zeros_like(np.asarray(tokens, dtype=np.float64))
    per = 2.0 * (r.tp - 1) / r.tp * np.asarray(tokens, dtype=np.float64) * r.hidden_size * ACTIVATION_BYTES
    return np.asarray(2 * r.n_layers * per / r.link_bytes_per_s, dtype=np.float64)


def prefill_s(r: Roofline, batch: ArrayLike, input_tokens: ArrayLike) -> Array:
    """Prefill time of ``batch`` prompts: ``max(FLOPs / FLOP/s, weights / bytes/s) + all-reduce``.

    FLOPs = ``B · (2·N·L + 2·n_layers·w·L²)`` (causal attention computes half of L²).
    """
    b = np.asarray(batch, dtype=np.float64)
    x = np.asarray(input_tokens, dtype=np.float64)
    flops = b * (2.0 * r.n_params * x + 2.0 * r.n_layers * r.attention_width * x**2)
    return np.maximum(flops / r.flops_per_s, r.weight_bytes / r.bytes_per_s) + allreduce_s(r, b * x)


def decode_step_s(r: Roofline, batch: ArrayLike, context_tokens: ArrayLike) -> Array:
    """One decode step for ``batch`` sequences at ``context_tokens`` of cache each.

    ``max(B·(2·N + 4·n_layers·w·c) / FLOP/s, (weights + B·KV_bytes_per_token·c) / bytes/s) + all-reduce``
    (docs/formulas.md §3.3; cli99/llm-analysis and hahnyuan/LLM-Viewer use the same roofline).
    """
    b = np.asarray(batch, dtype=np.float64)
    c = np.asarray(context_tokens, dtype=np.float64)
    flops = b * (2.0 * r.n_params + 4.0 * r.n_layers * r.attention_width * c)
    bytes_read = r.weight_bytes + b * r.kv_bytes_per_token * c
    return np.maximum(flops / r.flops_per_s, bytes_read / r.bytes_per_s) + allreduce_s(r, b)
