"""The run result's tables as DataFrames for ``st.dataframe`` (rows and words come from ``costmodel.report``)."""

from __future__ import annotations

import pandas as pd

from costmodel.engine import RunResult
from costmodel.report import breakeven_table_rows, cost_table_rows


def cost_table(result: RunResult) -> pd.DataFrame:
    """One row per strategy with the figures a decision memo needs (units in the column names)."""
    return pd.DataFrame(cost_table_rows(result))


def breakeven_table(result: RunResult) -> pd.DataFrame:
    """Each pair in words: who pays off against whom, in which month, above which constant volume."""
    return pd.DataFrame(breakeven_table_rows(result))
