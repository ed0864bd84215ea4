"""Breakeven — Streamlit app entry point (``streamlit run app.py``): shared sidebar and page navigation."""

from __future__ import annotations

import gc
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from ui import sidebar, state

ROOT = Path(__file__).resolve().parent

# (file, title, icon, section); pages written by other modules are mounted once their file exists.
PAGES = (
    ("app_pages/overview.py", "Overview", ":material/dashboard:", "Results"),
    ("app_pages/breakeven.py", "Breakeven", ":material/show_chart:", "Results"),
    ("app_pages/latency.py", "Latency", ":material/timer:", "Results"),
    ("app_pages/simulator.py", "Simulator", ":material/casino:", "Results"),
    ("app_pages/advisor.py", "Advisor", ":material/psychology:", "Results"),
    ("app_pages/strategies.py", "Strategy editor", ":material/tune:", "Inputs"),
    ("app_pages/tokens.py", "Tokens", ":material/token:", "Inputs"),
    ("app_pages/planner.py", "Fine-tuning planner", ":material/memory:", "Inputs"),
    ("app_pages/prices.py", "Prices", ":material/sell:", "Inputs"),
)


BYTES_PER_MIB = 1024 * 1024
SPOOL_MARGIN_BYTES = BYTES_PER_MIB  # room for the multipart framing around an upload of the maximum size


def keep_uploads_in_memory() -> None:
    """Never let upload bytes reach the disk.

    Streamlit's Starlette server parses uploads with ``MultiPartParser``, which spools any file over
    1 MiB to a temporary file. The server already caps an upload's body at ``server.maxUploadSize``
    (plus framing) while streaming it, so raising the spool threshold to that cap keeps every upload
    in memory, where Streamlit holds it afterwards anyway (tests/test_nothing_kept.py).
    """
    try:
        from starlette.formparsers import MultiPartParser
    except ImportError:  # another server implementation: nothing is spooled by Starlette
        return
    limit = int(st.get_option("server.maxUploadSize")) * BYTES_PER_MIB + SPOOL_MARGIN_BYTES
    if MultiPartParser.spool_max_size < limit:
        MultiPartParser.spool_max_size = limit


def freeze_long_lived_objects() -> None:
    """Once per server process, after the first run: exempt what is loaded so far from garbage collection.

    Modules, catalogs and price tables are hundreds of thousands of objects that live as long as the
    process; every full collection walks them all while holding the GIL, stalling every session. With
    30 sessions that was about 4 full collections a second of up to 0.5 s each. Frozen after the first
    run: rerun p50 263 -> 101 ms, p95 965 -> 267 ms, server CPU 0.67 -> 0.32 cores
    (benchmarks/load_sessions.py, 30 sessions for 5 minutes on 2 cores).
    """
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()


def build_navigation() -> dict[str, list[StreamlitPage]]:
    """Sections of pages whose files exist; Overview is the default page."""
    sections: dict[str, list[StreamlitPage]] = {}
    for file, title, icon, section in PAGES:
        if not (ROOT / file).is_file():
            continue
        page = st.Page(file, title=title, icon=icon, default=file == "app_pages/overview.py")
        sections.setdefault(section, []).append(page)
    return sections


keep_uploads_in_memory()
st.set_page_config(
    page_title="Breakeven — prompt, RAG or fine-tune?", page_icon=":material/balance:", layout="wide"
)
state.load_from_link()
sidebar.render()
navigation = st.navigation(build_navigation())
state.sync_link()
state.show_flashes()
navigation.run()
freeze_long_lived_objects()
