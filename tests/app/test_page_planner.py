"""The Fine-tuning planner page runs headless (Streamlit AppTest), reacts to inputs and shows errors, not tracebacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from costmodel.catalog.loader import default_catalogs
from ui import session_catalogs

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


def usd(text: str) -> float:
    """A metric like '$1,234.56' as a number."""
    return float(text.lstrip("$").replace(",", ""))


def test_a_price_override_reaches_the_planner(app: AppTest) -> None:
    """An override set the way the Prices page sets it (session ``price_overrides``) changes the shown cost."""
    at = app.run()
    offer_id = next(s for s in at.selectbox if s.label == "GPU or rental offer").value
    offer = default_catalogs().find("gpu_offers", offer_id)
    base_cost = usd(metrics(at)["Cost"])
    price = ("gpu_offers", offer_id, "on_demand_usd_per_gpu_hour")

    at.session_state[session_catalogs.OVERRIDES_KEY] = {price: 3 * offer.on_demand_usd_per_gpu_hour}
    at.run()
    assert not at.exception and not at.error
    # Same billed GPU-hours at three times the hourly price: three times the cost (to the cent shown).
    assert usd(metrics(at)["Cost"]) == pytest.approx(3 * base_cost, abs=0.03)

    # At a tenth of its price the offer is its GPU's cheapest, and the "which GPUs fit" table prices with it
    # (the default run needs one GPU, so the table's row for that GPU is the same run).
    at.session_state[session_catalogs.OVERRIDES_KEY] = {price: offer.on_demand_usd_per_gpu_hour / 10}
    at.run()
    assert not at.exception and not at.error
    row = at.dataframe[0].value.set_index("GPU").loc[offer.gpu]
    assert row["cheapest offer"] == offer_id
    cost = float(str(row["cost (USD)"]).replace("$", "").replace(",", ""))  # "$0.21" beside a "—" row
    assert cost == pytest.approx(base_cost / 10, abs=0.02)


def test_padding_longer_than_the_sequence_is_an_error_not_a_traceback(app: AppTest) -> None:
    at = app.run()
    next(c for c in at.checkbox if c.label == "Pack examples into full sequences").uncheck().run()
    next(n for n in at.number_input if n.label == "Tokens per example").set_value(4096.0).run()
    assert not at.exception
    assert any("longer than the sequence length" in e.value for e in at.error)
