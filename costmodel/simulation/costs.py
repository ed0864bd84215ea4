"""Costs of every strategy for a batch of input draws, vectorised over draws (no Python loop per draw).

Used by the simulator (random draws) and the tornado (one-at-a-time rows). Each uncertain input
reaches the costs in one of three ways:

- **outside preparation**: month-1 volume and growth (the request array), accuracy and the value
  block (net value, :func:`costmodel.formulas.value.net_value_usd`) are applied to the draws
  directly, as the engine applies them;
- **through preparation**: any other scenario field is set to a ``(n, 1)`` array of draws and the
  strategy's preparer is run once for the whole batch ("vectorised"); one row of every batch is
  re-prepared with plain numbers and must agree to 1e-9, so a preparer that is not array-safe is
  caught rather than trusted. If it fails, the strategy is prepared draw by draw ("loop") when the
  run has at most ``max_loop_draws`` draws, else its preparation inputs are held at their central
  values ("fixed"), and a note says so;
- **cost factors** (:class:`costmodel.scenario.uncertain.CostFactor`, e.g. a GPU price) multiply the
  categories they name.

With no uncertain inputs every figure is computed by the engine's own operations on the engine's
own prepared strategies, so results equal :func:`costmodel.engine.run` bit for bit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from costmodel.catalog.entry import Catalogs
from costmodel.engine import RunResult, run
from costmodel.formulas import costs as f
from costmodel.formulas.value import net_value_usd
from costmodel.scenario.types import Scenario
from costmodel.scenario.uncertain import UncertainInput, with_values
from costmodel.strategies.common import Context, PreparedStrategy
from costmodel.strategies.registry import prepare

Array = NDArray[np.float64]

VOLUME_PATHS = ("workload.requests_per_month", "workload.growth_fraction_per_month")
"""Inputs that only change the request array: prepared strategies take any requests (engine contract)."""

APPLIED_AFTER_PREPARATION = ("value.", "strategies[")
"""Paths no preparer reads for another strategy: the value block (net value is computed here) and
other strategies' fields. Every other scenario field (workload, people, needs, ...) may be read by any
strategy's preparer (the self-hosted one reads ``needs.latency_budget_ms``), so it is passed to all."""

SPOT_CHECK_RTOL = 1e-9
"""Relative tolerance between a vectorised row and the same draw prepared with plain numbers."""

MAX_LOOP_DRAWS = 2_000
"""Largest run in which a strategy whose preparer cannot take arrays is prepared draw by draw."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StrategyCosts:
    """One strategy's costs for a batch of ``n`` draws (USD)."""

    one_off_usd: Array
    """Shape (n,)."""
    monthly_usd: Array
    """Shape (n, H)."""
    cumulative_usd: Array
    """Shape (n, H): one-off plus the running sum of monthly costs."""
    total_usd: Array
    """Shape (n,)."""
    net_value_usd: Array | None
    """Shape (n,); None without a value block or an accuracy."""
    accuracy_fraction: Array | None
    """Shape (n,) (for cumulative net value)."""
    end_to_end_ms: Array | None = None
    """Shape (n,): one request's end-to-end latency per draw; None when the strategy has no estimate."""
    ttft_ms: Array | None = None
    """Shape (n,): time to first token per draw."""


@dataclass(slots=True, kw_only=True)
class _Plan:
    index: int
    prepared: PreparedStrategy
    preparation_paths: tuple[str, ...]
    factors: tuple[UncertainInput, ...]
    mode: str = ""
    notes: list[str] = field(default_factory=list)
    latency: tuple[Array, Array] | None = None
    """(end-to-end, TTFT) ms of the last batch when preparation varied them by draw."""


class CostModel:
    """A scenario's strategies, prepared once, evaluated for batches of input values."""

    def __init__(
        self,
        scenario: Scenario,
        inputs: tuple[UncertainInput, ...],
        *,
        catalogs: Catalogs,
        at: dt.datetime | None = None,
        total_draws: int = 1,
        max_loop_draws: int = MAX_LOOP_DRAWS,
    ) -> None:
        self.scenario = scenario
        self.inputs = inputs
        self.at = at
        self.base: RunResult = run(scenario, catalogs, at=at)
        self.catalogs = catalogs
        self.total_draws = total_draws
        self.max_loop_draws = max_loop_draws
        self.horizon = scenario.horizon_months
        fields = [i.path for i in inputs if i.factor is None]
        self.plans: list[_Plan] = []
        for k, (p, r) in enumerate(zip(self.base.prepared, self.base.strategies, strict=True)):
            if not r.available:
                continue
            own = f"strategies[{k}]."
            paths = tuple(
                path
                for path in fields
                if path not in VOLUME_PATHS
                and path != f"{own}accuracy_fraction"
                and (path.startswith(own) or not path.startswith(APPLIED_AFTER_PREPARATION))
            )
            factors = tuple(i for i in inputs if i.factor is not None and i.factor.strategy_id == p.id)
            self.plans.append(_Plan(index=k, prepared=p, preparation_paths=paths, factors=factors))

    @property
    def strategy_indices(self) -> list[int]:
        """Scenario indices of the available strategies, in scenario order."""
        return [plan.index for plan in self.plans]

    def modes(self) -> dict[str, str]:
        """How each available strategy took its inputs: central, vectorised, loop or fixed."""
        return {self.base.strategies[p.index].id: p.mode or "central" for p in self.plans}

    def notes(self) -> list[str]:
        """Fallbacks taken so far, one sentence each."""
        return [note for plan in self.plans for note in plan.notes]

    def requests(self, values: Mapping[str, Array], n: int) -> Array:
        """Requests per month, shape (H,) when volume is certain, else (n, H)."""
        r1, g = (values.get(p) for p in VOLUME_PATHS)
        if r1 is None and g is None:
            return self.base.requests_per_month
        w = self.scenario.workload
        return f.monthly_requests(
            w.requests_per_month if r1 is None else r1[:, None],
            w.growth_fraction_per_month if g is None else g[:, None],
            self.horizon,
        )

    def evaluate(self, values: Mapping[str, Array], n: int) -> list[StrategyCosts]:
        """Costs of every available strategy (scenario order) for ``n`` rows of input ``values``."""
        requests = self.requests(values, n)
        n_total = requests.sum(axis=-1)
        value = self.scenario.value
        out = []
        shape = (n, self.horizon)
        for plan in self.plans:
            plan.latency = None
            one_off, monthly = self._costs(plan, values, n, requests)
            e2e, ttft = plan.latency if plan.latency is not None else _latency(plan.prepared, n)
            # Rows are computed once when they do not vary (shape (1,) / (H,)) and broadcast after.
            cumulative = np.broadcast_to(one_off[:, None] + np.cumsum(monthly, axis=-1), shape)
            one_off, monthly = np.broadcast_to(one_off, (n,)), np.broadcast_to(monthly, shape)
            total = cumulative[:, -1]
            acc_draws = values.get(f"strategies[{plan.index}].accuracy_fraction")
            accuracy = acc_draws if acc_draws is not None else plan.prepared.accuracy_fraction
            net = None
            if value is not None and accuracy is not None:
                v_c = values.get("value.usd_per_correct_answer", value.usd_per_correct_answer)
                v_w = values.get("value.usd_per_wrong_answer", value.usd_per_wrong_answer)
                net_usd = net_value_usd(
                    n_requests=n_total,
                    accuracy_fraction=np.asarray(accuracy, dtype=np.float64),
                    usd_per_correct_answer=np.asarray(v_c, dtype=np.float64),
                    usd_per_wrong_answer=np.asarray(v_w, dtype=np.float64),
                    cost_usd=total,
                )
                net = np.broadcast_to(net_usd, (n,))
            out.append(
                StrategyCosts(
                    one_off_usd=one_off,
                    monthly_usd=monthly,
                    cumulative_usd=cumulative,
                    total_usd=total,
                    net_value_usd=net,
                    accuracy_fraction=None if accuracy is None else np.broadcast_to(accuracy, (n,)),
                    end_to_end_ms=e2e,
                    ttft_ms=ttft,
                )
            )
        return out

    # -- one strategy ----------------------------------------------------------------------------

    def _multipliers(self, plan: _Plan, values: Mapping[str, Array], rows: slice | int) -> dict[str, Array]:
        mults: dict[str, Array] = {}
        for inp in plan.factors:
            assert inp.factor is not None
            m = (np.atleast_1d(values[inp.path][rows]) / inp.factor.reference) ** inp.factor.exponent
            for cat in inp.factor.categories:
                mults[cat] = mults[cat] * m if cat in mults else m
        return mults

    @staticmethod
    def _summed(p: PreparedStrategy, requests: Array, mults: Mapping[str, Array]) -> tuple[Array, Array]:
        """(one-off, monthly) summed over categories in the engine's order and with its operations.

        Shapes: one-off (1,) or (n,); monthly (H,), (1, H) or (n, H), whatever the inputs vary over.
        """
        monthly = np.zeros(requests.shape)
        for cat, arr in p.monthly_usd(requests).items():
            monthly = monthly + (arr * mults[cat][:, None] if cat in mults else arr)
        one_off: Array | int = 0
        for cat, v in p.one_off_usd.items():
            flat = np.reshape(np.asarray(v, dtype=np.float64), (-1,))
            one_off = one_off + (flat * mults[cat] if cat in mults else flat)
        return np.reshape(np.asarray(one_off, dtype=np.float64), (-1,)), monthly

    def _costs(
        self, plan: _Plan, values: Mapping[str, Array], n: int, requests: Array
    ) -> tuple[Array, Array]:
        mults = self._multipliers(plan, values, slice(None))
        if not plan.preparation_paths:
            plan.mode = plan.mode or "central"
            return self._summed(plan.prepared, requests, mults)
        if plan.mode in ("", "vectorised"):
            got = self._vectorised(plan, values, n, requests, mults)
            if got is not None:
                plan.mode = "vectorised"
                return got
            if plan.mode == "":
                plan.mode = "loop" if self.total_draws <= self.max_loop_draws else "fixed"
                self._note_fallback(plan)
            else:
                plan.mode = "loop"
                plan.notes.append(
                    f"{self._id(plan)}: a batch could not be evaluated as arrays; prepared draw by draw"
                )
        if plan.mode == "fixed":
            return self._summed(plan.prepared, requests, mults)
        return self._loop(plan, values, n, requests)

    def _id(self, plan: _Plan) -> str:
        return self.base.strategies[plan.index].id

    def _note_fallback(self, plan: _Plan) -> None:
        kind = self.base.strategies[plan.index].kind
        names = ", ".join(plan.preparation_paths)
        if plan.mode == "loop":
            plan.notes.append(
                f"{self._id(plan)}: the {kind} preparer does not take arrays; prepared draw by draw"
            )
        else:
            plan.notes.append(
                f"{self._id(plan)}: the {kind} preparer does not take arrays and {self.total_draws:,} draws exceed "
                f"the {self.max_loop_draws:,}-draw loop limit, so {names} stay at their central values for it"
            )

    def _prepare(self, plan: _Plan, values: Mapping[str, object]) -> PreparedStrategy:
        scenario = with_values(self.scenario, values)
        ctx = Context(scenario=scenario, catalogs=self.catalogs, at=self.at)
        return prepare(scenario.strategies[plan.index], ctx)

    def _row(self, plan: _Plan, values: Mapping[str, Array], r: int, requests: Array) -> tuple[Array, Array]:
        one_off, monthly, _ = self._row_prepared(plan, values, r, requests)
        return one_off, monthly

    def _row_prepared(
        self, plan: _Plan, values: Mapping[str, Array], r: int, requests: Array
    ) -> tuple[Array, Array, PreparedStrategy]:
        """(one-off, monthly, prepared strategy) of draw ``r`` prepared with plain numbers."""
        scalars = {path: float(values[path][r]) for path in plan.preparation_paths}
        p = self._prepare(plan, scalars)
        row_requests = requests if requests.ndim == 1 else requests[r]
        one_off, monthly = self._summed(p, row_requests, self._multipliers(plan, values, slice(r, r + 1)))
        return one_off[0], np.reshape(monthly, (self.horizon,)), p

    def _vectorised(
        self, plan: _Plan, values: Mapping[str, Array], n: int, requests: Array, mults: Mapping[str, Array]
    ) -> tuple[Array, Array] | None:
        arrays = {path: values[path].reshape(n, 1) for path in plan.preparation_paths}
        try:
            p = self._prepare(plan, arrays)
            # Prepared costs now vary by draw, so the requests must have a row per draw too.
            one_off, monthly = self._summed(p, np.broadcast_to(requests, (n, self.horizon)), mults)
            one_off, monthly = np.broadcast_to(one_off, (n,)), np.broadcast_to(monthly, (n, self.horizon))
        except (TypeError, ValueError, LookupError, AttributeError, ArithmeticError):
            return None  # not array-safe (or a draw is invalid: the draw-by-draw path says which)
        for r in (n - 1,):  # one plain-number preparation per batch is enough to catch a wrong array path
            row_one_off, row_monthly = self._row(plan, values, r, requests)
            if not (
                np.isclose(row_one_off, one_off[r], rtol=SPOT_CHECK_RTOL, atol=0.0)
                and np.allclose(row_monthly, monthly[r], rtol=SPOT_CHECK_RTOL, atol=0.0)
            ):
                return None
        e2e, ttft = _latency(p, n)
        if e2e is not None and ttft is not None:
            plan.latency = (e2e, ttft)
        return one_off, monthly

    def _loop(self, plan: _Plan, values: Mapping[str, Array], n: int, requests: Array) -> tuple[Array, Array]:
        one_off = np.empty(n)
        monthly = np.empty((n, self.horizon))
        e2e, ttft = np.full(n, np.nan), np.full(n, np.nan)
        for r in range(n):
            one_off[r], monthly[r], p = self._row_prepared(plan, values, r, requests)
            row_e2e, row_ttft = _latency(p, 1)
            if row_e2e is not None and row_ttft is not None:
                e2e[r], ttft[r] = row_e2e[0], row_ttft[0]
        if not np.isnan(e2e).any():
            plan.latency = (e2e, ttft)
        return one_off, monthly


def _latency(p: PreparedStrategy, n: int) -> tuple[Array | None, Array | None]:
    """(end-to-end, TTFT) ms of a prepared strategy as shape (n,), from numbers or arrays of draws.

    Never raises: a latency that is not one value or one value per draw counts as no estimate.
    """
    if p.latency is None:
        return None, None
    out = []
    for x in (p.latency.end_to_end_ms, p.latency.time_to_first_token_ms):
        flat = np.reshape(np.asarray(x, dtype=np.float64), (-1,))
        out.append(np.broadcast_to(flat, (n,)) if flat.size in (1, n) else None)
    return out[0], out[1]
