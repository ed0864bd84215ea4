"""The bad-input corpus (tests/data/bad/manifest.yaml): every hostile input gets a clear message.

One parametrised test per surface. Each asserts that the error names the field and, where the
input has lines, ``file:line`` (every ``expect`` fragment of the case appears), that it is the
project's own error (exit code 2 on the command line, ``st.error`` in the app), that no traceback
reaches the user, and that the surface still works afterwards. Inputs too big to commit (10 MB
YAML, 60 MB JSONL lines, a 50 MB CSV cell, 10,000 CSV columns, oversized links) are generated at
test time from the manifest's ``generate`` entries.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from costmodel.catalog.loader import parse_catalog
from costmodel.cli import dispatch as cli
from costmodel.core.errors import InputError
from costmodel.tokens.parsers import ParseOptions, Upload
from costmodel.tokens.stats import count_uploads

REPO = Path(__file__).resolve().parent.parent
BAD = REPO / "tests" / "data" / "bad"
MANIFEST: dict[str, dict[str, dict[str, Any]]] = yaml.safe_load((BAD / "manifest.yaml").read_text("utf-8"))
SURFACES = ("scenario", "catalog", "uploads", "url", "cli", "evals")

MAX_MESSAGE_CHARS = 4_000
"""Longest error a person should be shown for one bad input (a clear message, not a dump)."""

BYTES_PER_MB = 1_000_000
VALID_SCENARIO = (BAD.parent.parent.parent / "examples" / "fintech-support.yaml").read_text("utf-8")
VALID_CATALOG = """\
labeling_rates:
  - {id: crowd, usd_per_example: 0.2, source_url: "https://example.org/l", as_of: 2026-01-01}
"""


# ---------------------------------------------------------------------------------------------
# Generators for inputs too big to commit
# ---------------------------------------------------------------------------------------------


def _pad_yaml(valid: str, n_bytes: int) -> bytes:
    line = b"# padding: a comment line that keeps the document valid YAML apart from its size\n"
    head = valid.encode("utf-8")
    return head + line * ((n_bytes - len(head)) // len(line) + 1)


def _text_lines(n_bytes: int) -> bytes:
    line = b"What is the fee for an international wire transfer?\n"
    return line * (n_bytes // len(line) + 1)


def _jsonl_enormous_line(n_bytes: int) -> bytes:
    return b'{"prompt": "' + b"word " * (n_bytes // 5) + b'"}\n'


def _jsonl_enormous_broken_line(n_bytes: int) -> bytes:
    return b'{"prompt": "' + b"word " * (n_bytes // 5) + b"\n"


def _many_strategies(n: int) -> bytes:
    head = (
        "workload: {requests_per_month: 1000, input_tokens_per_request: 100, output_tokens_per_request: 50}\n"
    )
    rows = "".join(f"  - {{id: s{i}, kind: prompting, model: openai/gpt-4.1-mini}}\n" for i in range(n))
    return f"{head}strategies:\n{rows}".encode()


def _link(yaml_bytes: bytes) -> str:
    """A ``?s=`` value holding this YAML, encoded as ui/share.py does (version 1, zlib, base64url)."""
    import base64
    import zlib

    return "1." + base64.urlsafe_b64encode(zlib.compress(yaml_bytes, 9)).decode("ascii").rstrip("=")


def _csv_columns(n: int) -> bytes:
    header = ",".join(f"c{i}" for i in range(n))
    row = ",".join("x" for _ in range(n))
    return f"{header}\n{row}\n".encode()


def _csv_big_cell(n_bytes: int) -> bytes:
    return b'input,output\n"' + b"a " * (n_bytes // 2) + b'",x\n'


GENERATORS: dict[str, Callable[..., bytes | str]] = {
    "padded_scenario": lambda bytes: _pad_yaml(VALID_SCENARIO, bytes),
    "padded_catalog": lambda bytes: _pad_yaml(VALID_CATALOG, bytes),
    "text_lines": lambda bytes: _text_lines(bytes),
    "jsonl_enormous_line": lambda bytes: _jsonl_enormous_line(bytes),
    "jsonl_enormous_broken_line": lambda bytes: _jsonl_enormous_broken_line(bytes),
    "csv_columns": lambda n: _csv_columns(n),
    "csv_big_cell": lambda bytes: _csv_big_cell(bytes),
    "csv_long_cell_unclosed": lambda chars: b'input,output\n"' + b"a" * chars + b",x\n",
    "tsv_long_cell_stray_quote": lambda chars: b"input\toutput\nok\tfine\n" + b"a" * chars + b'"b\tx\n',
    "long_token": lambda chars: "1." + "A" * (chars - 2),
    "many_strategies": lambda n: _many_strategies(n),
    "many_strategies_link": lambda n: _link(_many_strategies(n)),
}
"""``generate.kind`` in the manifest -> a function of the other ``generate`` keys."""


def case_name(case: dict[str, Any]) -> str:
    """The file name the input goes by (its committed name, or the manifest's ``name``)."""
    return str(case.get("name") or Path(case["file"]).name)


def case_bytes(case: dict[str, Any]) -> bytes:
    """The case's input: the committed file, or the generated one."""
    if "file" in case:
        return (BAD / case["file"]).read_bytes()
    args = dict(case["generate"])
    out = GENERATORS[args.pop("kind")](**args)
    return out.encode("ascii") if isinstance(out, str) else out


def cases(surface: str) -> list[Any]:
    """pytest params of a surface, with the case ids of the manifest."""
    return [pytest.param(case, id=name) for name, case in MANIFEST[surface].items()]


def assert_clear(message: str, case: dict[str, Any]) -> None:
    """The message holds every expected fragment, is short enough to read and is not a traceback."""
    missing = [fragment for fragment in case["expect"] if fragment not in message]
    assert not missing, f"missing {missing!r} in:\n{message[:2000]}"
    assert "Traceback" not in message
    assert len(message) <= MAX_MESSAGE_CHARS, f"{len(message):,} characters: {message[:300]}..."


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """Run ``breakeven`` in-process; (exit code, stdout, stderr). Usage errors exit through SystemExit."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


@contextlib.contextmanager
def on_disk(case: dict[str, Any], tmp_path: Path) -> Iterator[Path]:
    """A path holding the case's input (generated inputs are written under pytest's tmp_path)."""
    if "file" in case:
        yield BAD / case["file"]
        return
    path = tmp_path / case_name(case)
    path.write_bytes(case_bytes(case))
    try:
        yield path
    finally:
        path.unlink()


# ---------------------------------------------------------------------------------------------
# The corpus itself
# ---------------------------------------------------------------------------------------------

N_CASES = sum(len(MANIFEST[s]) for s in SURFACES)
COUNTS = ", ".join(f"{s} {len(MANIFEST[s])}" for s in SURFACES)


@pytest.mark.parametrize("summary", [f"{N_CASES} cases ({COUNTS})"])
def test_corpus_size(summary: str) -> None:
    """At least 60 cases; the count is in this test's id (``pytest -v``) and printed (``-s``)."""
    print(f"\nbad-input corpus: {summary}")
    assert set(MANIFEST) == set(SURFACES)
    assert N_CASES >= 60, summary


def test_every_committed_file_is_a_case() -> None:
    """No orphan files: each file under tests/data/bad (but the manifest) belongs to one case."""
    listed = {case["file"] for s in SURFACES for case in MANIFEST[s].values() if "file" in case}
    on_disk_files = {
        str(p.relative_to(BAD)) for p in BAD.rglob("*") if p.is_file() and p.name != "manifest.yaml"
    }
    assert on_disk_files == listed
    for surface in SURFACES:
        for name, case in MANIFEST[surface].items():
            assert ("file" in case) != ("generate" in case), name
            assert case["expect"] and all(isinstance(f, str) and f for f in case["expect"]), name
            if "generate" in case:
                assert case["generate"]["kind"] in GENERATORS, name


# ---------------------------------------------------------------------------------------------
# One test per surface
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", cases("scenario"))
def test_scenario_file(case: dict[str, Any], tmp_path: Path) -> None:
    """``breakeven run BAD.yaml`` exits 2 with ``file:line: field: message`` and nothing on stdout."""
    with on_disk(case, tmp_path) as path:
        code, out, err = run_cli(["run", str(path)])
    assert code == 2, err
    assert out == ""
    assert_clear(err, case)
    # Still usable: the next run in the same process works.
    code, out, _ = run_cli(["run", str(REPO / "examples" / "fintech-support.yaml"), "--format", "csv"])
    assert code == 0 and out.startswith("id,kind,")


@pytest.mark.parametrize("case", cases("catalog"))
def test_catalog_file(case: dict[str, Any]) -> None:
    """parse_catalog raises InputError naming ``file:line: kind[i].field``; a good catalog still loads."""
    with pytest.raises(InputError) as caught:
        parse_catalog(case_bytes(case), source=case_name(case))
    assert_clear(str(caught.value), case)
    assert parse_catalog(VALID_CATALOG, source="ok.yaml").find("labeling_rates", "crowd") is not None


def _upload_options(case: dict[str, Any]) -> ParseOptions:
    limit = case.get("max_upload_mb")
    return ParseOptions() if limit is None else ParseOptions(max_bytes=int(limit * BYTES_PER_MB))


@pytest.mark.parametrize("case", cases("uploads"))
def test_upload(case: dict[str, Any], tmp_path: Path) -> None:
    """Counting a bad upload raises InputError naming file, line and field, in memory and on the CLI."""
    upload = Upload(name=case_name(case), data=case_bytes(case))
    with pytest.raises(InputError) as caught:
        count_uploads([upload], ["o200k_base"], _upload_options(case))
    assert_clear(str(caught.value), case)
    del upload
    argv = ["tokens", "--model", "openai/gpt-4.1"]
    if "max_upload_mb" in case:
        argv += ["--max-upload-mb", str(case["max_upload_mb"])]
    with on_disk(case, tmp_path) as path:
        code, out, err = run_cli([*argv, str(path)])
    assert code == 2, err
    assert out == ""
    assert_clear(err, case)
    # Still usable: a good upload counts right after.
    good = count_uploads([Upload(name="ok.txt", data=b"hello world")], ["o200k_base"])
    assert good.n_samples == 1


@pytest.mark.parametrize("case", cases("url"))
def test_link(case: dict[str, Any]) -> None:
    """A tampered, truncated, oversized or injected ``?s=`` value raises InputError naming the parameter."""
    from ui.share import decode_scenario, encode_scenario

    token = case_bytes(case).decode("utf-8").rstrip("\n")
    with pytest.raises(InputError) as caught:
        decode_scenario(token)
    assert_clear(str(caught.value), case)
    from costmodel.scenario.io import parse_scenario

    good = parse_scenario(VALID_SCENARIO, source="example")
    assert decode_scenario(encode_scenario(good)) == good


@pytest.mark.parametrize("case", cases("cli"))
def test_cli_flags(case: dict[str, Any], tmp_path: Path) -> None:
    """Out-of-range, non-numeric or unknown flags and special files exit 2 with one line naming the flag or file.

    ``{fifo}`` is a named pipe with no writer: reading it would block forever, so a pass proves the
    refusal happens before any read.
    """
    import os

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    lines = case_bytes(case).decode("utf-8").splitlines()
    argv = [
        a.replace("{bad}", str(BAD)).replace("{repo}", str(REPO)).replace("{fifo}", str(fifo)) for a in lines
    ]
    code, out, err = run_cli(argv)
    assert code == 2, err
    assert out == ""
    assert_clear(err, case)


@pytest.mark.parametrize("case", cases("evals"))
def test_eval_file(case: dict[str, Any], tmp_path: Path) -> None:
    """A hostile eval-results file: InputError naming file, line and column, in memory and on the CLI."""
    from costmodel.simulation.evals import parse_evals

    with pytest.raises(InputError) as caught:
        parse_evals(case_bytes(case), source=case_name(case))
    assert_clear(str(caught.value), case)
    with on_disk(case, tmp_path) as path:
        code, out, err = run_cli(
            ["simulate", str(REPO / "examples" / "fintech-support.yaml"), "--evals", str(path)]
        )
    assert code == 2, err
    assert out == ""
    assert_clear(err, case)


def test_cli_exit_code_and_stderr_in_a_real_process() -> None:
    """The installed entry point behaves as in-process: exit 2, message on stderr, no traceback."""
    import subprocess
    import sys

    case = MANIFEST["scenario"]["python_tag"]
    proc = subprocess.run(
        [sys.executable, "-m", "costmodel", "run", str(BAD / case["file"])],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert_clear(proc.stderr, case)


# ---------------------------------------------------------------------------------------------
# The same cases in the app (AppTest): st.error naming the field, then the app still works
# ---------------------------------------------------------------------------------------------

APP = str(REPO / "app.py")
APP_TIMEOUT_S = 120


@pytest.fixture(scope="module")
def app() -> Iterator[Any]:
    """One app session shared by a surface's cases: each bad input must leave it usable for the next."""
    from streamlit.testing.v1 import AppTest

    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(REPO))
        at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT_S)
        at.run()
        assert not at.exception and not at.error
        yield at


def app_errors(at: Any) -> str:
    """Every st.error shown, as one text; fails on any exception element (a traceback)."""
    assert not at.exception, [e.value for e in at.exception]
    return "\n".join(str(e.value) for e in at.error)


def assert_app_usable(at: Any) -> None:
    """After a bad input: move the horizon slider, and the Overview still renders its table and chart."""
    from ui import sidebar

    at.switch_page("app_pages/overview.py").run()
    slider = at.slider(key=sidebar.HORIZON_KEY)
    slider.set_value(12 if slider.value != 12 else 18).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.dataframe, "the Overview table is missing"


@pytest.mark.parametrize("case", cases("scenario"))
def test_scenario_upload_in_app(app: Any, case: dict[str, Any]) -> None:
    """A bad scenario uploaded in the sidebar: st.error naming file:line: field; the old scenario stays."""
    from ui import session, sidebar

    before = app.session_state[session.SCENARIO_KEY]
    app.selectbox(key=sidebar.PICK_KEY).set_value(sidebar.UPLOAD_CHOICE).run()
    app.file_uploader(key=sidebar.UPLOAD_KEY).set_value(
        (case_name(case), case_bytes(case), "application/x-yaml")
    ).run()
    assert_clear(app_errors(app), case)
    assert app.session_state[session.SCENARIO_KEY] == before
    app.file_uploader(key=sidebar.UPLOAD_KEY).set_value(None).run()
    assert_app_usable(app)


@pytest.mark.parametrize("case", cases("catalog"))
def test_catalog_upload_in_app(app: Any, case: dict[str, Any]) -> None:
    """A bad custom catalog on the Prices page: st.error naming file:line: kind[i].field; built-ins stay."""
    app.switch_page("app_pages/prices.py").run()
    app.file_uploader(key="pr_upload").set_value(
        (case_name(case), case_bytes(case), "application/x-yaml")
    ).run()
    assert_clear(app_errors(app), case)
    app.file_uploader(key="pr_upload").set_value(None).run()
    assert_app_usable(app)


@pytest.mark.parametrize("case", cases("uploads"))
def test_sample_upload_in_app(app: Any, case: dict[str, Any]) -> None:
    """A bad sample file on the Tokens page: st.error naming file, line and field; the page recovers."""
    from streamlit import config

    limit = config.get_option("server.maxUploadSize")
    if "max_upload_mb" in case:
        config.set_option("server.maxUploadSize", case["max_upload_mb"])
    try:
        app.switch_page("app_pages/tokens.py").run()
        app.file_uploader[0].set_value(
            [(case_name(case), case_bytes(case), "application/octet-stream")]
        ).run()
        assert_clear(app_errors(app), case)
        app.file_uploader[0].set_value(None).run()
    finally:
        config.set_option("server.maxUploadSize", limit)
    assert not app.error
    assert_app_usable(app)


@pytest.mark.parametrize("case", cases("url"))
def test_link_in_app(app: Any, case: dict[str, Any]) -> None:
    """Opening ?s=<bad value>: st.error naming the parameter or the field; the default scenario opens."""
    from ui import session, share

    app.query_params[share.QUERY_PARAM] = case_bytes(case).decode("utf-8").rstrip("\n")
    app.run()
    assert_clear(app_errors(app), case)
    before = session.default_scenario()
    assert app.session_state[session.SCENARIO_KEY] == before
    assert share.decode_scenario(app.query_params[share.QUERY_PARAM]) == before  # the address bar is repaired
    assert_app_usable(app)


MARKUP_NAME = (
    "![pixel](https://tracker.invalid/p.png) [click](https://phish.invalid) <img src=x onerror=alert(1)>"
)
"""A scenario name that would fetch a third-party image (leaking each viewer's address) if rendered."""


def test_link_text_is_shown_as_text_not_markup(app: Any) -> None:
    """A valid link whose scenario name is markdown/HTML: shown verbatim, never as an image or a link."""
    import dataclasses

    from ui import session, share

    scenario = dataclasses.replace(session.default_scenario(), name=MARKUP_NAME)
    app.query_params[share.QUERY_PARAM] = share.encode_scenario(scenario)
    app.run()
    assert not app.exception and not app.error
    assert app.session_state[session.SCENARIO_KEY].name == MARKUP_NAME
    for page in ("app_pages/overview.py", "app_pages/breakeven.py"):
        app.switch_page(page).run()
        shown = [
            *app.markdown,
            *app.caption,
            *app.title,
            *app.header,
            *app.subheader,
            *app.info,
            *app.warning,
        ]
        for element in shown:
            body = str(element.value)
            assert "](https://tracker.invalid" not in body.replace("\\]", "").replace("\\(", ""), body
            assert "![pixel]" not in body, f"{page}: the name is rendered as markdown: {body}"
    app.query_params[share.QUERY_PARAM] = share.encode_scenario(session.default_scenario())
    app.run()
    assert_app_usable(app)
