"""Latency: median latency per strategy against its cost, the stages it is made of, and the latency budget."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from costmodel import report
from ui import runs
from ui.chart import show_chart
from ui.figures.latency import latency_budget_ms, latency_stages_figure, latency_vs_cost_figure

st.title("Latency")
result = runs.result_or_stop()
budget = latency_budget_ms(result)
if budget is None:
    st.info("No latency budget in this scenario (set one on the Advisor page): charts show no budget line.")
else:
    st.caption(f"Latency budget: {budget:,.0f} ms end to end (from the Advisor's answers).")

rows = report.latency_rows(result, budget)
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
