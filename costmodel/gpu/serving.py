"""Self-hosted serving estimator: one replica's batch, latency, throughput, memory per GPU and $/Mtok.

A replica is ``n_gpus`` GPUs in tensor parallel; its times come from the roofline in
:mod:`costmodel.gpu.roofline`. Replicas for a demand and monthly costs are in
:mod:`costmodel.gpu.serving_cost`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Final

import numpy as np
from numpy.typing import ArrayLike

from costmodel.catalog.hardware import GpuOffer, GpuSpec, OpenModel, check_offer_rents
from costmodel.core.errors import InputError
from costmodel.core.units import BYTES_PER_GB, FLOPS_PER_TFLOP, MS_PER_S, S_PER_HOUR, TOKENS_PER_MTOK
from costmodel.gpu.memory import MemoryBreakdown
from costmodel.gpu.offers import offer_price
from costmodel.gpu.roofline import (
    DEFAULT_INFERENCE_MFU,
    DEFAULT_MBU,
    KV_BYTES,
    Array,
    KvPrecision,
    Precision,
    Roofline,
    decode_step_s,
    kv_cache_bytes_per_token,
    peak_tflops,
    prefill_s,
    serving_weight_bytes,
)
from costmodel.gpu.validation import check_fields

DEFAULT_MEMORY_UTILIZATION: Final = 0.9
"""Share of GPU memory given to weights + KV cache: vLLM's default ``gpu_memory_utilization`` (TensorRT-LLM
uses 0.90–0.95 in its performance overview). The rest holds activations, CUDA graphs and the runtime."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ServingInputs:
    """One serving configuration: a replica is ``n_gpus`` GPUs in tensor parallel."""

    model: OpenModel
    gpu: GpuSpec
    n_gpus: int = 1
    precision: Precision = "bf16"
    kv_precision: KvPrecision | None = None
    batch_size: int | None = None
    input_tokens: float
    output_tokens: float
    mfu_fraction: float = DEFAULT_INFERENCE_MFU
    mbu_fraction: float = DEFAULT_MBU
    memory_utilization_fraction: float = DEFAULT_MEMORY_UTILIZATION
    latency_budget_ms: float | None = None
    offer: GpuOffer | None = None
    use_spot: bool = False

    def __post_init__(self) -> None:
        checks = {
            "n_gpus": (self.n_gpus >= 1, "a whole number >= 1"),
            "batch_size": (self.batch_size is None or self.batch_size >= 1, "a whole number >= 1"),
            "input_tokens": (self.input_tokens >= 1, ">= 1"),
            "output_tokens": (self.output_tokens >= 1, ">= 1"),
            "mfu_fraction": (0 < self.mfu_fraction <= 1, "a fraction in (0, 1]"),
            "mbu_fraction": (0 < self.mbu_fraction <= 1, "a fraction in (0, 1]"),
            "memory_utilization_fraction": (
                0 < self.memory_utilization_fraction <= 1,
                "a fraction in (0, 1]",
            ),
            "latency_budget_ms": (self.latency_budget_ms is None or self.latency_budget_ms > 0, "> 0"),
        }
        check_fields(checks, self, "<serving inputs>")
        if self.input_tokens + self.output_tokens > self.model.context_tokens:
            raise InputError.single(
                "<serving inputs>",
                "input_tokens",
                f"{self.input_tokens + self.output_tokens:,.0f} tokens per request exceed the context of "
                f"{self.model.id} ({self.model.context_tokens:,})",
            )
        check_offer_rents(self.offer, self.gpu, source="<serving inputs>")

    @property
    def kv_bytes(self) -> float:
        """Bytes per KV element: FP8 cache with FP8 weights (TensorRT-LLM FP8 checkpoints), 16-bit otherwise."""
        kv = self.kv_precision or ("fp8" if self.precision == "fp8" else "bf16")
        return KV_BYTES[kv]


def roofline(i: ServingInputs) -> Roofline:
    """Effective FLOP/s and bytes/s of the replica (peak x MFU, bandwidth x MBU, times ``n_gpus``)."""
    return Roofline(
        n_params=float(i.model.n_params),
        n_layers=i.model.n_layers,
        attention_width=i.model.attention_width,
        hidden_size=i.model.hidden_size,
        weight_bytes=serving_weight_bytes(i.model, i.precision),
        kv_bytes_per_token=kv_cache_bytes_per_token(i.model, i.kv_bytes),
        flops_per_s=i.n_gpus * peak_tflops(i.gpu, i.precision) * FLOPS_PER_TFLOP * i.mfu_fraction,
        bytes_per_s=i.n_gpus * i.gpu.memory_bandwidth_gb_per_s * BYTES_PER_GB * i.mbu_fraction,
        tp=i.n_gpus,
        link_bytes_per_s=i.gpu.interconnect_gb_per_s * BYTES_PER_GB / 2,
    )


def max_batch_size(i: ServingInputs) -> int:
    """Largest number of concurrent requests whose KV cache (input + output tokens) fits beside the weights.

    As vLLM sizes its cache: ``gpu_memory_utilization`` (0.9) of the GPUs' memory, minus the weights, is
    KV space; each request is sized at its full length, as offline max-throughput benchmarks run every
    request to its end.
    """
    usable = i.n_gpus * i.gpu.memory_gb * BYTES_PER_GB * i.memory_utilization_fraction
    free = usable - serving_weight_bytes(i.model, i.precision)
    per_request = kv_cache_bytes_per_token(i.model, i.kv_bytes) * (i.input_tokens + i.output_tokens)
    return max(0, math.floor(free / per_request))


def min_gpus_to_serve(i: ServingInputs) -> int | None:
    """Smallest tensor-parallel GPU count (1, 2, 4, 8) that holds the weights and one request, or None."""
    for n in (1, 2, 4, 8):
        if max_batch_size(_replace_gpus(i, n)) >= 1:
            return n
    return None


def _replace_gpus(i: ServingInputs, n: int) -> ServingInputs:
    return replace(i, n_gpus=n, batch_size=None)


def request_timings(i: ServingInputs, batch: ArrayLike) -> dict[str, Array]:
    """TTFT, time per output token, end-to-end latency (ms) and throughput at each batch size.

    A request's TTFT is its own prefill (no queueing); decode runs at the mean context
    ``input + output/2``; a replica completes ``B / (prefill of B prompts + output · step)`` requests/s.
    """
    r = roofline(i)
    b = np.asarray(batch, dtype=np.float64)
    ttft = prefill_s(r, np.ones_like(b), i.input_tokens)
    step = decode_step_s(r, b, i.input_tokens + i.output_tokens / 2)
    cycle = prefill_s(r, b, i.input_tokens) + i.output_tokens * step
    rps = b / cycle
    return {
        "ttft_ms": ttft * MS_PER_S,
        "time_per_output_token_ms": step * MS_PER_S,
        "end_to_end_ms": (ttft + i.output_tokens * step) * MS_PER_S,
        "requests_per_s": rps,
        "output_tokens_per_s": rps * i.output_tokens,
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class ServingEstimate:
    """Latency, throughput, memory and price of one replica at its chosen batch size."""

    inputs: ServingInputs
    batch_size: int
    max_batch_size: int
    memory: MemoryBreakdown
    prefill_ms: float
    ttft_ms: float
    time_per_output_token_ms: float
    end_to_end_ms: float
    requests_per_s: float
    output_tokens_per_s: float
    decode_compute_bound: bool
    usd_per_gpu_hour: float | None
    usd_per_mtok_output: float | None

    @property
    def memory_gb_per_gpu(self) -> float:
        """Weights + KV cache of the chosen batch per GPU (GB)."""
        return self.memory.total_gb


def _no_fit_message(i: ServingInputs) -> str:
    need = serving_weight_bytes(i.model, i.precision) / BYTES_PER_GB
    usable = i.n_gpus * i.gpu.memory_gb * i.memory_utilization_fraction
    hint = min_gpus_to_serve(i)
    more = (
        f": it needs {hint} GPUs in tensor parallel"
        if hint is not None and hint > i.n_gpus
        else ": use bigger GPUs or a lower precision"
    )
    return (
        f"{i.model.id} in {i.precision} ({need:,.1f} GB of weights) plus one request's KV cache does not fit in "
        f"{usable:,.1f} usable GB of {i.n_gpus} x {i.gpu.id}{more}"
    )


def choose_batch(i: ServingInputs) -> int:
    """The batch to run: the given one, else the largest meeting the latency budget, else the largest that fits."""
    largest = max_batch_size(i)
    if largest < 1:
        raise InputError.single("<serving inputs>", "n_gpus", _no_fit_message(i))
    if i.batch_size is not None:
        if i.batch_size > largest:
            raise InputError.single(
                "<serving inputs>",
                "batch_size",
                f"a batch of {i.batch_size:,} requests does not fit in memory: the largest that fits is {largest:,}",
            )
        return i.batch_size
    if i.latency_budget_ms is None:
        return largest
    e2e = request_timings(i, np.arange(1, largest + 1))["end_to_end_ms"]
    ok = np.nonzero(e2e <= i.latency_budget_ms)[0]
    if ok.size == 0:
        raise InputError.single(
            "<serving inputs>",
            "latency_budget_ms",
            f"even one request at a time takes {e2e[0]:,.0f} ms end to end, over the {i.latency_budget_ms:,.0f} ms budget",
        )
    return int(ok[-1]) + 1


def estimate_serving(i: ServingInputs) -> ServingEstimate:
    """Roofline latency and throughput of one replica, its memory per GPU and $/Mtok at the offer."""
    batch = choose_batch(i)
    t = {k: float(v[0]) for k, v in request_timings(i, np.array([batch])).items()}
    r = roofline(i)
    ctx = i.input_tokens + i.output_tokens / 2
    compute = batch * (2.0 * r.n_params + 4.0 * r.n_layers * r.attention_width * ctx) / r.flops_per_s
    weights = serving_weight_bytes(i.model, i.precision) / i.n_gpus
    kv = batch * kv_cache_bytes_per_token(i.model, i.kv_bytes) * (i.input_tokens + i.output_tokens) / i.n_gpus
    price = offer_price(i.offer, use_spot=i.use_spot) if i.offer is not None else None
    usd_per_mtok = (
        price * i.n_gpus / (S_PER_HOUR * t["output_tokens_per_s"]) * TOKENS_PER_MTOK
        if price is not None
        else None
    )
    return ServingEstimate(
        inputs=i,
        batch_size=batch,
        max_batch_size=max_batch_size(i),
        memory=MemoryBreakdown(
            weights_gb=weights / BYTES_PER_GB,
            optimizer_gb=0.0,
            activations_gb=0.0,
            kv_cache_gb=kv / BYTES_PER_GB,
            overhead_gb=0.0,
        ),
        prefill_ms=float(prefill_s(r, 1.0, i.input_tokens)[()]) * MS_PER_S,
        ttft_ms=t["ttft_ms"],
        time_per_output_token_ms=t["time_per_output_token_ms"],
        end_to_end_ms=t["end_to_end_ms"],
        requests_per_s=t["requests_per_s"],
        output_tokens_per_s=t["output_tokens_per_s"],
        decode_compute_bound=compute >= (r.weight_bytes + batch * r.kv_bytes_per_token * ctx) / r.bytes_per_s,
        usd_per_gpu_hour=price,
        usd_per_mtok_output=usd_per_mtok,
    )


def operating_batch(i: ServingInputs, arrival_per_s: float, max_batch: int) -> int:
    """Concurrent requests a replica carries at ``arrival_per_s``: Little's law ``b = rate · e2e(b)``.

    Solved by fixed-point iteration from ``b = 1`` (e2e grows with b, so the iteration rises
    monotonically to the smallest solution), clipped to ``[1, max_batch]`` and rounded up.

    >>> from costmodel.catalog import default_catalogs
    >>> cat = default_catalogs()
    >>> i = ServingInputs(model=cat.find("open_models", "llama-3.1-8b"), gpu=cat.find("gpus", "l40s-48gb"),
    ...                   input_tokens=300.0, output_tokens=300.0)
    >>> operating_batch(i, 0.0, 345), operating_batch(i, 1.0, 345), operating_batch(i, 1e6, 345)
    (1, 8, 345)
    """
    b = 1.0
    for _ in range(50):
        e2e_s = float(request_timings(i, np.array([b]))["end_to_end_ms"][0]) / MS_PER_S
        nxt = min(float(max_batch), max(1.0, arrival_per_s * e2e_s))
        if abs(nxt - b) < 1e-6:
            break
        b = nxt
    return max(1, min(max_batch, math.ceil(b - 1e-9)))
