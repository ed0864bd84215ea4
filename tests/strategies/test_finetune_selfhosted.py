"""``finetune_selfhosted`` through the engine: training runs, labelling, replicas month by month, latency, errors."""

from __future__ import annotations

import dataclasses
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.loader import default_catalogs, parse_catalog
from costmodel.cli import dispatch as cli
from costmodel.core.errors import InputError
from costmodel.engine import prepare_all, run
from costmodel.gpu.offers import billed_hours
from costmodel.gpu.serving import ServingInputs, estimate_serving, request_timings
from costmodel.gpu.serving_cost import serverless_usd_per_request
from costmodel.gpu.training import TrainingInputs, estimate_training
from costmodel.scenario.distributions import ThreePoint
from costmodel.scenario.io import load_scenario, parse_scenario
from costmodel.scenario.uncertain import UncertainInput, with_values
from costmodel.simulation.monte_carlo import simulate
from costmodel.strategies import registry as strategy_module
from costmodel.strategies.common import Context
from costmodel.strategies.finetune_selfhosted import prepare_finetune_selfhosted

ROOT = Path(__file__).resolve().parents[2]
H = 12
S_PER_MONTH = 730 * 3600

HARDWARE = """
gpus:
  - id: t-gpu
    name: Test GPU 80GB
    architecture: ampere
    memory_gb: 80
    memory_bandwidth_gb_per_s: 2000
    bf16_dense_tflops: 400
    interconnect: NVLink
    interconnect_gb_per_s: 600
    source_url: https://example.org/gpu
    as_of: 2026-01-01
  - id: t-small
    name: Test GPU 8GB
    architecture: ada
    memory_gb: 8
    memory_bandwidth_gb_per_s: 300
    bf16_dense_tflops: 100
    interconnect: PCIe
    interconnect_gb_per_s: 64
    source_url: https://example.org/gpu
    as_of: 2026-01-01
gpu_offers:
  - {id: prov/t-gpu, provider: prov, gpu: t-gpu, instance: one, on_demand_usd_per_gpu_hour: 2.0, billing: per_second,
     source_url: "https://example.org/p", as_of: 2026-02-01}
  - {id: big/t-gpu, provider: big, gpu: t-gpu, instance: eight, n_gpus: 8, on_demand_usd_per_gpu_hour: 1.5,
     billing: per_hour, source_url: "https://example.org/p", as_of: 2026-03-01}
  - {id: cloud/t-gpu, provider: cloud, gpu: t-gpu, instance: fn, on_demand_usd_per_gpu_hour: 3.6,
     billing: per_second_active, source_url: "https://example.org/p", as_of: 2026-01-15}
  - {id: prov/t-small, provider: prov, gpu: t-small, instance: small, on_demand_usd_per_gpu_hour: 0.5,
     billing: per_second, source_url: "https://example.org/p", as_of: 2026-01-01}
open_models:
  - {id: t-8b, name: Test 8B, n_params: 8030261248, n_layers: 32, hidden_size: 4096, n_heads: 32, n_kv_heads: 8,
     head_dim: 128, intermediate_size: 14336, vocab_size: 128256, context_tokens: 8192,
     source_url: "https://example.org/m", as_of: 2026-01-01}
  - {id: t-70b, name: Test 70B, n_params: 70553706496, n_layers: 80, hidden_size: 8192, n_heads: 64, n_kv_heads: 8,
     head_dim: 128, intermediate_size: 28672, vocab_size: 128256, context_tokens: 8192,
     source_url: "https://example.org/m", as_of: 2026-01-01}
"""
CAT: Catalogs = parse_catalog(HARDWARE, source="hardware.yaml")
MODEL = CAT.find("open_models", "t-8b")
GPU = CAT.find("gpus", "t-gpu")


def scenario_text(**strategy: object) -> str:
    fields: dict[str, object] = {
        "base_model": "t-8b",
        "method": "lora",
        "train_gpu_offer": "prov/t-gpu",
        "serve_gpu_offer": "prov/t-gpu",
        "serving": "dedicated",
        "system_prompt_tokens": 100,
        "n_training_examples": 1000,
        "tokens_per_example": 500,
        "n_epochs": 2,
        "labeling": "{usd_per_example: 2.0}",
        "retrain_every_months": 4,
        "n_new_examples_per_retrain": 200,
        "setup_hours": 10,
        "maintenance_hours_per_month": 1,
        "accuracy_fraction": 0.9,
    }
    fields.update(strategy)
    body = "\n".join(f"    {k}: {v}" for k, v in fields.items())
    return f"""
name: self-hosted test
horizon_months: {H}
workload: {{requests_per_month: 1.0e+7, growth_fraction_per_month: 0.2,
           input_tokens_per_request: 200, output_tokens_per_request: 100, peak_to_mean_ratio: 3}}
people: {{engineer_usd_per_hour: 100}}
strategies:
  - id: ft
    kind: finetune_selfhosted
{body}
"""


def result(**strategy: object):  # type: ignore[no-untyped-def]
    return run(parse_scenario(scenario_text(**strategy), source="s.yaml"), CAT).strategy("ft")


def serving_inputs(**over: object) -> ServingInputs:
    base: dict[str, object] = {
        "model": MODEL,
        "gpu": GPU,
        "input_tokens": 300.0,
        "output_tokens": 100.0,
        "offer": CAT.find("gpu_offers", "prov/t-gpu"),
    }
    base.update(over)
    return ServingInputs(**base)  # type: ignore[arg-type]


def training_usd(examples: int, offer_id: str = "prov/t-gpu", n_gpus: int = 1) -> float:
    est = estimate_training(
        TrainingInputs(
            model=MODEL,
            method="lora",
            gpu=GPU,
            n_gpus=n_gpus,
            dataset_tokens=examples * 500,
            epochs=2,
            seq_len_tokens=2048,
            offer=CAT.find("gpu_offers", offer_id),
        )
    )
    assert est.usd is not None
    return est.usd


def requests() -> np.ndarray:
    return 1e7 * 1.2 ** np.arange(H)


def test_the_engine_uses_this_preparer() -> None:
    assert strategy_module.PREPARERS["finetune_selfhosted"] is prepare_finetune_selfhosted


def test_costs_compose_training_labelling_people_and_replicas() -> None:
    s = result()
    assert s.available
    # One-off: setup 10 h x $100, 1,000 examples x $2, the first training run on 1 GPU.
    assert s.one_off_usd == pytest.approx(1000 + 2000 + training_usd(1000))
    capacity = estimate_serving(serving_inputs()).requests_per_s
    replicas = np.maximum(1, np.ceil(requests() / S_PER_MONTH * 3 / capacity))
    gpu = replicas * 2.0 * 730
    months = np.arange(1, H + 1)
    retrain = [training_usd(1000 + (m // 4) * 200) if m % 4 == 0 else 0.0 for m in months]
    labels = np.where(months % 4 == 0, 200 * 2.0, 0.0)
    expected = 100 + labels + np.array(retrain) + gpu
    assert s.monthly_usd == pytest.approx(expected, rel=1e-9)
    assert s.breakdown_usd["gpu"] == pytest.approx(gpu.sum())
    assert s.breakdown_usd["training"] == pytest.approx(training_usd(1000) + sum(retrain))
    assert sum(s.breakdown_usd.values()) == pytest.approx(s.total_usd)
    assert s.usd_per_request == pytest.approx(gpu[0] / 1e7)  # month-1 GPU cost per request


def test_min_replicas_is_an_availability_floor() -> None:
    """Two replicas always on: month-1 demand needs fewer, so the floor bills; later months are unchanged."""
    one, two = result(), result(min_replicas=2)
    capacity = estimate_serving(serving_inputs()).requests_per_s
    needed = np.ceil(requests() / S_PER_MONTH * 3 / capacity)
    assert needed[0] < 2  # the floor matters in month 1 of this scenario
    expected = np.maximum(2, needed) * 2.0 * 730
    assert two.monthly_breakdown_usd["gpu"] == pytest.approx(expected)
    assert two.total_usd > one.total_usd
    assert any("at least 2 replicas" in n for n in two.notes)
    assert any(
        "does not apply to serverless" in n for n in result(min_replicas=2, serving="serverless").notes
    )


@pytest.mark.parametrize("precision", ["fp8", "int8", "int4"])
def test_precision_sets_the_serving_weights(precision: str) -> None:
    """Serving in a lower precision: fewer weight bytes leave room for a larger batch (this test GPU lists
    no FP8/INT8 rate, so compute-bound throughput does not rise with it)."""
    p = prepare_all(parse_scenario(scenario_text(precision=precision), source="s.yaml"), CAT)[0]
    bf16 = prepare_all(parse_scenario(scenario_text(), source="s.yaml"), CAT)[0]
    est = estimate_serving(serving_inputs(precision=precision))
    assert p.details["replica_requests_per_s"] == pytest.approx(est.requests_per_s)
    assert p.details["replica_batch_size"] > bf16.details["replica_batch_size"]
    assert p.details["replica_requests_per_s"] >= bf16.details["replica_requests_per_s"] * (1 - 1e-9)
    assert any(f"served in {precision}" in n for n in p.notes)


@pytest.mark.parametrize(
    ("over", "field"), [({"min_replicas": 0}, "min_replicas"), ({"precision": "fp4"}, "precision")]
)
def test_bad_serving_keys_name_the_field(over: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as info:
        parse_scenario(scenario_text(**over), source="s.yaml")
    assert field in info.value.problems[0].field


def test_replicas_step_up_with_growth() -> None:
    gpu = result().monthly_breakdown_usd["gpu"]
    replicas = gpu / (2.0 * 730)
    assert np.allclose(replicas, np.round(replicas))  # whole replicas, every hour billed
    assert np.all(np.diff(replicas) >= 0) and replicas[-1] > replicas[0]


def test_retrains_train_on_everything_collected_so_far() -> None:
    training = result().monthly_breakdown_usd["training"]
    assert np.count_nonzero(training) == 3  # months 4, 8, 12
    assert training[3] < training[7] < training[11]
    assert not result(retrain_every_months=0).monthly_breakdown_usd["training"].any()


def test_whole_instances_for_training_and_serving() -> None:
    s = result(train_gpu_offer="big/t-gpu", serve_gpu_offer="big/t-gpu")
    # Training fills the 8-GPU instance: same GPU-hours, 8x shorter, billed in whole hours.
    est = estimate_training(
        TrainingInputs(
            model=MODEL,
            method="lora",
            gpu=GPU,
            n_gpus=8,
            dataset_tokens=1000 * 500,
            epochs=2,
            offer=CAT.find("gpu_offers", "big/t-gpu"),
        )
    )
    assert s.breakdown_usd["training"] > 0
    assert est.usd == pytest.approx(
        billed_hours(est.wall_clock_hours, CAT.find("gpu_offers", "big/t-gpu")) * 8 * 1.5
    )
    assert s.one_off_usd == pytest.approx(1000 + 2000 + est.usd)
    capacity = estimate_serving(serving_inputs(offer=CAT.find("gpu_offers", "big/t-gpu"))).requests_per_s
    replicas = np.maximum(1, np.ceil(requests() / S_PER_MONTH * 3 / capacity))
    expected = np.ceil(replicas / 8) * 8 * 1.5 * 730
    assert s.monthly_breakdown_usd["gpu"] == pytest.approx(expected)


def test_serverless_bills_busy_seconds() -> None:
    s = result(serving="serverless", serve_gpu_offer="cloud/t-gpu")
    i = serving_inputs(offer=CAT.find("gpu_offers", "cloud/t-gpu"))
    batch = estimate_serving(i).batch_size
    expected = requests() * serverless_usd_per_request(i, requests(), max_batch=batch)
    assert s.monthly_breakdown_usd["gpu"] == pytest.approx(expected)
    assert any("cold starts not modelled" in n for n in s.notes)
    dedicated_offer = result(serving="serverless")
    assert any("not a scale-to-zero offer" in n for n in dedicated_offer.notes)


def test_latency_from_the_roofline_at_month_one_peak() -> None:
    s = result()
    assert s.latency is not None and s.latency.assumption
    t = request_timings(serving_inputs(), np.array([1.0]))
    assert s.latency.time_to_first_token_ms == pytest.approx(float(t["ttft_ms"][0]))
    assert s.latency.end_to_end_ms >= float(t["end_to_end_ms"][0])
    assert s.latency.stages_ms["prefill"] + s.latency.stages_ms["generation"] == pytest.approx(
        s.latency.end_to_end_ms
    )


def test_unreachable_latency_budget_is_a_note_not_an_error() -> None:
    text = scenario_text().replace("people:", "needs: {latency_budget_ms: 50}\npeople:")
    s = run(parse_scenario(text, source="s.yaml"), CAT).strategy("ft")
    assert s.available
    assert any("latency budget not met" in n for n in s.notes)


def test_reachable_latency_budget_caps_the_batch() -> None:
    loose = prepare_all(parse_scenario(scenario_text(), source="s.yaml"), CAT)[0]
    text = scenario_text().replace("people:", "needs: {latency_budget_ms: 3000}\npeople:")
    tight = prepare_all(parse_scenario(text, source="s.yaml"), CAT)[0]
    assert tight.details["replica_batch_size"] < loose.details["replica_batch_size"]
    assert tight.details["replica_requests_per_s"] < loose.details["replica_requests_per_s"]


def test_volume_sweeps_are_one_numpy_call() -> None:
    p = prepare_all(parse_scenario(scenario_text(), source="s.yaml"), CAT)[0]
    volumes = np.linspace(0, 5e7, 40)[:, None] * 1.2 ** np.arange(H)
    swept = p.monthly_usd(volumes)["gpu"]
    assert swept.shape == (40, H)
    for row in (0, 17, 39):
        assert np.array_equal(swept[row], p.monthly_usd(volumes[row])["gpu"])
    assert np.all(np.diff(swept, axis=0) >= 0)  # more requests never cost less


@pytest.mark.parametrize(
    ("over", "field", "text"),
    [
        ({"base_model": "t-8"}, "strategies[0].base_model", "did you mean 't-8b'"),
        ({"train_gpu_offer": "prov/t-gp"}, "strategies[0].train_gpu_offer", "did you mean 'prov/t-gpu'"),
        ({"serve_gpu_offer": "t-gpu"}, "strategies[0].serve_gpu_offer", "unknown gpu_offers id 't-gpu'"),
        ({"tokens_per_example": 10000}, "strategies[0].tokens_per_example", "exceed the context of t-8b"),
        (
            {"base_model": "t-70b", "serve_gpu_offer": "prov/t-small"},
            "strategies[0].serve_gpu_offer",
            "does not fit on 8 x t-small",
        ),
        (
            {"tokens_per_example": 8000, "train_gpu_offer": "prov/t-small", "method": "qlora"},
            "strategies[0].train_gpu_offer",
            "does not fit on any number of t-small",
        ),
    ],
)
def test_bad_references_name_the_scenario_field(over: dict[str, object], field: str, text: str) -> None:
    with pytest.raises(InputError) as info:
        run(parse_scenario(scenario_text(**over), source="s.yaml"), CAT)
    problem = info.value.problems[0]
    assert problem.field == field
    assert problem.file == "s.yaml" and problem.line is not None
    assert text in problem.message


def test_shipped_example_runs_with_the_built_in_catalogs(capsys: pytest.CaptureFixture[str]) -> None:
    path = ROOT / "examples" / "fintech-support.yaml"
    s = run(load_scenario(path), default_catalogs()).strategy("ft-llama-8b")
    assert s.available and math.isfinite(s.total_usd) and s.total_usd > 0
    assert s.breakdown_usd["gpu"] > 0 and s.breakdown_usd["training"] > 0
    assert s.latency is not None and s.latency.end_to_end_ms > s.latency.time_to_first_token_ms > 0
    assert cli.main(["run", str(path)]) == 0
    assert "ft-llama-8b" in capsys.readouterr().out


def test_prices_as_of_is_the_older_offer_date() -> None:
    p = prepare_all(parse_scenario(scenario_text(serve_gpu_offer="big/t-gpu"), source="s.yaml"), CAT)[0]
    assert p.prices_as_of is not None and p.prices_as_of.isoformat() == "2026-02-01"
    assert dataclasses.is_dataclass(p)


def test_importing_this_module_first_registers_it() -> None:
    """costmodel.strategies imports strategy_selfhosted where it registers it; the other order must work too."""
    code = (
        "from costmodel.strategies.finetune_selfhosted import prepare_finetune_selfhosted as p; "
        "import costmodel.strategies as s; assert s.PREPARERS['finetune_selfhosted'] is p"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


# --- arrays of simulation draws (issue 16) ------------------------------------------------------

DRAWN = {
    "strategies[0].n_training_examples": [600.0, 1000.0, 1900.0, 3000.0],
    "strategies[0].tokens_per_example": [
        300.0,
        500.0,
        2500.0,
        4000.0,
    ],  # 2,500 and 4,000 need longer sequences
    "strategies[0].n_epochs": [1.0, 2.0, 2.5, 3.0],
    "strategies[0].system_prompt_tokens": [50.0, 100.0, 400.0, 900.0],
    "workload.output_tokens_per_request": [50.0, 100.0, 300.0, 700.0],
}


def _prepared(values: dict[str, object], text: str | None = None):  # type: ignore[no-untyped-def]

    scenario = with_values(parse_scenario(text or scenario_text(), source="s.yaml"), values)
    return prepare_finetune_selfhosted(
        scenario.strategies[0], Context(scenario=scenario, catalogs=CAT, at=None)
    )


@pytest.mark.parametrize("budget", [None, 3000.0, 50.0])
def test_arrays_of_draws_match_each_draw_prepared_alone(budget: float | None) -> None:
    """One preparation over 4 draws equals 4 plain preparations: costs, capacity and latency."""
    text = (
        scenario_text()
        if budget is None
        else scenario_text().replace("people:", f"needs: {{latency_budget_ms: {budget}}}\npeople:")
    )
    arrays = {k: np.array(v).reshape(-1, 1) for k, v in DRAWN.items()}
    together = _prepared(arrays, text)
    req = np.broadcast_to(requests(), (4, H))
    months = together.monthly_usd(req)
    for r in range(4):
        alone = _prepared({k: v[r] for k, v in DRAWN.items()}, text)
        for cat, v in alone.one_off_usd.items():
            assert np.ravel(together.one_off_usd[cat])[
                r if np.size(together.one_off_usd[cat]) > 1 else 0
            ] == (pytest.approx(v, rel=1e-9)), cat
        for cat, v in alone.monthly_usd(requests()).items():
            assert months[cat][r] == pytest.approx(v, rel=1e-9), cat
        assert together.latency is not None and alone.latency is not None
        assert np.ravel(together.latency.end_to_end_ms)[r] == pytest.approx(
            alone.latency.end_to_end_ms, rel=1e-6
        )


def test_arrays_fall_back_where_the_draws_disagree_on_discrete_choices() -> None:
    """Serverless serving with drawn tokens is not prepared from arrays: the simulator loops instead."""
    arrays = {"workload.output_tokens_per_request": np.array([[50.0], [100.0]])}
    with pytest.raises(TypeError):
        _prepared(arrays, scenario_text(serving="serverless", serve_gpu_offer="cloud/t-gpu"))


def test_the_simulator_varies_self_hosted_inputs_at_any_draw_count() -> None:

    scenario = parse_scenario(scenario_text(), source="s.yaml")
    inputs = tuple(
        UncertainInput(
            path=f"strategies[0].{name}", dist=ThreePoint(low=lo, likely=mid, high=hi), origin="test"
        )
        for name, lo, mid, hi in (("tokens_per_example", 300, 500, 900), ("n_epochs", 1, 2, 4))
    )
    result = simulate(scenario, draws=5000, rng=np.random.default_rng(3), inputs=inputs, catalogs=CAT)
    s = result.strategy("ft")
    assert s.mode == "vectorised"  # above the 2,000-draw loop limit: before issue 16 this was "fixed"
    assert s.total_usd is not None and s.total_usd.p10 < s.total_usd.p50 < s.total_usd.p90
    assert s.latency_end_to_end_ms is not None and s.latency_end_to_end_ms.p10 > 0
