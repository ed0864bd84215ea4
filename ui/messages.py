"""Error messages in the app: shown now (:func:`show_error`) or queued for the next render (:func:`flash_error`).

Widget callbacks run before the page draws, so an error they raise is queued in ``st.session_state``
and shown by :func:`show_flashes` (app.py calls it on every run; pages that apply a change in their
body call it too). Problem lines are shown verbatim (:func:`ui.markdown.error_markdown`).
"""

from __future__ import annotations

import streamlit as st

from ui.markdown import error_markdown

FLASH_KEY = "flash_messages"
"""Queued errors: a list of (title, detail)."""


def flash_error(title: str, detail: str = "") -> None:
    """Queue an error for the next render (callbacks run before the page draws)."""
    st.session_state.setdefault(FLASH_KEY, []).append((title, detail))


def show_flashes() -> None:
    """Show and clear queued errors."""
    for title, detail in st.session_state.pop(FLASH_KEY, []):
        show_error(detail, title=title)


def show_error(detail: str, *, title: str = "") -> None:
    """``st.error`` with the problem lines shown verbatim (no markdown, no links, no images)."""
    st.error(error_markdown(detail, title=title))
