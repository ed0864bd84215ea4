"""The ``finetune_selfhosted`` strategy: train an open model on rented GPUs, serve it on your own replicas.

One-off: setup hours, labelling of the initial examples, the initial training run. Monthly:
maintenance hours, and in retrain months (k, 2k, ...) labelling of the new examples plus a training
run on every example collected so far. Serving is a function of the request array: dedicated replicas
(``ceil(peak req/s ÷ replica capacity)``, every hour of whole instances billed) or serverless busy
GPU-seconds. Training goes to the ``training`` category and serving GPUs to ``gpu``, which is where the
simulator's GPU-price and MFU factors apply (:mod:`costmodel.scenario.uncertain`).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import cast

import numpy as np
from numpy.typing import NDArray

from costmodel.catalog.hardware import GpuOffer, GpuSpec, OpenModel, get_model, get_offer
from costmodel.core.errors import InputError
from costmodel.core.units import HOURS_PER_MONTH
from costmodel.formulas import costs as f
from costmodel.formulas.latency import LatencyEstimate
from costmodel.gpu.batch import operating_latency_ms, replica_arrays, training_usd
from costmodel.gpu.offers import billed_gpus
from costmodel.gpu.serving import (
    ServingEstimate,
    ServingInputs,
    choose_batch,
    estimate_serving,
    min_gpus_to_serve,
    operating_batch,
    request_timings,
)
from costmodel.gpu.serving_cost import (
    dedicated_monthly_usd,
    peak_requests_per_s,
    replicas_for_demand,
    serverless_usd_per_request,
)
from costmodel.gpu.training import TrainingEstimate, TrainingInputs, estimate_training, min_gpus_to_fit
from costmodel.scenario.types import FinetuneSelfhostedStrategy, Strategy
from costmodel.strategies.common import (
    Array,
    Context,
    NonLinear,
    PreparedStrategy,
    effective_output_tokens,
    field_path,
    labeling_usd_per_example,
    people_costs,
    training_schedule_usd,
)

DEFAULT_SEQ_LEN_TOKENS = 2048
"""Packed training sequence length unless an example is longer (then the example length, up to the
model's context). Assumption: the common SFT setting (TRL/axolotl examples use 2,048)."""


ARRAY_FIELDS = ("tokens_per_example", "n_training_examples", "n_epochs", "n_new_examples_per_retrain")
"""Training fields the simulator may set to arrays of draws (people and labelling fields are linear)."""
SERVING_ARRAY_FIELDS = ("system_prompt_tokens", "output_tokens_per_request")


def _error(ctx: Context, s: Strategy, name: str, message: str) -> InputError:
    p, ln = field_path(ctx, s, name)
    return InputError.single(ctx.scenario.source, p, message, ln)


def _resolve(
    s: FinetuneSelfhostedStrategy, ctx: Context
) -> tuple[OpenModel, GpuSpec, GpuOffer, GpuSpec, GpuOffer]:
    file = ctx.scenario.source
    p, ln = field_path(ctx, s, "base_model")
    if isinstance(s.base_model, OpenModel):
        model = s.base_model
    else:
        model = get_model(ctx.catalogs, s.base_model, file=file, field=p, line=ln)
    train_gpu, train_offer = _offer(s, ctx, "train_gpu_offer", s.train_gpu_offer)
    serve_gpu, serve_offer = _offer(s, ctx, "serve_gpu_offer", s.serve_gpu_offer)
    return model, train_gpu, train_offer, serve_gpu, serve_offer


def _offer(
    s: FinetuneSelfhostedStrategy, ctx: Context, name: str, ref: str | GpuOffer
) -> tuple[GpuSpec, GpuOffer]:
    """A GPU offer from the catalog, or given inline (its ``gpu`` still names a ``gpus`` id)."""
    p, ln = field_path(ctx, s, name)
    if isinstance(ref, GpuOffer):
        gpu: GpuSpec = ctx.catalogs.get("gpus", ref.gpu, file=ctx.scenario.source, field=f"{p}.gpu", line=ln)
        return gpu, ref
    return get_offer(ctx.catalogs, ref, file=ctx.scenario.source, field=p, line=ln)


def training_runs(
    s: FinetuneSelfhostedStrategy, ctx: Context, model: OpenModel, gpu: GpuSpec, offer: GpuOffer
) -> tuple[TrainingEstimate, float, Array]:
    """(initial run, its cost, cost of the retrain in each month) at the training offer.

    Each run uses the smallest whole number of the offer's instances whose GPUs hold the model
    (a p5.48xlarge brings 8 GPUs: using all 8 costs the same GPU-hours and finishes 8x sooner).
    """
    if s.tokens_per_example > model.context_tokens:
        raise _error(
            ctx,
            s,
            "tokens_per_example",
            f"{s.tokens_per_example:,.0f} tokens exceed the context of {model.id}",
        )
    seq = min(model.context_tokens, max(DEFAULT_SEQ_LEN_TOKENS, math.ceil(s.tokens_per_example)))
    base = TrainingInputs(
        model=model,
        method=s.method,
        gpu=gpu,
        dataset_tokens=s.n_training_examples * s.tokens_per_example,
        epochs=s.n_epochs,
        seq_len_tokens=seq,
        offer=offer,
    )
    fit = min_gpus_to_fit(base)
    if fit is None:
        raise _error(
            ctx,
            s,
            "train_gpu_offer",
            f"{model.id} ({s.method}) does not fit on any number of {gpu.id}: the activations of one "
            f"{seq:,}-token sequence exceed its memory",
        )
    n_gpus = billed_gpus(fit, offer)

    def run(examples: float) -> TrainingEstimate:
        return estimate_training(replace(base, n_gpus=n_gpus, dataset_tokens=examples * s.tokens_per_example))

    def usd(est: TrainingEstimate) -> float:
        return 0.0 if est.usd is None else est.usd

    initial = run(s.n_training_examples)
    j = f.retrain_schedule(ctx.scenario.horizon_months, s.retrain_every_months)
    monthly = np.array(
        [
            usd(run(s.n_training_examples + k * s.n_new_examples_per_retrain)) if k > 0 else 0.0
            for k in j.tolist()
        ]
    )
    return initial, usd(initial), monthly


def serving_replica(
    s: FinetuneSelfhostedStrategy, ctx: Context, model: OpenModel, gpu: GpuSpec, offer: GpuOffer
) -> tuple[ServingInputs, ServingEstimate, list[str]]:
    """One serving replica: fewest tensor-parallel GPUs that hold the model, batch from the latency budget."""
    w = ctx.scenario.workload
    notes: list[str] = []
    try:
        probe = ServingInputs(
            model=model,
            gpu=gpu,
            input_tokens=s.system_prompt_tokens + w.input_tokens_per_request,
            output_tokens=effective_output_tokens(s, ctx),
            precision=s.precision,
            offer=offer,
        )
    except InputError as exc:
        raise _error(ctx, s, "base_model", exc.problems[0].message) from None
    tp = min_gpus_to_serve(probe)
    if tp is None:
        raise _error(
            ctx,
            s,
            "serve_gpu_offer",
            f"{model.id} in {s.precision} plus one request's KV cache does not fit on 8 x {gpu.id}",
        )
    budget = ctx.scenario.needs.latency_budget_ms if ctx.scenario.needs is not None else None
    inputs = replace(probe, n_gpus=tp, latency_budget_ms=budget)
    try:
        choose_batch(inputs)
    except InputError as exc:
        notes.append(
            f"latency budget not met ({exc.problems[0].message}); capacity sized at the largest batch"
        )
        inputs = replace(inputs, latency_budget_ms=None)
    return inputs, estimate_serving(inputs), notes


def prepare_finetune_selfhosted(s: Strategy, ctx: Context) -> PreparedStrategy:
    """Self-hosted fine-tuning: labelling, training runs at the train offer, serving replicas month by month."""
    if not isinstance(s, FinetuneSelfhostedStrategy):
        raise TypeError(f"not a finetune_selfhosted strategy: {s.kind}")
    w = ctx.scenario.workload
    model, train_gpu, train_offer, serve_gpu, serve_offer = _resolve(s, ctx)
    if _drawn(s, ctx):
        return _prepare_draws(s, ctx, model, (train_gpu, train_offer), (serve_gpu, serve_offer))
    initial, initial_train, monthly_train = training_runs(s, ctx, model, train_gpu, train_offer)
    usd_per_example, label_notes = labeling_usd_per_example(s, s, ctx)
    initial_label, _, monthly_label, _ = training_schedule_usd(
        s, ctx, usd_per_example=usd_per_example, usd_per_training_token=0.0
    )
    inputs, est, notes = serving_replica(s, ctx, model, serve_gpu, serve_offer)
    capacity = est.requests_per_s
    peak = w.peak_to_mean_ratio
    tp = inputs.n_gpus
    floor = s.min_replicas
    nonlinear: NonLinear
    if s.serving == "dedicated":

        def replicas(requests: Array) -> NDArray[np.int64]:
            return replicas_for_demand(
                requests, peak_to_mean_ratio=peak, requests_per_s_per_replica=capacity, min_replicas=floor
            )

        def dedicated(requests: Array) -> dict[str, Array]:
            return {
                "gpu": dedicated_monthly_usd(replicas(requests), n_gpus_per_replica=tp, offer=serve_offer)
            }

        nonlinear = dedicated
        notes.append(f"dedicated replicas bill all {HOURS_PER_MONTH:g} hours a month, busy or idle")
        if floor > 1:
            notes.append(f"at least {floor} replicas always on (min_replicas)")
    else:
        batch = est.batch_size

        def serverless(requests: Array) -> dict[str, Array]:
            arr = np.asarray(requests, dtype=np.float64)
            return {"gpu": arr * serverless_usd_per_request(inputs, arr, max_batch=batch)}

        nonlinear = serverless
        notes.append("serverless: busy GPU-seconds billed, cold starts not modelled")
        if not serve_offer.serverless:
            notes.append(
                f"{serve_offer.id} is not a scale-to-zero offer: priced as if billed per busy second"
            )
        if floor > 1:
            notes.append("min_replicas does not apply to serverless serving (it scales to zero)")
    month1 = np.array([w.requests_per_month])
    month1_gpu = float(nonlinear(month1)["gpu"][0])
    peak_rps = float(peak_requests_per_s(month1, peak)[0])
    if s.serving == "dedicated":
        peak_rps /= float(replicas(month1)[0])
    busy = operating_batch(inputs, peak_rps, est.batch_size)
    t = {k: float(v[0]) for k, v in request_timings(inputs, np.array([float(busy)])).items()}
    setup, maintenance = people_costs(s, ctx)
    notes.insert(
        0,
        f"trained on {initial.inputs.n_gpus} x {train_gpu.id} ({train_offer.id}), "
        f"{initial.wall_clock_hours:,.2f} h for the first run; served in {s.precision} on {tp} x "
        f"{serve_gpu.id} per replica at up to {capacity:,.2f} requests/s (batch {est.batch_size})",
    )
    latency = LatencyEstimate(
        time_to_first_token_ms=t["ttft_ms"],
        end_to_end_ms=t["end_to_end_ms"],
        stages_ms={"prefill": t["ttft_ms"], "generation": t["end_to_end_ms"] - t["ttft_ms"]},
        profile_id=f"roofline:{model.id}@{tp}x{serve_gpu.id}",
        assumption=True,
        notes=(
            f"self-hosted latency from the roofline at month-1 peak load ({busy} concurrent requests per "
            "replica, no queueing)",
        ),
    )
    return PreparedStrategy(
        id=s.id,
        kind=s.kind,
        one_off_usd={"people": setup, "labeling": initial_label, "training": initial_train},
        fixed_monthly_usd={"people": maintenance, "labeling": monthly_label, "training": monthly_train},
        per_request_usd={},
        nonlinear=nonlinear,
        variable_usd_per_request=month1_gpu / w.requests_per_month if w.requests_per_month > 0 else 0.0,
        latency=latency,
        accuracy_fraction=s.accuracy_fraction,
        prices_as_of=min(train_offer.as_of, serve_offer.as_of),
        notes=(*notes, *label_notes, *latency.notes),
        details={
            "input_tokens_per_request": inputs.input_tokens,
            "output_tokens_per_request": inputs.output_tokens,
            "initial_training_tokens": s.n_training_examples * s.tokens_per_example * s.n_epochs,
            "initial_training_gpu_hours": initial.gpu_hours,
            "training_gpus": float(initial.inputs.n_gpus),
            "serving_gpus_per_replica": float(tp),
            "replica_requests_per_s": capacity,
            "replica_batch_size": float(est.batch_size),
            "month_1_peak_concurrency_per_replica": float(busy),
        },
    )


def _drawn(s: FinetuneSelfhostedStrategy, ctx: Context) -> bool:
    """True when the simulator set any input of the training or serving estimate to an array of draws."""
    w, needs = ctx.scenario.workload, ctx.scenario.needs
    values = [getattr(s, name) for name in (*ARRAY_FIELDS, *SERVING_ARRAY_FIELDS)]
    values += [w.input_tokens_per_request, w.output_tokens_per_request, w.peak_to_mean_ratio]
    values += [needs.latency_budget_ms if needs is not None else None]
    return any(isinstance(v, np.ndarray) for v in values)


def _prepare_draws(
    s: FinetuneSelfhostedStrategy,
    ctx: Context,
    model: OpenModel,
    train: tuple[GpuSpec, GpuOffer],
    serve: tuple[GpuSpec, GpuOffer],
) -> PreparedStrategy:
    """The preparer for arrays of draws (shape (n, 1)): the same costs as the scalar path, per draw.

    Training cost via :func:`costmodel.gpu.batch.training_usd`, replica capacity via
    :func:`costmodel.gpu.batch.replica_arrays`; serverless serving with drawn token counts, a drawn
    retrain cadence or a tensor-parallel size that differs between draws raise, and the simulator
    prepares draw by draw instead.
    """
    w = ctx.scenario.workload
    (train_gpu, train_offer), (serve_gpu, serve_offer) = train, serve
    if np.ndim(s.retrain_every_months) > 0 or s.serving != "dedicated":
        raise TypeError("only dedicated serving with a fixed retrain cadence is prepared from arrays")
    tpe = np.asarray(s.tokens_per_example, dtype=np.float64)
    seq = np.minimum(model.context_tokens, np.maximum(DEFAULT_SEQ_LEN_TOKENS, np.ceil(tpe)))
    if np.any(tpe > model.context_tokens):
        raise ValueError("tokens_per_example exceeds the model context in some draws")
    base = TrainingInputs(
        model=model,
        method=s.method,
        gpu=train_gpu,
        dataset_tokens=1.0,
        seq_len_tokens=2048,
        offer=train_offer,
    )
    j = f.retrain_schedule(ctx.scenario.horizon_months, s.retrain_every_months).astype(np.float64)
    examples = s.n_training_examples + j * s.n_new_examples_per_retrain

    def run_usd(n_examples: Array) -> Array:
        return training_usd(base, dataset_tokens=n_examples * tpe, seq_len_tokens=seq, epochs=s.n_epochs)

    initial_train = run_usd(np.asarray(s.n_training_examples, dtype=np.float64))
    monthly_train = np.where(j > 0, run_usd(examples), 0.0)
    usd_per_example, label_notes = labeling_usd_per_example(s, s, ctx)
    initial_label, _, monthly_label, _ = training_schedule_usd(
        s, ctx, usd_per_example=usd_per_example, usd_per_training_token=0.0
    )
    x_in = np.asarray(s.system_prompt_tokens + w.input_tokens_per_request, dtype=np.float64)
    x_out = np.asarray(effective_output_tokens(s, ctx), dtype=np.float64)
    probe = ServingInputs(
        model=model,
        gpu=serve_gpu,
        input_tokens=1.0,
        output_tokens=1.0,
        precision=s.precision,
        offer=serve_offer,
    )
    budget = ctx.scenario.needs.latency_budget_ms if ctx.scenario.needs is not None else None
    rep = replica_arrays(probe, input_tokens=x_in, output_tokens=x_out, latency_budget_ms=budget)
    capacity, tp, peak, floor = rep.requests_per_s, rep.n_gpus, w.peak_to_mean_ratio, s.min_replicas

    def replicas(requests: Array) -> NDArray[np.int64]:
        return replicas_for_demand(
            requests, peak_to_mean_ratio=peak, requests_per_s_per_replica=capacity, min_replicas=floor
        )

    def dedicated(requests: Array) -> dict[str, Array]:
        return {"gpu": dedicated_monthly_usd(replicas(requests), n_gpus_per_replica=tp, offer=serve_offer)}

    month1 = np.full((1, 1), w.requests_per_month)
    arrival = peak_requests_per_s(month1, peak) / replicas(month1)
    serving = replace(probe, n_gpus=tp)
    _, ttft, e2e = operating_latency_ms(
        serving, arrival_per_s=arrival, max_batch=rep.batch_size, input_tokens=x_in, output_tokens=x_out
    )
    setup, maintenance = people_costs(s, ctx)
    notes = [
        f"trained on {train_gpu.id} ({train_offer.id}); served in {s.precision} on {tp} x {serve_gpu.id} per "
        "replica; training and serving estimated for each simulation draw",
        f"dedicated replicas bill all {HOURS_PER_MONTH:g} hours a month, busy or idle",
    ]
    if np.any(rep.budget_missed):
        notes.append(
            f"latency budget not met in {np.mean(rep.budget_missed):.0%} of draws; sized at the largest batch"
        )
    latency = LatencyEstimate(
        time_to_first_token_ms=cast(float, ttft),
        end_to_end_ms=cast(float, e2e),
        stages_ms={"prefill": cast(float, ttft), "generation": cast(float, e2e - ttft)},
        profile_id=f"roofline:{model.id}@{tp}x{serve_gpu.id}",
        assumption=True,
        notes=("self-hosted latency from the roofline at month-1 peak load, per draw",),
    )
    return PreparedStrategy(
        id=s.id,
        kind=s.kind,
        one_off_usd={"people": setup, "labeling": initial_label, "training": cast(float, initial_train)},
        fixed_monthly_usd={"people": maintenance, "labeling": monthly_label, "training": monthly_train},
        per_request_usd={},
        nonlinear=dedicated,
        latency=latency,
        accuracy_fraction=s.accuracy_fraction,
        prices_as_of=min(train_offer.as_of, serve_offer.as_of),
        notes=(*notes, *label_notes),
        details={"serving_gpus_per_replica": float(tp)},
    )
