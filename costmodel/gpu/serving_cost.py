"""Serving at a monthly demand: peak request rate, replicas needed, dedicated and serverless costs.

Functions of an array of monthly request counts (any shape), so the engine and the simulator can
price every month and every draw at once. Dedicated replicas bill whole instances for all 730 hours
of a month; serverless bills busy GPU-seconds only.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from costmodel.catalog.hardware import GpuOffer
from costmodel.core.errors import InputError
from costmodel.core.units import HOURS_PER_MONTH, MS_PER_S, S_PER_HOUR
from costmodel.gpu.offers import offer_price
from costmodel.gpu.roofline import Array
from costmodel.gpu.serving import ServingInputs, choose_batch, request_timings


def peak_requests_per_s(requests_per_month: ArrayLike, peak_to_mean_ratio: float) -> Array:
    """Peak-hour request rate: ``requests_per_month / (730 · 3600) · peak_to_mean``."""
    return (
        np.asarray(requests_per_month, dtype=np.float64) / (HOURS_PER_MONTH * S_PER_HOUR) * peak_to_mean_ratio
    )


def replicas_for_demand(
    requests_per_month: ArrayLike,
    *,
    peak_to_mean_ratio: float,
    requests_per_s_per_replica: ArrayLike,
    min_replicas: int = 1,
) -> NDArray[np.int64]:
    """Replicas needed each month: ``max(min_replicas, ceil(peak req/s ÷ req/s per replica))``.

    Works on any array shape, e.g. ``(n_sweep_points, n_months)``; an integer step function of demand.

    >>> replicas_for_demand([0, 1e6, 5e6], peak_to_mean_ratio=3.0, requests_per_s_per_replica=1.0).tolist()
    [1, 2, 6]
    """
    if not np.all(np.asarray(requests_per_s_per_replica) > 0):
        raise InputError.single("<serving inputs>", "requests_per_s_per_replica", "must be > 0")
    ratio = peak_requests_per_s(requests_per_month, peak_to_mean_ratio) / np.asarray(
        requests_per_s_per_replica, dtype=np.float64
    )
    # A hair below an exact multiple must not add a replica through rounding noise.
    needed = np.ceil(ratio - 1e-9 * np.maximum(1.0, ratio))
    return np.maximum(min_replicas, needed).astype(np.int64)


def dedicated_monthly_usd(
    replicas: ArrayLike, *, n_gpus_per_replica: int, offer: GpuOffer, use_spot: bool = False
) -> Array:
    """Always-on cost: whole instances for ``replicas · n_gpus`` GPUs, every one of the 730 hours billed."""
    gpus = np.asarray(replicas, dtype=np.float64) * n_gpus_per_replica
    billed = np.ceil(gpus / offer.n_gpus) * offer.n_gpus
    return np.asarray(billed * offer_price(offer, use_spot=use_spot) * HOURS_PER_MONTH, dtype=np.float64)


def serverless_usd_per_request(
    i: ServingInputs, requests_per_month: ArrayLike, *, max_batch: int | None = None
) -> Array:
    """Busy GPU-seconds per request at a per-second-billed (scale-to-zero) offer, times its price.

    Concurrency by Little's law, ``C = mean req/s · end-to-end latency``; each busy replica batches
    ``b = clip(C, 1, max_batch)`` requests, so a request costs ``n_gpus · $/s · e2e(b) / b``.
    Cold starts are not modelled (optimistic for spiky, low traffic).
    """
    if i.offer is None:
        raise InputError.single("<serving inputs>", "offer", "serverless pricing needs a GPU offer")
    cap = max_batch if max_batch is not None else choose_batch(i)
    one = float(request_timings(i, np.array([1.0]))["end_to_end_ms"][0]) / MS_PER_S
    concurrency = peak_requests_per_s(requests_per_month, 1.0) * one
    b = np.clip(np.floor(concurrency), 1.0, float(cap))
    e2e_s = request_timings(i, b)["end_to_end_ms"] / MS_PER_S
    usd_per_s = offer_price(i.offer, use_spot=i.use_spot) * i.n_gpus / S_PER_HOUR
    return np.asarray(usd_per_s * e2e_s / b, dtype=np.float64)
