"""The Tokens page in AppTest: renders without uploads, counts the demo data, applies counts to the scenario."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui import session_catalogs
from ui.prices import parse_custom_catalog

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
    before = at.session_state["scenario"]
    labels = [c.label for c in at.checkbox if c.key and c.key.startswith("tk_apply_")]
    assert any(
        "input tokens per request: " in label and " → " in label for label in labels
    )  # old → new shown
    n_examples = next(c for c in at.checkbox if c.key and c.key.endswith("n_training_examples"))
    assert n_examples.value is False  # never ticked by default
    at.button[0].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    after = at.session_state["scenario"]
    assert after.workload != before.workload
    for old, new in zip(before.strategies, after.strategies, strict=True):  # the unticked field did not move
        assert getattr(new, "n_training_examples", None) == getattr(old, "n_training_examples", None)
    assert any("Applied the counts" in s.value for s in at.success)


def test_apply_writes_only_the_ticked_fields_and_the_numbers_shown(app: AppTest) -> None:
    at = app.run()
    at.checkbox(key="tokens_demo").check().run()
    before = at.session_state["scenario"]
    boxes = {c.key: c for c in at.checkbox if c.key and c.key.startswith("tk_apply_")}
    for key, box in boxes.items():
        if key != "tk_apply_workload.output_tokens_per_request":
            box.uncheck()
    shown = boxes["tk_apply_workload.output_tokens_per_request"].label.rpartition(" → ")[2]
    at.button[0].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    after = at.session_state["scenario"]
    assert after.workload.input_tokens_per_request == before.workload.input_tokens_per_request
    assert after.workload.output_tokens_per_request == float(shown.replace(",", ""))
    assert after.strategies == before.strategies


def test_an_unknown_model_shows_an_error_not_a_traceback(app: AppTest) -> None:
    at = app.run()
    at.checkbox(key="tokens_demo").check().run()
    at.multiselect[0].set_value(["tts-1"]).run()
    assert not at.exception
    assert at.error and "is not priced per text token" in at.error[0].value


CUSTOM_CATALOG = b"""
tokenizer_models:
  - id: acme-wordy
    vendor: Acme
    pattern: 'wordy-.*'
    encoding: o200k_base
    exact: false
    ratio: 2.0
    ratio_low: 1.5
    ratio_high: 2.5
    source_url: https://example.org/acme-tokenizer
    as_of: 2026-01-01
    confidence: low
finetune_offers:
  - id: acme/ft-wordy-1
    provider: acme
    base_model: acme/wordy-1
    training_usd_per_mtok: 7.5
    input_usd_per_mtok: 1.0
    output_usd_per_mtok: 2.0
    source_url: https://example.org/acme-pricing
    as_of: 2026-01-01
    confidence: low
"""


def test_an_uploaded_catalog_reaches_the_page(app: AppTest) -> None:
    """The page counts with the session's catalogs: a custom tokenizer rule and fine-tuning offer are used."""
    builtin = app.run()
    builtin.checkbox(key="tokens_demo").check().run()
    builtin.multiselect[0].set_value(["acme/wordy-1"]).run()
    assert builtin.error and "no tokenizer known for model 'acme/wordy-1'" in builtin.error[0].value

    at = AppTest.from_file(str(PAGE), default_timeout=60)
    custom = parse_custom_catalog(CUSTOM_CATALOG, "acme.yaml")
    at.session_state[session_catalogs.CUSTOM_CATALOG_KEY] = ("acme.yaml", "0" * 64, custom)
    at.run()
    at.checkbox(key="tokens_demo").check().run()
    at.multiselect[0].set_value(["openai/gpt-4o", "acme/wordy-1"]).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    table = at.dataframe[0].value.set_index(["model", "direction"])
    assert table.loc[("acme/wordy-1", "input"), "counted"] == "estimated: o200k_base x 2 (1.5-2.5)"
    assert table.loc[("acme/wordy-1", "input"), "total_tokens"] == pytest.approx(
        2.0 * table.loc[("openai/gpt-4o", "input"), "total_tokens"], rel=0.01
    )
    offer = at.selectbox[0]
    assert "acme/ft-wordy-1" in offer.options
    offer.set_value("acme/ft-wordy-1").run()
    assert not at.exception and not at.error
    assert any("At 7.5 USD per 1M training tokens (acme/ft-wordy-1)" in c.value for c in at.caption)
