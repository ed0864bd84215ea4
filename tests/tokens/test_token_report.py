"""Token report for several models, and applying its statistics to a scenario."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from costmodel.catalog.loader import default_catalogs
from costmodel.core.errors import InputError
from costmodel.scenario.io import load_scenario, parse_scenario
from costmodel.scenario.types import FinetuneHostedStrategy, FinetuneSelfhostedStrategy
from costmodel.tokens.parsers import Upload
from costmodel.tokens.report import (
    apply_to_scenario,
    build_report,
    context_window_tokens,
    report_dict,
    report_rows,
)

CATALOGS = default_catalogs()
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fintech-support.yaml"

CHATS = [
    {
        "messages": [
            {"role": "system", "content": "You are a careful support agent for a payments company."},
            {"role": "user", "content": f"Why was card payment number {i} declined yesterday?"},
            {"role": "assistant", "content": "It was declined because the card had expired. " * (1 + i % 3)},
        ]
    }
    for i in range(10)
]


def chat_upload() -> Upload:
    return Upload(name="ft.jsonl", data="\n".join(json.dumps(c) for c in CHATS).encode())


def test_report_counts_each_encoding_once_and_keeps_model_order() -> None:
    report = build_report([chat_upload()], ["claude-sonnet-4-5", "openai/gpt-4o", "gpt-4"], CATALOGS)
    assert [s.model for s in report.models] == ["claude-sonnet-4-5", "openai/gpt-4o", "gpt-4"]
    assert set(report.counted.tokens) == {"o200k_base", "cl100k_base"}
    data = report_dict(report)
    assert data["n_samples"] == 10 and data["n_chat_samples"] == 10 and data["n_samples_with_output"] == 10
    assert data["models"]["openai/gpt-4o"]["context_window_tokens"] == 128000
    assert len(report_rows(report)) == 6


def test_report_reports_every_bad_model_at_once() -> None:
    with pytest.raises(InputError) as err:
        build_report([chat_upload()], ["nope-1", "tts-1", "gpt-4o"], CATALOGS)
    assert len(err.value.problems) == 2


def test_context_window_lookup() -> None:
    assert context_window_tokens("openai/gpt-4.1", CATALOGS) == 1_000_000
    assert context_window_tokens("not-a-model/at-all", CATALOGS) is None


def test_apply_to_scenario_sets_workload_and_fine_tuning_fields() -> None:
    scenario = load_scenario(EXAMPLE)
    stats = build_report([chat_upload()], ["openai/gpt-4.1-mini"], CATALOGS).models[0]
    applied = apply_to_scenario(scenario, stats)
    w = applied.workload
    assert w.input_tokens_per_request == pytest.approx(
        stats.input_tokens.mean - stats.system_tokens.mean, abs=0.05
    )
    assert w.output_tokens_per_request == pytest.approx(stats.output_tokens.mean, abs=0.05)
    ft = [s for s in applied.strategies if isinstance(s, FinetuneHostedStrategy | FinetuneSelfhostedStrategy)]
    assert ft, "the example scenario has fine-tuning strategies"
    for s in ft:
        assert s.n_training_examples == 10
        assert s.tokens_per_example == pytest.approx(stats.training_tokens.mean, abs=0.05)
    # Everything else is unchanged.
    assert applied.workload.requests_per_month == scenario.workload.requests_per_month
    others = [s for s in applied.strategies if s not in ft]
    assert others == [
        s
        for s in scenario.strategies
        if not isinstance(s, FinetuneHostedStrategy | FinetuneSelfhostedStrategy)
    ]


def test_apply_to_chosen_strategies_only_and_without_the_workload() -> None:
    scenario = load_scenario(EXAMPLE)
    ft_ids = [
        s.id
        for s in scenario.strategies
        if isinstance(s, FinetuneHostedStrategy | FinetuneSelfhostedStrategy)
    ]
    stats = build_report([chat_upload()], ["gpt-4o"], CATALOGS).models[0]
    applied = apply_to_scenario(scenario, stats, strategy_ids=ft_ids[:1], set_workload=False)
    assert applied.workload == scenario.workload
    changed = [a.id for a, b in zip(applied.strategies, scenario.strategies, strict=True) if a != b]
    assert changed == ft_ids[:1]
    assert apply_to_scenario(scenario, stats, strategy_ids=(), set_workload=False) == scenario


def test_apply_to_unknown_or_non_fine_tuning_strategies_is_an_error() -> None:
    scenario = load_scenario(EXAMPLE)
    prompt_id = next(s.id for s in scenario.strategies if s.kind == "prompting")
    stats = build_report([chat_upload()], ["gpt-4o"], CATALOGS).models[0]
    with pytest.raises(InputError) as err:
        apply_to_scenario(scenario, stats, strategy_ids=["nope", prompt_id])
    text = str(err.value)
    assert "no strategy 'nope'" in text
    assert f"strategy {prompt_id!r} is not a fine-tuning strategy" in text


def test_applied_scenario_is_revalidated() -> None:
    scenario = load_scenario(EXAMPLE)
    stats = build_report([Upload(name="p.txt", data=b"hello world")], ["gpt-4o"], CATALOGS).models[0]
    applied = apply_to_scenario(scenario, stats)
    assert applied.workload.input_tokens_per_request == 2.0
    assert applied.workload.output_tokens_per_request == 0.0
    assert dataclasses.replace(applied, source=scenario.source) == applied


def test_measured_counts_replace_uncertain_guesses() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace(
        "output_tokens_per_request: 300", "output_tokens_per_request: {low: 200, likely: 300, high: 500}"
    )
    text = text.replace(
        "tokens_per_example: 700", "tokens_per_example: {low: 500, likely: 700, high: 900}", 1
    )
    text = text.replace(
        "requests_per_month: 200000", "requests_per_month: {low: 100000, likely: 200000, high: 400000}"
    )
    # A guess whose central value equals the measurement is dropped too (it is no longer a guess).
    measured = build_report([chat_upload()], ["gpt-4o"], CATALOGS).models[0]
    likely = round(measured.input_tokens.mean - measured.system_tokens.mean, 1)
    text = text.replace(
        "input_tokens_per_request: 150", f"input_tokens_per_request: {{low: 1, likely: {likely}, high: 999}}"
    )
    scenario = parse_scenario(text, source="uncertain.yaml")
    paths = dict(scenario.uncertain)
    assert {
        "workload.output_tokens_per_request",
        "workload.requests_per_month",
        "workload.input_tokens_per_request",
    } <= set(paths)
    stats = build_report([chat_upload()], ["gpt-4o"], CATALOGS).models[0]
    applied = apply_to_scenario(scenario, stats)
    assert applied.workload.output_tokens_per_request == pytest.approx(stats.output_tokens.mean, abs=0.05)
    ft = next(s for s in applied.strategies if isinstance(s, FinetuneHostedStrategy))
    assert ft.tokens_per_example == pytest.approx(stats.training_tokens.mean, abs=0.05)
    left = dict(applied.uncertain)
    assert "workload.output_tokens_per_request" not in left
    assert "workload.input_tokens_per_request" not in left
    assert not any(p.endswith(".tokens_per_example") for p in left)
    assert left["workload.requests_per_month"] == paths["workload.requests_per_month"]  # other guesses stay
