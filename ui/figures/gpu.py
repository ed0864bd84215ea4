"""Plotly figures for the fine-tuning planner: memory per GPU, GPU comparison, serving throughput vs batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from costmodel.gpu.memory import MemoryBreakdown

MEMORY_COMPONENTS = (
    ("weights_gb", "weights"),
    ("optimizer_gb", "optimizer state & gradients"),
    ("activations_gb", "activations"),
    ("kv_cache_gb", "KV cache"),
    ("overhead_gb", "fragmentation & runtime"),
)
"""(MemoryBreakdown field, legend name) in stacking order."""

FITS_COLOR = "#2a9d8f"
NO_FIT_COLOR = "#b0b0b0"


@dataclass(frozen=True, slots=True, kw_only=True)
class MemoryBar:
    """One stacked bar: a label, its memory per GPU and the GPU's capacity."""

    label: str
    memory: MemoryBreakdown
    capacity_gb: float


@dataclass(frozen=True, slots=True, kw_only=True)
class GpuComparisonRow:
    """One GPU in the comparison chart (``usd`` None when no offer prices it)."""

    label: str
    wall_clock_hours: float
    gpu_hours: float
    usd: float | None
    fits: bool


def memory_bar_figure(bars: Sequence[MemoryBar], *, title: str) -> go.Figure:
    """Stacked memory per GPU (weights / optimizer / activations / KV / overhead) with each GPU's capacity."""
    fig = go.Figure()
    labels = [b.label for b in bars]
    for attr, name in MEMORY_COMPONENTS:
        values = [getattr(b.memory, attr) for b in bars]
        if not any(values):
            continue
        fig.add_trace(
            go.Bar(
                x=labels,
                y=values,
                name=name,
                hovertemplate="%{x}<br>" + name + ": %{y:,.1f} GB<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=[b.capacity_gb for b in bars],
            mode="markers",
            marker={"symbol": "line-ew", "size": 60, "line": {"width": 3, "color": "#d62828"}},
            name="GPU memory",
            hovertemplate="%{x}<br>GPU memory: %{y:,.0f} GB<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        barmode="stack",
        xaxis_title="configuration",
        yaxis_title="memory per GPU (GB)",
        legend_title="component",
    )
    return fig


def gpu_comparison_figure(rows: Sequence[GpuComparisonRow], *, title: str) -> go.Figure:
    """Wall-clock hours and cost per GPU side by side; GPUs where the run does not fit are grey."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("wall-clock time", "cost at the cheapest offer"))
    labels = [r.label for r in rows]
    colors = [FITS_COLOR if r.fits else NO_FIT_COLOR for r in rows]
    notes = ["fits" if r.fits else "does not fit at this GPU count" for r in rows]
    fig.add_trace(
        go.Bar(
            x=labels,
            y=[r.wall_clock_hours for r in rows],
            marker_color=colors,
            customdata=[[n, r.gpu_hours] for n, r in zip(notes, rows, strict=True)],
            name="wall-clock hours",
            hovertemplate="%{x}: %{y:,.2f} h (%{customdata[1]:,.1f} GPU-hours)<br>%{customdata[0]}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            x=labels,
            y=[r.usd for r in rows],
            marker_color=colors,
            customdata=notes,
            name="cost (USD)",
            hovertemplate="%{x}: $%{y:,.2f}<br>%{customdata}<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.update_xaxes(title_text="GPU", row=1, col=1)
    fig.update_xaxes(title_text="GPU offer", row=1, col=2)
    fig.update_yaxes(title_text="wall-clock (hours)", row=1, col=1)
    fig.update_yaxes(title_text="cost (USD)", tickprefix="$", row=1, col=2)
    fig.update_layout(title=title, showlegend=True, legend_title="quantity")
    return fig


def serving_curve_figure(
    batch_sizes: Sequence[float],
    output_tokens_per_s: Sequence[float],
    time_per_output_token_ms: Sequence[float],
    *,
    chosen_batch: int,
    title: str,
) -> go.Figure:
    """Throughput and time per output token against batch size, with the chosen batch marked."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Scatter(x=list(batch_sizes), y=list(output_tokens_per_s), mode="lines", name="output tokens/s"),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=list(batch_sizes),
            y=list(time_per_output_token_ms),
            mode="lines",
            name="time per output token (ms)",
            line={"dash": "dot"},
        ),
        secondary_y=True,
    )
    fig.add_vline(x=chosen_batch, line_dash="dash", annotation_text=f"batch {chosen_batch}")
    fig.update_layout(title=title, xaxis_title="concurrent requests (batch size)", legend_title="quantity")
    fig.update_yaxes(title_text="output tokens per second (replica)", secondary_y=False)
    fig.update_yaxes(title_text="time per output token (ms)", secondary_y=True)
    return fig
