"""Monte Carlo over a scenario's uncertain inputs: bands, probability of winning, breakeven months.

Draws are taken in chunks (about :data:`CHUNK_ELEMENTS` draw-months each) and every chunk is
evaluated with whole-array numpy operations (:mod:`costmodel.simulation.costs`), so a million draws run in
bounded memory: per draw only each strategy's horizon total and net value are kept (for exact
quantiles and probabilities); breakeven months are counted per month; the month-by-month bands use
the first :func:`band_draws` draws (all of them unless the run is very large).

Randomness: one seeded :class:`numpy.random.Generator` is passed in; each input draws from its own
stream seeded by that generator and the input's path (:func:`input_streams`), so the same seed gives
the same output whatever the chunk size, and adding an input leaves the other inputs' draws unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import math
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from costmodel.catalog.entry import Catalogs
from costmodel.core.errors import InputError
from costmodel.formulas.value import net_value_usd
from costmodel.scenario.types import Scenario
from costmodel.scenario.uncertain import UncertainInput, path_sort_key, scenario_inputs
from costmodel.simulation.costs import MAX_LOOP_DRAWS, CostModel, StrategyCosts
from costmodel.simulation.results import (
    Bands,
    BreakevenDistribution,
    Quantiles,
    SimulationResult,
    StrategySimulation,
)

Array = NDArray[np.float64]

QUANTILES = (0.1, 0.5, 0.9)
"""The band edges and the median reported everywhere (p10, p50, p90)."""

CHUNK_ELEMENTS = 400_000
"""Draw-months evaluated per chunk: about 3 MB per (draws x months) array."""

BAND_BUDGET_BYTES = 64_000_000
"""Memory allowed for the rows kept for month-by-month bands (3 arrays per strategy)."""

MIN_BAND_DRAWS = 1_000
"""Bands always use at least this many draws (or all of them, if fewer)."""

MAX_DRAWS = 1_000_000
"""Largest number of draws accepted. Each draw keeps 16 bytes per strategy (its total and net value,
for exact percentiles): 80 MB for a million draws of five strategies."""

Progress = Callable[[int, int], None]
"""Called after each chunk with (draws done, draws in total)."""


def band_draws(draws: int, n_strategies: int, horizon_months: int) -> int:
    """Draws kept for bands: all, unless 3 arrays per strategy would exceed :data:`BAND_BUDGET_BYTES`.

    >>> band_draws(10_000, 5, 36), band_draws(1_000_000, 5, 36)
    (10000, 14814)
    """
    per_draw = 3 * max(n_strategies, 1) * horizon_months * 8
    return min(draws, max(MIN_BAND_DRAWS, BAND_BUDGET_BYTES // per_draw))


def input_streams(rng: np.random.Generator, inputs: Sequence[UncertainInput]) -> list[np.random.Generator]:
    """One generator per input, seeded by 128 bits from ``rng`` and a SHA-256 of the input's path."""
    if not inputs:
        return []
    root = [int(x) for x in rng.integers(0, 2**32, size=4, dtype=np.uint64)]
    streams = []
    for inp in inputs:
        digest = hashlib.sha256(inp.path.encode("utf-8")).digest()
        words = [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4)]
        streams.append(np.random.default_rng(np.random.SeedSequence(root + words)))
    return streams


def sample_inputs(
    inputs: Sequence[UncertainInput], streams: Sequence[np.random.Generator], n: int
) -> dict[str, Array]:
    """``n`` draws of every input from its own stream (whole-number fields rounded half up)."""
    values = {}
    for inp, stream in zip(inputs, streams, strict=True):
        x = inp.dist.sample(stream, n)
        values[inp.path] = np.floor(x + 0.5) if inp.integer else x
    return values


def breakeven_months(series_a: Array, series_b: Array) -> NDArray[np.int64]:
    """Per row, the engine's time breakeven month between two cost series (0 = never).

    Series have shape (n, H + 1): ``[one_off, cumulative month 1..H]``. Each row is oriented like
    :func:`costmodel.formulas.breakeven.orient` and solved like
    :func:`costmodel.formulas.breakeven.breakeven_month`.

    >>> a = np.array([[0.0, 100.0, 200.0, 300.0]])
    >>> b = np.array([[150.0, 200.0, 250.0, 300.0]])
    >>> breakeven_months(a, b).tolist(), breakeven_months(b, a).tolist(), breakeven_months(a, b + 1).tolist()
    ([3], [3], [0])
    """
    rows = np.arange(series_a.shape[0])
    diff = series_b - series_a
    nonzero = diff != 0
    first = np.argmax(nonzero, axis=1)
    flip = nonzero[rows, first] & (diff[rows, first] < 0)
    diff = np.where(flip[:, None], -diff, diff)
    above = diff > 0
    first_above = np.argmax(above, axis=1)
    index = np.arange(diff.shape[1])
    later = (diff <= 0) & (index[None, :] > first_above[:, None])
    found = above.any(axis=1) & later.any(axis=1)
    return np.where(found, np.argmax(later, axis=1), 0).astype(np.int64)


def _quantiles(x: Array) -> Quantiles:
    q = np.quantile(x, QUANTILES)
    return Quantiles(p10=float(q[0]), p50=float(q[1]), p90=float(q[2]))


def _bands(x: Array) -> Bands:
    q = np.quantile(x, QUANTILES, axis=0)
    return Bands(p10=q[0], p50=q[1], p90=q[2])


def _month_quantile(counts: NDArray[np.int64], total: int, q: float) -> int | None:
    """Smallest month m with at least q of the draws at or before m (inverted CDF); None = never."""
    need = math.ceil(q * total - 1e-9)
    cumulative = np.cumsum(counts)
    hit = np.flatnonzero(cumulative >= max(need, 1))
    return int(hit[0]) + 1 if hit.size else None


def simulate(
    scenario: Scenario,
    *,
    draws: int,
    rng: np.random.Generator,
    inputs: Sequence[UncertainInput] | None = None,
    catalogs: Catalogs,
    at: dt.datetime | None = None,
    progress: Progress | None = None,
    chunk_draws: int | None = None,
    max_loop_draws: int = MAX_LOOP_DRAWS,
) -> SimulationResult:
    """Sample the uncertain inputs ``draws`` times and summarise every strategy's outcomes.

    ``inputs`` defaults to the scenario's own distributions
    (:func:`costmodel.scenario.uncertain.scenario_inputs`); pass ``scenario_inputs(s) +
    default_uncertainty(s, catalogs)`` (:mod:`costmodel.simulation.default_ranges`) for the default
    ranges. Strategies are priced from ``catalogs``. With no uncertain inputs every percentile equals
    the deterministic :func:`costmodel.engine.run` result exactly.
    """
    if isinstance(draws, bool) or not isinstance(draws, int) or not 1 <= draws <= MAX_DRAWS:
        raise InputError.single(
            "<simulation>", "draws", f"expected a whole number from 1 to {MAX_DRAWS:,}, got {draws!r}"
        )
    chosen = tuple(
        sorted(scenario_inputs(scenario) if inputs is None else inputs, key=lambda i: path_sort_key(i.path))
    )
    paths = [i.path for i in chosen]
    if len(set(paths)) != len(paths):
        dup = next(p for p in paths if paths.count(p) > 1)
        raise InputError.single(scenario.source, dup, "given two distributions")
    model = CostModel(
        scenario, chosen, catalogs=catalogs, at=at, total_draws=draws, max_loop_draws=max_loop_draws
    )
    acc = _Accumulator(model, draws)
    chunk = chunk_draws or max(1, CHUNK_ELEMENTS // scenario.horizon_months)
    streams = input_streams(rng, chosen)
    for start in range(0, draws, chunk):
        n = min(chunk, draws - start)
        values = sample_inputs(chosen, streams, n)
        acc.add(start, values, model.requests(values, n), model.evaluate(values, n))
        if progress is not None:
            progress(start + n, draws)
    return acc.result(chosen)


def _series(c: StrategyCosts) -> Array:
    return np.concatenate([c.one_off_usd[:, None], c.cumulative_usd], axis=1)


class _Accumulator:
    """What a run keeps between chunks: per-draw totals and net values, band rows, month counts."""

    def __init__(self, model: CostModel, draws: int) -> None:
        self.model = model
        self.draws = draws
        self.value = model.scenario.value
        horizon = model.horizon
        n = len(model.plans)
        self.keep = band_draws(draws, n, horizon)
        self.totals = np.empty((n, draws))
        self.nets = np.full((n, draws), np.nan)
        self.e2e = np.full((n, draws), np.nan)
        self.ttft = np.full((n, draws), np.nan)
        self.monthly = np.empty((n, self.keep, horizon))
        self.cumulative = np.empty((n, self.keep, horizon))
        self.cumulative_net = np.full((n, self.keep, horizon), np.nan)
        self.pairs = list(itertools.combinations(range(n), 2))
        self.by_month = np.zeros((len(self.pairs), horizon + 1), dtype=np.int64)

    def add(self, start: int, values: dict[str, Array], requests: Array, costs: list[StrategyCosts]) -> None:
        """Take in one chunk of draws starting at draw ``start``."""
        stop = start + costs[0].total_usd.shape[0] if costs else start
        for k, c in enumerate(costs):
            self.totals[k, start:stop] = c.total_usd
            if c.net_value_usd is not None:
                self.nets[k, start:stop] = c.net_value_usd
            if c.end_to_end_ms is not None and c.ttft_ms is not None:
                self.e2e[k, start:stop], self.ttft[k, start:stop] = c.end_to_end_ms, c.ttft_ms
        if start < self.keep:
            self._keep(start, min(stop, self.keep) - start, values, requests, costs)
        series = [_series(c) for c in costs] if self.pairs else []
        for j, (ka, kb) in enumerate(self.pairs):
            months = breakeven_months(series[ka], series[kb])
            self.by_month[j] += np.bincount(months, minlength=self.model.horizon + 1)

    def _keep(
        self, start: int, rows: int, values: dict[str, Array], requests: Array, costs: list[StrategyCosts]
    ) -> None:
        where = slice(start, start + rows)
        cumulative_requests = np.cumsum(requests, axis=-1)
        if cumulative_requests.ndim > 1:
            cumulative_requests = cumulative_requests[:rows]
        for k, c in enumerate(costs):
            self.monthly[k, where] = c.monthly_usd[:rows]
            self.cumulative[k, where] = c.cumulative_usd[:rows]
            if self.value is None or c.accuracy_fraction is None:
                continue
            v_c = values.get("value.usd_per_correct_answer")
            v_w = values.get("value.usd_per_wrong_answer")
            self.cumulative_net[k, where] = net_value_usd(
                n_requests=cumulative_requests,
                accuracy_fraction=c.accuracy_fraction[:rows, None],
                usd_per_correct_answer=np.asarray(
                    self.value.usd_per_correct_answer if v_c is None else v_c[:rows, None], dtype=np.float64
                ),
                usd_per_wrong_answer=np.asarray(
                    self.value.usd_per_wrong_answer if v_w is None else v_w[:rows, None], dtype=np.float64
                ),
                cost_usd=c.cumulative_usd[:rows],
            )

    def result(self, chosen: tuple[UncertainInput, ...]) -> SimulationResult:
        """Percentiles, probabilities and breakeven distributions of everything taken in."""
        model, draws = self.model, self.draws
        n = self.totals.shape[0]
        has_net = [self.value is not None and not np.isnan(self.nets[k]).any() for k in range(n)]
        cheapest = np.bincount(np.argmin(self.totals, axis=0), minlength=n) / draws if n else np.zeros(0)
        best = np.bincount(np.argmax(self.nets, axis=0), minlength=n) / draws if n and all(has_net) else None
        modes = model.modes()
        slot = {plan.index: k for k, plan in enumerate(model.plans)}
        rows: list[StrategySimulation] = []
        for i, r in enumerate(model.base.strategies):
            k = slot.get(i)
            rows.append(
                StrategySimulation(
                    id=r.id,
                    kind=r.kind,
                    available=k is not None,
                    mode=modes.get(r.id, "unavailable"),
                    total_usd=None if k is None else _quantiles(self.totals[k]),
                    net_value_usd=_quantiles(self.nets[k]) if k is not None and has_net[k] else None,
                    monthly_usd=None if k is None else _bands(self.monthly[k]),
                    cumulative_usd=None if k is None else _bands(self.cumulative[k]),
                    cumulative_net_value_usd=_bands(self.cumulative_net[k])
                    if k is not None and has_net[k]
                    else None,
                    p_cheapest=0.0 if k is None else float(cheapest[k]),
                    p_best_value=None if best is None else (0.0 if k is None else float(best[k])),
                    latency_end_to_end_ms=self._latency(self.e2e, k),
                    latency_ttft_ms=self._latency(self.ttft, k),
                )
            )
        return SimulationResult(
            draws=draws,
            band_draws=self.keep,
            inputs=chosen,
            strategies=tuple(rows),
            breakeven=tuple(self._breakeven()),
            notes=tuple(self._notes(chosen, rows)),
            deterministic=model.base,
        )

    @staticmethod
    def _latency(values: Array, k: int | None) -> Quantiles | None:
        """Latency percentiles of strategy slot ``k``; None when it has no estimate."""
        return None if k is None or np.isnan(values[k]).any() else _quantiles(values[k])

    def _breakeven(self) -> list[BreakevenDistribution]:
        out = []
        # The engine lists pairs of available strategies in the same order, each oriented (a, b).
        for counts, label in zip(self.by_month, self.model.base.breakeven, strict=True):
            months = counts[1:]
            out.append(
                BreakevenDistribution(
                    a=label.a,
                    b=label.b,
                    n_by_month=months,
                    n_never=int(counts[0]),
                    p_never=float(counts[0]) / self.draws,
                    p10=_month_quantile(months, self.draws, QUANTILES[0]),
                    p50=_month_quantile(months, self.draws, QUANTILES[1]),
                    p90=_month_quantile(months, self.draws, QUANTILES[2]),
                )
            )
        return out

    def _notes(self, chosen: tuple[UncertainInput, ...], rows: list[StrategySimulation]) -> list[str]:
        notes = list(self.model.notes())
        if not chosen:
            notes.append("no uncertain inputs: every percentile is the deterministic result")
        unavailable = [s.id for s in rows if not s.available]
        if unavailable:
            notes.append(
                f"not simulated (cannot serve the whole horizon, e.g. its model retires with no replacement, "
                f"or the engine cannot price it): {', '.join(unavailable)}"
            )
        if self.keep < self.draws:
            notes.append(
                f"month-by-month bands use the first {self.keep:,} of {self.draws:,} draws; "
                "totals, net values and probabilities use all of them"
            )
        return notes
