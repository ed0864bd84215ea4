"""Words for the page: scenario field paths, answer names and numbers as a reader sees them.

Nothing internal reaches a page: a field path such as ``strategies[3].serve_gpu_offer usd_per_gpu_hour``
reads "GPU rental price for serving, ft-llama-8b (USD per GPU-hour)"; a needs answer such as
``knowledge_change`` reads "how often knowledge changes"; a missing number reads "—".
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from costmodel.report import format_usd
from ui.prices import column_label

MISSING = "—"
"""Shown where a number does not exist (no value of a correct answer, no spot price)."""

NEEDS_LABELS = {
    "knowledge_change": "how often knowledge changes",
    "needs_citations": "citations needed",
    "labeled_examples_available": "labelled examples available",
    "output_format_strictness": "output format strictness",
    "style_consistency": "style consistency",
    "domain_jargon": "domain jargon",
    "latency_budget_ms": "latency budget (ms)",
    "stage": "project stage",
    "data_must_stay_on_premises": "data stays on premises",
    "task_type": "task type",
    "budget_usd_per_month": "budget (USD per month)",
    "ml_team_experience": "ML team experience",
}
"""Each answer of the scenario's needs block in words."""

FIELD_LABELS = {
    "accuracy_fraction": "accuracy (fraction)",
    "growth_fraction_per_month": "growth (fraction per month)",
    "requests_per_month": "requests per month",
    "input_tokens_per_request": "input tokens per request",
    "output_tokens_per_request": "output tokens per request",
    "mfu_fraction": "training efficiency (MFU fraction)",
    "engineer_usd_per_hour": "engineer rate (USD per hour)",
    "value_per_correct_usd": "value of a correct answer (USD)",
    "cost_per_error_usd": "cost of a wrong answer (USD)",
}
"""Scenario fields whose generic reading (:func:`ui.prices.column_label`) is not the clearest."""

OFFER_WORDS = {
    "serve_gpu_offer": "GPU rental for serving",
    "train_gpu_offer": "GPU rental for training",
    "training": "",  # the leaf names it: training efficiency
}

_NEEDS_RE = re.compile(r"\b(" + "|".join(map(re.escape, NEEDS_LABELS)) + r")\b")
_STRATEGY_RE = re.compile(r"^strategies\[(\d+)\]\.?")


def needs_words(text: str) -> str:
    """``text`` with every needs-block field name replaced by its words.

    >>> needs_words("with knowledge_change daily, rag would rank first")
    'with how often knowledge changes daily, rag would rank first'
    >>> needs_words("Not answered: task_type, budget_usd_per_month")
    'Not answered: task type, budget (USD per month)'
    """
    return _NEEDS_RE.sub(lambda m: NEEDS_LABELS[m.group(1)], text)


def field_label(name: str) -> str:
    """One scenario field in words with its unit.

    >>> field_label("accuracy_fraction"), field_label("usd_per_gpu_hour"), field_label("system_prompt_tokens")
    ('accuracy (fraction)', 'price (USD per GPU-hour)', 'system prompt (tokens)')
    """
    return FIELD_LABELS.get(name) or NEEDS_LABELS.get(name) or column_label(name)


def path_label(path: str, strategy_ids: Sequence[str] = ()) -> str:
    """A scenario field path (or a cost factor's name) in words, naming the strategy it belongs to.

    >>> path_label("strategies[1].serve_gpu_offer usd_per_gpu_hour", ["a", "ft-llama-8b"])
    'GPU rental for serving, ft-llama-8b (USD per GPU-hour)'
    >>> path_label("strategies[0].accuracy_fraction", ["rag"]), path_label("workload.growth_fraction_per_month")
    ('accuracy, rag (fraction)', 'growth (fraction per month)')
    >>> path_label("strategies[2].training mfu_fraction", ["a", "b", "ft"])
    'training efficiency, ft (MFU fraction)'
    """
    owner = ""
    m = _STRATEGY_RE.match(path)
    if m:
        index = int(m.group(1))
        owner = strategy_ids[index] if index < len(strategy_ids) else f"strategy {index + 1}"
        path = path[m.end() :]
    parts = [p for p in re.split(r"[ .]", path) if p]
    if not parts:
        return owner or "input"
    parts = [p for p in parts if p not in ("workload", "people", "needs")] or parts
    leaf = field_label(parts[-1])
    head = " ".join(w for w in (OFFER_WORDS.get(p, field_label(p)) for p in parts[:-1]) if w)
    if head and leaf.startswith("price ("):
        leaf = head + leaf.removeprefix("price")
    elif head:
        leaf = f"{head} {leaf}"
    if not owner:
        return leaf
    name, paren, unit = leaf.partition(" (")
    return f"{name}, {owner}" + (f" ({unit}" if paren else "")


def readable_number(value: object) -> object:
    """A table cell for a person: None and NaN read "—", other values pass through.

    >>> readable_number(None), readable_number(float("nan")), readable_number(2.5)
    ('—', '—', 2.5)
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    return value


def fill_missing(frame: pd.DataFrame, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """``frame`` with every None/NaN cell of ``columns`` (default: all) shown as "—" (a copy)."""
    out = frame.copy()
    for c in list(out.columns) if columns is None else columns:
        if c in out.columns and out[c].isna().any():
            out[c] = out[c].astype(object).map(readable_number)
    return out


def round_money(frame: pd.DataFrame, *, usd_digits: int = 2, other_significant: int = 6) -> pd.DataFrame:
    """A copy for CSV files: USD columns to cents, other floats to ``other_significant`` significant digits.

    Cents are too coarse for per-request and per-token prices, so columns whose names say "per"
    keep six significant digits instead.

    >>> round_money(pd.DataFrame({"total_usd": [2459.3999999999996], "usd_per_request": [0.0012345678]}))
       total_usd  usd_per_request
    0     2459.4         0.001235
    """
    out = frame.copy()
    for c in out.columns:
        if not pd.api.types.is_float_dtype(out[c]):
            continue
        name = str(c).lower()
        if ("usd" in name or "$" in name) and "per" not in name:
            out[c] = out[c].round(usd_digits)
        else:
            out[c] = out[c].map(lambda v: _significant(v, other_significant))
    return out


def _significant(value: float, digits: int) -> float:
    if not math.isfinite(value) or value == 0:
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def format_number(value: object) -> str:
    """A number for a table cell: thousands separators, four significant digits below 1,000, "—" if missing.

    >>> [format_number(v) for v in (0.8346636453288465, 13196.36, 0.004664, None, 3)]
    ['0.8347', '13,196', '0.004664', '—', '3']
    """
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return MISSING if value is None else str(value)
    if math.isnan(value):
        return MISSING
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def readable_inputs(frame: pd.DataFrame, strategy_ids: Sequence[str]) -> pd.DataFrame:
    """The simulator's inputs table for the page: each path in words and each number formatted."""
    out = frame.copy()
    if "input" in out.columns:
        out["input"] = [path_label(str(p), strategy_ids) for p in out["input"]]
    for c in out.columns:
        if pd.api.types.is_numeric_dtype(out[c]):
            out[c] = [format_number(float(v)) for v in out[c]]
    return out


def money_text(column: str, value: object) -> str:
    """One cell of a USD column as text: "$0.0123" per request, "$0.21" or "$74.2k" for totals, "—" if missing.

    >>> money_text("cost (USD)", 0.208), money_text("total_usd", 74_171.75), money_text("usd_per_request", 0.01234)
    ('$0.21', '$74.2k', '$0.0123')
    """
    if value is None or isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        return MISSING if value is None or isinstance(value, float) else str(value)
    if "per" in re.split(r"[\s_,]+", column.lower()):
        return f"-${abs(value):,.4f}" if value < 0 else f"${value:,.4f}"
    return format_usd(float(value)) if abs(value) >= 1000 else f"{'-' if value < 0 else ''}${abs(value):,.2f}"


def text_where_missing(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """A copy where each number column holding None/NaN becomes text ("—" for the gaps, money as dollars),
    and the names of those columns (their column_config must then be a text column).

    >>> shown, cols = text_where_missing(pd.DataFrame({"net value (USD)": [None, 1250.0], "n": [1, 2]}))
    >>> list(shown["net value (USD)"]), cols
    (['—', '$1.25k'], ['net value (USD)'])
    """
    out = frame.copy()
    converted = []
    for c in out.columns:
        col = out[c]
        if not col.isna().any() or not all(v is None or isinstance(v, int | float) for v in col):
            continue
        name = str(c)
        money = "usd" in name.lower() or "$" in name
        out[c] = [money_text(name, v) if money else format_number(v) for v in col]
        converted.append(name)
    return out, converted


def as_text_columns(columns: Iterable[str], config: dict[str, Any]) -> dict[str, Any]:
    """``config`` (an ``st.dataframe`` column_config) with each of ``columns`` shown as text, label,
    width and help kept: the columns :func:`text_where_missing` turned into text."""
    out = dict(config)
    for c in columns:
        old = out.get(c)
        kept = {k: v for k, v in old.items() if k != "type_config"} if isinstance(old, dict) else {}
        out[c] = {**kept, "type_config": {"type": "text"}}
    return out


def number_format(name: str) -> str:
    """The display format of a number column, from its name: dollars, fractions, counts, tokens.

    >>> [number_format(n) for n in ("training_usd", "usd_per_request", "over_context_fraction", "mean_tokens")]
    ['dollar', '$%.4f', '%.2f', '%.1f']
    """
    lower = name.lower()
    if "usd" in lower:
        return "$%.4f" if "per" in lower else "dollar"
    if "fraction" in lower or "share" in lower:
        return "%.2f"
    return "%.1f"


def table_config(frame: pd.DataFrame, text_columns: Iterable[str] = ()) -> dict[str, Any]:
    """An ``st.dataframe`` column_config for a table with machine column names: each header in words
    (:func:`field_label`), each float column formatted (:func:`number_format`), ``text_columns`` as text."""
    text = set(text_columns)
    config: dict[str, Any] = {}
    for c in frame.columns:
        name = str(c)
        label = field_label(name)
        if name not in text and pd.api.types.is_float_dtype(frame[c]):
            config[name] = st.column_config.NumberColumn(label, format=number_format(name))
        else:
            config[name] = st.column_config.Column(label)
    return config


def round_noise(frame: pd.DataFrame, significant: int = 6) -> pd.DataFrame:
    """A copy with every float rounded to ``significant`` digits: 0.18000000000000002 reads 0.18.

    >>> list(round_noise(pd.DataFrame({"p": [0.18000000000000002, 0.36975, None]}))["p"])[:2]
    [0.18, 0.36975]
    """
    out = frame.copy()
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].map(lambda v: _significant(v, significant))
        elif out[c].dtype == object:
            out[c] = out[c].map(lambda v: _significant(v, significant) if isinstance(v, float) else v)
    return out


_SECTION_PATH_RE = re.compile(r"\b(workload|people|needs|value)\.([a-z0-9_]+)\b")
SECTION_WORDS = {
    "workload": "the workload's",
    "people": "the team's",
    "needs": "the answer on",
    "value": "the",
}


def paths_in_words(text: str) -> str:
    """``text`` with scenario field paths such as ``workload.output_tokens_per_request`` in words.

    >>> paths_in_words("tokens; overrides workload.output_tokens_per_request")
    "tokens; overrides the workload's output tokens per request"
    """
    text = _SECTION_PATH_RE.sub(lambda m: f"{SECTION_WORDS[m.group(1)]} {field_label(m.group(2))}", text)
    return needs_words(text)


_LOOP_NOTE = re.compile(r"^(?P<id>.+?): the \w+ preparer does not take arrays; prepared draw by draw$")
_FIXED_NOTE = re.compile(
    r"^(?P<id>.+?): the \w+ preparer does not take arrays and (?P<n>[\d,]+) draws exceed "
    r"the (?P<limit>[\d,]+)-draw loop limit, so (?P<names>.+) stay at their central values for it$"
)


def simulation_note(note: str, strategy_ids: Sequence[str] = ()) -> str:
    """A simulator note in words: no preparer names, field paths in words.

    >>> simulation_note("ft: the finetune_selfhosted preparer does not take arrays; prepared draw by draw")
    'ft: computed one draw at a time (slower, same result)'
    >>> simulation_note("ft: the finetune_selfhosted preparer does not take arrays and 10,000 draws exceed "
    ...     "the 2,000-draw loop limit, so strategies[0].training mfu_fraction stay at their central values for it",
    ...     ["ft"])[:64]
    'ft: training efficiency, ft (MFU fraction) stays at its central '
    """
    if m := _LOOP_NOTE.match(note):
        return f"{m['id']}: computed one draw at a time (slower, same result)"
    if m := _FIXED_NOTE.match(note):
        names = [path_label(n.strip(), strategy_ids) for n in m["names"].split(", ")]
        one = len(names) == 1
        return (
            f"{m['id']}: {'; '.join(names)} {'stays at its central value' if one else 'stay at their central values'}: "
            f"{m['n']} draws are more than the {m['limit']} this strategy can compute one at a time "
            f"(use fewer draws to vary {'it' if one else 'them'})"
        )
    return paths_in_words(note)
