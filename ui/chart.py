"""Show a figure in the app with its export menu (toolbar PNG/SVG, server-side PNG/SVG/PDF, HTML, CSV).

Every download is generated only when clicked (``st.download_button`` with a callable), so a
rerun after a slider move costs nothing for exports; clicking a download does not rerun the app.
"""

from __future__ import annotations

import functools
import re

import plotly.graph_objects as go
import streamlit as st

from ui import export
from ui.figures.common import plotly_config

TOOLBAR_FORMATS = {"PNG (3x)": "png", "SVG": "svg"}


def file_stem(name: str) -> str:
    """A safe file name stem from a chart name.

    >>> file_stem("Cumulative cost: fintech / v2")
    'cumulative-cost-fintech-v2'
    """
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "chart"


def show_chart(fig: go.Figure, *, key: str, name: str) -> None:
    """Draw ``fig`` full width with an Export menu under it; ``key`` must be unique on the page."""
    stem = file_stem(name)
    fmt_key = f"{key}_toolbar_fmt"
    toolbar_format = TOOLBAR_FORMATS.get(st.session_state.get(fmt_key) or "", "png")
    st.plotly_chart(fig, key=key, config=plotly_config(stem, toolbar_format), theme="streamlit")
    with st.popover("Export", icon=":material/download:", key=f"{key}_export"):
        st.segmented_control(
            "Camera icon in the chart toolbar saves",
            list(TOOLBAR_FORMATS),
            default="PNG (3x)",
            key=fmt_key,
            help="The toolbar export runs in your browser: PNG at 3x the on-screen size, or SVG (vector).",
        )
        ok, message = export.image_export_status()
        cols = st.columns(3)
        for col, (fmt, mime) in zip(cols, export.IMAGE_FORMATS.items(), strict=True):
            with col:
                st.download_button(
                    fmt.upper(),
                    data=functools.partial(export.figure_image, fig, fmt) if ok else b"",
                    file_name=f"{stem}.{fmt}",
                    mime=mime,
                    key=f"{key}_{fmt}",
                    on_click="ignore",
                    disabled=not ok,
                    help=(f"Server-side {fmt.upper()} ({message})" if ok else message),
                )
        if not ok:
            st.caption(message)
        st.download_button(
            "HTML (interactive, works offline)",
            data=lambda: export.figure_html(fig),
            file_name=f"{stem}.html",
            mime="text/html",
            key=f"{key}_html",
            on_click="ignore",
        )
        st.download_button(
            "CSV (the chart's data)",
            data=lambda: export.figure_csv(fig),
            file_name=f"{stem}.csv",
            mime="text/csv",
            key=f"{key}_csv",
            on_click="ignore",
        )
