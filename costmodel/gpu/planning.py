"""GPU planning shared by the ``breakeven`` GPU subcommands and the Fine-tuning planner page.

One home for what both front ends compute around the estimators: padding waste and dataset tokens
from example lengths, calibrating MFU from a measured run, the cheapest offer of a GPU, the "which
GPUs fit and what they cost" comparison, replicas and monthly cost of serving a demand, and the GPU
and offer listings. Everything prices with the catalogs it is given (the CLI's built-ins, the app
session's catalogs with its overrides and uploads).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, Final

import numpy as np

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.hardware import GpuOffer, GpuSpec, offers_for_gpu
from costmodel.core.errors import InputError
from costmodel.gpu.serving import ServingEstimate, ServingInputs, estimate_serving, request_timings
from costmodel.gpu.serving_cost import dedicated_monthly_usd, replicas_for_demand, serverless_usd_per_request
from costmodel.gpu.training import (
    TrainingEstimate,
    TrainingInputs,
    calibrate_mfu,
    estimate_training,
    min_gpus_to_fit,
)
from costmodel.scenario.types import FinetuneSelfhostedStrategy, Scenario, Workload

CURVE_POINTS: Final = 60
"""Batch sizes sampled for the throughput-vs-batch curve (enough for a smooth line, cheap to compute)."""


def padding_waste_fraction(tokens_per_example: float | None, seq_len_tokens: int, *, packing: bool) -> float:
    """Share of processed tokens that are padding: 0 when examples are packed, else ``1 − example / seq_len``.

    Without packing every example is padded to the sequence length. InputError (field
    ``tokens_per_example``) when the length is missing or longer than the sequence.

    >>> padding_waste_fraction(512, 2048, packing=False)
    0.75
    >>> padding_waste_fraction(None, 2048, packing=True)
    0.0
    """
    if packing:
        return 0.0
    if tokens_per_example is None:
        raise InputError.single(
            "<planner inputs>",
            "tokens_per_example",
            "without packing give the tokens per example to size the padding",
        )
    if tokens_per_example > seq_len_tokens:
        raise InputError.single(
            "<planner inputs>",
            "tokens_per_example",
            f"{tokens_per_example:,.0f} tokens per example are longer than the sequence length "
            f"({seq_len_tokens:,}): raise the sequence length or pack the examples",
        )
    return 1.0 - float(tokens_per_example) / float(seq_len_tokens)


def dataset_tokens(n_examples: float, tokens_per_example: float) -> float:
    """Real tokens per epoch: ``n_examples · tokens_per_example``.

    >>> dataset_tokens(3000, 700.0)
    2100000.0
    """
    return float(n_examples) * float(tokens_per_example)


def calibrated(
    inputs: TrainingInputs, measured_tokens_per_s_per_gpu: float, *, measured_gpu: GpuSpec | None = None
) -> TrainingInputs:
    """``inputs`` with the MFU implied by a measured run of the same setup on ``measured_gpu`` (default: its GPU).

    MFU = measured tokens/s · FLOPs per token ÷ peak (:func:`costmodel.gpu.training.calibrate_mfu`);
    InputError (field ``measured_tokens_per_s_per_gpu``) when that is outside (0, 1].
    """
    measured = replace(inputs, gpu=measured_gpu or inputs.gpu, offer=None)
    return replace(inputs, mfu_fraction=calibrate_mfu(measured_tokens_per_s_per_gpu, measured))


def cheapest_offer(catalogs: Catalogs, gpu_id: str) -> GpuOffer | None:
    """The GPU's cheapest on-demand rental offer in ``catalogs``, or None when nobody rents it.

    >>> from costmodel.catalog import default_catalogs
    >>> offer = cheapest_offer(default_catalogs(), "h100-sxm-80gb")
    >>> offer is not None and offer.gpu
    'h100-sxm-80gb'
    """
    offers = offers_for_gpu(catalogs, gpu_id)
    return offers[0] if offers else None


@dataclass(frozen=True, slots=True, kw_only=True)
class GpuFit:
    """One GPU of the comparison: the run on the smallest count that holds it, priced at the cheapest offer.

    ``estimate`` is None (and ``problem`` says why) when the run cannot be estimated on this GPU.
    """

    gpu: GpuSpec
    offer: GpuOffer | None
    n_gpus: int
    min_gpus_to_fit: int | None
    estimate: TrainingEstimate | None
    problem: str | None = None

    @property
    def as_of(self) -> dt.date:
        """Date of the price used (the offer's), or of the GPU spec when no offer prices it."""
        return self.offer.as_of if self.offer is not None else self.gpu.as_of


def compare_gpus(inputs: TrainingInputs, catalogs: Catalogs) -> tuple[GpuFit, ...]:
    """The run of ``inputs`` on every GPU of ``catalogs``: which fit, on how many, how long, at what cost.

    Each GPU runs on ``min_gpus_to_fit`` GPUs (1 when none fits, so the estimate shows by how much it
    misses), on-demand at its cheapest offer; MFU, knobs and dataset are those of ``inputs``.

    >>> from costmodel.catalog import default_catalogs
    >>> cat = default_catalogs()
    >>> run = TrainingInputs(model=cat.find("open_models", "llama-3.1-8b"), method="qlora",
    ...                      gpu=cat.find("gpus", "h100-sxm-80gb"), dataset_tokens=2.1e6)
    >>> fits = {f.gpu.id: f for f in compare_gpus(run, cat)}
    >>> fits["h100-sxm-80gb"].n_gpus, fits["h100-sxm-80gb"].estimate.fits
    (1, True)
    """
    gpus: list[GpuSpec] = catalogs.all("gpus")
    out = []
    for gpu in gpus:
        offer = cheapest_offer(catalogs, gpu.id)
        try:
            one = replace(inputs, gpu=gpu, offer=None, n_gpus=1, use_spot=False)
            fit = min_gpus_to_fit(one)
            n = fit or 1
            est = estimate_training(replace(one, offer=offer, n_gpus=n))
        except InputError as exc:
            out.append(
                GpuFit(
                    gpu=gpu,
                    offer=offer,
                    n_gpus=1,
                    min_gpus_to_fit=None,
                    estimate=None,
                    problem=exc.problems[0].message,
                )
            )
            continue
        out.append(GpuFit(gpu=gpu, offer=offer, n_gpus=n, min_gpus_to_fit=fit, estimate=est))
    return tuple(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrainingPlan:
    """A fine-tuning run as asked (``estimate``) and the same run on every GPU (``comparison``)."""

    inputs: TrainingInputs
    estimate: TrainingEstimate
    comparison: tuple[GpuFit, ...]


def plan_training(
    inputs: TrainingInputs, catalogs: Catalogs, *, measured_tokens_per_s_per_gpu: float | None = None
) -> TrainingPlan:
    """Estimate the run (calibrated first when a measured throughput is given) and compare every GPU."""
    if measured_tokens_per_s_per_gpu is not None:
        inputs = calibrated(inputs, measured_tokens_per_s_per_gpu)
    return TrainingPlan(
        inputs=inputs, estimate=estimate_training(inputs), comparison=compare_gpus(inputs, catalogs)
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ThroughputCurve:
    """Replica throughput and time per output token at sampled batch sizes (1 … the largest that fits)."""

    batch_sizes: tuple[float, ...]
    output_tokens_per_s: tuple[float, ...]
    time_per_output_token_ms: tuple[float, ...]


def throughput_curve(inputs: ServingInputs, max_batch: int, n_points: int = CURVE_POINTS) -> ThroughputCurve:
    """Up to ``n_points`` whole batch sizes spread evenly over ``[1, max_batch]`` and their roofline timings.

    >>> from costmodel.catalog import default_catalogs
    >>> cat = default_catalogs()
    >>> i = ServingInputs(model=cat.find("open_models", "llama-3.1-8b"), gpu=cat.find("gpus", "l40s-48gb"),
    ...                   input_tokens=300.0, output_tokens=300.0)
    >>> throughput_curve(i, 4).batch_sizes
    (1.0, 2.0, 3.0, 4.0)
    """
    batches = np.unique(np.linspace(1, max_batch, num=min(max_batch, n_points)).round())
    timings = request_timings(inputs, batches)
    return ThroughputCurve(
        batch_sizes=tuple(batches.tolist()),
        output_tokens_per_s=tuple(timings["output_tokens_per_s"].tolist()),
        time_per_output_token_ms=tuple(timings["time_per_output_token_ms"].tolist()),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ServingPlan:
    """One replica's estimate, its throughput curve, and what a monthly demand needs and costs.

    ``dedicated_usd_per_month`` is None without an offer; ``serverless_usd_per_month`` is None unless
    the offer bills busy seconds only (scale to zero).
    """

    estimate: ServingEstimate
    curve: ThroughputCurve
    requests_per_month: float
    peak_to_mean_ratio: float
    replicas: int
    dedicated_usd_per_month: float | None
    serverless_usd_per_month: float | None


def plan_serving(
    inputs: ServingInputs, *, requests_per_month: float, peak_to_mean_ratio: float
) -> ServingPlan:
    """Estimate one replica and serve ``requests_per_month`` with it.

    Replicas: ``max(1, ceil(peak req/s ÷ replica req/s))``; dedicated: whole instances for
    ``replicas · n_gpus`` GPUs, all 730 hours billed; serverless: busy GPU-seconds per request times
    the requests (:mod:`costmodel.gpu.serving_cost`).

    >>> from costmodel.catalog import default_catalogs
    >>> cat = default_catalogs()
    >>> i = ServingInputs(model=cat.find("open_models", "llama-3.1-8b"), gpu=cat.find("gpus", "l40s-48gb"),
    ...                   input_tokens=300.0, output_tokens=300.0, offer=cat.find("gpu_offers", "aws/l40s-48gb"))
    >>> plan = plan_serving(i, requests_per_month=200_000, peak_to_mean_ratio=3.0)
    >>> plan.replicas, round(plan.dedicated_usd_per_month / i.offer.on_demand_usd_per_gpu_hour)
    (1, 730)
    """
    est = estimate_serving(inputs)
    demand = np.array([requests_per_month], dtype=np.float64)
    replicas = int(
        replicas_for_demand(
            demand, peak_to_mean_ratio=peak_to_mean_ratio, requests_per_s_per_replica=est.requests_per_s
        )[0]
    )
    dedicated = serverless = None
    if inputs.offer is not None:
        dedicated = float(
            dedicated_monthly_usd(
                np.array([replicas]),
                n_gpus_per_replica=inputs.n_gpus,
                offer=inputs.offer,
                use_spot=inputs.use_spot,
            )[0]
        )
        if inputs.offer.serverless:
            serverless = float(serverless_usd_per_request(inputs, demand)[0]) * requests_per_month
    return ServingPlan(
        estimate=est,
        curve=throughput_curve(inputs, est.max_batch_size),
        requests_per_month=requests_per_month,
        peak_to_mean_ratio=peak_to_mean_ratio,
        replicas=replicas,
        dedicated_usd_per_month=dedicated,
        serverless_usd_per_month=serverless,
    )


def first_selfhosted_strategy(scenario: Scenario) -> FinetuneSelfhostedStrategy | None:
    """The scenario's first self-hosted fine-tuning strategy (to prefill a plan), or None."""
    return next((s for s in scenario.strategies if isinstance(s, FinetuneSelfhostedStrategy)), None)


def request_input_tokens(workload: Workload, strategy: FinetuneSelfhostedStrategy | None) -> float:
    """Prompt tokens a replica prefills per request: the workload's input plus the strategy's system prompt.

    Same sum as the ``finetune_selfhosted`` strategy sizes its replicas with.
    """
    return workload.input_tokens_per_request + (strategy.system_prompt_tokens if strategy else 0.0)


def gpu_rows(catalogs: Catalogs) -> list[dict[str, Any]]:
    """One row per GPU spec with its cheapest on-demand offer (the ``breakeven gpus`` listing; JSON keys)."""
    specs: list[GpuSpec] = catalogs.all("gpus")
    rows = []
    for spec in specs:
        offer = cheapest_offer(catalogs, spec.id)
        rows.append(
            {
                "id": spec.id,
                "name": spec.name,
                "architecture": spec.architecture,
                "memory_gb": spec.memory_gb,
                "memory_bandwidth_gb_per_s": spec.memory_bandwidth_gb_per_s,
                "bf16_dense_tflops": spec.bf16_dense_tflops,
                "fp8_dense_tflops": spec.fp8_dense_tflops,
                "int8_dense_tops": spec.int8_dense_tops,
                "interconnect": spec.interconnect,
                "cheapest_offer": offer.id if offer else None,
                "cheapest_usd_per_gpu_hour": offer.on_demand_usd_per_gpu_hour if offer else None,
                "as_of": spec.as_of.isoformat(),
                "confidence": spec.confidence,
            }
        )
    return rows


def offer_rows(catalogs: Catalogs) -> list[dict[str, Any]]:
    """One row per GPU rental offer (the ``breakeven gpus --offers`` listing; JSON keys)."""
    offers: list[GpuOffer] = catalogs.all("gpu_offers")
    return [
        {
            "id": offer.id,
            "gpu": offer.gpu,
            "instance": offer.instance,
            "n_gpus": offer.n_gpus,
            "on_demand_usd_per_gpu_hour": offer.on_demand_usd_per_gpu_hour,
            "spot_usd_per_gpu_hour": offer.spot_usd_per_gpu_hour,
            "billing": offer.billing,
            "as_of": offer.as_of.isoformat(),
            "confidence": offer.confidence,
        }
        for offer in offers
    ]
