"""Advisor: the questionnaire (the scenario's needs block), the ranking with its reasons, and what would change it."""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

import pandas as pd
import streamlit as st

from costmodel.advisor.criteria import CRITERIA
from costmodel.advisor.recommendation import Advice, advise
from costmodel.core.jsonio import to_json
from costmodel.report import KIND_LABELS
from costmodel.scenario.types import Needs
from ui import lifecycle, messages, runs, session
from ui.chart import file_stem, show_chart
from ui.figures.advisor import advisor_scores_figure
from ui.markdown import md, md_literal
from ui.words import needs_words

NOT_ANSWERED = "not answered"

# One question per field of the needs block, in the scenario file's order (a comment, not a
# docstring: Streamlit's magic would print a bare string on the page).
QUESTIONS: dict[str, str] = {
    "knowledge_change": "How often does the knowledge the answers rely on change?",
    "needs_citations": "Must answers cite their sources?",
    "labeled_examples_available": "How many good labelled examples (input and ideal output) exist?",
    "output_format_strictness": "How strict is the output format?",
    "style_consistency": "How consistent must the style or voice be?",
    "domain_jargon": "How much domain jargon is there?",
    "latency_budget_ms": "Latency budget, end to end (ms)",
    "stage": "Stage of the project",
    "data_must_stay_on_premises": "Must the data stay on premises (no hosted APIs)?",
    "task_type": "Kind of task",
    "budget_usd_per_month": "Budget for the feature (USD per month, one-off costs included)",
    "ml_team_experience": "The team's experience training and serving models",
}


def _choices(name: str) -> list[object] | None:
    args = [a for a in typing.get_args(typing.get_type_hints(Needs)[name]) if a is not type(None)]
    if args == [bool]:
        return [None, True, False]
    literals = [a for a in args if typing.get_origin(a) is typing.Literal]
    return [None, *typing.get_args(literals[0])] if literals else None


def _word(value: object) -> str:
    if value is None:
        return NOT_ANSWERED
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def questionnaire(needs: Needs, version: int) -> Needs | None:
    """The form; returns the new answers when applied, else None."""
    with st.form(f"advisor_needs_{version}"):
        st.markdown("**Questionnaire** (saved in the scenario; leave a question unanswered to leave it out)")
        left, right = st.columns(2)
        answers: dict[str, Any] = {}  # widget values; Needs validates them on revalidation
        for i, field in enumerate(dataclasses.fields(Needs)):
            col = left if i % 2 == 0 else right
            current = getattr(needs, field.name)
            label = QUESTIONS[field.name]
            options = _choices(field.name)
            if options is not None:
                answers[field.name] = col.selectbox(
                    label,
                    options,
                    index=options.index(current),
                    format_func=_word,
                    key=f"adv_{field.name}_{version}",
                )
            else:
                is_int = int in typing.get_args(typing.get_type_hints(Needs)[field.name])
                floor = 1.0 if field.name == "latency_budget_ms" else 0.0  # a zero latency budget is invalid
                answers[field.name] = col.number_input(
                    label,
                    min_value=0 if is_int else floor,
                    value=current,
                    step=100 if is_int else 100.0,
                    placeholder=NOT_ANSWERED,
                    key=f"adv_{field.name}_{version}",
                )
        if not st.form_submit_button("Apply answers", type="primary"):
            return None
    return Needs(**answers)


def show_advice(advice: Advice, lifecycle_subjects: frozenset[str] = frozenset()) -> None:
    """Headline, model-lifecycle warnings, ranking, chart, reasons, what would change, notes.

    Notes naming a model or offer that shuts down or stops taking training jobs inside the horizon
    (``lifecycle_subjects``) are shown above the ranking, not folded away with the other notes.
    """
    lifecycle_notes = [n for n in advice.notes if any(subject in n for subject in lifecycle_subjects)]
    if lifecycle_notes:
        st.warning(
            "**Model lifecycle** (vendor-announced dates inside the horizon)\n\n"
            + "\n".join(f"- {md_literal(needs_words(note))}" for note in lifecycle_notes)
        )
    if advice.recommended_id is not None:
        top = advice.ranking[0]
        st.success(
            md(
                f"Recommended: **{top.id}** ({KIND_LABELS.get(top.kind, top.kind)}), score {top.score:.2f}. "
                f"{needs_words(top.reasons[0].text)}."
            )
        )
    else:
        st.error("No strategy qualifies: see the notes below.")
    if advice.combine:
        st.info(md(needs_words(advice.combine)))

    rows = [
        {
            "rank": i,
            "strategy": r.id,
            "kind": KIND_LABELS.get(r.kind, r.kind),
            "score": r.score,
            "status": "excluded" if r.excluded else ("costs not estimated" if not r.available else ""),
            "strongest reason": needs_words(r.reasons[0].text) if r.reasons else "",
        }
        for i, r in enumerate(advice.ranking, start=1)
    ]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        column_config={
            "score": st.column_config.ProgressColumn("score", min_value=0.0, max_value=1.0, format="%.2f")
        },
    )
    show_chart(advisor_scores_figure(advice), key="adv_scores", name="advisor scores")

    st.subheader("Why")
    for i, r in enumerate(advice.ranking, start=1):
        with st.expander(f"{i}. {r.id} — score {r.score:.2f}", expanded=i == 1):
            st.markdown("\n".join(f"- {md(needs_words(reason.text))}" for reason in r.reasons))

    st.subheader("What would change the answer")
    if advice.what_would_change:
        st.markdown("\n".join(f"- {md(needs_words(c.text))}" for c in advice.what_would_change))
    else:
        st.markdown("No single answer, and no monthly volume from 1/100 to 100 times today's, changes it.")
    if advice.notes:
        with st.expander(f"Notes ({len(advice.notes)})", expanded=advice.recommended_id is None):
            for note in advice.notes:
                st.markdown(f"- {md(needs_words(note))}")


def show_weights() -> None:
    """The weights table with the reasoning behind each weight."""
    with st.expander("How the advisor weighs the answers"):
        st.markdown(
            "score = weighted mean of how well each strategy meets each criterion that applies "
            "(weight x how strongly the answer engages it). A hard constraint excludes instead."
        )
        for c in CRITERIA:
            weight = "hard constraint" if c.hard else f"weight {c.weight:g}"
            st.markdown(
                md(
                    f"**{c.label}** (from the answer on {needs_words(c.answer)}, {weight}): {needs_words(c.why)}"
                )
            )


st.title("Advisor")
st.caption(
    "Which approach fits, and why: your answers about the use case weighed together with the cost and "
    "latency results. Answers are saved in the scenario (needs block)."
)
scenario = session.get_scenario()
new_needs = questionnaire(scenario.needs or Needs(), session.scenario_version())
if new_needs is not None:
    answered = any(getattr(new_needs, f.name) is not None for f in dataclasses.fields(Needs))
    candidate = dataclasses.replace(scenario, needs=new_needs if answered else None)
    if runs.apply_scenario(candidate, origin="advisor answers"):
        st.rerun()
    messages.show_flashes()

result = runs.result_or_stop()
current = advise(result)
show_advice(
    current,
    frozenset(
        e.subject for s in result.strategies for e in s.lifecycle_events if e.kind in lifecycle.DRAWN_KINDS
    ),
)
show_weights()
st.download_button(
    "Advice as JSON (breakeven advise format)",
    data=lambda: to_json(current.to_dict()),
    file_name=f"{file_stem(result.scenario.name)}-advice.json",
    mime="application/json",
    on_click="ignore",
)
