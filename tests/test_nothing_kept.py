"""Nothing kept: an upload-and-count session writes nothing to disk.

Two sessions are checked, each with a unique marker string inside every uploaded file:

* the Tokens page in AppTest (upload three files, count, apply the counts to the scenario, look
  at the Overview), with HOME and the temp directory pointed at fresh empty folders;
* a real ``streamlit run app.py`` on localhost driven through Streamlit's own upload endpoint, with
  ``tempfile`` instrumented in the server process, so even an unnamed temporary file (which no
  directory listing shows) is caught.

After each: the repository's files (recursive listing with mtimes and sizes, tool caches left out),
the fresh HOME and temp folders and the system temp directories are compared with before, and no
file changed since the session started holds the marker.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# Imported here, before any test redirects TMPDIR: importing AppTest makes a temporary folder of its own
# (Streamlit's test harness), which is not something a user's session writes.
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parent.parent
SKIP_DIRS = {
    ".git",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    ".mypy_cache",
    ".ruff_cache",
    ".venv",
    "venv",
}
SYSTEM_TEMP_DIRS = [Path(p) for p in ("/tmp", "/var/tmp", "/dev/shm") if Path(p).is_dir()]
MAX_SCAN_BYTES = 300_000_000
SPOOL_THRESHOLD_BYTES = 1024 * 1024
"""Starlette keeps a multipart upload in memory up to 1 MiB, then spools it to a temporary file."""


def listing(root: Path) -> dict[str, tuple[int, int]]:
    """Relative path -> (mtime_ns, size) of every file under ``root`` (tool caches and bytecode left out)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info")]
        for name in filenames:
            path = Path(dirpath) / name
            try:
                st = path.stat()
            except OSError:
                continue
            out[str(path.relative_to(root))] = (st.st_mtime_ns, st.st_size)
    return out


def changed(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> list[str]:
    """Paths added, removed or modified between two listings."""
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def files_holding(marker: bytes, roots: list[Path], since_ns: int, skip: list[Path]) -> list[str]:
    """Files under ``roots`` modified since ``since_ns`` whose bytes contain ``marker``."""
    hits = []
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            if any(Path(dirpath).is_relative_to(s) for s in skip):
                dirnames[:] = []
                continue
            dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
            for name in filenames:
                path = Path(dirpath) / name
                try:
                    st = path.stat()
                    if st.st_mtime_ns < since_ns or st.st_size > MAX_SCAN_BYTES or not path.is_file():
                        continue
                    if marker in path.read_bytes():
                        hits.append(str(path))
                except OSError:
                    continue
    return hits


def sample_files(marker: str) -> list[tuple[str, bytes]]:
    """A CSV, a chat JSONL and a text file over the 1 MiB spool threshold, all carrying the marker."""
    csv = "input,output\n" + "".join(f"{marker} question {i}?,answer {i}\n" for i in range(50))
    jsonl = "".join(
        '{"messages": [{"role": "user", "content": "' + f"{marker} {i}" + '"}, '
        '{"role": "assistant", "content": "ok"}]}\n'
        for i in range(50)
    )
    big = (f"{marker} a long support transcript line.\n" * (2 * SPOOL_THRESHOLD_BYTES // 40)).encode()
    return [("q.csv", csv.encode()), ("chats.jsonl", jsonl.encode()), ("transcript.txt", big)]


@pytest.fixture
def fresh_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """Empty HOME and temp folders for this process (tempfile, Streamlit's ~/.streamlit)."""
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    for var in ("TMPDIR", "TEMP", "TMP"):
        monkeypatch.setenv(var, str(tmp))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    yield home, tmp


# ---------------------------------------------------------------------------------------------
# AppTest: the Tokens page
# ---------------------------------------------------------------------------------------------


def tokens_session(marker: str) -> None:
    """Upload, count, apply to the scenario, view the Overview: everything a user does with samples."""
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(REPO))
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
        at.run()
        at.switch_page("app_pages/tokens.py").run()
        files = [(name, data, "text/plain") for name, data in sample_files(marker)]
        at.file_uploader[0].set_value(files).run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert any("samples" in m.value for m in at.markdown)
        # Apply the measured lengths to the workload only: the 2 MB transcript is one sample of ~20k
        # tokens, which as tokens_per_example would (rightly) make the self-hosted LoRA run not fit and
        # the Overview show that error. This test is about disk writes, not about that.
        for box in at.checkbox:
            if box.key and box.key.startswith("tk_apply_strategies"):
                box.uncheck().run()
        apply = [b for b in at.button if "pply" in b.label]
        if apply:
            apply[0].click().run()
            assert not at.exception and not at.error, [e.value for e in at.error]
        at.switch_page("app_pages/overview.py").run()
        assert not at.exception and not at.error
        assert at.dataframe


def test_tokens_page_session_writes_nothing(fresh_dirs: tuple[Path, Path]) -> None:
    """Upload-and-count in the app: no file created or changed anywhere, no copy of the upload on disk."""
    home, tmp = fresh_dirs
    tokens_session(f"warm-up-{uuid.uuid4().hex}")  # imports, vocabularies and caches load first
    marker = f"breakeven-nothing-kept-{uuid.uuid4().hex}"
    repo_before = listing(REPO)
    start_ns = time.time_ns()
    tokens_session(marker)
    assert changed(repo_before, listing(REPO)) == []
    assert list(home.rglob("*")) == [] and list(tmp.rglob("*")) == []
    skip = [home.parent]  # this test's own pytest folder
    assert files_holding(marker.encode(), [REPO, *SYSTEM_TEMP_DIRS], start_ns, skip) == []


# ---------------------------------------------------------------------------------------------
# A real server: Streamlit's upload endpoint, with tempfile instrumented
# ---------------------------------------------------------------------------------------------

TEMPFILE_HOOK = '''
"""Test hook (tests/test_nothing_kept.py): log every temporary file or folder the server creates."""
import os
import tempfile
import traceback

_LOG = os.environ["BREAKEVEN_TEMPFILE_LOG"]


def _wrap(name, original):
    def wrapper(*args, **kwargs):
        where = " | ".join(line.strip().replace("\\n", " ") for line in traceback.format_stack(limit=6)[:-1])
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(f"{name}: {where}\\n")
        return original(*args, **kwargs)
    return wrapper


for _name in ("TemporaryFile", "NamedTemporaryFile", "mkstemp", "mkdtemp"):
    setattr(tempfile, _name, _wrap(_name, getattr(tempfile, _name)))
'''


def test_real_server_upload_writes_nothing(tmp_path: Path) -> None:
    """Upload through the real endpoint and count: no temporary file, nothing in HOME/TMPDIR/repository."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import load_sessions
    finally:
        sys.path.remove(str(REPO / "benchmarks"))

    hook_dir = tmp_path / "hook"
    hook_dir.mkdir()
    (hook_dir / "sitecustomize.py").write_text(TEMPFILE_HOOK, encoding="utf-8")
    log = tmp_path / "tempfiles.log"
    log.touch()
    workdir = tmp_path / "server"
    workdir.mkdir()
    env = {"PYTHONPATH": str(hook_dir), "BREAKEVEN_TEMPFILE_LOG": str(log)}
    marker = f"breakeven-nothing-kept-{uuid.uuid4().hex}"
    with load_sessions.running_server(workdir, extra_env=env) as server:
        user = load_sessions.User(server.base, 0)
        user.count_tokens("warm.csv", b"input\nhello\n", bad=False)
        repo_before = listing(REPO)
        start_ns = time.time_ns()
        used_before = log.read_text(encoding="utf-8")
        for name, data in sample_files(marker):
            user.count_tokens(name, data, bad=False)
        user.close()
        created = log.read_text(encoding="utf-8")[len(used_before) :]
    assert created == "", f"temporary files created while counting uploads:\n{created[:3000]}"
    assert changed(repo_before, listing(REPO)) == []
    assert sorted(p.name for p in (workdir / "tmp").rglob("*")) == []
    assert sorted(p.name for p in (workdir / "home").rglob("*")) == []
    assert files_holding(marker.encode(), [REPO, *SYSTEM_TEMP_DIRS], start_ns, [tmp_path]) == []
