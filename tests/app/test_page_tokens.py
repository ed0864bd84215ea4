"""The Tokens page in AppTest: renders without uploads, counts the demo data, applies counts to the scenario."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "app_pages" / "tokens.py"


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.syspath_prepend(str(ROOT))  # the page imports ui/ as the app does when run from the repo root
    monkeypatch.chdir(ROOT)
    return AppTest.from_file(str(PAGE), default_timeout=60)


def test_renders_without_files(app: AppTest) -> None:
    at = app.run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Tokens"
    assert any("Upload sample files" in i.value for i in at.info)


def test_demo_data_counts_and_applies_to_the_scenario(app: AppTest) -> None:
    at = app.run()
    at.checkbox(key="tokens_demo").check().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("60 samples" in m.value for m in at.markdown)
    table = at.dataframe[0].value
    assert set(table["direction"]) == {"input", "output"}
    assert (table["n_samples"] == 60).all()
    before = at.session_state["scenario"].workload
    at.button[0].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    after = at.session_state["scenario"].workload
    assert after != before
    assert any("Applied the counts" in s.value for s in at.success)


def test_an_unknown_model_shows_an_error_not_a_traceback(app: AppTest) -> None:
    at = app.run()
    at.checkbox(key="tokens_demo").check().run()
    at.multiselect[0].set_value(["tts-1"]).run()
    assert not at.exception
    assert at.error and "is not priced per text token" in at.error[0].value
