"""The session's current scenario in ``st.session_state``: read it, replace it, and count the replacements.

Pages read the scenario with :func:`get_scenario`; a change reaches the session through
:func:`ui.runs.apply_scenario` (which validates and runs it first) and lands here with
:func:`set_scenario`. Every replacement bumps :func:`scenario_version`, which widget keys include so
widgets rebuild from the new scenario. Uploaded scenarios live only here, in memory.
"""

from __future__ import annotations

import streamlit as st

from costmodel.scenario.examples import DEFAULT_EXAMPLE_NAME, EXAMPLE_SUFFIX, EXAMPLES_DIR
from costmodel.scenario.io import dump_scenario, load_scenario, parse_scenario
from costmodel.scenario.types import Scenario

DEFAULT_EXAMPLE = EXAMPLES_DIR / f"{DEFAULT_EXAMPLE_NAME}{EXAMPLE_SUFFIX}"
"""The bundled example the app opens with (package data, so an installed wheel has it too)."""
SCENARIO_KEY = "scenario"
VERSION_KEY = "scenario_version"
ORIGIN_KEY = "scenario_origin"
_YAML_MEMO_KEY = "_scenario_yaml_memo"

BLANK_SCENARIO_YAML = """\
name: New scenario
horizon_months: 24
workload:
  requests_per_month: 10000
  input_tokens_per_request: 500
  output_tokens_per_request: 300
strategies:
  - id: prompt
    kind: prompting
    model: openai/gpt-4.1-mini
"""
"""The "blank" starting point: one prompting strategy with starter values to replace (not sourced figures)."""


def default_scenario() -> Scenario:
    """The built-in example scenario the app opens with."""
    return load_scenario(DEFAULT_EXAMPLE)


def blank_scenario() -> Scenario:
    """A minimal scenario to start from (one prompting strategy, starter values).

    >>> [s.kind for s in blank_scenario().strategies]
    ['prompting']
    """
    return parse_scenario(BLANK_SCENARIO_YAML, source="blank scenario")


def get_scenario() -> Scenario:
    """The session's current scenario (the built-in example on first use)."""
    if SCENARIO_KEY not in st.session_state:
        st.session_state[SCENARIO_KEY] = default_scenario()
        st.session_state[VERSION_KEY] = 0
        st.session_state[ORIGIN_KEY] = f"example {DEFAULT_EXAMPLE.name}"
    scenario: Scenario = st.session_state[SCENARIO_KEY]
    return scenario


def set_scenario(scenario: Scenario, *, origin: str | None = None) -> None:
    """Replace the session's scenario (pages rerun with it; the sidebar's widgets follow)."""
    st.session_state[SCENARIO_KEY] = scenario
    st.session_state[VERSION_KEY] = st.session_state.get(VERSION_KEY, 0) + 1
    if origin is not None:
        st.session_state[ORIGIN_KEY] = origin


def scenario_version() -> int:
    """Increases every time the scenario is replaced."""
    get_scenario()
    return int(st.session_state.get(VERSION_KEY, 0))


def scenario_yaml() -> str:
    """YAML text of the current scenario (memoised per scenario version)."""
    scenario = get_scenario()
    memo = st.session_state.get(_YAML_MEMO_KEY)
    if memo is not None and memo[0] is scenario:
        return str(memo[1])
    text = dump_scenario(scenario)
    st.session_state[_YAML_MEMO_KEY] = (scenario, text)
    return text
