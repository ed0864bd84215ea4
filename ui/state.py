"""The shared scenario, catalogs and run result in ``st.session_state``: one place to read and replace them.

Pages call :func:`get_scenario` / :func:`set_scenario` and :func:`current_result`. Candidate
scenarios from widgets, uploads, links and the editor go through :func:`apply_scenario`, which
validates and runs them first and keeps the previous scenario (with an error naming the field)
when they fail. Uploaded data lives only here, in memory.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import streamlit as st

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.loader import default_catalogs
from costmodel.core.errors import InputError
from costmodel.engine import RunResult, run
from costmodel.scenario.io import dump_scenario, load_scenario, parse_scenario
from costmodel.scenario.types import Scenario
from ui import prices, share

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
DEFAULT_EXAMPLE = EXAMPLES_DIR / "fintech-support.yaml"
SCENARIO_KEY = "scenario"
VERSION_KEY = "scenario_version"
ORIGIN_KEY = "scenario_origin"
CUSTOM_CATALOG_KEY = "custom_catalog"
"""(file name, sha256 of its bytes, parsed Catalogs) of the uploaded custom catalog, or absent."""
OVERRIDES_KEY = "price_overrides"
"""Session price overrides: {(kind, entry id, field): value}."""
FLASH_KEY = "flash_messages"
LINK_KEY = "link_token_seen"
_YAML_MEMO_KEY = "_scenario_yaml_memo"
_CATALOG_MEMO_KEY = "_catalogs_memo"

RUN_CACHE_ENTRIES = 256
"""Run results kept across sessions (a result is ~100 KB: bounded at a few tens of MB)."""

RUN_CACHE_TTL_S = 3600
"""A cached result lives one hour: genai-prices picks prices by date, so results must not outlive a day."""

BLANK_SCENARIO_YAML = """\
name: New scenario
horizon_months: 24
workload:
  requests_per_month: 10000
  input_tokens_per_request: 500
  output_tokens_per_request: 300
strategies:
  - id: prompt
    kind: prompting
    model: openai/gpt-4.1-mini
"""
"""The "blank" starting point: one prompting strategy with starter values to replace (not sourced figures)."""


def use_app_navigation() -> None:
    """Make sure app.py (sidebar, links, navigation) runs around every page, from the first request on.

    Streamlit decides once per server process whether the app uses the old ``pages/`` folder
    mechanism: it does while ``pages/`` exists and no script has called ``st.navigation`` yet. So
    when a fresh server's first request opens a page URL directly (a shared link to /breakeven),
    Streamlit runs that page *without* app.py: no sidebar, the link's scenario ignored, and it stays
    so for every later request until someone opens "/". Called when this module is imported (every
    page and app.py import it): switch the old mechanism off and rerun, so app.py runs.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    except ImportError:  # a Streamlit without these internals has no such mode to switch off
        return
    if PagesManager.uses_pages_directory and get_script_run_ctx() is not None:
        PagesManager.uses_pages_directory = False
        st.rerun()


def default_scenario() -> Scenario:
    """The built-in example scenario the app opens with."""
    return load_scenario(DEFAULT_EXAMPLE)


def blank_scenario() -> Scenario:
    """A minimal scenario to start from (one prompting strategy, starter values)."""
    return parse_scenario(BLANK_SCENARIO_YAML, source="blank scenario")


def example_paths() -> list[Path]:
    """Bundled example scenarios (``examples/*.yaml``), sorted by file name."""
    return sorted(EXAMPLES_DIR.glob("*.yaml"))


def get_scenario() -> Scenario:
    """The session's current scenario (the built-in example on first use)."""
    if SCENARIO_KEY not in st.session_state:
        st.session_state[SCENARIO_KEY] = default_scenario()
        st.session_state[VERSION_KEY] = 0
        st.session_state[ORIGIN_KEY] = f"example {DEFAULT_EXAMPLE.name}"
    scenario: Scenario = st.session_state[SCENARIO_KEY]
    return scenario


def set_scenario(scenario: Scenario, *, origin: str | None = None) -> None:
    """Replace the session's scenario (pages rerun with it; the sidebar's widgets follow)."""
    st.session_state[SCENARIO_KEY] = scenario
    st.session_state[VERSION_KEY] = st.session_state.get(VERSION_KEY, 0) + 1
    if origin is not None:
        st.session_state[ORIGIN_KEY] = origin


def scenario_version() -> int:
    """Increases every time the scenario is replaced."""
    get_scenario()
    return int(st.session_state.get(VERSION_KEY, 0))


def scenario_yaml() -> str:
    """YAML text of the current scenario (memoised per scenario version)."""
    scenario = get_scenario()
    memo = st.session_state.get(_YAML_MEMO_KEY)
    if memo is not None and memo[0] is scenario:
        return str(memo[1])
    text = dump_scenario(scenario)
    st.session_state[_YAML_MEMO_KEY] = (scenario, text)
    return text


# ---------------------------------------------------------------------------------------------
# Catalogs: built-ins + an uploaded custom catalog + session price overrides
# ---------------------------------------------------------------------------------------------


def set_custom_catalog(name: str, data: bytes) -> Catalogs:
    """Validate and keep an uploaded catalog for this session; InputError lists every problem."""
    parsed = prices.parse_custom_catalog(data, name)
    st.session_state[CUSTOM_CATALOG_KEY] = (name, hashlib.sha256(data).hexdigest(), parsed)
    return parsed


def clear_custom_catalog() -> None:
    """Go back to the built-in catalogs only."""
    st.session_state.pop(CUSTOM_CATALOG_KEY, None)


def price_overrides() -> dict[tuple[str, str, str], float]:
    """This session's price overrides (a live dict: change it through the Prices page)."""
    overrides: dict[tuple[str, str, str], float] = st.session_state.setdefault(OVERRIDES_KEY, {})
    return overrides


def catalogs_key() -> str:
    """A short text that identifies the session's catalogs (built-ins + custom + overrides)."""
    custom = st.session_state.get(CUSTOM_CATALOG_KEY)
    overrides = sorted(price_overrides().items())
    if custom is None and not overrides:
        return "builtin"
    text = repr((custom[1] if custom else None, overrides))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def current_catalogs() -> Catalogs:
    """The catalogs this session prices with."""
    key = catalogs_key()
    memo = st.session_state.get(_CATALOG_MEMO_KEY)
    if memo is not None and memo[0] == key:
        cached: Catalogs = memo[1]
        return cached
    catalogs = default_catalogs()
    custom = st.session_state.get(CUSTOM_CATALOG_KEY)
    if custom is not None:
        catalogs = catalogs.merged(custom[2])
    catalogs = prices.apply_overrides(catalogs, price_overrides())
    st.session_state[_CATALOG_MEMO_KEY] = (key, catalogs)
    return catalogs


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------


@st.cache_resource(max_entries=RUN_CACHE_ENTRIES, ttl=RUN_CACHE_TTL_S, show_spinner=False)
def _cached_run(
    scenario_text: str, source: str, key: str, _scenario: Scenario, _catalogs: Catalogs
) -> RunResult:
    """run() keyed by the scenario's YAML text, its source name and the catalogs key.

    ``cache_resource`` (not ``cache_data``): a result holds prepared strategies with closures that
    cannot be pickled; it is immutable and safe to share. Failures (InputError) are not cached.
    """
    return run(_scenario, _catalogs)


def run_scenario(scenario: Scenario) -> RunResult:
    """Run any scenario with this session's catalogs (cached); raises InputError."""
    text = scenario_yaml() if scenario is get_scenario() else dump_scenario(scenario)
    return _cached_run(text, scenario.source, catalogs_key(), scenario, current_catalogs())


def current_result() -> RunResult:
    """The current scenario's result; raises InputError (pages show it with :func:`show_error`)."""
    return run_scenario(get_scenario())


def apply_scenario(candidate: Scenario, *, origin: str | None = None, revalidate: bool = True) -> bool:
    """Validate and run ``candidate``; make it current on success, else keep the old one and flash the error."""
    try:
        checked = (
            parse_scenario(dump_scenario(candidate), source=candidate.source) if revalidate else candidate
        )
        run_scenario(checked)
    except InputError as exc:
        flash_error("That change was not applied:", str(exc))
        return False
    set_scenario(checked, origin=origin)
    return True


# ---------------------------------------------------------------------------------------------
# Links (?s=...)
# ---------------------------------------------------------------------------------------------


def load_from_link() -> None:
    """On a new link value, open its scenario; a bad link shows an error and keeps the default."""
    token = st.query_params.get(share.QUERY_PARAM)
    if token is None or token == st.session_state.get(LINK_KEY):
        return
    st.session_state[LINK_KEY] = token
    get_scenario()
    try:
        scenario = share.decode_scenario(token)
        run_scenario(scenario)
    except InputError as exc:
        flash_error(
            "The scenario in this link could not be opened; showing the current scenario instead.", str(exc)
        )
        return
    set_scenario(scenario, origin="shared link")


def link_token() -> str:
    """The query-parameter value of the current scenario (memoised per scenario)."""
    scenario = get_scenario()
    memo = st.session_state.get("_link_memo")
    if memo is not None and memo[0] is scenario:
        return str(memo[1])
    token = share.encode_scenario(scenario)
    st.session_state["_link_memo"] = (scenario, token)
    return token


def sync_link() -> None:
    """Keep ``?s=`` in the address bar equal to the current scenario, so the URL is the share link."""
    token = link_token()
    if st.query_params.get(share.QUERY_PARAM) != token:
        st.query_params[share.QUERY_PARAM] = token
    st.session_state[LINK_KEY] = token


# ---------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------


def flash_error(title: str, detail: str = "") -> None:
    """Queue an error for the next render (callbacks run before the page draws)."""
    st.session_state.setdefault(FLASH_KEY, []).append((title, detail))


def show_flashes() -> None:
    """Show and clear queued errors."""
    for title, detail in st.session_state.pop(FLASH_KEY, []):
        show_error(detail, title=title)


def error_markdown(detail: str, *, title: str = "") -> str:
    """Markdown for an error box: the problem lines go in a code block and the title is escaped, so
    user-supplied text (file names, values) is never rendered as markdown.

    >>> error_markdown("x.yaml:3: name: ![img](http://e/x.png)", title="Bad file")
    'Bad file\\n\\n```text\\nx.yaml:3: name: ![img](http://e/x.png)\\n```'
    """
    safe = detail.replace("```", "'''")
    body = f"```text\n{safe}\n```" if safe else ""
    return "\n\n".join(part for part in (md_literal(title), body) if part)


def show_error(detail: str, *, title: str = "") -> None:
    """``st.error`` with the problem lines shown verbatim (no markdown, no links, no images)."""
    st.error(error_markdown(detail, title=title))


def result_or_stop() -> RunResult:
    """The current result, or an error naming the field and ``st.stop()`` (the sidebar stays usable)."""
    try:
        return current_result()
    except InputError as exc:
        show_error(
            str(exc),
            title="The current scenario cannot be costed; fix it in the sidebar or the strategy editor:",
        )
        st.stop()
        raise  # unreachable: st.stop() raises; keeps type checkers honest


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_literal(text: str) -> str:
    """User text (names, file names) for st.markdown/st.caption, shown verbatim: every markdown,
    directive and HTML character is backslash-escaped, so no link, image or colour can be injected.

    >>> print(md_literal("![x](https://t.invalid/p.png) :red[y] $5"))
    \\!\\[x\\]\\(https\\:\\/\\/t\\.invalid\\/p\\.png\\) \\:red\\[y\\] \\$5
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("/", "\\/")


def md(text: str) -> str:
    """Text for st.markdown with dollar signs escaped (markdown would read ``$...$`` as LaTeX).

    >>> md("$5 and $6")
    '\\\\$5 and \\\\$6'
    """
    return text.replace("$", "\\$")


use_app_navigation()
