"""The app's error boundary: whatever a link, an upload or a widget carries, the app stays up.

:func:`guard_scenario` runs the steps that depend on the session's scenario before the page draws
(opening a ``?s=`` link, drawing the sidebar). If one fails with anything, an :class:`InputError`
or an unexpected exception, the session falls back to the default scenario, the error is shown in
an ``st.error`` box and the script reruns; if the default scenario fails too, the error is shown and
the run stops (no loop). :func:`guard_page` runs the selected page: an unexpected failure there is
an error box on that page, and the sidebar and navigation stay usable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st

from costmodel.core.errors import InputError
from costmodel.core.text import visible
from ui.messages import flash_error, show_error
from ui.session import default_scenario, set_scenario

RESET_KEY = "_boundary_reset"
"""Set while the session runs on the default scenario after a failure (stops a rerun loop)."""

RESET_ORIGIN = "default example (the previous scenario failed)"

_LOG = logging.getLogger(__name__)


def describe(exc: BaseException) -> str:
    """What to show for a failure: the problem lines of an InputError, else only the error's type.

    Unexpected errors are logged with their traceback on the server; the page says only what kind
    of error it was (no file paths or internals reach the browser).

    >>> describe(InputError.single("link", "name", "contains control character U+001B (ESC)"))
    'link: name: contains control character U+001B (ESC)'
    >>> describe(OverflowError("cannot convert float infinity to integer"))
    'unexpected OverflowError while computing this scenario'
    """
    if isinstance(exc, InputError):
        return visible(str(exc))
    return f"unexpected {type(exc).__name__} while computing this scenario"


def guard_scenario(*steps: Callable[[], None]) -> None:
    """Run ``steps`` in order; on any failure open the default scenario, show the error and rerun."""
    try:
        for step in steps:
            step()
    except Exception as exc:
        if not isinstance(exc, InputError):
            _LOG.exception("scenario step failed; opening the default scenario")
        if st.session_state.get(RESET_KEY):
            show_error(describe(exc), title="The app could not draw even the default scenario:")
            st.stop()
        st.session_state[RESET_KEY] = True
        set_scenario(default_scenario(), origin=RESET_ORIGIN)
        flash_error("That scenario could not be opened; showing the default scenario instead.", describe(exc))
        st.rerun()
    else:
        st.session_state.pop(RESET_KEY, None)


def guard_page(run_page: Callable[[], None]) -> None:
    """Run the selected page; an unexpected failure becomes an error box (the sidebar stays)."""
    try:
        run_page()
    except Exception as exc:
        if not isinstance(exc, InputError):
            _LOG.exception("page failed")
        show_error(describe(exc), title="This page could not be drawn:")
