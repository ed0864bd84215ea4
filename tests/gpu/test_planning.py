"""GPU planning shared by the CLI and the Planner page: padding, calibration, the GPU comparison, serving a demand."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.loader import default_catalogs
from costmodel.core.errors import InputError
from costmodel.gpu.planning import (
    CURVE_POINTS,
    calibrated,
    cheapest_offer,
    compare_gpus,
    dataset_tokens,
    first_selfhosted_strategy,
    gpu_rows,
    offer_rows,
    padding_waste_fraction,
    plan_serving,
    plan_training,
    request_input_tokens,
    throughput_curve,
)
from costmodel.gpu.serving import ServingInputs, estimate_serving
from costmodel.gpu.serving_cost import dedicated_monthly_usd, replicas_for_demand, serverless_usd_per_request
from costmodel.gpu.training import TrainingInputs, estimate_training, min_gpus_to_fit
from costmodel.scenario.io import load_scenario

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fintech-support.yaml"
CAT = default_catalogs()
LLAMA8B = CAT.find("open_models", "llama-3.1-8b")
LLAMA70B = CAT.find("open_models", "llama-3.1-70b")
H100 = CAT.find("gpus", "h100-sxm-80gb")
A100 = CAT.find("gpus", "a100-sxm-80gb")
L40S = CAT.find("gpus", "l40s-48gb")
RUN = TrainingInputs(model=LLAMA8B, method="lora", gpu=H100, dataset_tokens=2.1e6)


def with_offer_price(catalogs: Catalogs, offer_id: str, usd_per_gpu_hour: float) -> Catalogs:
    offer = catalogs.find("gpu_offers", offer_id)
    changed = dataclasses.replace(offer, on_demand_usd_per_gpu_hour=usd_per_gpu_hour)
    return catalogs.merged(Catalogs({"gpu_offers": {offer_id: changed}}))


@pytest.mark.parametrize(
    ("tokens_per_example", "seq_len", "packing", "expected"),
    [
        (512.0, 2048, False, 0.75),
        (2048.0, 2048, False, 0.0),
        (1.0, 4, False, 0.75),
        (512.0, 2048, True, 0.0),
        (None, 2048, True, 0.0),
        (9999.0, 2048, True, 0.0),  # packed examples longer than a sequence span several: no padding
    ],
)
def test_padding_waste(
    tokens_per_example: float | None, seq_len: int, packing: bool, expected: float
) -> None:
    assert padding_waste_fraction(tokens_per_example, seq_len, packing=packing) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("tokens_per_example", "message"),
    [
        (None, "without packing give the tokens per example"),
        (2049.0, "longer than the sequence length (2,048)"),
    ],
)
def test_padding_waste_errors_name_the_field(tokens_per_example: float | None, message: str) -> None:
    with pytest.raises(InputError) as info:
        padding_waste_fraction(tokens_per_example, 2048, packing=False)
    assert info.value.problems[0].field == "tokens_per_example"
    assert message in str(info.value)


def test_dataset_tokens() -> None:
    assert dataset_tokens(3000, 700.0) == 2_100_000.0


def test_calibration_recovers_the_mfu_of_the_measured_gpu() -> None:
    on_a100 = estimate_training(dataclasses.replace(RUN, gpu=A100))
    again = calibrated(RUN, on_a100.tokens_per_s_per_gpu, measured_gpu=A100)
    assert again.gpu == H100 and again.offer == RUN.offer
    assert again.mfu_fraction == pytest.approx(on_a100.mfu_fraction)
    assert calibrated(RUN, estimate_training(RUN).tokens_per_s_per_gpu).mfu_fraction == pytest.approx(
        estimate_training(RUN).mfu_fraction
    )


def test_calibration_outside_0_1_is_an_error() -> None:
    with pytest.raises(InputError, match="measured_tokens_per_s_per_gpu"):
        calibrated(RUN, 1e9)


def test_cheapest_offer_is_the_lowest_on_demand_price() -> None:
    offers = [o for o in CAT.all("gpu_offers") if o.gpu == H100.id]
    best = cheapest_offer(CAT, H100.id)
    assert best is not None
    assert best.on_demand_usd_per_gpu_hour == min(o.on_demand_usd_per_gpu_hour for o in offers)
    assert cheapest_offer(Catalogs({"gpus": {H100.id: H100}}), H100.id) is None


def test_comparison_runs_every_gpu_on_the_smallest_count_that_fits() -> None:
    full_70b = TrainingInputs(model=LLAMA70B, method="full", gpu=H100, dataset_tokens=1e6)
    fits = compare_gpus(full_70b, CAT)
    assert [f.gpu.id for f in fits] == [g.id for g in CAT.all("gpus")]
    for f in fits:
        assert f.estimate is not None and f.problem is None
        one = dataclasses.replace(full_70b, gpu=f.gpu)
        assert f.min_gpus_to_fit == min_gpus_to_fit(one)
        assert f.n_gpus == (f.min_gpus_to_fit or 1) == f.estimate.inputs.n_gpus
        assert f.estimate.fits == (f.min_gpus_to_fit is not None)
        assert f.offer == cheapest_offer(CAT, f.gpu.id)
        assert f.as_of == (f.offer.as_of if f.offer else f.gpu.as_of)
        expected = estimate_training(dataclasses.replace(one, n_gpus=f.n_gpus, offer=f.offer))
        assert f.estimate.usd == expected.usd
    h100 = next(f for f in fits if f.gpu.id == H100.id)
    assert h100.n_gpus == 18  # was 17 before the FSDP gathered layers and allocator reserve (issue 16)


def test_comparison_keeps_the_runs_mfu_and_ignores_spot() -> None:
    offer = cheapest_offer(CAT, H100.id)
    run = dataclasses.replace(RUN, mfu_fraction=0.3, offer=offer, use_spot=True)
    h100 = next(f for f in compare_gpus(run, CAT) if f.gpu.id == H100.id)
    assert h100.estimate is not None
    assert h100.estimate.mfu_fraction == 0.3
    assert h100.estimate.inputs.use_spot is False


def test_a_gpu_that_cannot_run_the_setup_gets_a_problem_not_an_exception() -> None:
    # A 4.2x speed-up pushes LoRA's Ampere MFU over 1 (0.25 x 4.2) but not Hopper's (0.219 x 4.2).
    fits = {f.gpu.id: f for f in compare_gpus(dataclasses.replace(RUN, speedup_factor=4.2), CAT)}
    assert fits[A100.id].estimate is None
    assert "MFU" in (fits[A100.id].problem or "")
    assert fits[H100.id].estimate is not None


def test_comparison_is_homogeneous_in_the_offer_price() -> None:
    offer = cheapest_offer(CAT, H100.id)
    assert offer is not None
    cheaper = with_offer_price(CAT, offer.id, offer.on_demand_usd_per_gpu_hour / 2)
    before = next(f for f in compare_gpus(RUN, CAT) if f.gpu.id == H100.id).estimate
    after = next(f for f in compare_gpus(RUN, cheaper) if f.gpu.id == H100.id).estimate
    assert before is not None and after is not None and before.usd is not None
    assert after.usd == pytest.approx(before.usd / 2)


def test_plan_training_calibrates_then_compares() -> None:
    plan = plan_training(RUN, CAT, measured_tokens_per_s_per_gpu=1000.0)
    assert plan.inputs.mfu_fraction == calibrated(RUN, 1000.0).mfu_fraction
    assert plan.estimate == estimate_training(plan.inputs)
    assert all(
        f.estimate is None or f.estimate.mfu_fraction == plan.inputs.mfu_fraction for f in plan.comparison
    )
    assert plan_training(RUN, CAT).inputs is RUN


def serving(offer_id: str | None) -> ServingInputs:
    offer = CAT.find("gpu_offers", offer_id) if offer_id else None
    return ServingInputs(model=LLAMA8B, gpu=L40S, input_tokens=450.0, output_tokens=300.0, offer=offer)


@pytest.mark.parametrize("requests", [0.0, 200_000.0, 5e7])
def test_serving_plan_sizes_replicas_and_prices_them(requests: float) -> None:
    i = serving("aws/l40s-48gb")
    plan = plan_serving(i, requests_per_month=requests, peak_to_mean_ratio=3.0)
    est = estimate_serving(i)
    assert plan.estimate == est
    replicas = replicas_for_demand(
        [requests], peak_to_mean_ratio=3.0, requests_per_s_per_replica=est.requests_per_s
    )
    assert plan.replicas == int(replicas[0]) >= 1
    assert i.offer is not None
    dedicated = dedicated_monthly_usd([plan.replicas], n_gpus_per_replica=1, offer=i.offer)
    assert plan.dedicated_usd_per_month == pytest.approx(float(dedicated[0]))
    assert plan.serverless_usd_per_month is None  # AWS bills every hour


def test_serving_plan_without_an_offer_has_no_cost_and_serverless_offers_have_both() -> None:
    bare = plan_serving(serving(None), requests_per_month=1e6, peak_to_mean_ratio=2.0)
    assert bare.dedicated_usd_per_month is None and bare.serverless_usd_per_month is None
    i = serving("modal/l40s-48gb")
    plan = plan_serving(i, requests_per_month=1e6, peak_to_mean_ratio=2.0)
    per_request = float(serverless_usd_per_request(i, np.array([1e6]))[0])
    assert plan.serverless_usd_per_month == pytest.approx(per_request * 1e6)
    assert plan.dedicated_usd_per_month is not None and plan.dedicated_usd_per_month > 0


def test_throughput_curve_spans_one_to_the_largest_batch() -> None:
    i = serving(None)
    largest = estimate_serving(i).max_batch_size
    curve = throughput_curve(i, largest)
    assert curve.batch_sizes[0] == 1 and curve.batch_sizes[-1] == largest
    assert len(curve.batch_sizes) <= CURVE_POINTS
    assert list(curve.batch_sizes) == sorted(set(curve.batch_sizes))
    assert len(curve.output_tokens_per_s) == len(curve.time_per_output_token_ms) == len(curve.batch_sizes)
    assert np.all(np.diff(curve.output_tokens_per_s) > 0)  # batching raises throughput


def test_scenario_prefill() -> None:
    scenario = load_scenario(EXAMPLE)
    strategy = first_selfhosted_strategy(scenario)
    assert strategy is not None and strategy.kind == "finetune_selfhosted"
    w = scenario.workload
    assert request_input_tokens(w, strategy) == w.input_tokens_per_request + strategy.system_prompt_tokens
    assert request_input_tokens(w, None) == w.input_tokens_per_request


def test_listings_use_the_cheapest_offer() -> None:
    rows = gpu_rows(CAT)
    assert [r["id"] for r in rows] == [g.id for g in CAT.all("gpus")]
    for row in rows:
        offer = cheapest_offer(CAT, row["id"])
        assert row["cheapest_offer"] == (offer.id if offer else None)
    assert [r["id"] for r in offer_rows(CAT)] == [o.id for o in CAT.all("gpu_offers")]
