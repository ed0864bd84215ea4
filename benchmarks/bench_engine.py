"""Benchmark: evaluate the SCENARIO.md example over a 1,000-point volume sweep.

Prints the median time of the vectorised sweep (all strategies, 1,000 constant volumes x H months)
and its ratio against the baseline "plain-Python loop": the same prepared cost coefficients
evaluated one volume, one month, one strategy at a time with Python floats.
Targets (issue 2): <= 20 ms and >= 50x.

Run: python benchmarks/bench_engine.py
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np

from costmodel.catalog.loader import default_catalogs
from costmodel.engine import prepare_all, sweep_totals
from costmodel.scenario.io import load_scenario
from costmodel.strategies.common import PreparedStrategy

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "fintech-support.yaml"
N_POINTS = 1000


def vectorised(prepared: tuple[PreparedStrategy, ...], volumes: np.ndarray, horizon: int) -> list[np.ndarray]:
    return [sweep_totals(p, volumes, horizon) for p in prepared if p.available]


def plain_python(
    prepared: tuple[PreparedStrategy, ...], volumes: list[float], horizon: int
) -> list[list[float]]:
    out = []
    for p in prepared:
        if not p.available:
            continue
        fixed = [sum(float(arr[m]) for arr in p.fixed_monthly_usd.values()) for m in range(horizon)]
        per_request = sum(p.per_request_usd.values())
        one_off = sum(p.one_off_usd.values())
        totals = []
        for q in volumes:
            total = one_off
            for m in range(horizon):
                total += fixed[m] + per_request * q
                if p.nonlinear is not None:
                    extra = p.nonlinear(np.array([q]))
                    total += sum(float(v[0]) for v in extra.values())
            totals.append(total)
        out.append(totals)
    return out


def median_seconds(fn, repeats: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    scenario = load_scenario(EXAMPLE)
    horizon = scenario.horizon_months
    t0 = time.perf_counter()
    prepared = prepare_all(scenario, default_catalogs())
    prepare_s = time.perf_counter() - t0
    volumes = np.logspace(2, 8, N_POINTS)
    fast = vectorised(prepared, volumes, horizon)
    slow = plain_python(prepared, volumes.tolist(), horizon)
    for a, b in zip(fast, slow, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9)
    t_fast = median_seconds(lambda: vectorised(prepared, volumes, horizon), 50)
    t_slow = median_seconds(lambda: plain_python(prepared, volumes.tolist(), horizon), 5)
    n = sum(p.available for p in prepared)
    print(f"example: {EXAMPLE.name}, {n} strategies x {N_POINTS} volumes x {horizon} months")
    print(f"prepare (catalog + price look-ups, once): {prepare_s * 1e3:8.2f} ms")
    print(f"vectorised sweep (median of 50):          {t_fast * 1e3:8.2f} ms   target <= 20 ms")
    print(f"baseline plain-Python loop (median of 5): {t_slow * 1e3:8.2f} ms")
    print(f"ratio baseline / vectorised:              {t_slow / t_fast:8.1f}x  target >= 50x")


if __name__ == "__main__":
    main()
