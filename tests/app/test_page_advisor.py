"""The Advisor page runs headless (Streamlit AppTest): questionnaire prefilled from the shared
scenario, answers written back to it, the ranking with reasons and what would change it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from costmodel.scenario.io import load_scenario

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "app_pages" / "advisor.py"
SITUATIONS = Path(__file__).parents[1] / "data" / "advisor"


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.syspath_prepend(str(ROOT))  # the page imports ui/ as the app does when run from the repo root
    monkeypatch.chdir(ROOT)
    return AppTest.from_file(str(PAGE), default_timeout=60)


def question(at: AppTest, field: str):  # type: ignore[no-untyped-def]
    widgets = [w for w in (*at.selectbox, *at.number_input) if str(w.key).startswith(f"adv_{field}_")]
    assert len(widgets) == 1, field
    return widgets[0]


def test_page_renders_ranking_reasons_and_changes_for_the_default_scenario(app: AppTest) -> None:
    at = app.run()
    assert not at.exception and not at.error
    assert any(s.value.startswith("Recommended: **") for s in at.success)
    assert len(at.dataframe) >= 1
    headers = [h.value for h in at.subheader]
    assert "Why" in headers and "What would change the answer" in headers
    # Prefilled from the example's needs block.
    assert question(at, "knowledge_change").value == "monthly"
    assert question(at, "labeled_examples_available").value == 3000
    assert question(at, "budget_usd_per_month").value is None


def test_applying_an_answer_updates_the_shared_scenario_and_the_ranking(app: AppTest) -> None:
    at = app.run()
    question(at, "data_must_stay_on_premises").set_value(True)
    at.button[0].click().run()
    assert not at.exception and not at.error
    scenario = at.session_state["scenario"]
    assert scenario.needs.data_must_stay_on_premises is True
    assert scenario.needs.knowledge_change == "monthly"  # other answers kept
    assert any("ft-llama-8b" in s.value for s in at.success)  # the only strategy that qualifies
    # The new form is prefilled with the applied answer.
    assert question(at, "data_must_stay_on_premises").value is True


def test_a_scenario_without_needs_falls_back_to_cost_alone(app: AppTest) -> None:
    scenario = load_scenario(ROOT / "examples" / "fintech-support.yaml")
    app.session_state["scenario"] = dataclasses.replace(scenario, needs=None)
    at = app.run()
    assert not at.exception and not at.error
    assert question(at, "stage").value is None
    notes = " ".join(m.value for m in at.markdown)
    assert "cost results alone" in notes


def test_a_numeric_answer_is_applied_and_quoted_in_the_reasons(app: AppTest) -> None:
    at = app.run()
    question(at, "labeled_examples_available").set_value(40)
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert at.session_state["scenario"].needs.labeled_examples_available == 40
    reasons = " ".join(m.value for m in at.markdown)
    assert "Labelled examples (40)" in reasons
