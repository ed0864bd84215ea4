"""Planner figures: titles, axis titles with units, named traces, capacity markers (no Streamlit)."""

from __future__ import annotations

import numpy as np

from costmodel.catalog.loader import default_catalogs
from costmodel.gpu.memory import MemoryBreakdown
from costmodel.gpu.serving import ServingInputs, estimate_serving, request_timings
from costmodel.gpu.training import TrainingInputs, estimate_training
from ui.figures.gpu import (
    GpuComparisonRow,
    MemoryBar,
    gpu_comparison_figure,
    memory_bar_figure,
    serving_curve_figure,
)

CAT = default_catalogs()


def _training_memory() -> MemoryBreakdown:
    est = estimate_training(
        TrainingInputs(
            model=CAT.find("open_models", "llama-3.1-8b"),
            method="full",
            gpu=CAT.find("gpus", "h100-sxm-80gb"),
            n_gpus=2,
            dataset_tokens=1e6,
        )
    )
    return est.memory


def test_memory_bar_stacks_components_with_capacity() -> None:
    mem = _training_memory()
    fig = memory_bar_figure([MemoryBar(label="2 x h100", memory=mem, capacity_gb=80)], title="Memory per GPU")
    names = [t.name for t in fig.data]
    assert names == [
        "weights",
        "optimizer state & gradients",
        "activations",
        "fragmentation & runtime",
        "GPU memory",
    ]  # no KV cache when training: the empty component is left out
    assert fig.layout.barmode == "stack"
    assert fig.layout.title.text == "Memory per GPU"
    assert fig.layout.yaxis.title.text == "memory per GPU (GB)"
    assert sum(t.y[0] for t in fig.data[:-1]) == mem.total_gb
    assert list(fig.data[-1].y) == [80]


def test_serving_memory_bar_shows_kv_cache() -> None:
    est = estimate_serving(
        ServingInputs(
            model=CAT.find("open_models", "llama-3.1-8b"),
            gpu=CAT.find("gpus", "l40s-48gb"),
            input_tokens=300.0,
            output_tokens=300.0,
        )
    )
    fig = memory_bar_figure(
        [MemoryBar(label="1 x l40s", memory=est.memory, capacity_gb=48)], title="Serving memory per GPU"
    )
    assert [t.name for t in fig.data] == ["weights", "KV cache", "GPU memory"]


def test_gpu_comparison_has_hours_and_cost_with_units() -> None:
    rows = [
        GpuComparisonRow(label="1 x h100", wall_clock_hours=1.5, gpu_hours=1.5, usd=5.7, fits=True),
        GpuComparisonRow(label="1 x l4", wall_clock_hours=9.0, gpu_hours=9.0, usd=None, fits=False),
    ]
    fig = gpu_comparison_figure(rows, title="Which GPU")
    assert [t.name for t in fig.data] == ["wall-clock hours", "cost (USD)"]
    assert fig.layout.title.text == "Which GPU"
    assert fig.layout.yaxis.title.text == "wall-clock (hours)"
    assert fig.layout.yaxis2.title.text == "cost (USD)"
    assert fig.layout.xaxis.title.text == "GPU"
    colors = list(fig.data[0].marker.color)
    assert colors[0] != colors[1]  # the GPU that does not fit is greyed out
    assert list(fig.data[1].y) == [5.7, None]


def test_serving_curve_marks_the_chosen_batch() -> None:
    i = ServingInputs(
        model=CAT.find("open_models", "llama-3.1-8b"),
        gpu=CAT.find("gpus", "h100-sxm-80gb"),
        input_tokens=500.0,
        output_tokens=200.0,
    )
    b = np.arange(1, 65, dtype=np.float64)
    t = request_timings(i, b)
    fig = serving_curve_figure(
        b.tolist(),
        t["output_tokens_per_s"].tolist(),
        t["time_per_output_token_ms"].tolist(),
        chosen_batch=32,
        title="T",
    )
    assert [tr.name for tr in fig.data] == ["output tokens/s", "time per output token (ms)"]
    assert fig.layout.xaxis.title.text == "concurrent requests (batch size)"
    assert fig.layout.yaxis.title.text == "output tokens per second (replica)"
    assert fig.layout.yaxis2.title.text == "time per output token (ms)"
    assert fig.layout.shapes[0].x0 == 32
    assert fig.layout.annotations[0].text == "batch 32"
