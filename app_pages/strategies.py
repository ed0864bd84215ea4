"""Strategy editor: add, remove, duplicate and edit the scenario's strategies."""

from __future__ import annotations

import streamlit as st

from ui import strategy_editor

st.title("Strategy editor")
st.caption(
    "Every field shows its unit; hover the help icon for the YAML key and where its default comes from. "
    "Changes apply when the whole scenario still validates and runs; otherwise the error names the field."
)
strategy_editor.render()
