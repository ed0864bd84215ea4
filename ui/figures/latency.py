"""Latency-page figures: latency vs cost with the latency budget, and the per-stage breakdown."""

from __future__ import annotations

import plotly.graph_objects as go

from costmodel.engine import RunResult, StrategyResult
from ui.figures.common import available, strategy_colors, strategy_label, style

STAGE_LABELS = {
    "query_embedding": "query embedding",
    "vector_search": "vector search",
    "rerank": "rerank",
    "time_to_first_token": "time to first token (prefill)",
    "generation": "generation (output tokens)",
}
"""Words for the engine's stage keys (``LatencyEstimate.stages_ms``); unknown keys are shown as they are."""

STAGE_COLORS = ("#06b6d4", "#a855f7", "#ec4899", "#f59e0b", "#3b82f6", "#10b981", "#64748b")

BUDGET_COLOR = "#ef4444"


def _with_latency(result: RunResult) -> list[StrategyResult]:
    return [s for s in available(result) if s.latency is not None]


def all_in_usd_per_request(s: StrategyResult) -> float | None:
    """The engine's ``all_in_usd_per_request``: horizon total / requests served (the same figure and name as
    the Overview, the JSON and the CSV), None without requests."""
    return s.all_in_usd_per_request


def latency_budget_ms(result: RunResult) -> float | None:
    """The scenario's ``needs.latency_budget_ms`` (None when not answered)."""
    needs = result.scenario.needs
    return needs.latency_budget_ms if needs is not None else None


def latency_vs_cost_figure(result: RunResult) -> go.Figure:
    """End-to-end latency (x) against all-in cost per request (y), with the latency-budget line."""
    fig = go.Figure()
    colors = strategy_colors(result)
    for s in _with_latency(result):
        lat = s.latency
        if lat is None:
            continue
        fig.add_trace(
            go.Scatter(
                x=[lat.end_to_end_ms],
                y=[all_in_usd_per_request(s)],
                mode="markers+text",
                text=[s.id],
                textposition="top center",
                marker={"size": 16, "color": colors[s.id], "line": {"width": 1}},
                name=strategy_label(s),
                customdata=[[lat.time_to_first_token_ms]],
                hovertemplate=(
                    "end to end %{x:,.0f} ms<br>first token %{customdata[0]:,.0f} ms"
                    "<br>$%{y:.5f} per request<extra>" + s.id + "</extra>"
                ),
            )
        )
    budget = latency_budget_ms(result)
    if budget is not None:
        fig.add_vline(
            x=budget,
            line_dash="dash",
            line_color=BUDGET_COLOR,
            line_width=2,
            annotation_text=f"latency budget {budget:,.0f} ms",
            annotation_position="top left",
        )
    style(
        fig,
        title="Latency vs cost per request",
        subtitle="median end-to-end latency of one request; cost = horizon total / requests",
        x_title="end-to-end latency (ms)",
        y_title="all-in cost per request (USD)",
    )
    fig.update_xaxes(rangemode="tozero")
    fig.update_yaxes(rangemode="tozero", tickprefix="$")
    return fig


def latency_stages_figure(result: RunResult) -> go.Figure:
    """Horizontal stacked bars: each strategy's end-to-end latency split into pipeline stages."""
    strategies = _with_latency(result)
    stage_keys: list[str] = []
    for s in strategies:
        if s.latency is None:
            continue
        for key in s.latency.stages_ms:
            if key not in stage_keys:
                stage_keys.append(key)
    fig = go.Figure()
    ids = [s.id for s in strategies]
    for i, key in enumerate(stage_keys):
        label = STAGE_LABELS.get(key, key.replace("_", " "))
        values = [float(s.latency.stages_ms.get(key, 0.0)) if s.latency else 0.0 for s in strategies]
        fig.add_trace(
            go.Bar(
                y=ids,
                x=values,
                orientation="h",
                name=label,
                marker_color=STAGE_COLORS[i % len(STAGE_COLORS)],
                hovertemplate="%{y}<br>" + label + ": %{x:,.0f} ms<extra></extra>",
            )
        )
    budget = latency_budget_ms(result)
    if budget is not None:
        fig.add_vline(
            x=budget,
            line_dash="dash",
            line_color=BUDGET_COLOR,
            line_width=2,
            annotation_text=f"budget {budget:,.0f} ms",
            annotation_position="top",
        )
    style(
        fig,
        title="Where the time goes",
        subtitle="stages of one request, in order; the bar's end is the end-to-end latency",
        x_title="latency (ms)",
        y_title="strategy",
        legend_title="stage",
    )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed")
    return fig
