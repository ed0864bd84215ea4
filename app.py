"""Breakeven — Streamlit app entry point (``streamlit run app.py``): shared sidebar and page navigation."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from ui import sidebar, state

ROOT = Path(__file__).resolve().parent

# (file, title, icon, section); pages written by other modules are mounted once their file exists.
PAGES = (
    ("pages/overview.py", "Overview", ":material/dashboard:", "Results"),
    ("pages/breakeven.py", "Breakeven", ":material/show_chart:", "Results"),
    ("pages/latency.py", "Latency", ":material/timer:", "Results"),
    ("pages/simulator.py", "Simulator", ":material/casino:", "Results"),
    ("pages/advisor.py", "Advisor", ":material/psychology:", "Results"),
    ("pages/strategies.py", "Strategy editor", ":material/tune:", "Inputs"),
    ("pages/tokens.py", "Tokens", ":material/token:", "Inputs"),
    ("pages/planner.py", "Fine-tuning planner", ":material/memory:", "Inputs"),
    ("pages/prices.py", "Prices", ":material/sell:", "Inputs"),
)


def build_navigation() -> dict[str, list[StreamlitPage]]:
    """Sections of pages whose files exist; Overview is the default page."""
    sections: dict[str, list[StreamlitPage]] = {}
    for file, title, icon, section in PAGES:
        if not (ROOT / file).is_file():
            continue
        page = st.Page(file, title=title, icon=icon, default=file == "pages/overview.py")
        sections.setdefault(section, []).append(page)
    return sections


st.set_page_config(
    page_title="Breakeven — prompt, RAG or fine-tune?", page_icon=":material/balance:", layout="wide"
)
state.load_from_link()
sidebar.render()
navigation = st.navigation(build_navigation())
state.sync_link()
state.show_flashes()
navigation.run()
