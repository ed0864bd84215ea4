"""Breakeven — Streamlit app entry point (``streamlit run app.py``)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from costmodel.cli_engine import summary_rows
from costmodel.engine import run
from costmodel.errors import InputError
from ui.figures import cumulative_cost_figure
from ui.state import get_scenario

st.set_page_config(page_title="Breakeven — prompt, RAG or fine-tune?", layout="wide")
st.title("Breakeven: prompt, RAG or fine-tune?")

try:
    scenario = get_scenario()
    result = run(scenario)
except InputError as exc:
    st.error(str(exc))
    st.stop()

st.caption(f"Scenario: {scenario.name} · prices as of {result.prices_as_of} · estimates, not quotes")
st.dataframe(pd.DataFrame(summary_rows(result)), hide_index=True)
st.plotly_chart(cumulative_cost_figure(result))
