"""Fine-tuning planner: GPU-hours, cost and memory of a fine-tuning run, which GPUs fit, and serving.

Widgets, two model calls (:func:`costmodel.gpu.planning.plan_training` and ``plan_serving``) and
figures; prices come from the session's catalogs, so Prices-page overrides and uploads apply here.
"""

from __future__ import annotations

from typing import NoReturn

import pandas as pd
import streamlit as st

from costmodel.catalog.hardware import GpuOffer, GpuSpec, OpenModel, get_gpu_or_offer
from costmodel.core.errors import InputError
from costmodel.gpu.memory import TRANSIENT_RESERVE_FACTOR
from costmodel.gpu.planning import (
    GpuFit,
    ServingPlan,
    TrainingPlan,
    dataset_tokens,
    first_selfhosted_strategy,
    padding_waste_fraction,
    plan_serving,
    plan_training,
    request_input_tokens,
)
from costmodel.gpu.roofline import DEFAULT_INFERENCE_MFU, DEFAULT_MBU, PRECISIONS
from costmodel.gpu.serving import ServingInputs
from costmodel.gpu.training import TrainingInputs
from costmodel.gpu.training_flops import FRAMEWORKS, LORA_TARGETS, METHODS
from costmodel.scenario.types import Scenario
from ui import messages, session, session_catalogs, words
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
    "prices (your Prices-page overrides and uploaded catalogs included). They tend to run optimistic for real "
    'clusters; see the README section "How the GPU estimates work and how far to trust them".'
)

catalogs = session_catalogs.current_catalogs()
models: list[OpenModel] = catalogs.all("open_models")
gpus: list[GpuSpec] = catalogs.all("gpus")
offers: list[GpuOffer] = catalogs.all("gpu_offers")
gpu_choices = [o.id for o in offers] + [g.id for g in gpus]


def _scenario() -> Scenario | None:
    """The shared scenario, to prefill the inputs (None when it cannot be loaded)."""
    try:
        return session.get_scenario()
    except (InputError, OSError):
        return None


scenario = _scenario()
strategy = first_selfhosted_strategy(scenario) if scenario else None
workload = scenario.workload if scenario else None


def _index(options: list[str], value: object, fallback: str) -> int:
    for candidate in (value, fallback):
        if candidate in options:
            return options.index(str(candidate))
    return 0


def _stop_on(exc: InputError) -> NoReturn:
    messages.show_error(str(exc))
    st.stop()


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
        lora_targets = st.selectbox("LoRA targets", LORA_TARGETS, index=LORA_TARGETS.index("all_linear"))
        checkpointing = st.checkbox("Gradient checkpointing", value=True)
        flash = st.checkbox("FlashAttention-2", value=False)
    with k3:
        framework = st.selectbox("Framework", FRAMEWORKS)
        mfu_override = st.number_input(
            "MFU override (0 = use defaults)", min_value=0.0, max_value=1.0, value=0.0
        )
        measured = st.number_input("Measured tokens/s per GPU (0 = none)", min_value=0.0, value=0.0)
        overhead = st.number_input("Wall-clock overhead factor", min_value=1.0, value=1.15)
        spot = st.checkbox("Spot price", value=False)

with st.expander("Memory assumptions: sharding, paged optimizer, allocator reserve"):
    a1, a2, a3 = st.columns(3)
    with a1:
        zero_stage = int(
            st.selectbox(
                "ZeRO / FSDP stage",
                (3, 2, 1, 0),
                format_func=lambda k: {
                    3: "3: weights, gradients, optimizer sharded (FSDP full shard)",
                    2: "2: gradients and optimizer sharded",
                    1: "1: optimizer sharded",
                    0: "0: DDP, nothing sharded",
                }[k],
            )
        )
    with a2:
        paged = st.selectbox(
            "Paged optimizer (state can move to CPU RAM)",
            ("default: on for QLoRA", "on", "off"),
        )
    with a3:
        reserve = st.number_input(
            "Allocator reserve on activations (x)",
            min_value=1.0,
            max_value=4.0,
            value=TRANSIENT_RESERVE_FACTOR,
            help="PyTorch's caching allocator holds more than the live activations (1.75: PEFT's measured FSDP runs).",
        )


def _training_plan() -> TrainingPlan:
    gpu, offer = get_gpu_or_offer(catalogs, gpu_ref, file=FILE, field="GPU")
    inputs = TrainingInputs(
        model=catalogs.get("open_models", model_id, file=FILE, field="base model"),
        method=method,
        gpu=gpu,
        n_gpus=n_gpus,
        dataset_tokens=dataset_tokens(n_examples, tokens_per_example),
        epochs=float(epochs),
        seq_len_tokens=seq_len,
        micro_batch_size=micro_batch,
        padding_waste_fraction=padding_waste_fraction(tokens_per_example, seq_len, packing=packing),
        lora_rank=lora_rank,
        lora_targets=lora_targets,
        gradient_checkpointing=checkpointing,
        flash_attention=flash,
        framework=framework,
        mfu_fraction=mfu_override or None,
        overhead_factor=float(overhead),
        offer=offer,
        use_spot=spot,
        zero_stage=zero_stage,
        paged_optimizer={"on": True, "off": False}.get(paged),
        allocator_reserve_factor=float(reserve),
    )
    return plan_training(inputs, catalogs, measured_tokens_per_s_per_gpu=measured or None)


try:
    plan = _training_plan()
except InputError as exc:
    _stop_on(exc)
est, train_gpu = plan.estimate, plan.inputs.gpu

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
st.caption("Memory assumes: " + "; ".join(est.memory_assumptions) + ".")
if est.memory.offloadable_gb > 0:
    st.caption(f"Plus {est.memory.offloadable_gb:,.1f} GB of paged optimizer state that can move to CPU RAM.")

st.plotly_chart(
    memory_bar_figure(
        [MemoryBar(label=f"{n_gpus} x {train_gpu.id}", memory=est.memory, capacity_gb=train_gpu.memory_gb)],
        title=f"Memory per GPU — {model_id} {method}",
    )
)


def _table_row(f: GpuFit) -> dict[str, object]:
    """One row of the "which GPUs fit" table (values rounded for display)."""
    if f.estimate is None:
        return {"GPU": f.gpu.id, "GPUs needed": None, "note": f.problem}
    e = f.estimate
    return {
        "GPU": f.gpu.id,
        "GPUs needed": f.min_gpus_to_fit,
        "memory per GPU (GB)": round(e.memory_gb_per_gpu, 1),
        "wall-clock (h)": round(e.wall_clock_hours, 2),
        "GPU-hours": round(e.gpu_hours, 2),
        "cheapest offer": f.offer.id if f.offer else None,
        "cost (USD)": None if e.usd is None else round(e.usd, 2),
        "as of": f.as_of.isoformat(),
    }


st.subheader("Which GPUs fit")
frame = pd.DataFrame([_table_row(f) for f in plan.comparison])
st.dataframe(words.fill_missing(words.text_where_missing(frame)[0]), hide_index=True)  # "—", never "None"
st.download_button(
    "Download table (CSV)", frame.to_csv(index=False), file_name="gpu-comparison.csv", mime="text/csv"
)
st.plotly_chart(
    gpu_comparison_figure(
        [
            GpuComparisonRow(
                label=f"{f.n_gpus} x {f.gpu.id}",
                wall_clock_hours=f.estimate.wall_clock_hours,
                gpu_hours=f.estimate.gpu_hours,
                usd=f.estimate.usd,
                fits=f.estimate.fits,
            )
            for f in plan.comparison
            if f.estimate is not None
        ],
        title=f"{model_id} {method} on the smallest GPU count that fits",
    )
)
st.plotly_chart(
    memory_bar_figure(
        [
            MemoryBar(label=f"{f.n_gpus} x {f.gpu.id}", memory=f.estimate.memory, capacity_gb=f.gpu.memory_gb)
            for f in plan.comparison
            if f.estimate is not None
        ],
        title="Memory per GPU at the smallest count that fits",
    )
)

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
    input_tokens = st.number_input(
        "Input tokens per request",
        min_value=1.0,
        value=float(request_input_tokens(workload, strategy)) if workload else 300.0,
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


def _serving_plan() -> ServingPlan:
    gpu, offer = get_gpu_or_offer(catalogs, serve_ref, file=FILE, field="serving GPU")
    inputs = ServingInputs(
        model=plan.inputs.model,
        gpu=gpu,
        n_gpus=tp,
        precision=precision,
        batch_size=batch,
        input_tokens=float(input_tokens),
        output_tokens=float(output_tokens),
        mfu_fraction=float(serve_mfu),
        mbu_fraction=float(serve_mbu),
        offer=offer,
    )
    return plan_serving(inputs, requests_per_month=float(requests), peak_to_mean_ratio=float(peak))


try:
    served = _serving_plan()
except InputError as exc:
    _stop_on(exc)
serve, serve_gpu = served.estimate, served.estimate.inputs.gpu

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
st.plotly_chart(
    serving_curve_figure(
        served.curve.batch_sizes,
        served.curve.output_tokens_per_s,
        served.curve.time_per_output_token_ms,
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
if served.dedicated_usd_per_month is not None:
    st.write(
        f"**{requests:,.0f} requests/month** at peak ×{peak:g}: **{served.replicas} replica(s)** of {tp} GPU(s); "
        f"dedicated (every hour billed): **${served.dedicated_usd_per_month:,.0f}/month**."
    )
if served.serverless_usd_per_month is not None:
    st.write(
        f"Serverless (busy seconds only): **${served.serverless_usd_per_month:,.0f}/month** "
        "(cold starts not modelled)."
    )
