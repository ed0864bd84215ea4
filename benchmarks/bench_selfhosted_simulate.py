"""Benchmark: a self-hosted strategy in the simulator, its inputs varied per draw (issue 16).

10,000 draws x 5 strategies x 36 months: examples/fintech-support.yaml plus a batched mini-model
strategy, a 36-month horizon, the default uncertainty, and the self-hosted strategy's training inputs
(examples, tokens per example, epochs) and system prompt as three-point estimates. Prints:

- the median wall and CPU time of ``simulate`` with the self-hosted preparer taking arrays
  ("vectorised"), target <= 0.5 s;
- the same run forced through the per-draw loop (the preparer run once per draw), timed on a sample
  of draws and scaled to 10,000, and the ratio;
- how each strategy took its inputs, and the self-hosted strategy's latency p10/p50/p90.

Run: python benchmarks/bench_selfhosted_simulate.py
"""

from __future__ import annotations

import os
import time

import numpy as np

# The same 36-month, five-strategy scenario and timer as the simulator benchmark (run from the repo
# root as `python benchmarks/bench_selfhosted_simulate.py`: this directory is on sys.path).
from bench_simulate import DRAWS, EXAMPLE, HORIZON_MONTHS, bench_scenario, median_seconds

from costmodel.catalog.loader import default_catalogs
from costmodel.scenario.distributions import ThreePoint
from costmodel.scenario.types import FinetuneSelfhostedStrategy, Scenario
from costmodel.scenario.uncertain import UncertainInput, scenario_inputs
from costmodel.simulation.costs import CostModel
from costmodel.simulation.default_ranges import default_uncertainty
from costmodel.simulation.monte_carlo import input_streams, sample_inputs, simulate

LOOP_SAMPLE = 200
TARGET_S = 0.5


def selfhosted_inputs(scenario: Scenario) -> list[UncertainInput]:
    """Three-point ranges on the self-hosted strategy's training inputs and system prompt (±~40%)."""
    out = []
    for k, s in enumerate(scenario.strategies):
        if not isinstance(s, FinetuneSelfhostedStrategy):
            continue
        for name, integer in (
            ("n_training_examples", True),
            ("tokens_per_example", False),
            ("n_epochs", False),
            ("system_prompt_tokens", False),
        ):
            likely = float(getattr(s, name))
            dist = ThreePoint(low=0.6 * likely, likely=likely, high=1.5 * likely)
            out.append(
                UncertainInput(path=f"strategies[{k}].{name}", dist=dist, origin="benchmark", integer=integer)
            )
    return out


def loop_seconds_per_draw(scenario: Scenario, inputs: list[UncertainInput]) -> float:
    """CPU seconds per draw when every strategy is prepared draw by draw (the pre-issue-16 path)."""
    catalogs = default_catalogs()
    values = sample_inputs(inputs, input_streams(np.random.default_rng(0), inputs), LOOP_SAMPLE)
    model = CostModel(scenario, tuple(inputs), catalogs=catalogs, total_draws=LOOP_SAMPLE)
    for plan in model.plans:
        plan.mode = "loop"
    start = time.process_time()
    model.evaluate(values, LOOP_SAMPLE)
    return (time.process_time() - start) / LOOP_SAMPLE


def main() -> None:
    scenario = bench_scenario()
    catalogs = default_catalogs()
    inputs = [
        *scenario_inputs(scenario),
        *default_uncertainty(scenario, catalogs),
        *selfhosted_inputs(scenario),
    ]

    def once() -> object:
        return simulate(
            scenario, draws=DRAWS, rng=np.random.default_rng(42), inputs=tuple(inputs), catalogs=catalogs
        )

    result = once()  # warm-up
    wall, cpu = median_seconds(once, 7)
    per_draw = loop_seconds_per_draw(scenario, inputs)
    print(
        f"scenario: {EXAMPLE.name} + prompt-mini, {len(scenario.strategies)} strategies x {HORIZON_MONTHS} months, "
        f"{len(inputs)} uncertain inputs; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    verdict = "ok" if wall <= TARGET_S else "OVER"
    print(
        f"simulate {DRAWS:,} draws, median of 7: {wall:.3f} s wall, {cpu:.3f} s CPU   target <= {TARGET_S} s {verdict}"
    )
    print(
        f"per-draw loop: {per_draw * DRAWS:.1f} s CPU ({per_draw * 1e3:.2f} ms per draw, {LOOP_SAMPLE} timed)"
    )
    print(f"ratio (CPU time, loop / vectorised): {per_draw * DRAWS / cpu:,.0f}x")
    for s in result.strategies:  # type: ignore[attr-defined]
        latency = s.latency_end_to_end_ms
        shown = (
            f"; end-to-end p10/p50/p90 {latency.p10:,.0f}/{latency.p50:,.0f}/{latency.p90:,.0f} ms"
            if latency
            else ""
        )
        print(f"  {s.id:12s} inputs reached it: {s.mode}{shown}")
    for note in result.notes:  # type: ignore[attr-defined]
        print(f"  note: {note}")


if __name__ == "__main__":
    main()
