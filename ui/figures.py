"""Plotly figure builders for engine results (plain functions, no streamlit; tested directly)."""

from __future__ import annotations

import plotly.graph_objects as go

from costmodel.engine import RunResult

KIND_LABELS = {
    "prompting": "prompting",
    "rag": "retrieval (RAG)",
    "finetune_hosted": "hosted fine-tuning",
    "finetune_selfhosted": "self-hosted fine-tuning",
}


def cumulative_cost_figure(result: RunResult) -> go.Figure:
    """Cumulative cost by month per strategy, with each time-breakeven marked and labelled in words."""
    fig = go.Figure()
    months = list(range(0, result.scenario.horizon_months + 1))
    for s in result.strategies:
        if not s.available:
            continue
        fig.add_trace(
            go.Scatter(
                x=months,
                y=[s.one_off_usd, *s.cumulative_usd.tolist()],
                mode="lines",
                name=f"{s.id} ({KIND_LABELS.get(s.kind, s.kind)})",
                hovertemplate="month %{x}<br>$%{y:,.0f}<extra>" + s.id + "</extra>",
            )
        )
    for pair in result.breakeven:
        if pair.month is None:
            continue
        b = result.strategy(pair.b)
        y = float(b.cumulative_usd[pair.month - 1])
        fig.add_trace(
            go.Scatter(
                x=[pair.month],
                y=[y],
                mode="markers+text",
                marker={"size": 11, "symbol": "diamond", "line": {"width": 1}},
                text=[f"{pair.b} pays off vs {pair.a} in month {pair.month}"],
                textposition="top left",
                name=f"breakeven {pair.b} vs {pair.a}",
                showlegend=False,
            )
        )
    fig.update_layout(
        title=f"Cumulative cost over {result.scenario.horizon_months} months — {result.scenario.name}",
        xaxis_title="month (0 = one-off costs before launch)",
        yaxis_title="cumulative cost (USD)",
        legend_title="strategy",
        hovermode="x unified",
    )
    fig.update_yaxes(tickprefix="$", separatethousands=True)
    return fig
