"""Plotly figures and tidy tables of a simulation: fan charts, chance of winning, breakeven months, tornado.

Plain functions (no streamlit), tested directly. Each chart has a ``*_frame`` twin holding the numbers
it draws, for the CSV download next to it.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from costmodel.core.text import for_plotly
from costmodel.report import KIND_LABELS
from costmodel.scenario.uncertain import UncertainInput
from costmodel.simulation.results import Bands, SimulationResult, StrategySimulation, strategy_summary_rows
from costmodel.simulation.sensitivity import HIGH_QUANTILE, LOW_QUANTILE, Tornado
from ui.figures.common import strategy_colors, style
from ui.words import path_label

QUANTITIES = {
    "cumulative": ("cumulative cost", "cumulative cost (USD)"),
    "monthly": ("monthly cost", "cost in the month (USD)"),
    "net": ("cumulative net value", "cumulative net value (USD)"),
}
"""Fan-chart quantity -> (name in the title, y-axis title with unit)."""

BAND_OPACITY = 0.18


def _bands(s: StrategySimulation, quantity: str) -> Bands | None:
    return {"cumulative": s.cumulative_usd, "monthly": s.monthly_usd, "net": s.cumulative_net_value_usd}[
        quantity
    ]


def _rgba(hex_colour: str, alpha: float) -> str:
    """``#rrggbb`` -> ``rgba(r, g, b, alpha)``.

    >>> _rgba("#3b82f6", 0.5)
    'rgba(59, 130, 246, 0.5)'
    """
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def fan_chart_figure(sim: SimulationResult, quantity: str = "cumulative") -> go.Figure:
    """Per strategy, the p10-p90 band (shaded) and the median (line) of a quantity month by month."""
    name, y_title = QUANTITIES[quantity]
    colors = strategy_colors(sim.deterministic)
    fig = go.Figure()
    for s in sim.strategies:
        bands = _bands(s, quantity)
        if bands is None:
            continue
        months = list(range(1, len(bands.p50) + 1))
        colour = colors[s.id]
        fig.add_trace(
            go.Scatter(
                x=months,
                y=bands.p90.tolist(),
                mode="lines",
                line={"width": 0, "color": colour},
                name=f"{s.id} p90",
                legendgroup=s.id,
                showlegend=False,
                hovertemplate="month %{x}<br>p90 $%{y:,.0f}<extra>" + s.id + "</extra>",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=months,
                y=bands.p10.tolist(),
                mode="lines",
                line={"width": 0, "color": colour},
                fill="tonexty",
                fillcolor=_rgba(colour, BAND_OPACITY),
                name=f"{s.id} p10–p90",
                legendgroup=s.id,
                hovertemplate="month %{x}<br>p10 $%{y:,.0f}<extra>" + s.id + "</extra>",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=months,
                y=bands.p50.tolist(),
                mode="lines",
                line={"width": 2.5, "color": colour},
                name=f"{s.id} median ({KIND_LABELS.get(s.kind, s.kind)})",
                legendgroup=s.id,
                hovertemplate="month %{x}<br>median $%{y:,.0f}<extra>" + s.id + "</extra>",
            )
        )
    subtitle = f"shaded: 80% of {sim.band_draws:,} draws fall inside (p10–p90); line: median"
    style(
        fig,
        title=f"Range of {name}, month by month — {for_plotly(sim.deterministic.scenario.name)}",
        subtitle=subtitle,
        x_title="month",
        y_title=y_title,
    )
    fig.update_yaxes(tickprefix="$", separatethousands=True)
    fig.update_layout(hovermode="x unified")
    return fig


def bands_frame(sim: SimulationResult) -> pd.DataFrame:
    """Every band of every strategy: strategy, quantity, month, p10/p50/p90 in USD."""
    rows = []
    for s in sim.strategies:
        for quantity in QUANTITIES:
            bands = _bands(s, quantity)
            if bands is None:
                continue
            for m in range(len(bands.p50)):
                rows.append(
                    {
                        "strategy": s.id,
                        "quantity": quantity,
                        "month": m + 1,
                        "p10_usd": float(bands.p10[m]),
                        "p50_usd": float(bands.p50[m]),
                        "p90_usd": float(bands.p90[m]),
                    }
                )
    return pd.DataFrame(rows, columns=["strategy", "quantity", "month", "p10_usd", "p50_usd", "p90_usd"])


def win_probability_figure(sim: SimulationResult) -> go.Figure:
    """Share of draws in which each strategy is the cheapest, and has the best net value."""
    ids = [s.id for s in sim.strategies]
    fig = go.Figure(
        go.Bar(
            x=ids,
            y=[s.p_cheapest for s in sim.strategies],
            name="cheapest over the horizon",
            text=[f"{s.p_cheapest:.0%}" for s in sim.strategies],
            textposition="outside",
            marker_color="#3b82f6",
        )
    )
    if any(s.p_best_value is not None for s in sim.strategies):
        fig.add_trace(
            go.Bar(
                x=ids,
                y=[s.p_best_value or 0.0 for s in sim.strategies],
                name="best net value",
                text=[f"{(s.p_best_value or 0.0):.0%}" for s in sim.strategies],
                textposition="outside",
                marker_color="#10b981",
            )
        )
    style(
        fig,
        title=f"Chance of winning over {sim.deterministic.scenario.horizon_months} months",
        subtitle=f"share of {sim.draws:,} draws",
        x_title="strategy",
        y_title="probability (share of draws)",
        legend_title="wins on",
    )
    fig.update_layout(barmode="group")
    fig.update_yaxes(tickformat=".0%", range=[0, 1.1])
    return fig


def win_frame(sim: SimulationResult) -> pd.DataFrame:
    """Per strategy: total and net-value percentiles and the chance of winning."""
    rows = [
        {"strategy": row.pop("id"), **row, "inputs": s.mode}
        for row, s in zip(strategy_summary_rows(sim), sim.strategies, strict=True)
    ]
    return pd.DataFrame(rows)


def breakeven_histogram_figure(
    sim: SimulationResult, pairs: Sequence[tuple[str, str]] | None = None
) -> go.Figure:
    """Share of draws by breakeven month (and "never") for each pair (or the given ``(a, b)`` pairs)."""
    horizon = sim.deterministic.scenario.horizon_months
    categories = [str(m) for m in range(1, horizon + 1)] + ["never"]
    fig = go.Figure()
    for d in sim.breakeven:
        if pairs is not None and (d.a, d.b) not in pairs:
            continue
        shares = [int(n) / sim.draws for n in d.n_by_month] + [d.p_never]
        fig.add_trace(
            go.Bar(
                x=categories,
                y=shares,
                name=f"{d.b} catches up with {d.a}",
                hovertemplate="month %{x}: %{y:.1%} of draws<extra>" + f"{d.b} vs {d.a}" + "</extra>",
            )
        )
    style(
        fig,
        title="When does the dearer start pay off? Breakeven month across draws",
        subtitle=f"{sim.draws:,} draws; 'never' = not within {horizon} months",
        x_title="breakeven month (first month the cumulative costs cross)",
        y_title="share of draws",
        legend_title="pair",
    )
    fig.update_layout(barmode="group")
    fig.update_xaxes(type="category")
    fig.update_yaxes(tickformat=".0%")
    return fig


def breakeven_frame(sim: SimulationResult) -> pd.DataFrame:
    """Per pair and month (or never): draws and their share, plus the pair's p10/p50/p90 month."""
    rows = []
    for d in sim.breakeven:
        months: list[tuple[str, int]] = [(str(m + 1), int(n)) for m, n in enumerate(d.n_by_month)]
        for month, n in [*months, ("never", d.n_never)]:
            rows.append(
                {
                    "a": d.a,
                    "b": d.b,
                    "month": month,
                    "n_draws": n,
                    "share": n / sim.draws,
                    "p10_month": d.p10,
                    "p50_month": d.p50,
                    "p90_month": d.p90,
                }
            )
    return pd.DataFrame(rows)


def tornado_figure(t: Tornado, strategy_ids: Sequence[str] = ()) -> go.Figure:
    """Horizontal bars: the metric with each input at its p10 and at its p90, largest swing on top.

    Each input reads in words, naming its strategy (``strategy_ids``: the scenario's, in order).
    """
    bars = list(reversed(t.bars))
    labels = [for_plotly(path_label(b.input, strategy_ids)) for b in bars]
    metric = t.metric.replace("total_usd", "total")  # the sensitivity's name for it, in words
    low_q, high_q = f"p{LOW_QUANTILE * 100:.0f}", f"p{HIGH_QUANTILE * 100:.0f}"
    fig = go.Figure()
    for name, values, inputs, colour in (
        (f"input at its {low_q}", [b.low_usd for b in bars], [b.low_value for b in bars], "#3b82f6"),
        (f"input at its {high_q}", [b.high_usd for b in bars], [b.high_value for b in bars], "#ef4444"),
    ):
        fig.add_trace(
            go.Bar(
                y=labels,
                x=[v - t.base_usd for v in values],
                base=t.base_usd,
                orientation="h",
                name=name,
                marker_color=colour,
                customdata=list(zip(values, inputs, strict=True)),
                hovertemplate="%{y} = %{customdata[1]:,.4g}<br>$%{customdata[0]:,.0f}<extra>"
                + name
                + "</extra>",
            )
        )
    fig.add_vline(x=t.base_usd, line_dash="dot")
    if t.versus_id is not None:
        fig.add_vline(x=0.0, line_width=1, annotation_text="equal totals", annotation_position="bottom right")
    style(
        fig,
        title=f"What decides it: {metric}",
        subtitle=(
            f"one input at a time at its {low_q} and {high_q}, the others at their central values "
            f"(dotted line: all central, ${t.base_usd:,.0f})"
        ),
        x_title=f"{metric} (USD)",
        y_title="uncertain input",
        legend_title="bar",
    )
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(tickprefix="$", separatethousands=True)
    return fig


def tornado_frame(t: Tornado) -> pd.DataFrame:
    """One row per input, largest swing first."""
    return pd.DataFrame(
        [
            {
                "input": b.input,
                "low_value": b.low_value,
                "high_value": b.high_value,
                "low_usd": b.low_usd,
                "high_usd": b.high_usd,
                "swing_usd": b.swing_usd,
                "metric": t.metric,
                "base_usd": t.base_usd,
            }
            for b in t.bars
        ]
    )


def inputs_frame(inputs: Sequence[UncertainInput]) -> pd.DataFrame:
    """The sampled inputs: distribution, central value, p10/p90 and where the range comes from."""
    return pd.DataFrame(
        [
            {
                "input": i.path,
                "distribution": i.dist.describe(),
                "central": i.central(),
                "p10": i.dist.ppf(LOW_QUANTILE),
                "p90": i.dist.ppf(HIGH_QUANTILE),
                "source": i.origin,
            }
            for i in inputs
        ],
        columns=["input", "distribution", "central", "p10", "p90", "source"],
    )
