"""Overview: the verdict (cheapest, best value, the advisor's pick, what flips them), the decision table,
the cumulative chart and whole-result downloads."""

from __future__ import annotations

import streamlit as st

from costmodel import report
from ui import export, lifecycle, runs, summary, words
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

answer = summary.current_verdict(result)
st.markdown(f"##### {md(answer.sentence)}")
decisive = [d.text for d in answer.decisive_assumptions]
if decisive:
    st.markdown(f"**Decisive assumption:** {md_literal(decisive[0])}.")

table, table_text = words.text_where_missing(summary.cost_table(result))  # "—", never "None"
details, details_text = words.text_where_missing(summary.cost_details(result))
money = st.column_config.NumberColumn(format="dollar")
per_request = {
    name: st.column_config.NumberColumn(format="$%.4f", help=text)
    for name, text in report.PER_REQUEST_HELP.items()
}
latency = st.column_config.NumberColumn(format="%.0f", help="median end-to-end latency")
# Pixel widths keep the eight decision columns inside the main area at 1,280 px (no sideways scrolling);
# the short labels name their unit and definition in the help tooltip.
st.dataframe(
    table,
    hide_index=True,
    column_config=words.as_text_columns(
        table_text,
        {
            "strategy": st.column_config.TextColumn("strategy", width=95),
            "model / offer": st.column_config.TextColumn(
                "model / offer",
                width=168,
                help="the model, fine-tuning offer or base model (and serving GPU)",
            ),
            report.cost_column(result): st.column_config.NumberColumn(
                report.cost_column(result).replace(" (USD)", " ($)"),
                format="compact",
                width=95,
                help="USD, net present value (monthly costs discounted)"
                if result.cost_basis == "npv"
                else "USD, horizon total",
            ),
            report.PER_REQUEST_ALL_IN: st.column_config.NumberColumn(
                "all-in / request",
                format="$%.4f",
                width=97,
                help=report.PER_REQUEST_HELP[report.PER_REQUEST_ALL_IN],
            ),
            "accuracy (fraction)": st.column_config.NumberColumn("accuracy", format="%.2f", width=65),
            "net value (USD)": st.column_config.NumberColumn(
                "net value ($)",
                format="compact",
                width=80,
                help="USD over the horizon: correct answers x value - wrong answers x cost - total",
            ),
            "end to end (ms)": st.column_config.NumberColumn(
                "latency ms", format="%.0f", width=70, help="median end-to-end latency (ms)"
            ),
            "status": st.column_config.TextColumn(
                "status",
                width=140,
                help="cheapest on the cost basis; stops after month N: a model it uses retires",
            ),
        },
    ),
)
with st.expander("Details: kind, one-off, totals, marginal and all-in cost per request, first token"):
    st.dataframe(
        details,
        hide_index=True,
        column_config=words.as_text_columns(
            details_text,
            {
                "one-off (USD)": money,
                details.columns[3]: money,
                "NPV (USD)": money,
                **per_request,
                "first token (ms)": st.column_config.NumberColumn(
                    format="%.0f", help="median time to first token"
                ),
                "end to end (ms)": latency,
            },
        ),
    )
if answer.reasons or len(decisive) > 1:
    title = (
        f"Why the advisor picks {answer.recommended_id}" if answer.reasons else "More decisive assumptions"
    )
    with st.expander(
        title + (", and every decisive assumption" if answer.reasons and len(decisive) > 1 else "")
    ):
        if answer.reasons:
            st.markdown("\n".join(f"- {md_literal(reason)}" for reason in answer.reasons))
        if len(decisive) > 1:
            st.markdown("**Decisive assumptions**\n\n" + "\n".join(f"- {md_literal(d)}" for d in decisive))
st.page_link(
    "app_pages/advisor.py",
    label="Advisor: the full ranking, reasons and what would change it",
    icon=":material/psychology:",
)
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
    data=lambda: export.result_json(result, answer.to_dict()),
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
    data=lambda: export.to_csv(summary.full_table(result)),
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
        verdict=answer.sentence,
        decisive=decisive,
        table=summary.full_table(result),
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
