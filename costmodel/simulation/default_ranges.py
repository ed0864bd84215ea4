"""Sourced default ranges for the simulator: output tokens, growth, accuracy, GPU price and MFU.

``breakeven simulate --default-uncertainty`` (and the Simulator page's switch) add these to the
scenario's own distributions. Each range states its source, or says it is an assumption; a field the
scenario already gives a distribution keeps the scenario's.
"""

from __future__ import annotations

from costmodel.catalog.entry import Catalogs
from costmodel.scenario.distributions import Distribution, ThreePoint
from costmodel.scenario.types import Scenario
from costmodel.scenario.uncertain import CostFactor, UncertainInput

OUTPUT_TOKENS_RANGE = (0.7, 1.5)
"""Assumption: a mean output length estimated before launch ends up between 0.7x and 1.5x the
estimate (PERT around it). Generated lengths are right-skewed, hence the longer upper side."""

GROWTH_SPREAD_PER_MONTH = 0.05
"""Assumption: monthly growth within +-5 percentage points of the estimate (PERT around it)."""

ACCURACY_SPREAD = 0.05
"""+-5 accuracy points: the 95% Wilson interval of an accuracy near 0.85 measured on 200 eval
items is 0.794-0.893 (:func:`costmodel.simulation.evals.wilson_interval`; Wilson 1927), i.e. about +-5 points
for a typical small eval set. Clipped to 0-1."""

GPU_PRICE_FALLBACK_RANGE = (0.8, 1.25)
"""Assumption when the catalog holds a single price for a GPU: -20% / +25% around it."""

MFU_RANGE_BY_METHOD: dict[str, tuple[float, float, float]] = {
    "full": (0.30, 0.40, 0.50),
    "lora": (0.15, 0.25, 0.35),
    "qlora": (0.12, 0.20, 0.30),
}
"""Low / likely / high training MFU (docs/formulas.md §1.4): full fine-tuning measured 0.39-0.48 at scale
and 0.46/0.40 on 8xH100 (llm-foundry), default 0.40; single-GPU HF LoRA ~0.21 against the 0.25
default; tutorial QLoRA runs 0.15-0.30 against the 0.20 default. Only the ratio to the likely value is
used (training GPU-hours scale as 1/MFU, docs/formulas.md §1.1)."""

SELFHOSTED_TRAINING_CATEGORIES = ("training",)
"""Cost categories of a ``finetune_selfhosted`` strategy billed in training GPU-hours."""

SELFHOSTED_SERVING_CATEGORIES = ("gpu",)
"""Cost categories of a ``finetune_selfhosted`` strategy billed in serving GPU-hours."""


def _three_point(low: float, likely: float, high: float, lo: float | None, hi: float | None) -> ThreePoint:
    low = max(low, lo) if lo is not None else low
    high = min(high, hi) if hi is not None else high
    return ThreePoint(low=min(low, likely), likely=likely, high=max(high, likely))


def default_uncertainty(scenario: Scenario, catalogs: Catalogs) -> list[UncertainInput]:
    """Sourced default ranges for output tokens, growth, accuracy, GPU price and MFU.

    Fields the scenario already gives a distribution keep it. GPU price and MFU apply to
    ``finetune_selfhosted`` strategies as :class:`CostFactor` s on their GPU-billed categories; the
    GPU price range spans that GPU's offers in ``catalogs`` (the session's, overrides included).
    """
    taken = {path for path, _ in scenario.uncertain}
    out: list[UncertainInput] = []

    def add(path: str, dist: Distribution, origin: str, factor: CostFactor | None = None) -> None:
        if path not in taken:
            out.append(UncertainInput(path=path, dist=dist, origin=origin, factor=factor))

    w = scenario.workload
    lo, hi = OUTPUT_TOKENS_RANGE
    origin = "default: assumption (pre-launch estimate of mean output length off by -30% / +50%)"
    if w.output_tokens_per_request > 0:
        x = w.output_tokens_per_request
        add("workload.output_tokens_per_request", ThreePoint(low=lo * x, likely=x, high=hi * x), origin)
    g = w.growth_fraction_per_month
    add(
        "workload.growth_fraction_per_month",
        _three_point(g - GROWTH_SPREAD_PER_MONTH, g, g + GROWTH_SPREAD_PER_MONTH, -0.99, 1.0),
        "default: assumption (+-5 percentage points a month)",
    )
    for i, s in enumerate(scenario.strategies):
        if s.output_tokens_per_request is not None and s.output_tokens_per_request > 0:
            x = s.output_tokens_per_request
            add(
                f"strategies[{i}].output_tokens_per_request",
                ThreePoint(low=lo * x, likely=x, high=hi * x),
                origin,
            )
        if s.accuracy_fraction is not None:
            a = s.accuracy_fraction
            add(
                f"strategies[{i}].accuracy_fraction",
                _three_point(a - ACCURACY_SPREAD, a, a + ACCURACY_SPREAD, 0.0, 1.0),
                "default: +-5 points, the 95% Wilson interval of ~200 eval items",
            )
        if s.kind == "finetune_selfhosted":
            out.extend(x for x in _selfhosted_defaults(scenario, i, catalogs) if x.path not in taken)
    return out


def _gpu_price_input(scenario: Scenario, i: int, which: str, catalogs: Catalogs) -> UncertainInput | None:
    s = scenario.strategies[i]
    offer_id = getattr(s, f"{which}_gpu_offer", None)
    offer = catalogs.find("gpu_offers", offer_id) if isinstance(offer_id, str) else None
    if offer is None:
        return None
    price = float(offer.on_demand_usd_per_gpu_hour)
    same = [o for o in catalogs.all("gpu_offers") if o.gpu == offer.gpu]
    prices = [float(o.on_demand_usd_per_gpu_hour) for o in same]
    prices += [float(o.spot_usd_per_gpu_hour) for o in same if o.spot_usd_per_gpu_hour is not None]
    low, high = min(prices), max(prices)
    if low < price or high > price:
        origin = f"default: range of {offer.gpu} prices across the catalog's GPU offers (each sourced)"
    else:
        low, high = GPU_PRICE_FALLBACK_RANGE[0] * price, GPU_PRICE_FALLBACK_RANGE[1] * price
        origin = "default: assumption (-20% / +25%; one price known for this GPU)"
    categories = SELFHOSTED_TRAINING_CATEGORIES if which == "train" else SELFHOSTED_SERVING_CATEGORIES
    return UncertainInput(
        path=f"strategies[{i}].{which}_gpu_offer usd_per_gpu_hour",
        dist=ThreePoint(low=low, likely=price, high=high),
        origin=origin,
        factor=CostFactor(strategy_id=s.id, categories=categories, reference=price),
    )


def _selfhosted_defaults(scenario: Scenario, i: int, catalogs: Catalogs) -> list[UncertainInput]:
    s = scenario.strategies[i]
    out = [
        x for x in (_gpu_price_input(scenario, i, w, catalogs) for w in ("train", "serve")) if x is not None
    ]
    method = getattr(s, "method", None)
    if isinstance(method, str) and method in MFU_RANGE_BY_METHOD:
        low, likely, high = MFU_RANGE_BY_METHOD[method]
        out.append(
            UncertainInput(
                path=f"strategies[{i}].training mfu_fraction",
                dist=ThreePoint(low=low, likely=likely, high=high),
                origin="default: docs/formulas.md §1.4 measured MFU for this method (training GPU-hours scale as 1/MFU)",
                factor=CostFactor(
                    strategy_id=s.id,
                    categories=SELFHOSTED_TRAINING_CATEGORIES,
                    reference=likely,
                    exponent=-1.0,
                ),
            )
        )
    return out
