"""The run result's tables as DataFrames for ``st.dataframe``, and the cached verdict (rows and words: ``costmodel``)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from costmodel.advisor.verdict import Verdict, verdict
from costmodel.catalog.entry import Catalogs
from costmodel.engine import RunResult
from costmodel.report import breakeven_table_rows, cost_detail_rows, cost_table_rows
from costmodel.scenario.io import dump_scenario
from costmodel.simulation.default_ranges import default_uncertainty
from ui.session_catalogs import catalogs_key, current_catalogs

VERDICT_CACHE_ENTRIES = 64
"""Verdicts kept across sessions (the decisive-assumption search re-runs the scenario a few dozen times)."""

VERDICT_CACHE_TTL_S = 3600
"""Like a cached run: an hour, so prices picked by date never go stale."""


def cost_table(result: RunResult) -> pd.DataFrame:
    """One row per strategy with the columns a decision needs, narrow enough for 1,280 px (units in the names)."""
    return pd.DataFrame(cost_table_rows(result))


def cost_details(result: RunResult) -> pd.DataFrame:
    """The figures behind the decision table: kind, one-off, totals, both per-request costs, first token."""
    return pd.DataFrame(cost_detail_rows(result))


def full_table(result: RunResult) -> pd.DataFrame:
    """The decision table and its details side by side (the summary CSV and the HTML report)."""
    table, details = cost_table(result), cost_details(result)
    extra = details.drop(columns=[c for c in details.columns if c in table.columns and c != "strategy"])
    return table.merge(extra, on="strategy", how="left")


def breakeven_table(result: RunResult) -> pd.DataFrame:
    """Each pair in words: who pays off against whom, in which month, above which constant volume."""
    return pd.DataFrame(breakeven_table_rows(result))


@st.cache_resource(max_entries=VERDICT_CACHE_ENTRIES, ttl=VERDICT_CACHE_TTL_S, show_spinner=False)
def _cached_verdict(
    scenario_text: str, source: str, key: str, _result: RunResult, _catalogs: Catalogs
) -> Verdict:
    return verdict(_result, _catalogs, extra=default_uncertainty(_result.scenario, _catalogs))


def current_verdict(result: RunResult) -> Verdict:
    """The verdict of a run with this session's catalogs (cached by the scenario's YAML and the catalogs)."""
    scenario = result.scenario
    return _cached_verdict(
        dump_scenario(scenario), scenario.source, catalogs_key(), result, current_catalogs()
    )
