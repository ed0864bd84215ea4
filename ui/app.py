"""The Streamlit app's entry: shared sidebar and page navigation (``main``), run by every app script.

Two scripts call :func:`main`: ``app.py`` at the root of a checkout (``streamlit run app.py``) and
``ui/launch/app.py`` in an installed package (``breakeven app``). The pages are the files of the
``app_pages`` package, found where Python finds that package (the checkout or site-packages), and
mounted by absolute path, so the app runs the same from either script and from any directory.
"""

from __future__ import annotations

import gc
import importlib.util
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from ui import link, messages, safe, sidebar

PAGES_PACKAGE = "app_pages"
"""The package whose files are the pages (located with ``find_spec``, never imported)."""

# (file in app_pages/, title, icon, section); a page is mounted once its file exists.
PAGES = (
    ("overview.py", "Overview", ":material/dashboard:", "Results"),
    ("breakeven.py", "Breakeven", ":material/show_chart:", "Results"),
    ("latency.py", "Latency", ":material/timer:", "Results"),
    ("simulator.py", "Simulator", ":material/casino:", "Results"),
    ("advisor.py", "Advisor", ":material/psychology:", "Results"),
    ("strategies.py", "Strategy editor", ":material/tune:", "Inputs"),
    ("tokens.py", "Tokens", ":material/token:", "Inputs"),
    ("planner.py", "Fine-tuning planner", ":material/memory:", "Inputs"),
    ("prices.py", "Prices", ":material/sell:", "Inputs"),
)
DEFAULT_PAGE = "overview.py"

ICON = Path(__file__).resolve().parent / "launch" / "icon.png"
"""The page icon, served by the app itself: a ``:material/...:`` or emoji icon makes every browser
fetch it from a third-party font or image CDN (tests/e2e/test_hostile_links.py records requests)."""

BYTES_PER_MIB = 1024 * 1024
SPOOL_MARGIN_BYTES = BYTES_PER_MIB  # room for the multipart framing around an upload of the maximum size


def pages_dir() -> Path:
    """Folder of the ``app_pages`` package that Python would import (checkout or site-packages).

    >>> (pages_dir() / "overview.py").is_file()
    True
    """
    spec = importlib.util.find_spec(PAGES_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {PAGES_PACKAGE} package is not installed next to ui")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def page_paths() -> list[Path]:
    """Absolute paths of the page files in :data:`PAGES` that exist, in navigation order."""
    folder = pages_dir()
    return [folder / file for file, *_ in PAGES if (folder / file).is_file()]


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
    folder = pages_dir()
    sections: dict[str, list[StreamlitPage]] = {}
    for file, title, icon, section in PAGES:
        path = folder / file
        if not path.is_file():
            continue
        page = st.Page(path, title=title, icon=icon, default=file == DEFAULT_PAGE)
        sections.setdefault(section, []).append(page)
    return sections


def main() -> None:
    """One run of the app script: page config, shared sidebar and link, then the selected page."""
    keep_uploads_in_memory()
    st.set_page_config(page_title="Breakeven — prompt, RAG or fine-tune?", page_icon=str(ICON), layout="wide")
    safe.guard_scenario(link.load_from_link, sidebar.render)
    navigation = st.navigation(build_navigation())
    link.sync_link()
    messages.show_flashes()
    safe.guard_page(navigation.run)
    freeze_long_lived_objects()
