"""The Simulator page runs headless (Streamlit AppTest): ranges, chance of winning, breakeven months,
tornado and inputs for the shared scenario; reruns reuse the result; bad scenarios show an error."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from costmodel.scenario.io import load_scenario
from ui.figures.simulate import win_frame

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "app_pages" / "simulator.py"


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.syspath_prepend(str(ROOT))  # the page imports ui/ as the app does when run from the repo root
    monkeypatch.chdir(ROOT)
    return AppTest.from_file(str(PAGE), default_timeout=120)


def test_page_renders_every_view_for_the_default_scenario(app: AppTest) -> None:
    at = app.run()
    assert not at.exception and not at.error
    shown = at.dataframe[0].value
    assert list(shown["strategy"]) == ["prompt", "rag", "ft-hosted", "ft-llama-8b"]
    assert "None" not in shown.astype(str).to_numpy() and "nan" not in shown.astype(str).to_numpy()
    assert (shown.loc[shown["strategy"] == "ft-hosted", "total_usd_p10"] == "—").all()  # not simulated
    summary = win_frame(at.session_state["simulator_result"][1])  # the numbers behind the shown text
    assert summary["p_cheapest"].sum() == pytest.approx(1.0)
    costed = summary.dropna(subset=["total_usd_p10"])  # a strategy stopped by a retirement has no totals
    assert len(costed) >= 3
    assert (costed["total_usd_p10"] < costed["total_usd_p90"]).all()  # default ranges widen every total
    charts = at.get("plotly_chart")
    assert len(charts) == 4  # fan chart, chance of winning, breakeven months, tornado
    # The self-hosted preparer takes arrays now: no "held at central values" fallback is reported.
    assert not any("does not take arrays" in c.value for c in at.caption)
    inputs = at.dataframe[-1].value
    assert "output tokens per request" in set(inputs["input"])  # the path in words
    result = at.session_state["simulator_result"][1]
    assert result.draws == 10_000


def test_rerun_reuses_the_result_and_new_settings_recompute(app: AppTest) -> None:
    at = app.run()
    first = at.session_state["simulator_result"]
    at.run()
    assert at.session_state["simulator_result"] is first
    at.select_slider(key="sim_draws").set_value(1_000).run()
    assert not at.exception and not at.error
    assert at.session_state["simulator_result"][1].draws == 1_000


def test_without_default_uncertainty_the_ranges_collapse(app: AppTest) -> None:
    at = app.run()
    at.toggle(key="sim_default").set_value(False).run()
    assert not at.exception and not at.error
    summary = win_frame(at.session_state["simulator_result"][1]).dropna(subset=["total_usd_p10"])
    assert len(summary) >= 3 and (summary["total_usd_p10"] == summary["total_usd_p90"]).all()
    assert any("No uncertain inputs" in i.value for i in at.info)


def test_a_scenario_the_engine_rejects_shows_an_error_naming_the_field(app: AppTest) -> None:
    scenario = load_scenario(ROOT / "examples" / "fintech-support.yaml")
    bad = dataclasses.replace(scenario.strategies[0], model="openai/no-such-model")
    app.session_state["scenario"] = dataclasses.replace(scenario, strategies=(bad, *scenario.strategies[1:]))
    at = app.run()
    assert not at.exception
    assert at.error and "strategies[0].model" in at.error[0].value
