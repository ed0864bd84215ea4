"""The advisor's score chart: stacked criterion contributions that add up to each score."""

from __future__ import annotations

import pytest
from advisor_data import SITUATIONS_DIR as SITUATIONS
from advisor_data import overlay_catalogs

from costmodel.advisor.criteria import BY_ID
from costmodel.advisor.recommendation import advise
from costmodel.engine import run
from costmodel.scenario.io import load_scenario
from ui.figures.advisor import advisor_scores_figure


def figure_for(name: str):  # type: ignore[no-untyped-def]
    advice = advise(run(load_scenario(SITUATIONS / f"{name}.yaml"), overlay_catalogs()), sensitivity=False)
    return advice, advisor_scores_figure(advice)


def test_titles_axes_and_one_named_trace_per_applied_criterion() -> None:
    advice, fig = figure_for("sql-generator-fixed-schema")
    assert "SQL generator for one fixed schema" in fig.layout.title.text
    assert "recommended: ft-sql" in fig.layout.title.text
    assert "score (0–1)" in fig.layout.xaxis.title.text and fig.layout.yaxis.title.text == "strategy"
    assert fig.layout.barmode == "stack"
    assert [t.name for t in fig.data] == [BY_ID[c].label for c in advice.applied]


def test_bars_add_up_to_the_scores_best_first() -> None:
    advice, fig = figure_for("tax-rules-assistant")
    totals = [sum(t.x[i] for t in fig.data) for i in range(len(advice.ranking))]
    assert totals == pytest.approx([r.score for r in advice.ranking])
    assert fig.data[0].y[0].startswith(advice.ranking[0].id)


def test_excluded_strategies_are_annotated() -> None:
    advice, fig = figure_for("hospital-discharge-on-premises")
    assert advice.recommended_id == "ft-llama-local"
    notes = [a.text for a in fig.layout.annotations]
    assert notes.count("excluded: the data must stay on premises") == 2
