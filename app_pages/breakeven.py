"""Breakeven: when (month) and at what volume each strategy overtakes another, and what the costs are made of."""

from __future__ import annotations

import streamlit as st

from costmodel import report
from ui import lifecycle, runs, summary
from ui.chart import show_chart
from ui.figures.breakeven import (
    breakdown_figure,
    cost_vs_volume_figure,
    monthly_cost_figure,
    unit_cost_figure,
)
from ui.figures.common import cumulative_cost_figure
from ui.markdown import md, md_literal

st.title("Breakeven")
result = runs.result_or_stop()

st.markdown(md(report.verdict(result)))
pairs = summary.breakeven_table(result)
if not pairs.empty:
    st.dataframe(pairs, hide_index=True)

VIEWS = ("Over time", "By volume", "Cost breakdown", "Per request / per correct answer")
# Lazy tabs: only the open tab's chart is built; the open tab is kept in the URL (?view=...), so a
# shared link reopens the same chart.
tab_time, tab_volume, tab_breakdown, tab_unit = st.tabs(
    VIEWS, key="view", on_change="rerun", bind="query-params"
)
if tab_time.open is not False:
    with tab_time:
        show_chart(cumulative_cost_figure(result), key="be_cumulative", name="cumulative cost")
        show_chart(monthly_cost_figure(result), key="be_monthly", name="cost per month")
        events = lifecycle.lifecycle_sentences(result)
        if events:
            st.caption(
                "Dotted lines: model lifecycle events (vendor-announced dates).\n\n"
                + "\n".join(f"- {md_literal(sentence)}" for sentence in events)
            )
if tab_volume.open:
    with tab_volume:
        show_chart(cost_vs_volume_figure(result), key="be_volume", name="monthly cost vs volume")
        st.caption(
            "Each line is the average monthly cost if volume stayed constant at x for the whole horizon, "
            "one-off costs spread evenly. Where two lines cross, their horizon totals are equal."
        )
if tab_breakdown.open:
    with tab_breakdown:
        show_chart(breakdown_figure(result), key="be_breakdown", name="cost breakdown")
if tab_unit.open:
    with tab_unit:
        show_chart(unit_cost_figure(result), key="be_unit", name="cost per request")
