"""The sidebar's typed number inputs: any value in range, kept in step with the sliders and the scenario."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui import session, sidebar

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    return at


def test_typed_requests_off_the_ladder_are_kept() -> None:
    at = _app()
    at.number_input(key=sidebar.TYPED_KEYS[sidebar.REQUESTS_KEY]).set_value(75_000.0).run()
    assert not at.exception and not at.error
    assert at.session_state[session.SCENARIO_KEY].workload.requests_per_month == 75_000
    assert at.select_slider(key=sidebar.REQUESTS_KEY).value == 100_000  # the slider shows the nearest step
    at.number_input(key=sidebar.TYPED_KEYS[sidebar.GROWTH_KEY]).set_value(1.0).run()  # another change
    assert (
        at.session_state[session.SCENARIO_KEY].workload.requests_per_month == 75_000
    )  # keeps the exact value
    assert "75k requests/month" in "\n".join(m.value for m in at.markdown)


def test_typed_tokens_growth_and_horizon_reach_the_scenario() -> None:
    at = _app()
    at.number_input(key=sidebar.TYPED_KEYS[sidebar.INPUT_KEY]).set_value(3_000).run()
    at.number_input(key=sidebar.TYPED_KEYS[sidebar.OUTPUT_KEY]).set_value(300).run()
    at.number_input(key=sidebar.TYPED_KEYS[sidebar.GROWTH_KEY]).set_value(2.25).run()
    at.number_input(key=sidebar.TYPED_KEYS[sidebar.HORIZON_KEY]).set_value(36).run()
    assert not at.exception and not at.error
    s = at.session_state[session.SCENARIO_KEY]
    assert (s.workload.input_tokens_per_request, s.workload.output_tokens_per_request) == (3_000, 300)
    assert abs(s.workload.growth_fraction_per_month - 0.0225) < 1e-12
    assert s.horizon_months == 36
    assert at.slider(key=sidebar.INPUT_KEY).value == 3_000


def test_input_tokens_beyond_the_slider_widen_it() -> None:
    at = _app()
    at.number_input(key=sidebar.TYPED_KEYS[sidebar.INPUT_KEY]).set_value(50_000).run()
    assert not at.exception and not at.error
    assert at.session_state[session.SCENARIO_KEY].workload.input_tokens_per_request == 50_000
    assert at.slider(key=sidebar.INPUT_KEY).max >= 50_000


def test_slider_moves_the_typed_box_and_a_new_scenario_resets_both() -> None:
    at = _app()
    at.select_slider(key=sidebar.REQUESTS_KEY).set_value(500_000).run()
    assert at.number_input(key=sidebar.TYPED_KEYS[sidebar.REQUESTS_KEY]).value == 500_000
    at.selectbox(key=sidebar.PICK_KEY).set_value(sidebar.BLANK_CHOICE).run()
    blank = at.session_state[session.SCENARIO_KEY].workload.requests_per_month
    assert at.number_input(key=sidebar.TYPED_KEYS[sidebar.REQUESTS_KEY]).value == blank
    assert at.select_slider(key=sidebar.REQUESTS_KEY).value == sidebar.nearest_step(blank)


def test_request_steps_never_change_with_the_scenario() -> None:
    """A select slider sends an option's index: options that moved with the scenario shifted quick changes."""
    at = _app()
    before = list(at.select_slider(key=sidebar.REQUESTS_KEY).options)
    at.number_input(key=sidebar.TYPED_KEYS[sidebar.REQUESTS_KEY]).set_value(123_456.0).run()
    at.selectbox(key=sidebar.PICK_KEY).set_value(sidebar.BLANK_CHOICE).run()
    assert list(at.select_slider(key=sidebar.REQUESTS_KEY).options) == before
    at.select_slider(key=sidebar.REQUESTS_KEY).set_value(50_000).run()
    assert at.session_state[session.SCENARIO_KEY].workload.requests_per_month == 50_000
