"""Plotly figure of the advisor's scores (plain function, no streamlit; tested directly)."""

from __future__ import annotations

import plotly.graph_objects as go

from costmodel.advisor.criteria import BY_ID
from costmodel.advisor.recommendation import Advice
from costmodel.core.text import for_plotly
from costmodel.report import KIND_LABELS


def advisor_scores_figure(advice: Advice) -> go.Figure:
    """Each strategy's score as a stacked bar of what each criterion contributes (the parts sum to the score).

    Strategies are listed best first; excluded ones have no bar and a note saying why.
    """
    ranking = list(advice.ranking)
    names = [f"{r.id} ({KIND_LABELS.get(r.kind, r.kind)})" for r in ranking]
    fig = go.Figure()
    for criterion in advice.applied:
        label = BY_ID[criterion].label
        fig.add_trace(
            go.Bar(
                y=names,
                x=[r.contributions.get(criterion, 0.0) for r in ranking],
                orientation="h",
                name=label,
                hovertemplate=f"{label}: %{{x:.3f}}<extra>%{{y}}</extra>",
            )
        )
    for name, r in zip(names, ranking, strict=True):
        note = None
        if r.excluded:
            note = "excluded: the data must stay on premises"
        elif not r.available:
            note = "costs not estimated in this version"
        if note:
            fig.add_annotation(
                y=name, x=r.score, text=note, showarrow=False, xanchor="left", xshift=6, font={"size": 11}
            )
    recommended = advice.recommended_id or "none qualifies"
    fig.update_layout(
        title=f"Advisor scores — {for_plotly(advice.scenario_name)} (recommended: {recommended})",
        barmode="stack",
        xaxis_title="score (0–1): weighted mean of how well each criterion is met",
        yaxis_title="strategy",
        legend_title="criterion",
        yaxis={"autorange": "reversed"},
    )
    fig.update_xaxes(range=[0, 1])
    return fig
