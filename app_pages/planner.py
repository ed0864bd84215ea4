"""Fine-tuning planner: GPU-hours, cost and memory of a fine-tuning run, which GPUs fit, and serving."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import streamlit as st

from costmodel.catalog.hardware import GpuOffer, GpuSpec, OpenModel, get_gpu_or_offer, offers_for_gpu
from costmodel.catalog.loader import default_catalogs
from costmodel.core.errors import InputError
from costmodel.gpu.serving import (
    DEFAULT_INFERENCE_MFU,
    DEFAULT_MBU,
    PRECISIONS,
    ServingInputs,
    dedicated_monthly_usd,
    estimate_serving,
    replicas_for_demand,
    request_timings,
    serverless_usd_per_request,
)
from costmodel.gpu.training import METHODS, TrainingEstimate, TrainingInputs, calibrate_mfu, estimate_training
from costmodel.scenario.types import FinetuneSelfhostedStrategy, Scenario
from ui.figures.gpu import (
    GpuComparisonRow,
    MemoryBar,
    gpu_comparison_figure,
    memory_bar_figure,
    serving_curve_figure,
)

FILE = "<planner>"

st.title("Fine-tuning planner")
st.caption(
    "Estimates, not quotes: FLOPs ÷ (peak × MFU) for training and a roofline for serving, with dated catalog "
    "prices. They tend to run optimistic for real clusters; see the README section "
    '"How the GPU estimates work and how far to trust them".'
)

catalogs = default_catalogs()
models: list[OpenModel] = catalogs.all("open_models")
gpus: list[GpuSpec] = catalogs.all("gpus")
offers: list[GpuOffer] = catalogs.all("gpu_offers")
gpu_choices = [o.id for o in offers] + [g.id for g in gpus]


def _scenario_strategy() -> tuple[Scenario | None, FinetuneSelfhostedStrategy | None]:
    """The shared scenario's first self-hosted fine-tuning strategy, to prefill the inputs (None standalone)."""
    try:
        from ui.state import get_scenario

        scenario = get_scenario()
    except (ImportError, InputError, OSError):
        return None, None
    for s in scenario.strategies:
        if isinstance(s, FinetuneSelfhostedStrategy):
            return scenario, s
    return scenario, None


scenario, strategy = _scenario_strategy()


def _index(options: list[str], value: str | None, fallback: str) -> int:
    for candidate in (value, fallback):
        if candidate in options:
            return options.index(candidate)
    return 0


st.header("Training run")
c1, c2, c3 = st.columns(3)
model_ids = [m.id for m in models]
names = {m.id: m.name for m in models}
with c1:
    model_id = st.selectbox(
        "Base model",
        model_ids,
        index=_index(model_ids, strategy.base_model if strategy else None, "llama-3.1-8b"),
        format_func=lambda i: names[i],
    )
    method = st.radio(
        "Method", METHODS, index=METHODS.index(strategy.method) if strategy else 2, horizontal=True
    )
with c2:
    gpu_ref = st.selectbox(
        "GPU or rental offer",
        gpu_choices,
        index=_index(gpu_choices, strategy.train_gpu_offer if strategy else None, "lambda/h100-sxm-80gb"),
    )
    n_gpus = int(st.number_input("GPUs", min_value=1, max_value=1024, value=1, step=1))
with c3:
    n_examples = st.number_input(
        "Training examples",
        min_value=1,
        value=int(strategy.n_training_examples) if strategy else 3000,
        step=100,
    )
    tokens_per_example = st.number_input(
        "Tokens per example", min_value=1.0, value=float(strategy.tokens_per_example) if strategy else 700.0
    )
    epochs = st.number_input("Epochs", min_value=0.1, value=float(strategy.n_epochs) if strategy else 3.0)

with st.expander("Knobs: sequence length, packing, speed-ups, MFU, calibration"):
    k1, k2, k3 = st.columns(3)
    with k1:
        seq_len = int(st.number_input("Sequence length (tokens)", min_value=16, value=2048, step=256))
        micro_batch = int(st.number_input("Micro-batch per GPU", min_value=1, value=1))
        packing = st.checkbox("Pack examples into full sequences", value=True)
    with k2:
        lora_rank = int(st.number_input("LoRA rank", min_value=1, value=16))
        lora_targets = st.selectbox("LoRA targets", ("all_linear", "attention", "attention_qv"))
        checkpointing = st.checkbox("Gradient checkpointing", value=True)
        flash = st.checkbox("FlashAttention-2", value=False)
    with k3:
        framework = st.selectbox("Framework", ("hf", "unsloth"))
        mfu_override = st.number_input(
            "MFU override (0 = use defaults)", min_value=0.0, max_value=1.0, value=0.0
        )
        measured = st.number_input("Measured tokens/s per GPU (0 = none)", min_value=0.0, value=0.0)
        overhead = st.number_input("Wall-clock overhead factor", min_value=1.0, value=1.15)
        spot = st.checkbox("Spot price", value=False)


def _training_inputs(gpu: GpuSpec, offer: GpuOffer | None, n: int) -> TrainingInputs:
    waste = 0.0 if packing else max(0.0, 1.0 - tokens_per_example / seq_len)
    return TrainingInputs(
        model=next(m for m in models if m.id == model_id),
        method=method,
        gpu=gpu,
        n_gpus=n,
        dataset_tokens=float(n_examples) * float(tokens_per_example),
        epochs=float(epochs),
        seq_len_tokens=seq_len,
        micro_batch_size=micro_batch,
        padding_waste_fraction=waste,
        lora_rank=lora_rank,
        lora_targets=lora_targets,
        gradient_checkpointing=checkpointing,
        flash_attention=flash,
        framework=framework,
        mfu_fraction=mfu_override or None,
        overhead_factor=float(overhead),
        offer=offer,
        use_spot=spot,
    )


try:
    train_gpu, train_offer = get_gpu_or_offer(catalogs, gpu_ref, file=FILE, field="GPU")
    inputs = _training_inputs(train_gpu, train_offer, n_gpus)
    if measured > 0:
        inputs = dataclasses.replace(inputs, mfu_fraction=calibrate_mfu(measured, inputs))
    est = estimate_training(inputs)
except InputError as exc:
    st.error(str(exc))
    st.stop()

m1, m2, m3, m4, m5 = st.columns(5)
m1.metric("GPU-hours", f"{est.gpu_hours:,.2f}")
m2.metric("Wall-clock", f"{est.wall_clock_hours:,.2f} h")
m3.metric("Cost", f"${est.usd:,.2f}" if est.usd is not None else "no offer chosen")
m4.metric("MFU used", f"{est.mfu_fraction:.2f}")
m5.metric("Tokens/s per GPU", f"{est.tokens_per_s_per_gpu:,.0f}")
if est.fits:
    st.success(f"Fits: {est.memory_gb_per_gpu:,.1f} GB of {train_gpu.memory_gb:g} GB per GPU.")
elif est.min_gpus_to_fit is not None:
    st.warning(
        f"Does not fit: {est.memory_gb_per_gpu:,.1f} GB needed per GPU, {train_gpu.memory_gb:g} GB available. "
        f"The smallest count of {train_gpu.id} that fits (fully sharded) is {est.min_gpus_to_fit}."
    )
else:
    st.warning("Does not fit on any number of these GPUs: activations alone exceed one GPU's memory.")

st.plotly_chart(
    memory_bar_figure(
        [MemoryBar(label=f"{n_gpus} x {train_gpu.id}", memory=est.memory, capacity_gb=train_gpu.memory_gb)],
        title=f"Memory per GPU — {model_id} {method}",
    )
)


def _compare(gpu: GpuSpec) -> tuple[dict[str, object], GpuComparisonRow, MemoryBar]:
    cheapest = offers_for_gpu(catalogs, gpu.id)
    offer = cheapest[0] if cheapest else None
    base = estimate_training(
        dataclasses.replace(_training_inputs(gpu, None, 1), mfu_fraction=inputs.mfu_fraction)
    )
    n = base.min_gpus_to_fit or 1
    e: TrainingEstimate = estimate_training(
        dataclasses.replace(_training_inputs(gpu, offer, n), mfu_fraction=inputs.mfu_fraction, use_spot=False)
    )
    row = {
        "GPU": gpu.id,
        "GPUs needed": base.min_gpus_to_fit,
        "memory per GPU (GB)": round(e.memory_gb_per_gpu, 1),
        "wall-clock (h)": round(e.wall_clock_hours, 2),
        "GPU-hours": round(e.gpu_hours, 2),
        "cheapest offer": offer.id if offer else None,
        "cost (USD)": None if e.usd is None else round(e.usd, 2),
        "as of": offer.as_of.isoformat() if offer else gpu.as_of.isoformat(),
    }
    label = f"{n} x {gpu.id}"
    chart = GpuComparisonRow(
        label=label, wall_clock_hours=e.wall_clock_hours, gpu_hours=e.gpu_hours, usd=e.usd, fits=e.fits
    )
    return row, chart, MemoryBar(label=label, memory=e.memory, capacity_gb=gpu.memory_gb)


st.subheader("Which GPUs fit")
table, charts, bars = [], [], []
for g in gpus:
    try:
        row, chart, bar = _compare(g)
    except InputError as exc:
        table.append({"GPU": g.id, "GPUs needed": None, "note": str(exc.problems[0].message)})
        continue
    table.append(row)
    charts.append(chart)
    bars.append(bar)
frame = pd.DataFrame(table)
st.dataframe(frame, hide_index=True)
st.download_button(
    "Download table (CSV)", frame.to_csv(index=False), file_name="gpu-comparison.csv", mime="text/csv"
)
st.plotly_chart(
    gpu_comparison_figure(charts, title=f"{model_id} {method} on the smallest GPU count that fits")
)
st.plotly_chart(memory_bar_figure(bars, title="Memory per GPU at the smallest count that fits"))

st.header("Serving the fine-tuned model")
s1, s2, s3 = st.columns(3)
with s1:
    serve_ref = st.selectbox(
        "Serving GPU or offer",
        gpu_choices,
        index=_index(gpu_choices, strategy.serve_gpu_offer if strategy else None, "aws/l40s-48gb"),
    )
    tp = int(st.number_input("GPUs per replica (tensor parallel)", min_value=1, max_value=8, value=1))
    precision = st.selectbox("Precision", PRECISIONS)
with s2:
    workload = scenario.workload if scenario else None
    input_tokens = st.number_input(
        "Input tokens per request",
        min_value=1.0,
        value=float(workload.input_tokens_per_request + (strategy.system_prompt_tokens if strategy else 0))
        if workload
        else 300.0,
    )
    output_tokens = st.number_input(
        "Output tokens per request",
        min_value=1.0,
        value=float(workload.output_tokens_per_request) if workload else 300.0,
    )
    use_max = st.checkbox("Largest batch that fits", value=True)
    batch = None if use_max else int(st.number_input("Batch size", min_value=1, value=16))
with s3:
    requests = st.number_input(
        "Requests per month",
        min_value=0.0,
        value=float(workload.requests_per_month) if workload else 200_000.0,
    )
    peak = st.number_input(
        "Peak-to-mean ratio", min_value=1.0, value=float(workload.peak_to_mean_ratio) if workload else 3.0
    )
    serve_mfu = st.number_input("Inference MFU", min_value=0.01, max_value=1.0, value=DEFAULT_INFERENCE_MFU)
    serve_mbu = st.number_input(
        "Memory-bandwidth utilisation", min_value=0.01, max_value=1.0, value=DEFAULT_MBU
    )

try:
    serve_gpu, serve_offer = get_gpu_or_offer(catalogs, serve_ref, file=FILE, field="serving GPU")
    s_inputs = ServingInputs(
        model=next(m for m in models if m.id == model_id),
        gpu=serve_gpu,
        n_gpus=tp,
        precision=precision,
        batch_size=batch,
        input_tokens=float(input_tokens),
        output_tokens=float(output_tokens),
        mfu_fraction=float(serve_mfu),
        mbu_fraction=float(serve_mbu),
        offer=serve_offer,
    )
    serve = estimate_serving(s_inputs)
except InputError as exc:
    st.error(str(exc))
    st.stop()

n1, n2, n3, n4, n5 = st.columns(5)
n1.metric("Time to first token", f"{serve.ttft_ms:,.0f} ms")
n2.metric("Time per output token", f"{serve.time_per_output_token_ms:,.1f} ms")
n3.metric("Output tokens/s (replica)", f"{serve.output_tokens_per_s:,.0f}")
n4.metric("Requests/s (replica)", f"{serve.requests_per_s:,.2f}")
n5.metric(
    "$ per 1M output tokens",
    f"${serve.usd_per_mtok_output:,.3f}" if serve.usd_per_mtok_output else "no offer",
)
st.caption(
    f"Batch {serve.batch_size} of at most {serve.max_batch_size}; end-to-end {serve.end_to_end_ms:,.0f} ms per "
    f"request; decode is {'compute' if serve.decode_compute_bound else 'memory-bandwidth'}-bound."
)
batches = np.unique(np.linspace(1, serve.max_batch_size, num=min(serve.max_batch_size, 60)).round())
curve = request_timings(s_inputs, batches)
st.plotly_chart(
    serving_curve_figure(
        batches.tolist(),
        curve["output_tokens_per_s"].tolist(),
        curve["time_per_output_token_ms"].tolist(),
        chosen_batch=serve.batch_size,
        title=f"Throughput vs batch — {model_id} {precision} on {tp} x {serve_gpu.id}",
    )
)
st.plotly_chart(
    memory_bar_figure(
        [MemoryBar(label=f"{tp} x {serve_gpu.id}", memory=serve.memory, capacity_gb=serve_gpu.memory_gb)],
        title="Serving memory per GPU (weights + KV cache of the batch)",
    )
)
if serve_offer is not None:
    replicas = int(
        replicas_for_demand(
            np.array([requests]), peak_to_mean_ratio=peak, requests_per_s_per_replica=serve.requests_per_s
        )[0]
    )
    dedicated = float(
        dedicated_monthly_usd(np.array([replicas]), n_gpus_per_replica=tp, offer=serve_offer)[0]
    )
    st.write(
        f"**{requests:,.0f} requests/month** at peak ×{peak:g}: **{replicas} replica(s)** of {tp} GPU(s); "
        f"dedicated (every hour billed): **${dedicated:,.0f}/month**."
    )
    if serve_offer.serverless:
        per_request = float(serverless_usd_per_request(s_inputs, np.array([requests]))[0])
        st.write(
            f"Serverless (busy seconds only): **${per_request * requests:,.0f}/month** (cold starts not modelled)."
        )
