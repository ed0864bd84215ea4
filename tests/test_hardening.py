"""Audits of the app's code and server configuration: bounded caches, deliberate limits, no raw HTML.

A cache without ``max_entries`` or ``ttl`` grows with every distinct input of every user until the
server runs out of memory; ``st.cache_data`` is shared by all sessions of a process. These tests read
the source (AST, not regular expressions, so formatting cannot hide a call) and fail on any
unbounded cache in ``app.py``, ``app_pages/``, ``ui/`` and ``costmodel/``.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
APP_SOURCES = sorted([REPO / "app.py", *(REPO / "app_pages").glob("*.py"), *(REPO / "ui").rglob("*.py")])
ALL_SOURCES = sorted([*APP_SOURCES, *(REPO / "costmodel").rglob("*.py")])
STREAMLIT_CACHES = {"cache_data", "cache_resource"}
BOUNDS = {"max_entries", "ttl"}


def _dotted(node: ast.AST) -> str:
    """``st.cache_data`` for an Attribute/Name chain, '' for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def unbounded_caches(source: str, name: str) -> list[str]:
    """Every cache in ``source`` that has no bound, as ``file:line: what``.

    Streamlit caches need ``max_entries`` or ``ttl`` (not None) and must not persist to disk;
    ``functools.lru_cache`` must not have ``maxsize=None`` (bare, it keeps 128); ``functools.cache``
    is always unbounded.

    >>> unbounded_caches("@st.cache_data\\ndef f(): ...", "x.py")
    ['x.py:1: st.cache_data without max_entries or ttl']
    >>> unbounded_caches("@st.cache_data(ttl=60)\\ndef f(): ...", "x.py")
    []
    >>> unbounded_caches("g = functools.lru_cache(maxsize=None)(f)", "x.py")
    ['x.py:1: functools.lru_cache(maxsize=None)']
    """
    tree = ast.parse(source)
    called = {id(node.func): node for node in ast.walk(tree) if isinstance(node, ast.Call)}
    # `st.cache_data.clear()`: the cache object is only the base of another attribute, not a cache.
    bases = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute | ast.Name) or id(node) in bases:
            continue
        dotted = _dotted(node)
        last = dotted.rsplit(".", 1)[-1]
        call = called.get(id(node))
        if last in STREAMLIT_CACHES and dotted.split(".")[0] in ("st", "streamlit"):
            given = {k.arg for k in call.keywords if not _is_none(k.value)} if call else set()
            if not given & BOUNDS:
                found.append(f"{name}:{node.lineno}: {dotted} without max_entries or ttl")
            if "persist" in given:
                found.append(f"{name}:{node.lineno}: {dotted}(persist=...) writes results to disk")
        elif dotted == "functools.cache":
            found.append(f"{name}:{node.lineno}: functools.cache is unbounded")
        elif last == "lru_cache":
            if call is None:
                continue  # bare @lru_cache keeps 128 entries
            sizes = [k.value for k in call.keywords if k.arg == "maxsize"] + call.args[:1]
            if not sizes or _is_none(sizes[0]):
                found.append(f"{name}:{node.lineno}: {dotted}(maxsize=None)")
    return found


def test_sources_exist() -> None:
    """The audit reads real files (so it cannot pass on an empty list)."""
    assert (REPO / "app.py").is_file() and len(APP_SOURCES) > 3
    assert sum("cache_" in p.read_text("utf-8") for p in APP_SOURCES) >= 1


@pytest.mark.parametrize("path", ALL_SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_cache_is_bounded(path: Path) -> None:
    """No st.cache_data/st.cache_resource without max_entries or ttl or with persist; no lru_cache(maxsize=None)."""
    assert unbounded_caches(path.read_text("utf-8"), str(path.relative_to(REPO))) == []


@pytest.mark.parametrize(
    "snippet",
    [
        "@st.cache_data\ndef f(x): ...",
        "@st.cache_resource()\ndef f(x): ...",
        "@st.cache_data(show_spinner=False, max_entries=None)\ndef f(x): ...",
        "f = st.cache_data(g)",
        "@streamlit.cache_resource(ttl=None)\ndef f(): ...",
        "@functools.lru_cache(maxsize=None)\ndef f(x): ...",
        "@functools.lru_cache(None)\ndef f(x): ...",
        "@functools.cache\ndef f(x): ...",
        '@st.cache_data(max_entries=4, persist="disk")\ndef f(x): ...',
    ],
)
def test_the_audit_catches_unbounded_caches(snippet: str) -> None:
    """Every way of writing an unbounded cache is caught (the audit can fail)."""
    assert unbounded_caches(snippet, "x.py")


@pytest.mark.parametrize(
    "snippet",
    [
        "@st.cache_data(max_entries=4)\ndef f(x): ...",
        "@st.cache_resource(ttl=3600, show_spinner=False)\ndef f(x): ...",
        "@functools.lru_cache(maxsize=4)\ndef f(x): ...",
        "st.cache_data.clear()",
    ],
)
def test_the_audit_accepts_bounded_caches(snippet: str) -> None:
    """Bounded caches and cache maintenance calls pass."""
    assert unbounded_caches(snippet, "x.py") == []


@pytest.mark.parametrize("path", APP_SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_raw_html(path: Path) -> None:
    """User text never reaches the page as HTML: no unsafe_allow_html=True, st.html or components.html."""
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            dotted = _dotted(node.func)
            assert not dotted.endswith(("st.html", "components.html", "components.v1.html")), (
                f"{path.name}:{node.lineno}: {dotted}"
            )
            for keyword in node.keywords:
                if keyword.arg == "unsafe_allow_html":
                    assert isinstance(keyword.value, ast.Constant) and keyword.value.value is False, (
                        f"{path.name}:{node.lineno}: unsafe_allow_html"
                    )


STREAMLIT_DEFAULT_UPLOAD_MB = 200


def test_server_configuration_is_deliberate() -> None:
    """.streamlit/config.toml: upload limit below Streamlit's 200 MB default, XSRF and CORS protection on,
    no usage statistics, headless, no tracebacks to users, no file watching."""
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text("utf-8"))
    server = config["server"]
    assert 0 < server["maxUploadSize"] < STREAMLIT_DEFAULT_UPLOAD_MB
    assert server["maxMessageSize"] <= STREAMLIT_DEFAULT_UPLOAD_MB
    assert server["enableXsrfProtection"] is True
    assert server["enableCORS"] is True  # Streamlit's name for CORS *protection*: no cross-origin access
    assert server.get("corsAllowedOrigins", []) == []
    assert server["headless"] is True
    assert server.get("runOnSave", False) is False
    assert server.get("fileWatcherType") == "none"
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] in ("none", False)


# ---------------------------------------------------------------------------------------------
# Round two (issue 17): offline assets, the link contract, the error boundary
# ---------------------------------------------------------------------------------------------

OUTSIDE_ICON = ("material/", ":material", "http://", "https://")


def test_the_page_icon_is_served_by_the_app_itself() -> None:
    """A ``:material/...:`` or emoji page icon makes browsers fetch it from a third-party CDN; ours is a
    file shipped in the package (tests/e2e/test_hostile_links.py records that no request leaves)."""
    from ui import app

    assert app.ICON.is_file() and app.ICON.suffix == ".png"
    source = (REPO / "ui" / "app.py").read_text("utf-8")
    call = source[source.index("st.set_page_config(") :].split("\n", 1)[0]
    assert "page_icon=str(ICON)" in call and not any(marker in call for marker in OUTSIDE_ICON)
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    assert "icon.png" in pyproject["tool"]["setuptools"]["package-data"]["ui.launch"]


def _app() -> object:
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(REPO / "app.py"), default_timeout=120)


def test_the_sidebar_offers_only_a_link_the_app_accepts_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """A scenario whose link would expand past the decoder's limit: no ``?s=`` is written and the sidebar
    says why, instead of showing a length the app then refuses."""
    import dataclasses

    from ui import session, share

    monkeypatch.syspath_prepend(str(REPO))
    at = _app()
    at.run()
    big = dataclasses.replace(session.default_scenario(), name="ab" * 40_000)
    at.session_state[session.SCENARIO_KEY] = big
    at.session_state[session.VERSION_KEY] = 99
    at.run()
    assert not at.exception
    assert share.QUERY_PARAM not in at.query_params
    captions = " ".join(str(c.value) for c in at.sidebar.caption)
    assert "too large to share as a link" in captions and "64,000 bytes" in captions
    at.session_state[session.SCENARIO_KEY] = session.default_scenario()
    at.session_state[session.VERSION_KEY] = 100
    at.run()
    token = at.query_params[share.QUERY_PARAM]
    token = token[0] if isinstance(token, list) else token
    assert share.decode_scenario(token) == session.default_scenario()
    assert f"Link length: {len(token):,} characters" in " ".join(str(c.value) for c in at.sidebar.caption)


def test_an_unexpected_failure_opens_the_default_scenario(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any exception while opening a link (not only InputError) is an error box and the default scenario."""
    from ui import session, share

    monkeypatch.syspath_prepend(str(REPO))
    import ui.link

    def explode(scenario: object) -> None:
        raise OverflowError("cannot convert float infinity to integer")

    at = _app()
    at.run()
    monkeypatch.setattr(ui.link, "run_scenario", explode)
    at.query_params[share.QUERY_PARAM] = share.encode_scenario(session.blank_scenario())
    at.run()
    assert not at.exception
    errors = " ".join(str(e.value) for e in at.error)
    assert "unexpected OverflowError" in errors and "default scenario" in errors
    assert at.session_state[session.SCENARIO_KEY] == session.default_scenario()
