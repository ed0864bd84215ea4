"""Plotly figure for the Tokens page: distribution of tokens per sample, one trace per model."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from costmodel.token_stats import ModelTokenStats
from ui.figures import FIGURE_HEIGHT_PX, PALETTE

DIRECTIONS = ("input", "output")
N_BINS = 40
"""Histogram bins across the range of all models' counts."""


def trace_name(stats: ModelTokenStats) -> str:
    """Legend name: the model and whether its counts are exact or estimated."""
    return f"{stats.model} ({'exact' if stats.exact else 'estimated'})"


def token_histogram_figure(
    models: Sequence[ModelTokenStats], *, direction: str = "input", context_window_tokens: int | None = None
) -> go.Figure:
    """Histogram of tokens per sample for each model (overlaid), with the context window when given.

    Bins are shared by all models (equal width over the range of every model's counts), so the bars
    compare directly; estimated models are drawn hatched.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction: expected one of {', '.join(DIRECTIONS)}, got {direction!r}")
    if not models:
        raise ValueError("models: at least one model's statistics are needed")
    arrays = [m.input_per_sample if direction == "input" else m.output_per_sample for m in models]
    top = max(float(np.max(a)) for a in arrays if len(a)) if any(len(a) for a in arrays) else 0.0
    size = max(1.0, np.ceil(top / N_BINS)) if top > 0 else 1.0
    fig = go.Figure()
    for i, (stats, values) in enumerate(zip(models, arrays, strict=True)):
        fig.add_trace(
            go.Histogram(
                x=values,
                name=trace_name(stats),
                xbins={"start": 0, "end": top + size, "size": size},
                marker={
                    "color": PALETTE[i % len(PALETTE)],
                    "pattern": {"shape": "" if stats.exact else "/"},
                },
                opacity=0.6,
                hovertemplate="%{x} tokens: %{y} samples<extra>%{fullData.name}</extra>",
            )
        )
    if context_window_tokens is not None:
        fig.add_vline(
            x=context_window_tokens,
            line={"dash": "dash", "color": "#64748b"},
            annotation_text=f"context window {context_window_tokens:,} tokens",
            annotation_position="top left",
        )
    n = models[0].n_samples
    fig.update_layout(
        title=f"{direction.capitalize()} tokens per sample ({n:,} samples)",
        xaxis_title=f"{direction} tokens per sample (tokens)",
        yaxis_title="samples (count)",
        barmode="overlay",
        height=FIGURE_HEIGHT_PX,
        legend_title_text="model",
    )
    return fig
