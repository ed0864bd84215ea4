"""Running scenarios with the session's catalogs: cached results, and applying a changed scenario.

Candidate scenarios from widgets, uploads, links and the editor go through :func:`apply_scenario`,
which validates and runs them first and keeps the previous scenario (with an error naming the field)
when they fail. Pages take the current result with :func:`result_or_stop`.
"""

from __future__ import annotations

import streamlit as st

from costmodel.catalog.entry import Catalogs
from costmodel.core.errors import InputError
from costmodel.engine import RunResult, run
from costmodel.scenario.io import dump_scenario, parse_scenario
from costmodel.scenario.types import Scenario
from ui.messages import flash_error, show_error
from ui.session import get_scenario, scenario_yaml, set_scenario
from ui.session_catalogs import catalogs_key, current_catalogs

RUN_CACHE_ENTRIES = 256
"""Run results kept across sessions (a result is ~100 KB: bounded at a few tens of MB)."""

RUN_CACHE_TTL_S = 3600
"""A cached result lives one hour: genai-prices picks prices by date, so results must not outlive a day."""


@st.cache_resource(max_entries=RUN_CACHE_ENTRIES, ttl=RUN_CACHE_TTL_S, show_spinner=False)
def _cached_run(
    scenario_text: str, source: str, key: str, _scenario: Scenario, _catalogs: Catalogs
) -> RunResult:
    """run() keyed by the scenario's YAML text, its source name and the catalogs key.

    ``cache_resource`` (not ``cache_data``): a result holds prepared strategies with closures that
    cannot be pickled; it is immutable and safe to share. Failures (InputError) are not cached.
    """
    return run(_scenario, _catalogs)


def run_scenario(scenario: Scenario) -> RunResult:
    """Run any scenario with this session's catalogs (cached); raises InputError."""
    text = scenario_yaml() if scenario is get_scenario() else dump_scenario(scenario)
    return _cached_run(text, scenario.source, catalogs_key(), scenario, current_catalogs())


def current_result() -> RunResult:
    """The current scenario's result; raises InputError (pages show it with :func:`result_or_stop`)."""
    return run_scenario(get_scenario())


def apply_scenario(candidate: Scenario, *, origin: str | None = None, revalidate: bool = True) -> bool:
    """Validate and run ``candidate``; make it current on success, else keep the old one and flash the error."""
    try:
        checked = (
            parse_scenario(dump_scenario(candidate), source=candidate.source) if revalidate else candidate
        )
        run_scenario(checked)
    except InputError as exc:
        flash_error("That change was not applied:", str(exc))
        return False
    set_scenario(checked, origin=origin)
    return True


def result_or_stop() -> RunResult:
    """The current result, or an error naming the field and ``st.stop()`` (the sidebar stays usable)."""
    try:
        return current_result()
    except InputError as exc:
        show_error(
            str(exc),
            title="The current scenario cannot be costed; fix it in the sidebar or the strategy editor:",
        )
        st.stop()
        raise  # unreachable: st.stop() raises; keeps type checkers honest
