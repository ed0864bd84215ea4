"""The wheel works outside the checkout (as a ``pip install breakeven`` user gets it).

A copy of the source tree (without virtualenvs, build folders and caches, so no stale ``build/lib``
file slips in) is built with ``pip wheel``; the wheel is installed with its dependencies into a
throwaway virtualenv; then, from an empty directory with an empty HOME and no PYTHONPATH, the
installed ``breakeven`` runs a bundled example by name, every page of the installed app renders in
AppTest, and ``breakeven app`` serves ``/_stcore/health`` and stops on SIGTERM. Skipped (with the
reason) only when pip cannot reach a package index to fetch the build backend and dependencies.
``.ci/run`` does the same checks in shell after the test suite.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from app_server import assert_serves_and_stops, free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".hypothesis",
    "artifacts",
)
OFFLINE_SIGNS = (
    "NewConnectionError",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "ConnectTimeoutError",
    "ProxyError",
    "Connection refused",
    "(from versions: none)",
)
PIP_TIMEOUT_S = 900
COMMAND_TIMEOUT_S = 180

RENDER_EVERY_PAGE = """
import os
from streamlit.testing.v1 import AppTest
from costmodel.cli.app import APP_SCRIPT, ui_dir
from ui.app import page_paths
from ui.sidebar import PICK_KEY

script = ui_dir().joinpath(*APP_SCRIPT)
at = AppTest.from_file(str(script), default_timeout=120).run()
assert not at.exception, [e.value for e in at.exception]
examples = [o for o in at.selectbox(key=PICK_KEY).options if o.startswith("Example: ")]
assert len(examples) >= 6, examples
for page in page_paths():
    at.switch_page(os.path.relpath(page, script.parent)).run()
    assert not at.exception, (page.name, [e.value for e in at.exception])
    print(page.name)
"""
"""Run by the installed Python: the installed app script, every page of the installed ``app_pages``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Installed:
    """A throwaway virtualenv holding the wheel, and an empty directory outside the checkout to run in."""

    bin_dir: Path
    work_dir: Path
    env: dict[str, str]

    def run(self, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            cwd=self.work_dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
            check=False,
        )


def _pip(args: Sequence[str]) -> None:
    """Run pip; skip the module when the failure says there is no network, fail otherwise."""
    proc = subprocess.run(args, capture_output=True, text=True, timeout=PIP_TIMEOUT_S, check=False)
    if proc.returncode == 0:
        return
    output = proc.stdout + proc.stderr
    if any(sign in output for sign in OFFLINE_SIGNS):
        pytest.skip(f"no package index reachable to build and install the wheel: {output.strip()[-300:]}")
    pytest.fail(f"{' '.join(args[:4])} failed:\n{output[-3000:]}")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    tmp = tmp_path_factory.mktemp("wheel")
    source, dist, venv, work = tmp / "source", tmp / "dist", tmp / "venv", tmp / "work"
    shutil.copytree(ROOT, source, symlinks=True, ignore=NOT_SOURCE)
    _pip([sys.executable, "-m", "pip", "wheel", str(source), "-w", str(dist), "--no-deps", "-q"])
    (wheel,) = dist.glob("breakeven-*.whl")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    except subprocess.CalledProcessError as exc:
        pytest.skip(f"cannot create a virtualenv here: {exc.stderr.decode(errors='replace')[-300:]}")
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    _pip([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)])
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env |= {"HOME": str(work), "PYTHONDONTWRITEBYTECODE": "1"}
    yield Installed(bin_dir=bin_dir, work_dir=work, env=env)


def test_the_installed_packages_come_from_the_wheel(installed: Installed) -> None:
    code = "import app_pages, costmodel, ui; print(costmodel.__file__, ui.__file__, app_pages.__file__)"
    proc = installed.run(["python", "-c", code])
    assert proc.returncode == 0, proc.stderr
    for path in proc.stdout.split():
        assert Path(path).is_relative_to(installed.bin_dir.parent), path
        assert not Path(path).is_relative_to(ROOT), path


def test_breakeven_runs_a_bundled_example_by_name(installed: Installed) -> None:
    proc = installed.run(["breakeven", "run", "fintech-support", "--format", "json"])
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["scenario"] == "Fintech support assistant" and data["strategies"]


def test_an_unknown_example_name_lists_the_bundled_ones(installed: Installed) -> None:
    proc = installed.run(["breakeven", "run", "fintech"])
    assert proc.returncode == 2 and "fintech-support" in proc.stderr and "support-bot" in proc.stderr


def test_every_page_of_the_installed_app_renders(installed: Installed) -> None:
    proc = installed.run(["python", "-c", RENDER_EVERY_PAGE])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "overview.py" in proc.stdout.split() and "planner.py" in proc.stdout.split()


def test_breakeven_app_serves_and_stops(installed: Installed) -> None:
    port = free_port()
    cmd = [str(installed.bin_dir / "breakeven"), "app", "--port", str(port), "--address", "127.0.0.1"]
    assert_serves_and_stops(
        cmd, port=port, cwd=installed.work_dir, env=installed.env, log=installed.work_dir / "app.log"
    )
