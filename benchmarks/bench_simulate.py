"""Benchmark: Monte Carlo of 10,000 draws x 5 strategies x 36 months, against the engine looped per draw.

The scenario is the SCENARIO.md example with a fifth strategy (a batched mini model) and a 36-month
horizon; the inputs are the scenario's distributions plus the default uncertainty (output tokens,
growth, accuracy, GPU price, MFU). Prints:

- the median wall time of ``simulate`` (everything: the deterministic run it starts from, sampling,
  costs, percentiles, probabilities, breakeven months), target <= 0.5 s;
- the baseline "loop the deterministic engine once per draw": ``engine.run`` on the scenario with
  each draw's values, timed on a sample of draws and scaled to 10,000; and the ratio, target >= 20x;
- how each strategy took its inputs (vectorised / central / loop / fixed);
- a million draws: wall time and peak traced memory (bounded by chunking).

Run: python benchmarks/bench_simulate.py [--skip-million]
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

from costmodel.catalog.loader import default_catalogs
from costmodel.engine import run
from costmodel.scenario.io import load_scenario, revalidate
from costmodel.scenario.types import PromptingStrategy, Scenario
from costmodel.scenario.uncertain import UncertainInput, scenario_inputs, with_values
from costmodel.simulation.default_ranges import default_uncertainty
from costmodel.simulation.monte_carlo import input_streams, sample_inputs, simulate

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "fintech-support.yaml"
DRAWS = 10_000
HORIZON_MONTHS = 36
BASELINE_SAMPLE = 200


def bench_scenario() -> Scenario:
    """The example with 36 months and a fifth strategy: gpt-4.1-mini with half the traffic batched."""
    s = load_scenario(EXAMPLE)
    prompt = s.strategies[0]
    assert isinstance(prompt, PromptingStrategy)
    mini = dataclasses.replace(
        prompt, id="prompt-mini", model="openai/gpt-4.1-mini", batch_fraction=0.5, accuracy_fraction=0.8
    )
    return revalidate(dataclasses.replace(s, horizon_months=HORIZON_MONTHS, strategies=(*s.strategies, mini)))


def median_seconds(fn, repeats: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median wall-clock and median CPU seconds of ``fn`` (CPU time is what a busy machine cannot inflate)."""
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def baseline_seconds_per_draw(scenario: Scenario, inputs: list[UncertainInput]) -> float:
    """engine.run once per draw on the scenario with that draw's field values (cost factors left out)."""
    fields = [i for i in inputs if i.factor is None]
    values = sample_inputs(fields, input_streams(np.random.default_rng(0), fields), BASELINE_SAMPLE)
    catalogs = default_catalogs()
    start = time.process_time()
    for r in range(BASELINE_SAMPLE):
        run(with_values(scenario, {p: float(v[r]) for p, v in values.items()}), catalogs)
    return (time.process_time() - start) / BASELINE_SAMPLE


def main() -> None:
    scenario = bench_scenario()
    catalogs = default_catalogs()
    inputs = scenario_inputs(scenario) + default_uncertainty(scenario, catalogs)
    n_strategies = len(scenario.strategies)

    def once(draws: int = DRAWS) -> object:
        return simulate(
            scenario, draws=draws, rng=np.random.default_rng(42), inputs=inputs, catalogs=catalogs
        )

    result = once()  # warm-up: catalogs and the price database load once per process
    wall, cpu = median_seconds(once, 7)
    per_draw = baseline_seconds_per_draw(scenario, inputs)
    t_loop = per_draw * DRAWS
    print(
        f"scenario: {EXAMPLE.name} + prompt-mini, {n_strategies} strategies x {HORIZON_MONTHS} months, "
        f"{len(inputs)} uncertain inputs; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(f"simulate {DRAWS:,} draws, median of 7: {wall:6.3f} s wall, {cpu:6.3f} s CPU   target <= 0.5 s")
    print(
        f"baseline engine.run once per draw: {t_loop:6.1f} s CPU "
        f"({per_draw * 1e3:.2f} ms per draw, {BASELINE_SAMPLE} draws timed and scaled to {DRAWS:,})"
    )
    print(f"ratio (CPU time): {t_loop / cpu:,.0f}x   target >= 20x")
    for s in result.strategies:  # type: ignore[attr-defined]
        print(f"  {s.id:12s} inputs reached it: {s.mode}")
    for note in result.notes:  # type: ignore[attr-defined]
        print(f"  note: {note}")
    if "--skip-million" in sys.argv:
        return
    tracemalloc.start()
    start, start_cpu = time.perf_counter(), time.process_time()
    once(1_000_000)
    t_million, cpu_million = time.perf_counter() - start, time.process_time() - start_cpu
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"simulate 1,000,000 draws: {t_million:6.1f} s wall, {cpu_million:6.1f} s CPU, "
        f"peak traced memory {peak / 1e6:5.0f} MB (chunked)"
    )


if __name__ == "__main__":
    main()
