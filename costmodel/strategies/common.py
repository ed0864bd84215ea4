"""Per-kind preparation of a strategy: resolve catalog references once, reduce to cost coefficients.

A :class:`PreparedStrategy` splits a strategy's costs into one-off costs, volume-independent monthly
costs (an array over months), a per-request cost (linear in volume) and, where costs are not linear
in volume (vector-DB monthly minimums, GPU replicas), a vectorised function of the request array.
The engine evaluates it for the scenario's growth path or for any volume sweep with one numpy call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.lifecycle import LifecycleEvent
from costmodel.catalog.services import LabelingRate
from costmodel.formulas import costs as f
from costmodel.formulas.latency import LatencyEstimate
from costmodel.scenario.types import (
    InlineLabeling,
    Scenario,
    Strategy,
    TrainingFields,
)
from costmodel.strategies.labeling import synthetic_usd_per_example

CATEGORIES = ("tokens", "gpu", "labeling", "training", "infrastructure", "people")
"""Cost breakdown categories (SCENARIO.md ``breakdown_usd``)."""

Array = NDArray[np.float64]
NonLinear = Callable[[Array], dict[str, Array]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """What a strategy needs besides its own fields."""

    scenario: Scenario
    catalogs: Catalogs
    at: dt.datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TierShare:
    """One tier of a cascade: the share of requests it sees and answers, and its cost in the cascade."""

    strategy: str
    requests_fraction: float
    answered_fraction: float
    usd: float
    """The tier's cost over the horizon at the requests that reach it (one-off and fixed costs included)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PreparedStrategy:
    """A strategy reduced to cost coefficients (USD) and a latency estimate."""

    id: str
    kind: str
    one_off_usd: Mapping[str, float]
    fixed_monthly_usd: Mapping[str, Array]
    """Volume-independent cost per month, shape (H,)."""
    per_request_usd: Mapping[str, Any]
    """Cost per request, linear in volume: a number, or an array over months (H,) when prices change
    during the horizon (price trend, migrations) — either may also vary by simulation draw."""
    nonlinear: NonLinear | None = None
    """Extra monthly cost as a function of requests with shape (..., H)."""
    latency: LatencyEstimate | None
    accuracy_fraction: float | None
    prices_as_of: dt.date | None
    notes: tuple[str, ...] = ()
    available: bool = True
    variable_usd_per_request: float | None = None
    """Month-1 variable cost per request when it differs from the sum of ``per_request_usd`` (costs
    inside ``nonlinear`` that scale with volume, such as vector-DB reads or GPU serving)."""
    details: Mapping[str, float] = field(default_factory=dict)
    """Intermediate figures worth showing (tokens per request, storage GB, training tokens, ...)."""
    lifecycle_events: tuple[LifecycleEvent, ...] = ()
    """Retirements, ends of new fine-tuning jobs and deprecations inside the horizon."""
    available_months: int | None = None
    """Months the strategy can serve when a retirement stops it (None: the whole horizon)."""
    batch_fraction: float = 0.0
    """Share of requests answered through a batch API (reported apart from interactive latency)."""
    batch_completion_window_hours: float | None = None
    """The batch API's completion window (hours), when the catalog knows it."""
    tiers: tuple[TierShare, ...] = ()
    """A cascade's tiers (empty for every other kind)."""

    def monthly_usd(self, requests: Array) -> dict[str, Array]:
        """Cost per category and month for ``requests`` of shape (..., H)."""
        out = {
            cat: np.broadcast_to(self.fixed_monthly_usd.get(cat, 0.0), requests.shape)
            + self.per_request_usd.get(cat, 0.0) * requests
            for cat in CATEGORIES
        }
        if self.nonlinear is not None:
            for cat, extra in self.nonlinear(requests).items():
                out[cat] = out[cat] + extra
        return out


def zeros_per_month(ctx: Context) -> Array:
    """An array of zeros, one per month of the horizon (USD), to add monthly costs to."""
    return np.zeros(ctx.scenario.horizon_months)


def any_positive(x: float | Array) -> bool:
    """True when a value, or any of its simulation draws (an array), is > 0."""
    return bool(np.any(np.asarray(x) > 0))


def typical(x: float | Array) -> float:
    """One number for a value that may be an array of simulation draws (their mean).

    Latency is estimated for this typical request; the simulator samples costs, not latency.
    """
    return float(np.mean(x))


def people_costs(s: Strategy, ctx: Context) -> tuple[float, Array]:
    """Engineering time in USD: ``(setup_hours x rate, maintenance_hours_per_month x rate per month)``."""
    rate = ctx.scenario.people.engineer_usd_per_hour
    return s.setup_hours * rate, zeros_per_month(ctx) + s.maintenance_hours_per_month * rate


def field_path(ctx: Context, s: Strategy, name: str) -> tuple[str, int | None]:
    """Where a strategy field is in the scenario file: ``(strategies[i].name, line or None)`` for error messages."""
    i = ctx.scenario.strategies.index(s)
    p = f"strategies[{i}].{name}"
    return p, ctx.scenario.line(p)


def effective_output_tokens(s: Strategy, ctx: Context) -> float:
    """Output tokens per request: the strategy's own value, else the workload's."""
    if s.output_tokens_per_request is not None:
        return s.output_tokens_per_request
    return ctx.scenario.workload.output_tokens_per_request


def labeling_usd_per_example(s: TrainingFields, st: Strategy, ctx: Context) -> tuple[float, list[str]]:
    """USD to label one training example (inline, catalog, or 0 with a note when examples already exist)."""
    if s.labeling is None:
        return 0.0, [
            "labeling not set: the training examples are assumed to exist already (no labelling cost)"
        ]
    p, ln = field_path(ctx, st, "labeling")
    rate: InlineLabeling | LabelingRate
    if isinstance(s.labeling, InlineLabeling):
        rate = s.labeling
    else:
        rate = ctx.catalogs.get("labeling_rates", s.labeling, file=ctx.scenario.source, field=p, line=ln)
    if rate.teacher_model is None:
        return rate.usd_per_example or 0.0, []
    usd, note = synthetic_usd_per_example(
        rate.teacher_model,
        teacher_input_tokens=rate.teacher_input_tokens,
        teacher_output_tokens=rate.teacher_output_tokens,
        review_fraction=rate.review_fraction,
        review_usd_per_example=rate.review_usd_per_example,
        catalogs=ctx.catalogs,
        file=ctx.scenario.source,
        field=f"{p}.teacher_model" if isinstance(s.labeling, InlineLabeling) else p,
        line=ln,
        at=ctx.at,
    )
    return usd, [note]


def training_schedule_usd(
    s: TrainingFields, ctx: Context, *, usd_per_example: float, usd_per_training_token: float
) -> tuple[float, float, Array, Array]:
    """(initial labelling, initial training, monthly labelling, monthly training) for a fine-tuning strategy.

    Retrain j (month j*k) labels ``n_new`` examples and trains on all ``n0 + j*n_new`` collected so far.
    """
    horizon = ctx.scenario.horizon_months
    j = f.retrain_schedule(horizon, s.retrain_every_months).astype(np.float64)
    is_retrain = (j > 0).astype(np.float64)
    initial_label = s.n_training_examples * usd_per_example
    initial_train = (
        f.training_tokens(s.n_training_examples, s.tokens_per_example, s.n_epochs) * usd_per_training_token
    )
    examples_so_far = s.n_training_examples + j * s.n_new_examples_per_retrain
    monthly_label = is_retrain * s.n_new_examples_per_retrain * usd_per_example
    tokens_per_example_all_epochs = f.training_tokens(1.0, s.tokens_per_example, s.n_epochs)
    monthly_train = is_retrain * examples_so_far * tokens_per_example_all_epochs * usd_per_training_token
    return initial_label, initial_train, monthly_label, monthly_train
