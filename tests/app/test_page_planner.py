"""The Fine-tuning planner page runs headless (Streamlit AppTest), reacts to inputs and shows errors, not tracebacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "app_pages" / "planner.py"


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.syspath_prepend(str(ROOT))  # the page imports ui/ as the app does when run from the repo root
    monkeypatch.chdir(ROOT)
    return AppTest.from_file(str(PAGE), default_timeout=60)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_page_renders_training_and_serving(app: AppTest) -> None:
    at = app.run()
    assert not at.exception
    assert not at.error
    shown = metrics(at)
    for label in (
        "GPU-hours",
        "Wall-clock",
        "Cost",
        "MFU used",
        "Time to first token",
        "$ per 1M output tokens",
    ):
        assert label in shown
    assert shown["Cost"].startswith("$")
    assert len(at.dataframe) == 1  # the "which GPUs fit" table
    assert at.success  # the default run fits


def test_a_run_that_does_not_fit_warns(app: AppTest) -> None:
    at = app.run()
    model = next(s for s in at.selectbox if s.label == "Base model")
    model.set_value("llama-3.1-70b").run()
    method = next(r for r in at.radio if r.label == "Method")
    method.set_value("full").run()
    assert not at.exception
    assert any("smallest count" in w.value for w in at.warning)
    # Serving a 70B model on one L40S does not fit either: a readable message, not a traceback.
    assert any("tensor parallel" in e.value for e in at.error)


def test_changing_the_gpu_updates_the_numbers(app: AppTest) -> None:
    at = app.run()
    before = metrics(at)["Wall-clock"]
    gpu = next(s for s in at.selectbox if s.label == "GPU or rental offer")
    gpu.set_value("aws/l4-24gb").run()
    assert not at.exception
    assert metrics(at)["Wall-clock"] != before
