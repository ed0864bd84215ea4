"""Self-hosted training and serving over arrays of simulation draws (one numpy pass, no loop per draw).

The same formulas as :func:`costmodel.gpu.training.estimate_training` and
:func:`costmodel.gpu.serving.estimate_serving`, with the token counts and examples as arrays. Discrete
choices are made once per distinct value: the GPU count of a training run per distinct sequence length
(at most :data:`MAX_DISTINCT_SEQUENCE_LENGTHS`), the tensor-parallel size of a replica must be the same
for every draw. Anything else raises ``ValueError`` so the simulator falls back to preparing draw by draw.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from costmodel.core.units import BYTES_PER_GB, MS_PER_S, S_PER_HOUR
from costmodel.gpu.offers import BILLING_STEP_HOURS, billed_gpus, offer_price
from costmodel.gpu.roofline import decode_step_s, kv_cache_bytes_per_token, prefill_s, serving_weight_bytes
from costmodel.gpu.serving import ServingInputs, roofline
from costmodel.gpu.training import TrainingInputs, min_gpus_to_fit, modelled_tokens_per_s_per_gpu

Array = NDArray[np.float64]

MAX_DISTINCT_SEQUENCE_LENGTHS: Final = 64
"""Most distinct training sequence lengths evaluated one by one before giving up on arrays."""
TENSOR_PARALLEL_SIZES: Final = (1, 2, 4, 8)
"""Tensor-parallel sizes tried for a replica, as :func:`costmodel.gpu.serving.min_gpus_to_serve`."""
FIXED_POINT_ITERATIONS: Final = 50
"""Iterations of Little's law for the operating batch, as :func:`costmodel.gpu.serving.operating_batch`."""


def billed_hours_array(wall_clock_hours: ArrayLike, step_hours: float) -> Array:
    """Wall-clock rounded up to the billing step, element by element (``ceil(h / step − 1e-9) · step``).

    >>> billed_hours_array([0.5, 1.0, 1.01], 1.0).tolist()
    [1.0, 1.0, 2.0]
    """
    h = np.asarray(wall_clock_hours, dtype=np.float64)
    return np.asarray(np.ceil(h / step_hours - 1e-9) * step_hours, dtype=np.float64)


def training_usd(
    base: TrainingInputs, *, dataset_tokens: ArrayLike, seq_len_tokens: ArrayLike, epochs: ArrayLike
) -> Array:
    """USD of one run per draw at ``base.offer``, on the fewest whole instances that hold it.

    ``dataset_tokens`` (tokens per epoch), ``seq_len_tokens`` and ``epochs`` broadcast together
    (``base``'s own values of those are ignored). Equals ``estimate_training(...).usd`` of each draw.
    """
    offer = base.offer
    if offer is None:
        raise ValueError("training_usd needs an offer")
    seq = np.asarray(seq_len_tokens, dtype=np.float64)
    tokens = np.asarray(dataset_tokens, dtype=np.float64) * np.asarray(epochs, dtype=np.float64)
    shape = np.broadcast_shapes(seq.shape, tokens.shape)
    seq, tokens = np.broadcast_to(seq, shape), np.broadcast_to(tokens, shape)
    distinct = np.unique(seq)
    if distinct.size > MAX_DISTINCT_SEQUENCE_LENGTHS:
        raise ValueError(f"{distinct.size} distinct training sequence lengths")
    out = np.empty(shape)
    step = BILLING_STEP_HOURS[offer.billing]
    price = offer_price(offer, use_spot=base.use_spot)
    for s in distinct.tolist():
        one = replace(base, seq_len_tokens=int(s), epochs=1.0, dataset_tokens=1.0)
        fit = min_gpus_to_fit(one)
        if fit is None:
            raise ValueError(f"{base.model.id} does not fit at {int(s)} tokens")
        n = billed_gpus(fit, offer)
        tps = modelled_tokens_per_s_per_gpu(replace(one, n_gpus=n))
        mask = seq == s
        wall = (
            tokens[mask] / (1.0 - base.padding_waste_fraction) / (tps * n) / S_PER_HOUR * base.overhead_factor
        )
        out[mask] = billed_hours_array(wall, step) * n * price
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplicaArrays:
    """One serving replica per draw: its tensor-parallel size (the same for all) and per-draw figures."""

    n_gpus: int
    batch_size: Array
    requests_per_s: Array
    budget_missed: NDArray[np.bool_]
    """Draws where even one request at a time is over the latency budget (sized at the largest batch)."""


def _timings(
    i: ServingInputs, batch: Array, input_tokens: Array, output_tokens: Array
) -> tuple[Array, Array]:
    """(end-to-end seconds, requests/s) at ``batch``, as :func:`costmodel.gpu.serving.request_timings`."""
    r = roofline(i)
    ttft = prefill_s(r, np.ones_like(batch), input_tokens)
    step = decode_step_s(r, batch, input_tokens + output_tokens / 2)
    cycle = prefill_s(r, batch, input_tokens) + output_tokens * step
    return ttft + output_tokens * step, batch / cycle


def replica_arrays(
    probe: ServingInputs,
    *,
    input_tokens: ArrayLike,
    output_tokens: ArrayLike,
    latency_budget_ms: ArrayLike | None,
) -> ReplicaArrays:
    """Replica size, batch and capacity per draw, as ``serving_replica`` chooses them for one draw.

    Smallest tensor-parallel size holding the weights and one request; the largest batch meeting the
    latency budget (end-to-end latency grows with the batch, so a bisection finds it) or the largest
    that fits when there is no budget or even one request misses it.
    """
    x_in = np.asarray(input_tokens, dtype=np.float64)
    x_out = np.asarray(output_tokens, dtype=np.float64)
    x_in, x_out = np.broadcast_arrays(x_in, x_out)
    kv = kv_cache_bytes_per_token(probe.model, probe.kv_bytes) * (x_in + x_out)
    weights = serving_weight_bytes(probe.model, probe.precision)
    tp = None
    largest = np.zeros(x_in.shape)
    for n in TENSOR_PARALLEL_SIZES:
        usable = n * probe.gpu.memory_gb * BYTES_PER_GB * probe.memory_utilization_fraction
        largest = np.maximum(0.0, np.floor((usable - weights) / kv))
        if np.all(largest >= 1):
            tp = n
            break
        if np.any(largest >= 1):
            raise ValueError("the tensor-parallel size differs between draws")
    if tp is None:
        raise ValueError(f"{probe.model.id} does not fit on 8 x {probe.gpu.id}")
    i = replace(probe, n_gpus=tp, batch_size=None, latency_budget_ms=None)
    missed = np.zeros(x_in.shape, dtype=bool)
    batch = largest
    if latency_budget_ms is not None:
        budget_s = np.asarray(latency_budget_ms, dtype=np.float64) / MS_PER_S
        ones = np.ones_like(largest)
        missed = np.broadcast_to(_timings(i, ones, x_in, x_out)[0] > budget_s, x_in.shape).copy()
        lo, hi = ones, largest  # invariant: e2e(lo) <= budget (where not missed), answer in [lo, hi]
        while np.any(lo < hi):
            mid = np.ceil((lo + hi) / 2)
            ok = _timings(i, mid, x_in, x_out)[0] <= budget_s
            lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid - 1)
        batch = np.where(missed, largest, lo)
    return ReplicaArrays(
        n_gpus=tp, batch_size=batch, requests_per_s=_timings(i, batch, x_in, x_out)[1], budget_missed=missed
    )


def operating_latency_ms(
    i: ServingInputs,
    *,
    arrival_per_s: ArrayLike,
    max_batch: ArrayLike,
    input_tokens: ArrayLike,
    output_tokens: ArrayLike,
) -> tuple[Array, Array, Array]:
    """(busy batch, TTFT ms, end-to-end ms) per draw at ``arrival_per_s``, Little's law as ``operating_batch``."""
    x_in = np.asarray(input_tokens, dtype=np.float64)
    x_out = np.asarray(output_tokens, dtype=np.float64)
    cap = np.asarray(max_batch, dtype=np.float64)
    rate = np.asarray(arrival_per_s, dtype=np.float64)
    b = np.ones(np.broadcast_shapes(x_in.shape, x_out.shape, cap.shape, rate.shape))
    for _ in range(FIXED_POINT_ITERATIONS):
        nxt = np.minimum(cap, np.maximum(1.0, rate * _timings(i, b, x_in, x_out)[0]))
        if np.all(np.abs(nxt - b) < 1e-6):
            break
        b = nxt
    busy = np.clip(np.ceil(b - 1e-9), 1.0, cap)
    r = roofline(i)
    ttft = prefill_s(r, np.ones_like(busy), x_in) * MS_PER_S
    e2e = _timings(i, busy, x_in, x_out)[0] * MS_PER_S
    return busy, np.broadcast_to(ttft, busy.shape), e2e
