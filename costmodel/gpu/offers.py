"""What renting GPUs costs: the hourly price at an offer, billed hours and billed GPUs (whole instances)."""

from __future__ import annotations

import math
from typing import Final

from costmodel.catalog.hardware import GpuOffer
from costmodel.core.errors import InputError
from costmodel.core.units import S_PER_HOUR

BILLING_STEP_HOURS: Final[dict[str, float]] = {
    "per_hour": 1.0,
    "per_minute": 1 / 60,
    "per_second": 1 / S_PER_HOUR,
    "per_second_active": 1 / S_PER_HOUR,
}
"""Billing granularity of each ``GpuOffer.billing`` value, in hours."""


def billed_hours(wall_clock_hours: float, offer: GpuOffer) -> float:
    """Wall-clock rounded up to the offer's billing granularity (per hour / minute / second).

    ``ceil(hours / step) · step``; a hair above a whole step (float noise) is not billed as one more.

    >>> from costmodel.catalog import default_catalogs
    >>> billed_hours(1.01, default_catalogs().find("gpu_offers", "lambda/h100-sxm-80gb"))  # per minute
    1.0166666666666666
    """
    unit = BILLING_STEP_HOURS[offer.billing]
    return math.ceil(wall_clock_hours / unit - 1e-9) * unit


def billed_gpus(n_gpus: int, offer: GpuOffer) -> int:
    """GPUs paid for when ``n_gpus`` are used: whole instances, ``ceil(n / gpus per instance) · gpus per instance``.

    >>> from costmodel.catalog import default_catalogs
    >>> offer = default_catalogs().find("gpu_offers", "lambda/h100-sxm-80gb")
    >>> billed_gpus(1, offer) == offer.n_gpus
    True
    """
    return math.ceil(n_gpus / offer.n_gpus) * offer.n_gpus


def offer_price(offer: GpuOffer, *, use_spot: bool) -> float:
    """USD per GPU-hour at the offer (InputError when spot is asked for but not published).

    >>> from costmodel.catalog import default_catalogs
    >>> offer_price(default_catalogs().find("gpu_offers", "lambda/h100-sxm-80gb"), use_spot=False)
    3.78
    """
    if not use_spot:
        return offer.on_demand_usd_per_gpu_hour
    if offer.spot_usd_per_gpu_hour is None:
        raise InputError.single("<training inputs>", "use_spot", f"{offer.id} publishes no spot price")
    return offer.spot_usd_per_gpu_hour
