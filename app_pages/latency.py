"""Latency: median latency per strategy against its cost, the stages it is made of, and the latency budget."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import state
from ui.chart import show_chart
from ui.figures.latency import latency_budget_ms, latency_stages_figure, latency_vs_cost_figure

st.title("Latency")
result = state.result_or_stop()
budget = latency_budget_ms(result)
if budget is None:
    st.info("No latency budget in this scenario (needs.latency_budget_ms): charts show no budget line.")
else:
    st.caption(f"Latency budget: {budget:,.0f} ms end to end (needs.latency_budget_ms).")


def _vs_budget(end_to_end_ms: float, budget_ms: float | None) -> str:
    if budget_ms is None:
        return "no budget set"
    gap = end_to_end_ms - budget_ms
    return f"✓ within ({-gap:,.0f} ms to spare)" if gap <= 0 else f"✗ over by {gap:,.0f} ms"


rows = []
for s in result.strategies:
    lat = s.latency
    if lat is None:
        continue
    rows.append(
        {
            "strategy": s.id,
            "time to first token (ms)": lat.time_to_first_token_ms,
            "end to end (ms)": lat.end_to_end_ms,
            "vs budget": _vs_budget(lat.end_to_end_ms, budget),
            "latency profile": lat.profile_id + (" (an assumption)" if lat.assumption else ""),
        }
    )
if rows:
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        column_config={
            "time to first token (ms)": st.column_config.NumberColumn(format="%.0f"),
            "end to end (ms)": st.column_config.NumberColumn(format="%.0f"),
        },
    )
    show_chart(latency_vs_cost_figure(result), key="lat_vs_cost", name="latency vs cost")
    show_chart(latency_stages_figure(result), key="lat_stages", name="latency stages")
    st.caption(
        "Hosted APIs: dated median profiles (time to first token at a reference prompt length, output "
        "tokens per second; see the Prices page). Real latency varies by hour, region and load."
    )
else:
    st.warning("No strategy in this scenario has a latency estimate.")
