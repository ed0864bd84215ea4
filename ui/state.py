"""The shared scenario in ``st.session_state``: one place to read and replace it."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from costmodel.scenario import Scenario, load_scenario

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
DEFAULT_EXAMPLE = EXAMPLES_DIR / "fintech-support.yaml"
SCENARIO_KEY = "scenario"
VERSION_KEY = "scenario_version"


def default_scenario() -> Scenario:
    """The built-in example scenario the app opens with."""
    return load_scenario(DEFAULT_EXAMPLE)


def get_scenario() -> Scenario:
    """The session's current scenario (the built-in example on first use)."""
    if SCENARIO_KEY not in st.session_state:
        st.session_state[SCENARIO_KEY] = default_scenario()
        st.session_state[VERSION_KEY] = 0
    scenario: Scenario = st.session_state[SCENARIO_KEY]
    return scenario


def set_scenario(scenario: Scenario) -> None:
    """Replace the session's scenario (pages rerun with it)."""
    st.session_state[SCENARIO_KEY] = scenario
    st.session_state[VERSION_KEY] = st.session_state.get(VERSION_KEY, 0) + 1
