"""The shared sidebar: scenario picker (examples, upload, blank), workload sliders, engineer rate, YAML and link.

Widgets write through ``on_change`` callbacks, which run before the page draws: a valid change
replaces the scenario (every page sees it at once); an invalid one is refused with an error naming
the field and the widgets snap back to the scenario's values.
"""

from __future__ import annotations

import dataclasses
import math

import streamlit as st

from costmodel.catalog.price_data import current_price_data
from costmodel.core.errors import InputError
from costmodel.report import format_count
from costmodel.scenario.calendar import default_start_date
from costmodel.scenario.examples import example_paths
from costmodel.scenario.io import load_scenario, parse_scenario
from costmodel.scenario.types import MAX_HORIZON_MONTHS
from ui import link, messages, runs, session, share
from ui.lifecycle import month_one_text, price_data_text
from ui.markdown import md_literal
from ui.prices import upload_name

PICK_KEY = "sb_pick"
UPLOAD_KEY = "sb_upload"
REQUESTS_KEY = "sb_requests_per_month"
GROWTH_KEY = "sb_growth_pct"
INPUT_KEY = "sb_input_tokens"
OUTPUT_KEY = "sb_output_tokens"
HORIZON_KEY = "sb_horizon_months"
RATE_KEY = "sb_engineer_usd_per_hour"
TYPED_KEYS = {
    REQUESTS_KEY: "sb_requests_typed",
    GROWTH_KEY: "sb_growth_typed",
    INPUT_KEY: "sb_input_tokens_typed",
    OUTPUT_KEY: "sb_output_tokens_typed",
    HORIZON_KEY: "sb_horizon_typed",
}
"""Slider key -> key of the number input beside it, where any value in range can be typed (75,000)."""
FLOAT_TYPED = frozenset({REQUESTS_KEY, GROWTH_KEY})
"""Typed boxes holding floats (the scenario may hold a fractional value); the others hold whole numbers."""
_SYNCED_KEY = "_sb_synced_version"

UPLOAD_CHOICE = "Upload a scenario YAML…"
BLANK_CHOICE = "Blank scenario (starter values)"

REQUEST_STEPS = sorted({m * 10**e for e in range(1, 10) for m in (1, 2, 5)} | {10**10})
"""Requests/month on a 1-2-5 log scale from 10 to 10 billion. The options never change (a select slider
sends the index of its option, so an option list that changed with the scenario let a quick move after
"Start from" land on a neighbouring value); a value between steps sits in the typed box below, and the
slider shows the nearest step."""

GROWTH_PCT_RANGE = (-20.0, 50.0)
"""Slider range of monthly growth in percent; the model accepts -99 % to +100 % (typed values widen it)."""

INPUT_TOKENS_MAX = 16_000
OUTPUT_TOKENS_MAX = 4_000
HORIZON_MAX = 60
"""Default upper ends of the token and horizon sliders; they widen to fit the scenario's own value."""


def example_choices() -> dict[str, str]:
    """Picker label -> example path."""
    return {f"Example: {p.stem}": str(p) for p in example_paths()}


def _sync_widgets() -> None:
    """Write the scenario's values into the widget keys whenever the scenario changed."""
    version = session.scenario_version()
    if st.session_state.get(_SYNCED_KEY) == version:
        return
    s = session.get_scenario()
    w = s.workload
    st.session_state[REQUESTS_KEY] = nearest_step(w.requests_per_month)
    st.session_state[GROWTH_KEY] = round(w.growth_fraction_per_month * 100.0, 2)
    st.session_state[INPUT_KEY] = round(w.input_tokens_per_request)
    st.session_state[OUTPUT_KEY] = round(w.output_tokens_per_request)
    st.session_state[HORIZON_KEY] = int(s.horizon_months)
    st.session_state[RATE_KEY] = float(s.people.engineer_usd_per_hour)
    for slider_key, typed_key in TYPED_KEYS.items():
        value = st.session_state[slider_key]
        st.session_state[typed_key] = float(value) if slider_key in FLOAT_TYPED else value
    st.session_state[TYPED_KEYS[REQUESTS_KEY]] = float(w.requests_per_month)  # exact, between steps too
    st.session_state[_SYNCED_KEY] = version


def _as_number(v: float) -> float | int:
    return int(v) if float(v).is_integer() else float(v)


def _on_workload_change() -> None:
    s = session.get_scenario()
    ss = st.session_state
    workload = dataclasses.replace(
        s.workload,
        requests_per_month=float(ss[TYPED_KEYS[REQUESTS_KEY]]),  # the exact value (the slider: a step)
        growth_fraction_per_month=float(ss[GROWTH_KEY]) / 100.0,
        input_tokens_per_request=float(ss[INPUT_KEY]),
        output_tokens_per_request=float(ss[OUTPUT_KEY]),
    )
    people = dataclasses.replace(s.people, engineer_usd_per_hour=float(ss[RATE_KEY]))
    candidate = dataclasses.replace(s, workload=workload, people=people, horizon_months=int(ss[HORIZON_KEY]))
    if not runs.apply_scenario(candidate):
        ss[_SYNCED_KEY] = None  # snap the widgets back to the scenario's values


def _on_typed(slider_key: str) -> None:
    """A typed value moves its slider too, then changes the scenario like the slider would."""
    typed = st.session_state.get(TYPED_KEYS[slider_key])
    if typed is None:  # an emptied box: the scenario's value comes back
        st.session_state[_SYNCED_KEY] = None
        return
    st.session_state[slider_key] = nearest_step(typed) if slider_key == REQUESTS_KEY else _as_number(typed)
    _on_workload_change()


def _on_requests_slider() -> None:
    """A step picked on the requests slider becomes the exact value."""
    st.session_state[TYPED_KEYS[REQUESTS_KEY]] = float(st.session_state[REQUESTS_KEY])
    _on_workload_change()


def nearest_step(requests: float) -> int:
    """The step of the requests slider nearest to ``requests`` on its log scale.

    >>> nearest_step(75_000), nearest_step(60_000), nearest_step(200_000), nearest_step(0.5)
    (100000, 50000, 200000, 10)
    """
    if requests <= REQUEST_STEPS[0]:
        return REQUEST_STEPS[0]
    return min(REQUEST_STEPS, key=lambda step: abs(math.log(step / requests)))


def _typed(label: str, slider_key: str, *, low: float, high: float, step: float, fmt: str = "%d") -> None:
    """The number input under a slider (its label hidden: the slider's label above names it)."""
    st.sidebar.number_input(
        f"{label}, typed",
        min_value=low,
        max_value=high,
        step=step,
        format=fmt,
        key=TYPED_KEYS[slider_key],
        on_change=_on_typed,
        args=(slider_key,),
        label_visibility="collapsed",
    )


def _on_pick() -> None:
    choice = st.session_state.get(PICK_KEY)
    if choice == BLANK_CHOICE:
        runs.apply_scenario(session.blank_scenario(), origin="blank", revalidate=False)
        return
    path = example_choices().get(str(choice))
    if path is None:
        return  # the upload choice: the uploader below does the work
    try:
        scenario = load_scenario(path)
    except InputError as exc:
        messages.flash_error("This example could not be read:", str(exc))
        return
    runs.apply_scenario(scenario, origin=f"example {path.rsplit('/', 1)[-1]}", revalidate=False)


def _on_upload() -> None:
    uploaded = st.session_state.get(UPLOAD_KEY)
    if uploaded is None:
        return
    name = upload_name(uploaded.name)
    try:
        scenario = parse_scenario(uploaded.getvalue(), source=name)
    except InputError as exc:
        messages.flash_error(f"{name} was not loaded; the previous scenario stays in use.", str(exc))
        return
    runs.apply_scenario(scenario, origin=f"upload {name}", revalidate=False)


def render() -> None:
    """Draw the sidebar (call once per run, before ``st.navigation(...).run()``)."""
    _sync_widgets()
    s = session.get_scenario()
    sb = st.sidebar
    sb.header("Scenario")
    choices = [*example_choices(), UPLOAD_CHOICE, BLANK_CHOICE]
    default_label = f"Example: {session.DEFAULT_EXAMPLE.stem}"
    # index=, not a Session State write: a selectbox set through Session State falls back to its
    # first option in the browser on the next rerun (seen with Streamlit 1.67).
    sb.selectbox(
        "Start from",
        choices,
        index=choices.index(default_label) if default_label in choices else 0,
        key=PICK_KEY,
        on_change=_on_pick,
        help="A bundled example (shipped with the package), your own scenario file, or a blank one.",
    )
    if st.session_state.get(PICK_KEY) == UPLOAD_CHOICE:
        sb.file_uploader(
            "Scenario YAML (see docs/SCENARIO.md)",
            type=["yaml", "yml"],
            key=UPLOAD_KEY,
            on_change=_on_upload,
            help="Read in memory only; never stored. Invalid files are refused with the line and field at fault.",
        )
    origin = str(st.session_state.get(session.ORIGIN_KEY, "example"))
    sb.caption(f"**{md_literal(s.name)}** · from {md_literal(origin)}")
    sb.caption(
        f"{md_literal(month_one_text(s.start_date or default_start_date()))} · "
        f"{md_literal(price_data_text(current_price_data()[1]))}"
    )

    sb.subheader("Workload")
    sb.select_slider(
        "Requests per month (month 1)",
        options=REQUEST_STEPS,
        key=REQUESTS_KEY,
        format_func=format_count,
        on_change=_on_requests_slider,
        help="Requests in month 1, on a log scale of steps; type any other value in the box below "
        "(the slider then shows the nearest step).",
    )
    _typed(
        "Requests per month (month 1)",
        REQUESTS_KEY,
        low=1.0,
        high=float(REQUEST_STEPS[-1]),
        step=1_000.0,
        fmt="%.0f",
    )
    growth = float(st.session_state[GROWTH_KEY])
    sb.slider(
        "Growth (% per month, compound)",
        min_value=min(GROWTH_PCT_RANGE[0], growth),
        max_value=max(GROWTH_PCT_RANGE[1], growth),
        step=0.5,
        key=GROWTH_KEY,
        format="%.1f%%",
        on_change=_on_workload_change,
        help="Requests grow by this share every month: R_m = R_1·(1+g)^(m−1); type -99 to 100 below.",
    )
    _typed("Growth (% per month, compound)", GROWTH_KEY, low=-99.0, high=100.0, step=0.5, fmt="%.2f")
    sb.slider(
        "Input tokens per request (user content)",
        min_value=0,
        max_value=max(INPUT_TOKENS_MAX, int(st.session_state[INPUT_KEY])),
        step=10,
        key=INPUT_KEY,
        on_change=_on_workload_change,
        help="Mean tokens of user content per request; prompts, shots and retrieved chunks come on top.",
    )
    _typed("Input tokens per request", INPUT_KEY, low=0, high=10_000_000, step=100)
    sb.slider(
        "Output tokens per request",
        min_value=0,
        max_value=max(OUTPUT_TOKENS_MAX, int(st.session_state[OUTPUT_KEY])),
        step=10,
        key=OUTPUT_KEY,
        on_change=_on_workload_change,
        help="Mean tokens generated per request.",
    )
    _typed("Output tokens per request", OUTPUT_KEY, low=0, high=1_000_000, step=10)
    sb.slider(
        "Horizon (months)",
        min_value=1,
        max_value=min(MAX_HORIZON_MONTHS, max(HORIZON_MAX, int(st.session_state[HORIZON_KEY]))),
        key=HORIZON_KEY,
        on_change=_on_workload_change,
        help="Costs are compared over months 1..H.",
    )
    _typed("Horizon (months)", HORIZON_KEY, low=1, high=MAX_HORIZON_MONTHS, step=1)
    sb.number_input(
        "Engineer rate (USD per hour, loaded)",
        min_value=0.0,
        max_value=2_000.0,
        step=5.0,
        key=RATE_KEY,
        on_change=_on_workload_change,
        help="Prices setup and maintenance hours. Default $100/h is an assumption.",
    )

    sb.subheader("Save and share")
    sb.download_button(
        "Download scenario YAML",
        data=session.scenario_yaml(),
        file_name=f"{_slug(s.name)}.yaml",
        mime="application/x-yaml",
        key="sb_download_yaml",
        on_click="ignore",
        icon=":material/download:",
    )
    status = link.link_status()
    if status.refused is None:
        sb.caption(
            "The address bar always holds this scenario (`?s=…`): copy it to share exactly this view. "
            f"Link length: {len(status.token):,} characters (limit {share.MAX_PARAM_CHARS:,})."
        )
    else:
        sb.caption(
            f"This scenario is too large to share as a link ({md_literal(status.refused)}); "
            "download the YAML instead."
        )


def _slug(name: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
    return "-".join(part for part in out.split("-") if part)[:60] or "scenario"
