"""Prices: every price with its as-of date, source and confidence; session overrides; custom catalog upload."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from costmodel.catalog.price_data import current_price_data
from costmodel.core.errors import InputError
from costmodel.core.schema import today
from ui import messages, prices, session, session_catalogs, words
from ui.lifecycle import price_data_text
from ui.markdown import md_literal

st.title("Prices")
st.caption(
    f"Every figure carries the date it was checked and its source. Prices checked more than "
    f"{prices.STALE_AFTER_DAYS} days ago are flagged ⚠ stale: check the vendor page before relying on them. "
    "Overrides and uploaded catalogs apply to this browser session only and are never stored."
)

catalogs = session_catalogs.current_catalogs()
now = today()
st.caption(
    f"{md_literal(price_data_text(current_price_data()[1]))}. "
    "`breakeven prices update` refreshes them from genai-prices' published data."
)
DATE_FORMAT = "YYYY-MM-DD"
COLUMNS = {
    "source": st.column_config.LinkColumn(display_text="open source", help="where the figure comes from"),
    "as of": st.column_config.DateColumn(format=DATE_FORMAT),
    "age (days)": st.column_config.NumberColumn(width="small"),
    "confidence": st.column_config.TextColumn(width="small"),
    "status": st.column_config.TextColumn(
        width="small",
        help=f"Lifecycle on {now.isoformat()}: active, deprecated (still served, shutdown announced or flagged) "
        "or retired (no longer served). No dates = no announced shutdown.",
    ),
    "shuts down on": st.column_config.TextColumn(
        help="first day it is no longer served (none: no announced shutdown)"
    ),
    "new training jobs until": st.column_config.TextColumn(help="last day a new fine-tuning job can start"),
    "replacement": st.column_config.TextColumn(help="what the vendor names as the replacement"),
    "price check": st.column_config.TextColumn(
        help=f"✓ checked within {prices.STALE_AFTER_DAYS} days, ⚠ older, ✎ overridden in this session"
    ),
}


def _show_table(frame: pd.DataFrame, key: str) -> None:
    shown, text_columns = words.text_where_missing(words.round_noise(prices.fill_lifecycle_gaps(frame)))
    shown = prices.readable(shown)
    text = {prices.column_label(c): st.column_config.TextColumn() for c in text_columns}
    st.dataframe(shown, hide_index=True, key=key, column_config={**text, **COLUMNS})


# --- Prices the current scenario uses ---------------------------------------------------------
st.subheader("Prices this scenario uses")
scenario = session.get_scenario()
used_rows = []
for strategy_id, kind, entry_id in prices.used_entries(scenario):
    frame = prices.entry_rows(catalogs, kind, now) if kind != prices.LLM_KIND else pd.DataFrame()
    frame = frame[frame["id"] == entry_id] if not frame.empty else frame
    if frame.empty and kind in (prices.LLM_KIND, "embedding_models"):
        frame = prices.llm_rows(catalogs, now, entry_id)  # API models and genai-prices embeddings
        frame = frame[frame["id"] == entry_id] if not frame.empty else frame
    if frame.empty:
        used_rows.append(
            {
                "strategy": strategy_id,
                "id": entry_id,
                "status": "✗ not in the catalogs",
                "kind": prices.kind_label(kind),
            }
        )
        continue
    row = frame.iloc[0]
    used_rows.append(
        {
            "strategy": strategy_id,
            "id": entry_id,
            **prices.lifecycle_columns(catalogs, kind, entry_id, now),
            "source_url": row["source_url"],
            "status": row["status"],
            "as_of": row["as_of"],
            "age_days": row["age_days"],
            "confidence": row.get("confidence", "medium"),
            "kind": prices.kind_label(kind),
        }
    )
USED_COLUMNS = (
    "strategy",
    "id",
    "kind",
    "lifecycle",
    "new_jobs_until",
    "shutdown_on",
    "replacement",
    "status",
    "as_of",
    "age_days",
    "confidence",
    "source_url",
)
if used_rows:
    used = pd.DataFrame(used_rows)
    used = used[[c for c in USED_COLUMNS if c in used.columns]]
    n_stale = int(used["status"].astype(str).str.contains("stale").sum())
    if n_stale:
        st.badge(
            f"{n_stale} of {len(used)} prices older than {prices.STALE_AFTER_DAYS} days",
            icon=":material/warning:",
            color="orange",
        )
    else:
        st.badge(
            f"all {len(used)} prices checked within {prices.STALE_AFTER_DAYS} days",
            icon=":material/check_circle:",
            color="green",
        )
    _show_table(used, "pr_used")
else:
    st.info("This scenario names no catalog entries (all prices are inline).")

# --- Override a price ----------------------------------------------------------------------------
st.subheader("Override a price for this session")
overrides = session_catalogs.price_overrides()
c1, c2, c3, c4 = st.columns([1.2, 2, 1.6, 1.2])
kind = c1.selectbox("Catalog", prices.kinds(), key="pr_kind", format_func=prices.kind_label)
if kind == prices.LLM_KIND:
    ids = sorted(
        {m for _, k, m in prices.used_entries(scenario) if k == kind}
        | set(prices.llm_rows(catalogs, now, lifecycle=False)["id"])
    )
else:
    ids = [e.id for e in catalogs.all(kind)]
chosen_id: str | None = c2.selectbox("Entry", ids, key="pr_entry") if ids else None
fields = prices.price_fields(kind)
field = (
    c3.selectbox(
        "Field",
        [name for name, _ in fields],
        key="pr_field",
        format_func=prices.column_label,
        help="; ".join(f"{prices.column_label(n)}: {unit or 'number'}" for n, unit in fields),
    )
    if fields
    else None
)
current = prices.current_value(catalogs, kind, chosen_id, field) if chosen_id and field else None
value = c4.number_input("New value", value=current, key=f"pr_value_{kind}_{chosen_id}_{field}", format="%g")
if st.button("Override", icon=":material/edit:", disabled=not (chosen_id and field), key="pr_apply"):
    try:
        if value is None:
            raise InputError.single(prices.OVERRIDE_ORIGIN, f"{kind}.{field}", "enter a value")
        prices.check_override(kind, str(field), float(value))
    except InputError as exc:
        messages.show_error(str(exc), title="Override not applied:")
    else:
        overrides[(kind, str(chosen_id), str(field))] = float(value)
        st.rerun()
if overrides:
    active = pd.DataFrame(
        [
            {"catalog": prices.kind_label(k), "id": i, "field": prices.column_label(f), "value": v}
            for (k, i, f), v in sorted(overrides.items())
        ]
    )
    st.dataframe(active, hide_index=True, key="pr_overrides")
    if st.button("Remove all overrides", icon=":material/undo:", key="pr_clear"):
        overrides.clear()
        st.rerun()

# --- Custom catalog ------------------------------------------------------------------------------
st.subheader("Upload a custom catalog")
st.caption(
    "Same format as `costmodel/catalog/data/*.yaml` (`{kind: [entries]}`; see the catalog README). Its entries add to or "
    "replace built-in entries with the same id; everything else stays built-in."
)
uploaded = st.file_uploader("Catalog YAML", type=["yaml", "yml"], key="pr_upload")
custom = st.session_state.get(session_catalogs.CUSTOM_CATALOG_KEY)
if uploaded is not None and (
    custom is None or custom[0] != uploaded.name or st.session_state.get("pr_upload_id") != uploaded.file_id
):
    st.session_state["pr_upload_id"] = uploaded.file_id
    try:
        session_catalogs.set_custom_catalog(uploaded.name, uploaded.getvalue())
    except InputError as exc:
        session_catalogs.clear_custom_catalog()
        messages.show_error(
            str(exc),
            title=(
                f"{prices.upload_name(uploaded.name)} was not loaded ({len(exc.problems)} problems); "
                "the built-in catalogs stay in use:"
            ),
        )
    else:
        st.rerun()
custom = st.session_state.get(session_catalogs.CUSTOM_CATALOG_KEY)
if custom is not None:
    counts = ", ".join(f"{len(v)} {k}" for k, v in custom[2].entries.items())
    st.success(f"Using {md_literal(custom[0])}: {counts}.")
    if st.button("Stop using the custom catalog", key="pr_custom_clear"):
        session_catalogs.clear_custom_catalog()
        st.rerun()

# --- All prices ----------------------------------------------------------------------------------
st.subheader("All catalogs")
tabs = st.tabs([prices.kind_label(k) for k in prices.kinds()])
for tab, kind_name in zip(tabs, prices.kinds(), strict=True):
    with tab:
        if kind_name == prices.LLM_KIND:
            search = st.text_input(
                "Search models", key="pr_search", placeholder="e.g. gpt-4.1, claude, gemini"
            )
            frame = prices.llm_rows(catalogs, now, search)
            st.caption(
                f"{len(frame)} models · API prices from genai-prices and costmodel/catalog/data/models.yaml · "
                "status, shutdown date and replacement from the lifecycle catalog (vendors' deprecation pages), "
                "else genai-prices' deprecated flag"
            )
        else:
            frame = prices.entry_rows(catalogs, kind_name, now)
            if kind_name in prices.LIFECYCLE_SUBJECTS:
                st.caption(
                    "status, shutdown date and replacement from the lifecycle catalog (vendors' deprecation pages)"
                )
        if frame.empty:
            st.info("No entries.")
        else:
            _show_table(frame, f"pr_table_{kind_name}")

st.caption(f"Today: {dt.date.isoformat(now)}. Staleness is counted from each entry's as-of date.")
