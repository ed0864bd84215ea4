"""Overview: the one-sentence verdict, the cost table, the cumulative chart and whole-result downloads."""

from __future__ import annotations

import streamlit as st

from costmodel import report
from ui import export, lifecycle, runs, summary
from ui.chart import file_stem, show_chart
from ui.figures.breakeven import (
    breakdown_figure,
    cost_vs_volume_figure,
    monthly_cost_figure,
    unit_cost_figure,
)
from ui.figures.common import cumulative_cost_figure
from ui.figures.latency import latency_stages_figure, latency_vs_cost_figure
from ui.markdown import md, md_literal

st.title("Prompt, RAG or fine-tune?")
result = runs.result_or_stop()
scenario = result.scenario

st.markdown(f"##### {md(report.verdict(result))}")
st.caption(
    f"{md_literal(scenario.name)} · {md_literal(lifecycle.month_one_line(result))} · "
    f"{md_literal(lifecycle.price_data_line(result))} · oldest price used checked on "
    f"{result.prices_as_of or 'n/a'} · estimates, not quotes: check current vendor prices before "
    "committing to a budget."
)
events = lifecycle.lifecycle_sentences(result)
if events:
    # Model ids can come from an uploaded catalog: every sentence is shown verbatim.
    st.markdown(
        "**Model lifecycle** (vendor-announced dates inside the horizon)\n\n"
        + "\n".join(f"- {md_literal(sentence)}" for sentence in events)
    )

table = summary.cost_table(result)
money = st.column_config.NumberColumn(format="dollar")
st.dataframe(
    table,
    hide_index=True,
    column_config={
        "one-off (USD)": money,
        table.columns[4]: money,
        "NPV (USD)": money,
        "per request (USD)": st.column_config.NumberColumn(
            format="$%.5f", help="marginal: month-1 variable cost of one more request"
        ),
        "per correct answer (USD)": st.column_config.NumberColumn(
            format="$%.4f", help="all-in: horizon total / correct answers"
        ),
        "first token (ms)": st.column_config.NumberColumn(format="%.0f", help="median time to first token"),
        "end to end (ms)": st.column_config.NumberColumn(format="%.0f", help="median end-to-end latency"),
        "accuracy (fraction)": st.column_config.NumberColumn(format="%.2f"),
        "net value (USD)": money,
    },
)

show_chart(cumulative_cost_figure(result), key="ov_cumulative", name="cumulative cost")

for sentence in report.breakeven_sentences(result):
    st.markdown(f"- {md(sentence)}")

notes = report.notes(result)
if notes:
    with st.expander(f"Assumptions and notes ({len(notes)})"):
        for note in notes:
            st.text(note)

st.subheader("Download the whole result")
stem = file_stem(scenario.name)
cols = st.columns(4)
cols[0].download_button(
    "JSON (breakeven run format)",
    data=lambda: export.result_json(result),
    file_name=f"{stem}-result.json",
    mime="application/json",
    key="ov_json",
    on_click="ignore",
    icon=":material/data_object:",
)
cols[1].download_button(
    "CSV, month by month",
    data=lambda: export.result_csv(result),
    file_name=f"{stem}-monthly.csv",
    mime="text/csv",
    key="ov_csv",
    on_click="ignore",
    icon=":material/table:",
)
cols[2].download_button(
    "CSV, summary table",
    data=lambda: export.to_csv(table),
    file_name=f"{stem}-summary.csv",
    mime="text/csv",
    key="ov_summary_csv",
    on_click="ignore",
    icon=":material/table_rows:",
)


def _report() -> str:
    figures = {
        "Cumulative cost": cumulative_cost_figure(result),
        "Cost per month": monthly_cost_figure(result),
        "Monthly cost vs volume": cost_vs_volume_figure(result),
        "Cost breakdown": breakdown_figure(result),
        "Cost per request and per correct answer": unit_cost_figure(result),
        "Latency vs cost": latency_vs_cost_figure(result),
        "Latency by stage": latency_stages_figure(result),
    }
    return export.report_html(
        result,
        verdict=report.verdict(result),
        table=table,
        figures=figures,
        breakevens=report.breakeven_sentences(result),
        notes=notes,
        lifecycle=events,
    )


cols[3].download_button(
    "One-page HTML report",
    data=_report,
    file_name=f"{stem}-report.html",
    mime="text/html",
    key="ov_report",
    on_click="ignore",
    icon=":material/description:",
)
