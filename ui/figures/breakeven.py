"""Breakeven-page figures: cost vs volume with breakeven volumes, cost breakdown, unit costs."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from costmodel.engine import RunResult, sweep_totals
from costmodel.formulas.breakeven import VOLUME_GRID_MAX_REQUESTS_PER_MONTH
from costmodel.report import format_count
from costmodel.strategies.common import CATEGORIES
from ui.figures.common import (
    CATEGORY_COLORS,
    add_breakeven_marker,
    available,
    legend_below_if_crowded,
    strategy_colors,
    strategy_label,
    style,
)
from ui.figures.lifecycle import add_lifecycle_markers

N_VOLUME_POINTS = 161
"""Points of the volume sweep (log-spaced): smooth enough to show GPU-replica steps."""

DECADES_AROUND = 1
"""The sweep spans this many decades below and above the scenario's and breakeven volumes."""


def volume_grid(result: RunResult) -> np.ndarray:
    """Log-spaced requests/month around the scenario's month-1 volume and every breakeven volume.

    >>> from costmodel.catalog import default_catalogs
    >>> from costmodel.scenario import load_scenario
    >>> from costmodel.engine import run
    >>> grid = volume_grid(run(load_scenario("examples/fintech-support.yaml"), default_catalogs()))
    >>> float(grid[0]) <= 20_000 and float(grid[-1]) >= 100_000_000
    True
    """
    points = [float(result.scenario.workload.requests_per_month)]
    points += [p.requests_per_month for p in result.breakeven if p.requests_per_month]
    positive = [v for v in points if v > 0] or [1.0]
    lo = max(0.0, math.floor(math.log10(min(positive))) - DECADES_AROUND)
    hi = min(
        math.log10(VOLUME_GRID_MAX_REQUESTS_PER_MONTH), math.ceil(math.log10(max(positive))) + DECADES_AROUND
    )
    return np.logspace(lo, max(hi, lo + 1), N_VOLUME_POINTS)


def cost_vs_volume_figure(result: RunResult) -> go.Figure:
    """Average monthly cost (one-off spread over the horizon) against a constant monthly volume.

    y = horizon total at constant volume q / H, the quantity whose crossings are the engine's volume
    breakevens (``BreakevenPair.requests_per_month``); both axes logarithmic.
    """
    horizon = result.scenario.horizon_months
    grid = volume_grid(result)
    colors = strategy_colors(result)
    prepared = {p.id: p for p in result.prepared}
    fig = go.Figure()
    for s in available(result):
        y = sweep_totals(prepared[s.id], grid, horizon) / horizon
        fig.add_trace(
            go.Scatter(
                x=grid,
                y=y,
                mode="lines",
                line={"color": colors[s.id], "width": 3},
                name=strategy_label(s),
                hovertemplate="%{x:,.0f} requests/month<br>$%{y:,.0f} per month<extra>" + s.id + "</extra>",
            )
        )
    pairs = [(p, p.requests_per_month) for p in result.breakeven if p.requests_per_month]
    for i, (pair, q) in enumerate(pairs):
        y_at = float(sweep_totals(prepared[pair.a], np.array([q]), horizon)[0]) / horizon
        add_breakeven_marker(
            fig,
            index=i,
            n_markers=len(pairs),
            x=q,
            y=y_at,
            label=breakeven_volume_label(pair.a, pair.b, q),
            color=colors[pair.b],
            group_title="breakeven volume",
            hover="$%{y:,.0f} per month",
            log_axes=True,
            text_left=math.log10(q) > (math.log10(grid[0]) + math.log10(grid[-1])) / 2,
        )
    current = float(result.scenario.workload.requests_per_month)
    if current > 0:
        # On a log axis a shape takes data values but an annotation takes log10 values.
        fig.add_shape(
            type="line",
            x0=current,
            x1=current,
            xref="x",
            y0=0,
            y1=1,
            yref="y domain",
            line={"dash": "dot", "color": "#888888", "width": 2},
        )
        fig.add_annotation(
            x=math.log10(current),
            y=0.02,
            yref="y domain",
            xanchor="left",
            showarrow=False,
            text=f" month-1 volume: {format_count(current)}/month",
        )
    style(
        fig,
        title="Monthly cost vs requests per month",
        subtitle=f"constant volume; one-off costs spread over {horizon} months; log-log axes",
        x_title="requests per month (log scale)",
        y_title="average cost per month (USD, log scale)",
    )
    fig.update_xaxes(type="log", range=[math.log10(grid[0]), math.log10(grid[-1])], dtick=1)
    fig.update_yaxes(type="log", tickprefix="$", dtick=1)
    return legend_below_if_crowded(fig)


def breakeven_volume_label(a: str, b: str, requests_per_month: float) -> str:
    """The words on a volume-breakeven marker.

    >>> breakeven_volume_label("prompt", "ft-hosted", 589172.98)
    'ft-hosted pays off vs prompt above 589k requests/month'
    """
    return f"{b} pays off vs {a} above {format_count(requests_per_month)} requests/month"


def monthly_cost_figure(result: RunResult) -> go.Figure:
    """Cost in each month 1..H per strategy, with lifecycle events (migrations, stops) marked.

    y = ``monthly_usd``: recurring costs plus the one-off costs that fall in that month (retraining,
    migration to a replacement model); the setup costs before launch (month 0) are left out.
    """
    horizon = result.scenario.horizon_months
    colors = strategy_colors(result)
    months = list(range(1, horizon + 1))
    fig = go.Figure()
    for s in available(result):
        fig.add_trace(
            go.Scatter(
                x=months,
                y=s.monthly_usd.tolist(),
                mode="lines+markers",
                line={"color": colors[s.id], "width": 3},
                marker={"size": 5},
                name=strategy_label(s),
                hovertemplate="month %{x}<br>$%{y:,.0f} in the month<extra>" + s.id + "</extra>",
            )
        )
    style(
        fig,
        title=f"Cost per month over {horizon} months",
        subtitle="recurring costs, plus retraining and migrations in the month they happen; setup (month 0) not shown",
        x_title="month",
        y_title="cost in the month (USD)",
    )
    add_lifecycle_markers(
        fig,
        result,
        colors=colors,
        name_of=strategy_label,
        values=lambda s: s.monthly_usd.tolist(),
        first_month=1,
        hover="$%{y:,.0f} in the month",
    )
    fig.update_layout(hovermode="x unified")
    fig.update_yaxes(tickprefix="$", separatethousands=True, rangemode="tozero")
    fig.update_xaxes(range=[0.5, horizon + 0.5])
    return fig


def breakdown_figure(result: RunResult) -> go.Figure:
    """Horizon total per strategy stacked by cost category (tokens, GPU, labelling, ...)."""
    fig = go.Figure()
    strategies = available(result)
    ids = [s.id for s in strategies]
    for cat in CATEGORIES:
        values = [float(s.breakdown_usd.get(cat, 0.0)) for s in strategies]
        if not any(values):
            continue
        fig.add_trace(
            go.Bar(
                x=ids,
                y=values,
                name=cat,
                marker_color=CATEGORY_COLORS.get(cat),
                hovertemplate="%{x}<br>" + cat + ": $%{y:,.0f}<extra></extra>",
            )
        )
    horizon = result.scenario.horizon_months
    style(
        fig,
        title=f"What the {horizon}-month total is made of",
        subtitle="one-off and recurring costs by category",
        x_title="strategy",
        y_title=f"cost over {horizon} months (USD)",
        legend_title="category",
    )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(tickprefix="$", separatethousands=True)
    return fig


def unit_cost_figure(result: RunResult) -> go.Figure:
    """Cost per request (marginal and all-in) and all-in cost per correct answer, per strategy."""
    strategies = available(result)
    ids = [s.id for s in strategies]
    series = {
        "marginal per request (month 1)": [s.usd_per_request for s in strategies],
        "all-in per request": [
            s.total_usd / s.n_requests_total if s.n_requests_total > 0 else None for s in strategies
        ],
        "all-in per correct answer": [s.usd_per_correct_answer for s in strategies],
    }
    colors = ("#06b6d4", "#3b82f6", "#10b981")
    fig = go.Figure()
    for (name, values), color in zip(series.items(), colors, strict=True):
        fig.add_trace(
            go.Bar(
                x=ids,
                y=values,
                name=name,
                marker_color=color,
                hovertemplate="%{x}<br>" + name + ": $%{y:.5f}<extra></extra>",
            )
        )
    horizon = result.scenario.horizon_months
    style(
        fig,
        title="Cost per request and per correct answer",
        subtitle=f"all-in = {horizon}-month total / requests (or / correct answers); marginal = month-1 variable cost",
        x_title="strategy",
        y_title="cost (USD per request or per correct answer)",
        legend_title="measure",
    )
    fig.update_layout(barmode="group")
    fig.update_yaxes(tickprefix="$")
    return fig
