"""Plotly figure for the Tokens page: distribution of tokens per sample, one trace per model."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from costmodel.tokens.stats import ModelTokenStats
from ui.figures.common import FIGURE_HEIGHT_PX, PALETTE

DIRECTIONS = ("input", "output")
N_BINS = 40
"""Histogram bins across the range of all models' counts."""


def trace_name(models: Sequence[ModelTokenStats]) -> str:
    """Legend name of a group of models with identical counts: the models and exact/estimated.

    E.g. ``openai/gpt-4o, openai/gpt-4.1 (exact, o200k_base)`` or ``claude-sonnet-4-5 (estimated)``.
    """
    names = ", ".join(m.model for m in models)
    first = models[0]
    return f"{names} ({'exact, ' + first.choice.encoding if first.exact else 'estimated'})"


def _groups(models: Sequence[ModelTokenStats], direction: str) -> list[list[ModelTokenStats]]:
    """Models whose per-sample counts are identical share a trace (e.g. every exact o200k_base model)."""
    groups: list[list[ModelTokenStats]] = []
    for m in models:
        values = m.input_per_sample if direction == "input" else m.output_per_sample
        for g in groups:
            other = g[0].input_per_sample if direction == "input" else g[0].output_per_sample
            if g[0].exact == m.exact and np.array_equal(values, other):
                g.append(m)
                break
        else:
            groups.append([m])
    return groups


def token_histogram_figure(
    models: Sequence[ModelTokenStats], *, direction: str = "input", context_window_tokens: int | None = None
) -> go.Figure:
    """Histogram of tokens per sample for each model (overlaid), with the context window when given.

    Bins are shared by all traces (equal width over the range of every model's counts), so the bars
    compare directly; models with identical counts share one trace; estimated models are hatched.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction: expected one of {', '.join(DIRECTIONS)}, got {direction!r}")
    if not models:
        raise ValueError("models: at least one model's statistics are needed")
    groups = _groups(models, direction)
    arrays = [g[0].input_per_sample if direction == "input" else g[0].output_per_sample for g in groups]
    top = max((float(np.max(a)) for a in arrays if len(a)), default=0.0)
    size = max(1.0, float(np.ceil(top / N_BINS)))
    fig = go.Figure()
    for i, (group, values) in enumerate(zip(groups, arrays, strict=True)):
        fig.add_trace(
            go.Histogram(
                x=values,
                name=trace_name(group),
                xbins={"start": 0, "end": top + size, "size": size},
                marker={
                    "color": PALETTE[i % len(PALETTE)],
                    "pattern": {"shape": "" if group[0].exact else "/"},
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
