"""Simulator: ranges instead of point estimates — how sure is the answer, and which assumption decides it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from costmodel.core.errors import InputError
from costmodel.core.numeric import fit_draws
from costmodel.scenario.uncertain import UncertainInput, scenario_inputs
from costmodel.simulation.default_ranges import default_uncertainty
from costmodel.simulation.evals import EvalSummary, apply_evals, parse_evals
from costmodel.simulation.monte_carlo import simulate
from costmodel.simulation.results import SimulationResult
from costmodel.simulation.sensitivity import Tornado, default_pair, tornado_for
from ui import messages, session, session_catalogs
from ui.chart import show_chart
from ui.export import to_csv
from ui.figures.simulate import (
    QUANTITIES,
    bands_frame,
    breakeven_frame,
    breakeven_histogram_figure,
    fan_chart_figure,
    inputs_frame,
    tornado_figure,
    tornado_frame,
    win_frame,
    win_probability_figure,
)
from ui.markdown import md
from ui.words import as_text_columns, readable_inputs, simulation_note, text_where_missing

DRAW_CHOICES = (1_000, 10_000, 100_000, 1_000_000)
# Session key of the last run's (run key, SimulationResult): reruns with the same inputs reuse it.
RESULT_KEY = "simulator_result"
TORNADO_KEY = "simulator_tornado"
AUTO = "(runner-up)"
NONE = "(none: its total alone)"


def download(frame: pd.DataFrame, *, name: str, key: str) -> None:
    """A CSV download of a chart's numbers (built when clicked)."""
    st.download_button(
        "Download the data (CSV)",
        data=lambda: to_csv(frame),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=key,
        on_click="ignore",
        icon=":material/table:",
    )


def run_key(scenario_text: str, draws: int, seed: int, use_default: bool, evals_digest: str) -> str:
    """Everything a simulation depends on, hashed."""
    text = repr((scenario_text, session_catalogs.catalogs_key(), draws, seed, use_default, evals_digest))
    return hashlib.sha256(text.encode()).hexdigest()


def progress_bar() -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A progress callback for :func:`simulate` and a function that removes the bar."""
    bar = st.progress(0.0, text="Simulating…")

    def update(done: int, total: int) -> None:
        bar.progress(done / total, text=f"Simulating… {done:,} of {total:,} draws")

    def clear() -> None:
        bar.empty()

    return update, clear


st.title("Simulator")
st.caption(
    "Every input of a forecast is a guess. Here the uncertain ones are drawn many times: the ranges "
    "show how sure the answer is, and the tornado shows which assumption decides it. Write ranges into "
    "the scenario (`{low, likely, high}` and others, see docs/SCENARIO.md), switch on the default "
    "ranges, or upload eval results."
)

base = session.get_scenario()
catalogs = session_catalogs.current_catalogs()
with st.container(border=True):
    c1, c2, c3 = st.columns([2, 1, 2])
    draws = c1.select_slider(
        "Draws",
        options=DRAW_CHOICES,
        value=10_000,
        format_func=lambda n: f"{n:,}",
        key="sim_draws",
        help="More draws, steadier percentiles: at 10,000 the p10/p90 move well under 1% between seeds.",
    )
    seed = int(
        c2.number_input("Seed", min_value=0, value=0, step=1, key="sim_seed", help="Same seed, same result.")
    )
    use_default = c3.toggle(
        "Default uncertainty",
        value=True,
        key="sim_default",
        help="Sourced default ranges for output tokens, growth, accuracy, GPU price and MFU (listed under Inputs).",
    )
    upload = st.file_uploader(
        "Eval results (optional): CSV or JSONL with strategy_id, item_id and correct (0/1) or score (0-1)",
        type=["csv", "jsonl", "json"],
        key="sim_evals",
        help="Each strategy's accuracy then comes from your evals: the observed rate, sampled from its Beta posterior.",
    )

summaries: tuple[EvalSummary, ...] = ()
digest = ""
try:
    scenario = base
    if upload is not None:
        data = upload.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        summaries = parse_evals(data, source=upload.name)
        scenario = apply_evals(scenario, summaries, source=upload.name)
    inputs: list[UncertainInput] = scenario_inputs(scenario)
    if use_default:
        inputs += default_uncertainty(scenario, catalogs)
    draws, over_budget = fit_draws(  # the server's CPU budget (costmodel.core.numeric)
        draws, horizon_months=scenario.horizon_months, n_strategies=len(scenario.strategies)
    )
    if over_budget is not None:
        st.info(over_budget)
    key = run_key(session.scenario_yaml(), draws, seed, use_default, digest)
    cached = st.session_state.get(RESULT_KEY)
    if cached is not None and cached[0] == key:
        result: SimulationResult = cached[1]
    else:
        update, done = progress_bar()
        result = simulate(
            scenario,
            draws=draws,
            rng=np.random.default_rng(seed),
            inputs=inputs,
            catalogs=catalogs,
            progress=update,
        )
        done()
        st.session_state[RESULT_KEY] = (key, result)
except InputError as exc:
    messages.show_error(str(exc), title="The simulation cannot run; fix the scenario or the uploaded file:")
    st.stop()

if summaries:
    st.subheader("Accuracy from your evals")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "strategy": e.strategy_id,
                    "items": e.n_items,
                    "correct": e.n_correct,
                    "accuracy": e.accuracy_fraction,
                    "95% Wilson low": e.wilson_low_fraction,
                    "95% Wilson high": e.wilson_high_fraction,
                }
                for e in summaries
            ]
        ),
        hide_index=True,
    )

if not result.inputs:
    st.info(
        "No uncertain inputs yet, so every range is the single deterministic figure. Switch on the "
        "default uncertainty, upload eval results, or write ranges into the scenario."
    )

summary = win_frame(result)
empty = [c for c in summary.columns if c.startswith(("net_value", "p_best")) and summary[c].isna().all()]
# No value per correct answer: no net-value columns; a strategy not simulated: "—", never "None".
shown, shown_text = text_where_missing(summary.drop(columns=empty))
st.dataframe(
    shown,
    hide_index=True,
    column_config=as_text_columns(
        shown_text,
        {
            **{
                c: st.column_config.NumberColumn(
                    f"{'total' if c.startswith('total') else 'net value'}, {c.rsplit('_', 1)[1]} ($)",
                    format="dollar",
                    help="USD over the horizon; p10/p50/p90: 10th, 50th and 90th percentile of the draws",
                )
                for c in shown.columns
                if c.endswith(("p10", "p50", "p90"))
            },
            "p_cheapest": st.column_config.ProgressColumn(
                "chance cheapest", min_value=0.0, max_value=1.0, format="percent"
            ),
            "p_best_value": st.column_config.ProgressColumn(
                "chance best value", min_value=0.0, max_value=1.0, format="percent"
            ),
            "inputs": st.column_config.TextColumn(
                "inputs reached it", help="vectorised, central, loop or fixed (see notes)"
            ),
        },
    ),
)
for note in result.notes:
    st.caption(md(f"Note: {simulation_note(note, [s.id for s in scenario.strategies])}"))

tab_range, tab_win, tab_breakeven, tab_tornado, tab_inputs = st.tabs(
    ["Cost range", "Chance of winning", "Breakeven month", "What decides it", "Inputs"]
)
with tab_range:
    options = [
        q
        for q in QUANTITIES
        if q != "net" or any(s.cumulative_net_value_usd is not None for s in result.strategies)
    ]
    quantity = (
        st.segmented_control(
            "Show", options, default="cumulative", format_func=lambda q: QUANTITIES[q][0], key="sim_quantity"
        )
        or "cumulative"
    )
    show_chart(fan_chart_figure(result, quantity), key="sim_fan", name=f"{QUANTITIES[quantity][0]} range")
    download(bands_frame(result), name="simulation-bands", key="sim_fan_data")
with tab_win:
    show_chart(win_probability_figure(result), key="sim_win", name="chance of winning")
    download(summary, name="simulation-chance-of-winning", key="sim_win_data")
with tab_breakeven:
    if result.breakeven:
        labels = {f"{d.b} catches up with {d.a}": (d.a, d.b) for d in result.breakeven}
        picked = st.multiselect("Pairs", list(labels), default=list(labels)[:3], key="sim_pairs")
        show_chart(
            breakeven_histogram_figure(result, [labels[p] for p in picked]),
            key="sim_breakeven",
            name="breakeven month",
        )
        download(breakeven_frame(result), name="simulation-breakeven-months", key="sim_breakeven_data")
    else:
        st.info("Breakeven months need at least two strategies the engine can cost.")
with tab_tornado:
    if not result.inputs:
        st.info("The tornado needs uncertain inputs.")
    else:
        ids = [s.id for s in result.strategies if s.available]
        runner_up, cheapest = default_pair(result.deterministic)
        c1, c2 = st.columns(2)
        picked_id = c1.selectbox("Total of", [AUTO, *ids], key="sim_tornado_strategy")
        versus = c2.selectbox("Minus the total of", [AUTO, NONE, *ids], key="sim_tornado_versus")
        strategy_id = runner_up if picked_id == AUTO else picked_id
        versus_id = (
            (cheapest if picked_id == AUTO else None)
            if versus == AUTO
            else (None if versus == NONE else versus)
        )
        if versus_id == strategy_id:
            versus_id = None
        t_key = (st.session_state[RESULT_KEY][0], strategy_id, versus_id)
        memo = st.session_state.get(TORNADO_KEY)
        try:
            if memo is not None and memo[0] == t_key:
                tornado: Tornado = memo[1]
            else:
                with st.spinner("Swinging each input…"):
                    tornado = tornado_for(
                        scenario,
                        list(result.inputs),
                        strategy_id=strategy_id,
                        versus_id=versus_id,
                        catalogs=catalogs,
                    )
                st.session_state[TORNADO_KEY] = (t_key, tornado)
        except InputError as exc:
            messages.show_error(str(exc))
            st.stop()
        show_chart(
            tornado_figure(tornado, [s.id for s in scenario.strategies]), key="sim_tornado", name="tornado"
        )
        download(tornado_frame(tornado), name="simulation-tornado", key="sim_tornado_data")
with tab_inputs:
    frame = inputs_frame(result.inputs)
    st.dataframe(readable_inputs(frame, [s.id for s in scenario.strategies]), hide_index=True)
    download(frame, name="simulation-inputs", key="sim_inputs_data")
