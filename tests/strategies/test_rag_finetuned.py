"""``rag_finetuned``: RAG costs plus fine-tuning costs, chunks at the tuned model's input price; goldens by hand.

Inline prices: offer trains at 4 $ per 1M tokens and serves at 1 / 2 $ per 1M input / output tokens;
embedding 0.1 $ per 1M tokens; vector DB 50 $ a month. 10,000 requests a month of 200 input and 100
output tokens, 4 chunks of 250 tokens each; 100 examples of 1,000 tokens, 2 epochs, labelled at 1 $.
"""

from __future__ import annotations

from typing import Any

import pytest

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.loader import default_catalogs
from costmodel.core.errors import InputError
from costmodel.engine import run
from costmodel.scenario.io import parse_scenario

REL = 1e-9

HOSTED = """
name: rag on a tuned model
horizon_months: 12
start_date: 2026-12-01
workload: {requests_per_month: 10000, input_tokens_per_request: 200, output_tokens_per_request: 100}
people: {engineer_usd_per_hour: 100}
strategies:
  - id: rt
    kind: rag_finetuned
    offer: {training_usd_per_mtok: 4, input_usd_per_mtok: 1, output_usd_per_mtok: 2}
    embedding_model: {input_usd_per_mtok: 0.1, dimensions: 1000}
    corpus_tokens: 1000000
    chunks_per_request: 4
    tokens_per_chunk: 250
    vector_db: {usd_per_month: 50}
    n_training_examples: 100
    tokens_per_example: 1000
    n_epochs: 2
    labeling: LABELING
    setup_hours: 10
"""


def _strategy(text: str, catalogs: Catalogs) -> dict[str, Any]:
    d: dict[str, Any] = run(parse_scenario(text, source="r.yaml"), catalogs).to_dict()["strategies"][0]
    return d


def test_hosted_golden(test_catalogs: Catalogs) -> None:
    s = _strategy(HOSTED.replace("LABELING", "{usd_per_example: 1.0}"), test_catalogs)
    # one-off: people 10 h x 100 = 1,000; labels 100 x 1 = 100; training 100 x 1,000 x 2 x 4 / 1e6 = 0.8;
    # indexing 1e6 x 0.1 / 1e6 = 0.1
    assert s["one_off_usd"] == pytest.approx(1100.9, rel=REL)
    # per request: (200 + 4 x 250) x 1 / 1e6 + 100 x 2 / 1e6 = 0.0014 at the tuned rates; query 200 x 0.1 / 1e6
    assert s["usd_per_request"] == pytest.approx(0.0014 + 0.00002, rel=REL)
    assert s["total_usd"] == pytest.approx(1100.9 + 12 * (10000 * 0.00142 + 50), rel=REL)
    assert s["breakdown_usd"]["labeling"] == pytest.approx(100.0, rel=REL)
    assert s["breakdown_usd"]["infrastructure"] == pytest.approx(0.1 + 12 * 50, rel=REL)
    stages = s["latency_stages_ms"]
    assert stages["query_embedding"] == 50.0 and stages["vector_search"] == 30.0  # test catalog stages
    assert s["latency_ms"]["end_to_end"] == pytest.approx(sum(stages.values()), rel=REL)


def test_synthetic_labels_inline() -> None:
    label = (
        "{teacher_model: openai/gpt-6-sol, teacher_input_tokens: 1500, teacher_output_tokens: 400, "
        "review_fraction: 0.1, review_usd_per_example: 3.0}"
    )
    s = _strategy(HOSTED.replace("LABELING", label), default_catalogs())
    # gpt-6-sol at 2 / 10 $ per 1M: (1500 x 2 + 400 x 10) / 1e6 = 0.007; + 0.1 x 3.0 = 0.307 per example
    assert s["breakdown_usd"]["labeling"] == pytest.approx(100 * 0.307, rel=REL)
    assert any("synthetic labels: openai/gpt-6-sol" in n for n in s["notes"])


def test_synthetic_catalog_entry_matches_its_derivation() -> None:
    rate = default_catalogs().find("labeling_rates", "synthetic-reviewed")
    assert rate is not None
    assert rate.usd_per_example == pytest.approx((1500 * 2 + 400 * 10) / 1e6 + 0.1 * 9.60, rel=1e-12)
    s = _strategy(HOSTED.replace("LABELING", "synthetic-reviewed"), default_catalogs())
    assert s["breakdown_usd"]["labeling"] == pytest.approx(100 * 0.967, rel=REL)


def test_labeling_needs_exactly_one_rate() -> None:
    with pytest.raises(InputError, match=r"strategies\[0\].labeling: give exactly one of usd_per_example"):
        parse_scenario(HOSTED.replace("LABELING", "{usd_per_example: 1, teacher_model: openai/gpt-6-sol}"))


def test_offer_and_base_model_are_exclusive() -> None:
    both = HOSTED.replace("LABELING", "crowd") + "    base_model: test-model\n"
    with pytest.raises(InputError, match=r"strategies\[0\].base_model: give either offer"):
        parse_scenario(both)
    neither = HOSTED.replace("LABELING", "crowd").replace(
        "    offer: {training_usd_per_mtok: 4, input_usd_per_mtok: 1, output_usd_per_mtok: 2}\n", ""
    )
    with pytest.raises(InputError, match=r"strategies\[0\].offer: required"):
        parse_scenario(neither)


def test_offer_retirement_applies(test_catalogs: Catalogs) -> None:
    text = HOSTED.replace("LABELING", "{usd_per_example: 1.0}").replace(
        "    offer: {training_usd_per_mtok: 4, input_usd_per_mtok: 1, output_usd_per_mtok: 2}",
        "    offer: openai/ft-gpt-4.1-mini\n    on_model_retirement: stop",
    )
    s = _strategy(text, default_catalogs())
    assert s["available"] is False
    assert s["available_months"] == 1  # shut down 2027-01-14, in month 2
    assert [(e["kind"], e["subject"]) for e in s["lifecycle_events"]][-1] == (
        "shutdown",
        "openai/ft-gpt-4.1-mini",
    )


def test_selfhosted_is_retrieval_plus_selfhosted_finetune() -> None:
    catalogs = default_catalogs()
    self_hosted = HOSTED.replace("LABELING", "{usd_per_example: 1.0}").replace(
        "    offer: {training_usd_per_mtok: 4, input_usd_per_mtok: 1, output_usd_per_mtok: 2}\n",
        "    base_model: llama-3.1-8b\n    train_gpu_offer: lambda/h100-sxm-80gb\n    serve_gpu_offer: aws/l40s-48gb\n",
    )
    rt = _strategy(self_hosted, catalogs)
    # the same fine-tune alone, with requests that carry the 1,000 retrieved tokens
    alone = """
name: alone
horizon_months: 12
start_date: 2026-12-01
workload: {requests_per_month: 10000, input_tokens_per_request: 1200, output_tokens_per_request: 100}
people: {engineer_usd_per_hour: 100}
strategies:
  - id: ft
    kind: finetune_selfhosted
    base_model: llama-3.1-8b
    train_gpu_offer: lambda/h100-sxm-80gb
    serve_gpu_offer: aws/l40s-48gb
    n_training_examples: 100
    tokens_per_example: 1000
    n_epochs: 2
    labeling: {usd_per_example: 1.0}
    setup_hours: 10
"""
    ft = _strategy(alone, catalogs)
    retrieval = 0.1 + 12 * (10000 * 0.00002 + 50)
    assert rt["total_usd"] == pytest.approx(ft["total_usd"] + retrieval, rel=REL)
    assert rt["breakdown_usd"]["gpu"] == pytest.approx(ft["breakdown_usd"]["gpu"], rel=REL)
