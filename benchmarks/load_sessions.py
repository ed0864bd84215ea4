"""Load test: many browser sessions at once against a real ``streamlit run app.py`` on localhost.

Starts the app server (loopback only, a free port, fresh empty HOME and TMPDIR), then drives it with
websocket clients that speak Streamlit's own protocol, as the browser does: each session reruns the
app with new widget values (the sidebar's horizon and growth sliders) and, every few steps, opens
the Tokens page and uploads a sample file through the real upload endpoint (XSRF token included),
sometimes a malformed one that must produce ``st.error``.

Measured:
  * single-session baseline first: p50/p95 of the rerun time (request sent -> script finished);
  * then N concurrent sessions for the given duration: errors, p50/p95 rerun time, the server's RSS
    over time and its growth after warm-up, and the server's CPU time;
  * afterwards, whether the server wrote anything to its working directory, HOME or TMPDIR.

Targets (issue 8): 0 errors; RSS growth under 10% after warm-up; concurrent p95 <= 3x the
single-session p95. Exit code 0 when all targets are met, 1 otherwise.

Run: python benchmarks/load_sessions.py                   # 30 sessions, 5 minutes
     python benchmarks/load_sessions.py --seconds 60 --sessions 10
Every request goes to 127.0.0.1; the loops stop by themselves at the deadline.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileURLs
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.sync.client import ClientConnection, connect

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
RERUN_TIMEOUT_S = 120.0
"""A rerun that takes longer counts as an error (a stuck server)."""
SAMPLE_EVERY_S = 5.0
"""How often the server's RSS is read."""
SELECT_SLIDER = Slider.Type.SELECT_SLIDER
NUMBER_INPUT_INT = NumberInput.DataType.INT
UPLOAD_EVERY = 3
BAD_UPLOAD_SHARE = 0.25
"""Share of uploads that are malformed (they must show st.error, not break the session)."""
HORIZONS = tuple(range(6, 37, 3))
GROWTHS = (0.0, 2.5, 5.0, 8.0)
"""Slider values the users pick from (44 combinations; the run cache holds 256 results)."""
DEFAULT_THINK_S = 10.0
"""Mean pause between one user's actions (assumption: a person reads the chart for 5-15 s before the
next change). 0 makes every session fire reruns back to back: a stress test, not 30 people."""
"""A session uploads a file on every 3rd step."""
TARGET_RSS_GROWTH = 0.10
TARGET_P95_RATIO = 3.0

GOOD_FILES = {
    "questions.csv": (
        "input,output\n"
        + "".join(
            f"How do I reset my card PIN, case {i}?,Open the app and choose Card > PIN.\n" for i in range(200)
        )
    ).encode(),
    "chats.jsonl": b"".join(
        (
            '{"messages": [{"role": "user", "content": "Where is my refund '
            + str(i)
            + '?"}, {"role": "assistant", "content": "Refunds take 3-5 business days."}]}\n'
        ).encode()
        for i in range(200)
    ),
    "notes.txt": ("A support ticket about a declined payment. " * 400).encode(),
}
BAD_FILES = {
    "broken.jsonl": b'{"prompt": "fine"}\n{"prompt": \n',
    "image.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
}


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A ``streamlit run app.py`` child process with its own empty HOME and TMPDIR."""

    port: int
    process: subprocess.Popen[bytes]
    home: Path
    tmp: Path
    log: Path

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def rss_mb(self) -> float:
        """Resident memory of the server process (MB), from /proc."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def cpu_s(self) -> float:
        """User + system CPU seconds used by the server process so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks


@contextlib.contextmanager
def running_server(workdir: Path, extra_env: dict[str, str] | None = None) -> Iterator[Server]:
    """Start the app on a free loopback port; stop it (by its own pid) on exit."""
    home, tmp = workdir / "home", workdir / "tmp"
    home.mkdir()
    tmp.mkdir()
    log = workdir / "server.log"
    port = free_port()
    env = {
        **os.environ,
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "PYTHONDONTWRITEBYTECODE": "1",
        **(extra_env or {}),
    }
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"),
        "--server.address", HOST, "--server.port", str(port), "--server.headless", "true",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(port=port, process=process, home=home, tmp=tmp, log=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{server.base}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ---------------------------------------------------------------------------------------------
# A browser session in Streamlit's protocol
# ---------------------------------------------------------------------------------------------


class SessionError(Exception):
    """Something a user would see as broken: a traceback, an unexpected error box, a stuck rerun."""


@dataclass
class RunResult:
    """What one rerun showed."""

    seconds: float
    errors: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


class BrowserSession:
    """One websocket session: reruns with widget states, page switches and file uploads."""

    def __init__(self, base: str) -> None:
        self.base = base
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=10) as r:
            cookie = r.headers["set-cookie"].split(";", 1)[0]
        self.cookie = cookie
        self.xsrf = cookie.split("=", 1)[1]
        ws_url = base.replace("http://", "ws://") + "/_stcore/stream"
        self._stack = contextlib.ExitStack()
        self.ws: ClientConnection = self._stack.enter_context(
            connect(
                ws_url,
                subprotocols=["streamlit", self.xsrf],  # type: ignore[list-item]
                additional_headers={"Cookie": cookie, "Origin": base},
                max_size=None,
                open_timeout=30,
            )
        )
        self.session_id = ""
        self.query_string = ""
        self.pages: dict[str, str] = {}
        self.widget_ids: dict[str, str] = {}
        self.states: dict[str, WidgetState] = {}
        self.uploader_id = ""

    def close(self) -> None:
        self._stack.close()

    def rerun(self, page: str = "", *, expect_error: bool = False) -> RunResult:
        """Send the current widget states; read messages until the script finishes."""
        msg = BackMsg()
        msg.rerun_script.query_string = self.query_string
        msg.rerun_script.page_script_hash = self.pages.get(page, "")
        for state in self.states.values():
            msg.rerun_script.widget_states.widgets.append(state)
        start = time.perf_counter()
        self.ws.send(msg.SerializeToString())
        result = RunResult(seconds=0.0)
        errors: list[str] = []
        seen: set[str] = set()
        while True:
            remaining = RERUN_TIMEOUT_S - (time.perf_counter() - start)
            if remaining <= 0:
                raise SessionError(f"rerun of {page or 'the default page'} took over {RERUN_TIMEOUT_S:.0f} s")
            fm = ForwardMsg()
            fm.ParseFromString(self.ws.recv(timeout=remaining))  # type: ignore[arg-type]
            kind = fm.WhichOneof("type")
            if kind == "new_session":
                self.session_id = fm.new_session.initialize.session_id
            elif kind == "navigation":
                self.pages.update(
                    {p.url_pathname or "overview": p.page_script_hash for p in fm.navigation.app_pages}
                )
            elif kind == "page_info_changed":
                self.query_string = fm.page_info_changed.query_string
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                element = fm.delta.new_element
                etype = element.WhichOneof("type")
                if etype == "exception":
                    errors.append(f"exception: {element.exception.type}: {element.exception.message[:200]}")
                elif etype == "alert" and element.alert.format == 1:  # ERROR
                    errors.append(f"st.error: {element.alert.body[:200]}")
                elif etype == "markdown":
                    result.texts.append(element.markdown.body)
                else:
                    wid = getattr(getattr(element, etype), "id", "")
                    if wid:
                        user_key = wid.rsplit("-", 1)[-1] if wid.startswith("$$ID-") else ""
                        key = user_key if user_key and user_key != "None" else wid
                        self.widget_ids[key] = wid
                        seen.add(key)
                        if etype == "file_uploader":
                            self.uploader_id = wid
                            seen.add("__upload")
                        self._follow(key, etype, getattr(element, etype))
            elif kind == "script_finished":
                if fm.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                break
        result.seconds = time.perf_counter() - start
        # As the browser does: widgets that are no longer on the page drop their state.
        self.states = {k: v for k, v in self.states.items() if k in seen}
        result.errors = errors
        if errors and not expect_error:
            raise SessionError("; ".join(errors))
        if expect_error and not any(e.startswith("st.error") for e in errors):
            raise SessionError("a malformed upload did not show st.error")
        if any(e.startswith("exception") for e in errors):
            raise SessionError("; ".join(errors))
        return result

    def _follow(self, key: str, etype: str, el: Any) -> None:
        """Keep the widget's value as the browser would: the server's value when it sets one, else ours,
        else the default (the browser sends every widget's value with every rerun)."""
        if key in self.states and not getattr(el, "set_value", False):
            return
        state = WidgetState(id=el.id)
        if etype == "slider":
            if el.type == SELECT_SLIDER:  # the server names the chosen options in raw_value
                chosen = list(el.raw_value) if el.set_value and el.raw_value else []
                state.string_array_value.data.extend(chosen or [el.options[int(i)] for i in el.default])
            else:
                state.double_array_value.data.extend(
                    list(el.value) if el.set_value and el.value else el.default
                )
        elif etype == "number_input":
            value = el.value if el.set_value else el.default
            if el.data_type == NUMBER_INPUT_INT:
                state.int_value = int(value)
            else:
                state.double_value = value
        elif etype == "selectbox":
            if el.set_value and el.raw_value:
                state.string_value = el.raw_value
            elif el.options:
                state.string_value = el.options[el.default]
            else:
                return
        else:
            return
        self.states[key] = state

    def set_slider(self, key: str, value: float) -> None:
        state = WidgetState(id=self.widget_ids[key])
        state.double_array_value.data.append(value)
        self.states[key] = state

    def upload(self, name: str, data: bytes) -> None:
        """Ask for an upload URL, PUT the file like the browser (multipart, XSRF header), set the widget."""
        request = BackMsg()
        request.file_urls_request.request_id = uuid.uuid4().hex
        request.file_urls_request.file_names.append(name)
        request.file_urls_request.session_id = self.session_id
        self.ws.send(request.SerializeToString())
        urls: FileURLs | None = None
        deadline = time.perf_counter() + RERUN_TIMEOUT_S
        while urls is None:
            fm = ForwardMsg()
            fm.ParseFromString(self.ws.recv(timeout=max(0.1, deadline - time.perf_counter())))  # type: ignore[arg-type]
            if fm.WhichOneof("type") == "file_urls_response":
                if fm.file_urls_response.error_msg:
                    raise SessionError(f"upload URL refused: {fm.file_urls_response.error_msg}")
                urls = fm.file_urls_response.file_urls[0]
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        put = urllib.request.Request(
            self.base + urls.upload_url,
            data=body,
            method="PUT",
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "X-Xsrftoken": self.xsrf,
                "Cookie": self.cookie,
                "Origin": self.base,
            },
        )
        try:
            with urllib.request.urlopen(put, timeout=RERUN_TIMEOUT_S) as r:
                if r.status != 204:
                    raise SessionError(f"upload answered {r.status}")
        except urllib.error.HTTPError as exc:
            raise SessionError(f"upload failed: HTTP {exc.code}") from None
        state = WidgetState(id=self.uploader_id)
        info = state.file_uploader_state_value.uploaded_file_info.add()
        info.name, info.size, info.file_id = name, len(data), urls.file_id
        info.file_urls.CopyFrom(urls)
        self.states["__upload"] = state

    def clear_upload(self) -> None:
        if self.uploader_id:
            self.states["__upload"] = WidgetState(id=self.uploader_id)
            self.states["__upload"].file_uploader_state_value.SetInParent()


# ---------------------------------------------------------------------------------------------
# Workload and statistics
# ---------------------------------------------------------------------------------------------


@dataclass
class Totals:
    """Shared by the session threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    times: list[tuple[float, float, str]] = field(default_factory=list)  # (time since start, seconds, action)
    errors: list[str] = field(default_factory=list)
    steps: int = 0
    uploads: int = 0
    bad_uploads: int = 0

    def record(self, t0: float, seconds: float, action: str) -> None:
        with self.lock:
            self.times.append((time.monotonic() - t0, seconds, action))
            self.steps += 1


def think(rng: random.Random, think_s: float, deadline: float) -> None:
    """A person reads the result before the next change: uniform 0.5x-1.5x the mean think time."""
    if think_s > 0:
        time.sleep(max(0.0, min(rng.uniform(0.5, 1.5) * think_s, deadline - time.monotonic())))


class User:
    """One person in one browser tab: slider moves on the Overview, file uploads on the Tokens page."""

    def __init__(self, base: str, seed: int) -> None:
        self.rng = random.Random(seed)
        self.session = BrowserSession(base)
        self.session.rerun()

    def move_sliders(self, horizon: int | None = None, growth: float | None = None) -> float:
        """Set the horizon and growth sliders; check the Overview follows; the rerun time (s)."""
        horizon = self.rng.choice(HORIZONS) if horizon is None else horizon
        growth = self.rng.choice(GROWTHS) if growth is None else growth
        self.session.set_slider("sb_horizon_months", horizon)
        self.session.set_slider("sb_growth_pct", growth)
        shown = self.session.rerun("overview")
        if not any(f"Over {horizon} months" in text for text in shown.texts):
            raise SessionError(f"the Overview does not show the new horizon ({horizon} months)")
        return shown.seconds

    def count_tokens(self, name: str, data: bytes, *, bad: bool) -> float:
        """Open Tokens, upload a file (a malformed one must show st.error), clear it; the counting rerun time."""
        self.session.rerun("tokens")
        self.session.upload(name, data)
        seconds = self.session.rerun("tokens", expect_error=bad).seconds
        self.session.clear_upload()
        self.session.rerun("tokens")
        return seconds

    def warm_up(self) -> None:
        """Every action once: the session's own state reaches its working size before RSS is measured."""
        self.move_sliders()
        for name, data in GOOD_FILES.items():
            self.count_tokens(name, data, bad=False)
        name, data = next(iter(BAD_FILES.items()))
        self.count_tokens(name, data, bad=True)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.session.close()


@dataclass
class Phase:
    """Shared by the session threads of one run."""

    deadline: float = 0.0
    t0: float = 0.0
    ready: threading.Barrier | None = None


def user_loop(base: str, seed: int, phase: Phase, totals: Totals, think_s: float) -> None:
    """Warm up, wait for every other session, then act with think time until the deadline."""
    user: User | None = None
    step = 0
    try:
        user = User(base, seed)
        user.warm_up()
    except Exception as exc:
        with totals.lock:
            totals.errors.append(f"session {seed} warm-up: {type(exc).__name__}: {exc}"[:400])
        user = None
    if phase.ready is not None:
        phase.ready.wait()
    rng = random.Random(seed + 1)
    while time.monotonic() < phase.deadline:
        try:
            if user is None:
                user = User(base, seed)  # the user reloads the tab
            step += 1
            think(rng, think_s, phase.deadline)
            if time.monotonic() >= phase.deadline:
                break  # a pause cut short by the deadline must not end in a burst of actions
            totals.record(phase.t0, user.move_sliders(), "sliders")
            if step % UPLOAD_EVERY == 0:
                think(rng, think_s, phase.deadline)
                if time.monotonic() >= phase.deadline:
                    break
                bad = rng.random() < BAD_UPLOAD_SHARE
                name, data = rng.choice(list((BAD_FILES if bad else GOOD_FILES).items()))
                totals.record(phase.t0, user.count_tokens(name, data, bad=bad), "upload")
                with totals.lock:
                    totals.uploads += 1
                    totals.bad_uploads += bad
        except Exception as exc:  # every failure is counted and reported
            with totals.lock:
                totals.errors.append(f"session {seed} step {step}: {type(exc).__name__}: {exc}"[:400])
            if user is not None:
                user.close()
            user = None
    if user is not None:
        user.close()


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation."""
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def baseline(server: Server, seconds: float) -> tuple[list[float], list[str]]:
    """Rerun times of one session alone, back to back (after its warm-up), and its errors."""
    times: list[float] = []
    errors: list[str] = []
    try:
        user = User(server.base, 0)
        user.warm_up()
        deadline = time.monotonic() + seconds
        step = 0
        while time.monotonic() < deadline:
            step += 1
            times.append(user.move_sliders())
            if step % UPLOAD_EVERY == 0:
                name, data = user.rng.choice(list(GOOD_FILES.items()))
                times.append(user.count_tokens(name, data, bad=False))
        user.close()
    except Exception as exc:
        errors.append(f"baseline: {type(exc).__name__}: {exc}"[:400])
    return times, errors


def fill_caches(server: Server) -> float:
    """Every slider combination the load uses, once: bounded caches reach their working size (seconds)."""
    start = time.monotonic()
    user = User(server.base, -1)
    for horizon in HORIZONS:
        for growth in GROWTHS:
            user.move_sliders(horizon, growth)
    user.close()
    return time.monotonic() - start


def run_load(
    server: Server, n_sessions: int, seconds: float, think_s: float
) -> tuple[Totals, list[tuple[float, float]], float]:
    """n sessions: all warm up, then act for ``seconds``; totals, (time, RSS MB) samples, warm-up seconds."""
    totals = Totals()
    phase = Phase()

    def start_clock() -> None:  # runs once, when the last session has warmed up, before any is released
        phase.t0 = time.monotonic()
        phase.deadline = phase.t0 + seconds

    phase.ready = threading.Barrier(n_sessions + 1, action=start_clock)
    threads = [
        threading.Thread(target=user_loop, args=(server.base, i, phase, totals, think_s), daemon=True)
        for i in range(1, n_sessions + 1)
    ]
    warm_start = time.monotonic()
    phase.deadline = warm_start + 3600  # replaced once every session has warmed up
    for th in threads:
        th.start()
    phase.ready.wait()
    warm_s = phase.t0 - warm_start
    rss: list[tuple[float, float]] = []
    while any(th.is_alive() for th in threads):
        rss.append((time.monotonic() - phase.t0, server.rss_mb()))
        time.sleep(SAMPLE_EVERY_S)
    rss.append((time.monotonic() - phase.t0, server.rss_mb()))
    return totals, rss, warm_s


def listing(root: Path) -> dict[str, tuple[int, int]]:
    """Relative path -> (mtime_ns, size) of every file under root (tool caches left out)."""
    skip = {
        ".git",
        "__pycache__",
        ".pytest_cache",
        ".hypothesis",
        ".mypy_cache",
        ".ruff_cache",
        ".venv",
        "venv",
    }
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in skip and not d.endswith(".egg-info")]
        for name in filenames:
            p = Path(dirpath) / name
            with contextlib.suppress(OSError):
                st = p.stat()
                out[str(p.relative_to(root))] = (st.st_mtime_ns, st.st_size)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n", 1)[0])
    parser.add_argument("--sessions", type=int, default=30, help="concurrent sessions (default 30)")
    parser.add_argument("--seconds", type=float, default=300.0, help="measured concurrent run (default 300)")
    parser.add_argument(
        "--baseline-seconds", type=float, default=60.0, help="single-session run (default 60)"
    )
    parser.add_argument(
        "--think-seconds",
        type=float,
        default=DEFAULT_THINK_S,
        help=f"mean pause between a user's actions (default {DEFAULT_THINK_S:g}; 0 = back-to-back stress)",
    )
    args = parser.parse_args(argv)
    if args.sessions < 1 or args.seconds <= 0 or args.baseline_seconds <= 0 or args.think_seconds < 0:
        parser.error("--sessions, --seconds and --baseline-seconds must be positive, --think-seconds >= 0")

    print(
        f"load: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} before the run (other processes)"
    )
    with tempfile.TemporaryDirectory(prefix="breakeven-load-") as work:
        workdir = Path(work)
        repo_before = listing(REPO)
        with running_server(workdir) as server:
            base_times, base_errors = baseline(server, args.baseline_seconds)
            base_p50, base_p95 = percentile(base_times, 50), percentile(base_times, 95)
            print(
                f"single session, back to back for {args.baseline_seconds:.0f} s: {len(base_times)} reruns, "
                f"{len(base_errors)} errors, p50 {base_p50 * 1000:.0f} ms, p95 {base_p95 * 1000:.0f} ms"
            )
            fill_s = fill_caches(server)
            print(f"cache fill: {len(HORIZONS) * len(GROWTHS)} slider combinations in {fill_s:.0f} s")
            cpu_before = server.cpu_s()
            totals, rss, warm_s = run_load(server, args.sessions, args.seconds, args.think_seconds)
            cpu_used = server.cpu_s() - cpu_before
            load_after = os.getloadavg()[0]
            server_log = server.log.read_text(errors="replace")
        tmp_files = sorted(str(p.relative_to(workdir)) for p in (workdir / "tmp").rglob("*"))
        home_files = sorted(str(p.relative_to(workdir)) for p in (workdir / "home").rglob("*"))
        repo_after = listing(REPO)

    times = [seconds for _, seconds, _ in totals.times]
    p50, p95 = percentile(times, 50), percentile(times, 95)
    rss_start, rss_end = rss[0][1], rss[-1][1]
    rss_peak = max(m for _, m in rss)
    growth = (rss_end - rss_start) / rss_start
    ratio = p95 / base_p95
    changed = sorted(
        k for k in repo_after.keys() | repo_before.keys() if repo_after.get(k) != repo_before.get(k)
    )
    errors = base_errors + totals.errors

    print(
        f"\n{args.sessions} sessions, think time {args.think_seconds:g} s (mean), measured for "
        f"{args.seconds:.0f} s after all had warmed up ({warm_s:.0f} s: every action once per session)"
    )
    print(
        f"  reruns: {totals.steps} ({totals.steps / args.seconds:.1f}/s), uploads: {totals.uploads} "
        f"({totals.bad_uploads} malformed, each showing st.error as expected)"
    )
    print(f"  errors: {len(errors)}")
    for e in errors[:10]:
        print(f"    {e}")
    if errors:
        print("  server log (last 40 lines):")
        for line in server_log.splitlines()[-40:]:
            print(f"    | {line}")
    print(
        f"  rerun time: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms "
        f"= {ratio:.2f}x the single-session p95 ({base_p95 * 1000:.0f} ms)"
    )
    for action in ("sliders", "upload"):
        part = [sec for _, sec, a in totals.times if a == action]
        print(
            f"    {action}: {len(part)} reruns, p50 {percentile(part, 50) * 1000:.0f} ms, "
            f"p95 {percentile(part, 95) * 1000:.0f} ms, max {max(part, default=0) * 1000:.0f} ms"
        )
    slow = sorted(totals.times, key=lambda x: -x[1])[:5]
    print("    slowest: " + ", ".join(f"{a} at {t:.0f} s: {sec * 1000:.0f} ms" for t, sec, a in slow))
    print(
        f"  server CPU: {cpu_used:.0f} s in {warm_s + args.seconds:.0f} s "
        f"({cpu_used / (warm_s + args.seconds):.2f} cores); load average {load_after:.2f} at the end"
    )
    print("  server RSS over the measured run (MB):")
    stride = max(1, len(rss) // 12)
    for t, m in [*rss[::stride], *([rss[-1]] if (len(rss) - 1) % stride else [])]:
        print(f"    {t:6.0f} s  {m:7.1f}")
    print(
        f"  RSS {rss_start:.1f} MB after warm-up -> {rss_end:.1f} MB at the end: {growth * 100:+.1f}% (peak {rss_peak:.1f})"
    )
    print(f"  written by the server: TMPDIR {tmp_files or 'nothing'}, HOME {home_files or 'nothing'}")
    print(
        "  files changed under the repository during the run (other processes may edit the checkout): "
        f"{changed or 'none'}"
    )

    checks = {
        "0 errors": not errors,
        f"RSS growth < {TARGET_RSS_GROWTH:.0%}": growth < TARGET_RSS_GROWTH,
        f"p95 <= {TARGET_P95_RATIO:g}x single-session p95": ratio <= TARGET_P95_RATIO,
        "nothing written to TMPDIR or HOME": not tmp_files and not home_files,
    }
    print("\ntargets: " + ", ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in checks.items()))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
