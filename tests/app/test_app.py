"""The Streamlit app in AppTest: every page on defaults and on every example, shared inputs, bad input, links."""

from __future__ import annotations

import base64
import dataclasses
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from costmodel.scenario.io import dump_scenario, load_scenario, parse_scenario
from ui import app as ui_app
from ui import session, session_catalogs, share, sidebar

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
TIMEOUT_S = 60


def _mounted_pages() -> list[str]:
    """Pages the app mounts (those whose file exists), as AppTest page paths relative to app.py."""
    return [path.relative_to(ROOT).as_posix() for path in ui_app.page_paths()]


PAGES = _mounted_pages()
OWN_PAGES = [
    "app_pages/overview.py",
    "app_pages/breakeven.py",
    "app_pages/latency.py",
    "app_pages/strategies.py",
    "app_pages/prices.py",
]


def _new_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    return at


def _assert_clean(at: AppTest, where: str) -> None:
    assert not at.exception, f"{where}: {[e.value for e in at.exception]}"
    assert not at.error, f"{where}: {[e.value for e in at.error]}"


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts)


def _verdict(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "Over " in m.value and "months at" in m.value)


def _load(at: AppTest, path: Path) -> None:
    at.selectbox(key=sidebar.PICK_KEY).set_value(f"Example: {path.stem}").run()


@pytest.fixture()
def app() -> Iterator[AppTest]:
    yield _new_app()


def test_own_pages_are_mounted() -> None:
    assert set(OWN_PAGES) <= set(PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_defaults(app: AppTest, page: str) -> None:
    app.switch_page(page).run()
    _assert_clean(app, page)
    assert app.title, f"{page} has no title"


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_page_renders_on_every_example(example: Path) -> None:
    at = _new_app()
    _load(at, example)
    assert at.session_state[session.SCENARIO_KEY] == load_scenario(example)
    for page in PAGES:
        at.switch_page(page).run()
        _assert_clean(at, f"{example.stem} / {page}")


def test_overview_shows_verdict_table_and_chart(app: AppTest) -> None:
    _assert_clean(app, "overview")
    assert "is the cheapest" in _verdict(app)
    assert len(app.dataframe) == 2  # the decision table, and its details in an expander
    table = app.dataframe[0].value
    assert list(table["strategy"]) == [s.id for s in session.default_scenario().strategies]
    assert "model / offer" in table.columns and "openai/gpt-4.1" in set(table["model / offer"])
    assert "Decisive assumptions" in _texts(app) or "Why the advisor picks" in _texts(app)
    assert len(app.get("plotly_chart")) == 1


def test_requests_slider_changes_overview_and_breakeven(app: AppTest) -> None:
    before_verdict = _verdict(app)
    before_total = app.dataframe[0].value.iloc[0, 2]
    app.select_slider(key=sidebar.REQUESTS_KEY).set_value(500_000).run()
    _assert_clean(app, "after slider")
    assert "500k requests/month" in _verdict(app) and _verdict(app) != before_verdict
    assert app.dataframe[0].value.iloc[0, 2] > before_total
    assert app.session_state[session.SCENARIO_KEY].workload.requests_per_month == 500_000
    app.switch_page("app_pages/breakeven.py").run()
    _assert_clean(app, "breakeven after slider")
    assert "500k requests/month" in _texts(app)


def test_shared_inputs_move_the_shown_values(app: AppTest) -> None:
    app.switch_page("app_pages/latency.py").run()
    before = app.dataframe[0].value["end to end (ms)"].tolist()
    app.slider(key=sidebar.OUTPUT_KEY).set_value(600).run()
    after = app.dataframe[0].value["end to end (ms)"].tolist()
    assert all(a > b for a, b in zip(after, before, strict=True))

    app.switch_page("app_pages/overview.py").run()
    totals = app.dataframe[0].value.iloc[:, 2].tolist()
    app.number_input(key=sidebar.RATE_KEY).set_value(300.0).run()
    assert all(
        a > b for a, b in zip(app.dataframe[0].value.iloc[:, 2], totals, strict=True) if a == a and b == b
    )
    app.slider(key=sidebar.HORIZON_KEY).set_value(36).run()
    assert "Over 36 months" in _verdict(app)
    app.slider(key=sidebar.GROWTH_KEY).set_value(0.0).run()
    assert "growing" not in _verdict(app)
    app.slider(key=sidebar.INPUT_KEY).set_value(2000).run()
    _assert_clean(app, "after all sliders")
    w = app.session_state[session.SCENARIO_KEY].workload
    assert (w.output_tokens_per_request, w.input_tokens_per_request, w.growth_fraction_per_month) == (
        600,
        2000,
        0,
    )


def test_impossible_value_names_the_field_and_keeps_the_scenario(app: AppTest) -> None:
    before = app.session_state[session.SCENARIO_KEY]
    app.slider(key=sidebar.HORIZON_KEY).set_value(
        2
    ).run()  # the fine-tuning strategies retrain every 3 months
    assert app.error, "expected an error"
    message = app.error[0].value
    assert "retrain_every_months" in message and "horizon_months" in message
    assert app.session_state[session.SCENARIO_KEY] == before
    assert app.slider(key=sidebar.HORIZON_KEY).value == before.horizon_months  # snapped back
    app.select_slider(key=sidebar.REQUESTS_KEY).set_value(1_000_000).run()  # the app keeps working
    _assert_clean(app, "after a refused change")
    assert "1M requests/month" in _verdict(app)


MALFORMED = [
    (b"workload: [unclosed\n", "<yaml>"),
    (
        b"name: x\nworkload: {requests_per_month: -5, input_tokens_per_request: 1, output_tokens_per_request: 1}\n"
        b"strategies: [{id: p, kind: prompting, model: openai/gpt-4.1}]\n",
        "workload.requests_per_month",
    ),
    (b"\xff\xfe not utf-8", "<file>"),
    (
        b"workload: {requests_per_month: 1, input_tokens_per_request: 1, output_tokens_per_request: 1}\n"
        b"strategies: [{id: p, kind: prompting, model: openai/no-such-model}]\n",
        "strategies[0].model",
    ),
    (b"", "<file>"),
]


@pytest.mark.parametrize(("content", "field"), MALFORMED, ids=[f for _, f in MALFORMED])
def test_malformed_scenario_upload_shows_error_and_app_keeps_working(
    app: AppTest, content: bytes, field: str
) -> None:
    before = app.session_state[session.SCENARIO_KEY]
    app.selectbox(key=sidebar.PICK_KEY).set_value(sidebar.UPLOAD_CHOICE).run()
    app.file_uploader(key=sidebar.UPLOAD_KEY).set_value(("bad.yaml", content, "application/x-yaml")).run()
    assert not app.exception
    errors = " ".join(e.value for e in app.error)
    assert "bad.yaml" in errors and field in errors
    assert app.session_state[session.SCENARIO_KEY] == before
    app.switch_page("app_pages/breakeven.py").run()
    _assert_clean(app, "breakeven after a bad upload")


def test_good_scenario_upload_replaces_the_scenario(app: AppTest) -> None:
    text = dump_scenario(load_scenario(EXAMPLES[0])).replace(load_scenario(EXAMPLES[0]).name, "Uploaded one")
    app.selectbox(key=sidebar.PICK_KEY).set_value(sidebar.UPLOAD_CHOICE).run()
    app.file_uploader(key=sidebar.UPLOAD_KEY).set_value(
        ("mine.yaml", text.encode(), "application/x-yaml")
    ).run()
    _assert_clean(app, "good upload")
    assert app.session_state[session.SCENARIO_KEY].name == "Uploaded one"
    assert "from upload mine.yaml" in _texts(app).replace("\\", "")  # shown verbatim (escaped markdown)


def test_blank_scenario(app: AppTest) -> None:
    app.selectbox(key=sidebar.PICK_KEY).set_value(sidebar.BLANK_CHOICE).run()
    _assert_clean(app, "blank")
    assert app.session_state[session.SCENARIO_KEY].name == "New scenario"
    assert app.select_slider(key=sidebar.REQUESTS_KEY).value == 10_000  # widgets follow the scenario


def test_link_opens_the_same_scenario() -> None:
    first = _new_app()
    first.select_slider(key=sidebar.REQUESTS_KEY).set_value(2_000_000).run()
    token = first.query_params[share.QUERY_PARAM]
    assert share.decode_scenario(token) == first.session_state[session.SCENARIO_KEY]

    second = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    second.query_params[share.QUERY_PARAM] = token
    second.run()
    _assert_clean(second, "opened link")
    assert second.session_state[session.SCENARIO_KEY] == first.session_state[session.SCENARIO_KEY]
    assert _verdict(second) == _verdict(first)
    assert second.select_slider(key=sidebar.REQUESTS_KEY).value == 2_000_000


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "1.<script>alert(1)</script>",
        "1." + base64.urlsafe_b64encode(zlib.compress(b"just text")).decode().rstrip("="),
        "1." + "A" * (share.MAX_PARAM_CHARS + 5),
    ],
)
def test_bad_link_shows_error_and_falls_back_to_default(token: str) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.query_params[share.QUERY_PARAM] = token
    at.run()
    assert not at.exception
    assert at.error, "a bad link must be reported"
    message = at.error[0].value
    assert "could not be opened" in message
    assert "link: query parameter 's':" in message or "link: <file>:" in message
    assert at.session_state[session.SCENARIO_KEY] == session.default_scenario()
    assert share.decode_scenario(at.query_params[share.QUERY_PARAM]) == session.default_scenario()
    at.slider(key=sidebar.HORIZON_KEY).set_value(12).run()
    _assert_clean(at, "after a bad link")


# --- Strategy editor -----------------------------------------------------------------------------


def _editor(at: AppTest) -> AppTest:
    at.switch_page("app_pages/strategies.py").run()
    _assert_clean(at, "editor")
    return at


def _ids(at: AppTest) -> list[str]:
    return [s.id for s in at.session_state[session.SCENARIO_KEY].strategies]


@pytest.mark.parametrize("kind", ["prompting", "rag", "finetune_hosted", "finetune_selfhosted"])
def test_editor_adds_a_strategy_of_every_kind(app: AppTest, kind: str) -> None:
    _editor(app)
    n = len(_ids(app))
    app.selectbox(key="se_add_kind").set_value(kind).run()
    app.button(key="se_add").click().run()
    _assert_clean(app, f"add {kind}")
    assert len(_ids(app)) == n + 1
    assert app.session_state[session.SCENARIO_KEY].strategies[-1].kind == kind


def test_editor_duplicates_and_removes(app: AppTest) -> None:
    _editor(app)
    version = ui_state_version(app)
    app.button(key=f"se_dup_{version}_0").click().run()
    assert _ids(app)[:2] == ["prompt", "prompt-copy"]
    version = ui_state_version(app)
    app.button(key=f"se_rm_{version}_1").click().run()
    assert "prompt-copy" not in _ids(app)
    _assert_clean(app, "duplicate and remove")


def ui_state_version(at: AppTest) -> int:
    return int(at.session_state[session.VERSION_KEY])


def test_editor_edits_a_field_and_overview_follows(app: AppTest) -> None:
    totals_before = app.dataframe[0].value.iloc[0, 2]
    _editor(app)
    version = ui_state_version(app)
    app.number_input(key=f"se_{version}_0_n_shots").set_value(12)  # form values travel with the submit
    app.button(key=f"FormSubmitter:se_form_{version}_0-Apply changes").click().run()
    _assert_clean(app, "edit")
    assert app.session_state[session.SCENARIO_KEY].strategies[0].n_shots == 12
    app.switch_page("app_pages/overview.py").run()
    assert app.dataframe[0].value.iloc[0, 2] > totals_before


def test_editor_refuses_an_impossible_value_naming_the_field(app: AppTest) -> None:
    _editor(app)
    before = app.session_state[session.SCENARIO_KEY]
    version = ui_state_version(app)
    app.number_input(key=f"se_{version}_1_chunk_overlap_tokens").set_value(5000.0)
    app.button(key=f"FormSubmitter:se_form_{version}_1-Apply changes").click().run()
    assert not app.exception
    assert any("strategies[1].chunk_overlap_tokens" in e.value for e in app.error)
    assert app.session_state[session.SCENARIO_KEY] == before


def test_editor_help_names_unit_and_default_source(app: AppTest) -> None:
    _editor(app)
    version = ui_state_version(app)
    helps = {
        name: app.number_input(key=f"se_{version}_0_{name}").help
        for name in ("setup_hours", "cache_hit_fraction")
    }
    assert "engineer hours, one-off" in helps["setup_hours"] and "default" in helps["setup_hours"]
    assert "fraction 0-1" in helps["cache_hit_fraction"]
    assert "catalog id" in app.selectbox(key=f"se_{version}_0_model").help


def test_removing_the_last_strategy_is_not_offered(app: AppTest) -> None:
    app.selectbox(key=sidebar.PICK_KEY).set_value(sidebar.BLANK_CHOICE).run()
    _editor(app)
    assert app.button(key=f"se_rm_{ui_state_version(app)}_0").disabled


# --- Prices ----------------------------------------------------------------------------------------

GOOD_CATALOG = b"""
labeling_rates:
  - {id: expert, usd_per_example: 100.0, source_url: "https://example.org/mine", as_of: 2026-01-01, confidence: low}
"""

BAD_CATALOG = b"""
labeling_rates:
  - {id: expert, usd_per_example: -1, source_url: "https://example.org/mine", as_of: 2026-01-01}
  - {id: other, usd_per_exampel: 2, source_url: "nope", as_of: 2999-01-01}
"""


def _prices(at: AppTest) -> AppTest:
    at.switch_page("app_pages/prices.py").run()
    _assert_clean(at, "prices")
    return at


def test_prices_page_lists_dates_sources_and_staleness(app: AppTest) -> None:
    _prices(app)
    used = app.dataframe[0].value
    assert {"source", "as of", "price check", "confidence"} <= set(used.columns)
    assert used["price check"].astype(str).str.contains("current|stale").all()


def test_bad_custom_catalog_lists_every_problem_and_builtins_stay(app: AppTest) -> None:
    total = app.dataframe[0].value.iloc[:, 2].fillna(-1).tolist()
    _prices(app)
    app.file_uploader(key="pr_upload").set_value(("mine.yaml", BAD_CATALOG, "application/x-yaml")).run()
    assert not app.exception
    text = " ".join(e.value for e in app.error)
    for field in (
        "labeling_rates[0].usd_per_example",
        "labeling_rates[1].usd_per_exampel",
        "source_url",
        "as_of",
    ):
        assert field in text
    assert "mine.yaml" in text
    app.switch_page("app_pages/overview.py").run()
    _assert_clean(app, "overview after a bad catalog")
    assert app.dataframe[0].value.iloc[:, 2].fillna(-1).tolist() == total


def test_custom_catalog_replaces_an_entry(app: AppTest) -> None:
    before = app.dataframe[0].value.set_index("strategy").iloc[:, 1]
    _prices(app)
    app.file_uploader(key="pr_upload").set_value(("mine.yaml", GOOD_CATALOG, "application/x-yaml")).run()
    _assert_clean(app, "good catalog")
    assert any("Using mine.yaml" in s.value.replace("\\", "") for s in app.success)
    app.switch_page("app_pages/overview.py").run()
    after = app.dataframe[0].value.set_index("strategy").iloc[:, 1]
    assert after["ft-hosted"] > before["ft-hosted"]  # expert labelling now costs $100 per example
    assert after["prompt"] == before["prompt"]


def test_price_override_changes_results_and_can_be_removed(app: AppTest) -> None:
    before = app.dataframe[0].value.set_index("strategy").iloc[:, 1]
    _prices(app)
    app.selectbox(key="pr_kind").set_value("models").run()
    app.selectbox(key="pr_entry").set_value("openai/gpt-4.1").run()
    app.selectbox(key="pr_field").set_value("input_usd_per_mtok").run()
    app.number_input(key="pr_value_models_openai/gpt-4.1_input_usd_per_mtok").set_value(20.0).run()
    app.button(key="pr_apply").click().run()
    _assert_clean(app, "override")
    app.switch_page("app_pages/overview.py").run()
    after = app.dataframe[0].value.set_index("strategy").iloc[:, 1]
    assert after["prompt"] > before["prompt"] and after["rag"] == before["rag"]
    _prices(app)
    app.button(key="pr_clear").click().run()
    app.switch_page("app_pages/overview.py").run()
    assert app.dataframe[0].value.set_index("strategy").iloc[:, 1]["prompt"] == pytest.approx(
        before["prompt"]
    )


def test_negative_override_is_refused_naming_the_field(app: AppTest) -> None:
    _prices(app)
    app.selectbox(key="pr_kind").set_value("labeling_rates").run()
    app.selectbox(key="pr_entry").set_value("expert").run()
    key = next(
        n.key for n in app.number_input if n.key and n.key.startswith("pr_value_labeling_rates_expert")
    )
    app.number_input(key=key).set_value(-3.0).run()
    app.button(key="pr_apply").click().run()
    assert any("labeling_rates.usd_per_example" in e.value for e in app.error)
    assert (
        session_catalogs.OVERRIDES_KEY not in app.session_state
        or not app.session_state[session_catalogs.OVERRIDES_KEY]
    )


# --- Pages that other modules own: bad input keeps the app alive ----------------------------------


@pytest.mark.skipif(
    not (ROOT / "app_pages/tokens.py").is_file(), reason="app_pages/tokens.py has not landed yet"
)
def test_unreadable_prompt_file_shows_error_and_app_keeps_working(app: AppTest) -> None:
    app.switch_page("app_pages/tokens.py").run()
    uploader = app.file_uploader[0]
    files = [("garbage.txt", b"\x00\xff\xfe\x00" * 100 + bytes(range(256)), "text/plain")]
    uploader.set_value(files if uploader.accept_multiple_files else files[0]).run()
    assert not app.exception
    assert app.error, "an unreadable prompt file should be reported with st.error"
    app.switch_page("app_pages/overview.py").run()
    _assert_clean(app, "overview after a bad prompt file")


def test_scenario_made_invalid_elsewhere_shows_error_on_every_result_page(app: AppTest) -> None:
    """A scenario that parses but cannot be priced (set by another page) gives st.error, never a traceback."""
    bad = dataclasses.replace(
        app.session_state[session.SCENARIO_KEY],
        strategies=(
            parse_scenario(
                "workload: {requests_per_month: 1, input_tokens_per_request: 1, output_tokens_per_request: 1}\n"
                "strategies: [{id: p, kind: prompting, model: openai/not-a-model}]\n"
            ).strategies
        ),
    )
    app.session_state[session.SCENARIO_KEY] = bad
    for page in ("app_pages/overview.py", "app_pages/breakeven.py", "app_pages/latency.py"):
        app.switch_page(page).run()
        assert not app.exception
        assert any("strategies[0].model" in e.value for e in app.error), page
    app.selectbox(key=sidebar.PICK_KEY).set_value(f"Example: {session.DEFAULT_EXAMPLE.stem}")
    app.selectbox(key=sidebar.PICK_KEY).set_value(sidebar.BLANK_CHOICE).run()
    app.switch_page("app_pages/overview.py").run()
    _assert_clean(app, "recovered")


def test_user_text_is_never_rendered_as_markdown(app: AppTest) -> None:
    """A scenario name or file name with markdown shows verbatim: no link, image or colour directive."""
    name = "![pixel](https://tracker.invalid/p.png) :red[x] <b>y</b>"
    text = dump_scenario(dataclasses.replace(load_scenario(EXAMPLES[0]), name=name))
    app.selectbox(key=sidebar.PICK_KEY).set_value(sidebar.UPLOAD_CHOICE).run()
    upload = ("[a](https://x.invalid).yaml", text.encode(), "application/x-yaml")
    app.file_uploader(key=sidebar.UPLOAD_KEY).set_value(upload).run()
    _assert_clean(app, "markup name")
    assert app.session_state[session.SCENARIO_KEY].name == name
    for page in ("app_pages/overview.py", "app_pages/breakeven.py", "app_pages/latency.py"):
        app.switch_page(page).run()
        for element in [*app.markdown, *app.caption, *app.sidebar.caption]:
            body = str(element.value)
            assert "![pixel]" not in body and "](https://" not in body and ":red[" not in body, body
