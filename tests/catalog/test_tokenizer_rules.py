"""Model -> tokenizer rules: every OpenAI model in the price data resolves; estimates are sourced and ranged."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from genai_prices import data_snapshot
from tiktoken.model import encoding_name_for_model

from costmodel.catalog.loader import CATALOG_KINDS, default_catalogs, parse_catalog
from costmodel.catalog.tokenizer_rules import (
    KIND,
    TokenizerRule,
    find_rule,
    normalize_model_id,
    resolve_tokenizer,
    rule_problems,
    tokenizer_rules,
)
from costmodel.core.errors import InputError


def _clause_values(clause: Any) -> list[str]:
    """Every model id a genai-prices match clause names (equals / starts_with values, or-ed clauses)."""
    out: list[str] = []
    for attr in ("equals", "starts_with"):
        value = getattr(clause, attr, None)
        if isinstance(value, str):
            out.append(value + ("2025-01-01" if attr == "starts_with" and value.endswith(("-", ":")) else ""))
    for sub in getattr(clause, "or_", None) or []:
        out.extend(_clause_values(sub))
    return out


def _openai_models() -> list[Any]:
    providers = [p for p in data_snapshot.get_snapshot().providers if p.id == "openai"]
    assert providers, "genai-prices has no 'openai' provider"
    return list(providers[0].models)


def _priced_per_token(model: Any) -> bool:
    prices = model.prices
    price = prices[0].prices if isinstance(prices, list) else prices
    return getattr(price, "input_mtok", None) is not None


@pytest.mark.parametrize("model", _openai_models(), ids=lambda m: m.id)
def test_every_openai_model_in_the_price_data_resolves(model: Any) -> None:
    ids = [model.id, f"openai/{model.id}", *_clause_values(model.match)]
    for model_id in ids:
        rule = find_rule(model_id, default_catalogs())
        assert rule is not None, f"no tokenizer rule for {model_id!r}"
        assert rule.vendor == "OpenAI", f"{model_id!r} matched a non-OpenAI rule {rule.id}"
        if _priced_per_token(model):
            assert rule.encoding is not None, f"{model_id!r} is priced per token but has no encoding"
            assert resolve_tokenizer(model_id, default_catalogs()).encoding in ("o200k_base", "cl100k_base")


def test_models_without_an_encoding_are_exactly_the_non_token_priced_ones() -> None:
    none = sorted(m.id for m in _openai_models() if find_rule(m.id, default_catalogs()).encoding is None)  # type: ignore[union-attr]
    assert none == ["tts-1", "tts-1-hd", "whisper-1"]
    assert not any(_priced_per_token(m) for m in _openai_models() if m.id in none)
    by_id = {m.id: m for m in _openai_models()}
    assert _priced_per_token(by_id["gpt-4o"]) and _priced_per_token(by_id["ada"])


@pytest.mark.parametrize(
    ("model", "encoding", "exact"),
    [
        ("openai/gpt-4o", "o200k_base", True),
        ("gpt-4o-mini-2024-07-18", "o200k_base", True),
        ("gpt-4.1", "o200k_base", True),
        ("gpt-5.2-pro", "o200k_base", True),
        ("o3-mini", "o200k_base", True),
        ("o4-mini-deep-research", "o200k_base", True),
        ("gpt-oss-120b", "o200k_base", True),
        ("groq/openai/gpt-oss-20b", "o200k_base", True),
        ("gpt-4", "cl100k_base", True),
        ("gpt-4-0613", "cl100k_base", True),
        ("gpt-4-1106-preview", "cl100k_base", True),
        ("gpt-4-32k", "cl100k_base", True),
        ("gpt-35-turbo-16k", "cl100k_base", True),
        ("text-embedding-3-small", "cl100k_base", True),
        ("openai/text-embedding-ada-002", "cl100k_base", True),
        # Fine-tuned ids resolve to their base model.
        ("ft:gpt-4.1-mini-2025-04-14:acme:support:abc123", "o200k_base", True),
        ("ft:gpt-4.1-2025-04-14:acme::x", "o200k_base", True),
        ("ft:gpt-4o-2024-08-06:acme::x", "o200k_base", True),
        ("ft:gpt-3.5-turbo-0125:acme::x", "cl100k_base", True),
        ("ft:davinci-002:acme::x", "cl100k_base", True),
        ("openai/ft-gpt-4.1-mini", "o200k_base", True),
        ("openai/ft-gpt-4.1", "o200k_base", True),
        ("gpt-4o-mini-2024-07-18.ft-abc", "o200k_base", True),
        # Other vendors: estimates.
        ("anthropic/claude-sonnet-4-5", "o200k_base", False),
        ("anthropic.claude-3-5-sonnet-20240620-v1:0", "o200k_base", False),
        ("google/gemini-2.5-flash", "o200k_base", False),
        ("meta-llama/Meta-Llama-3.1-8B-Instruct", "o200k_base", False),
        ("Qwen/Qwen2.5-72B-Instruct", "o200k_base", False),
        ("mistral/mistral-large-2512", "o200k_base", False),
    ],
)
def test_model_to_encoding(model: str, encoding: str, exact: bool) -> None:
    choice = resolve_tokenizer(model, default_catalogs())
    assert (choice.encoding, choice.exact) == (encoding, exact)
    assert choice.model == model


def test_tiktoken_maps_fine_tuned_gpt_4_1_wrongly_and_we_do_not() -> None:
    model = "ft:gpt-4.1-mini-2025-04-14:acme::x"
    assert encoding_name_for_model(model) == "cl100k_base"  # tiktoken's "ft:gpt-4" prefix
    assert resolve_tokenizer(model, default_catalogs()).encoding == "o200k_base"


@pytest.mark.parametrize(
    ("model", "rule"),
    [
        ("claude-3-5-sonnet", "claude"),
        ("claude-sonnet-4-5", "claude"),
        ("claude-opus-4-6", "claude"),
        ("claude-opus-4-7", "claude-opus-4-7"),
        ("anthropic/claude-opus-4.7-fast", "claude-opus-4-7"),
        ("claude-opus-4-8", "claude-after-opus-4-7"),
        ("claude-sonnet-5-5", "claude-after-opus-4-7"),
        ("claude-fable-5", "claude-after-opus-4-7"),
        ("gemma-3", "gemini"),
        ("llama-4-scout-17b-16e-instruct", "llama-4"),
        ("codellama/CodeLlama-13b-Instruct-hf", "llama-2"),
        ("NousResearch/Nous-Hermes-llama-2-7b", "llama-2"),
        ("deepseek-ai/DeepSeek-R1-Distill-Llama-70B", "llama-3"),
        ("@cf/meta/llama-3.1-8b-instruct", "llama-3"),
        ("Qwen/QwQ-32B", "qwen"),
        ("mixtral-8x7b", "mistral-sentencepiece"),
        ("Mistral-7B-Instruct-v0.3", "mistral-sentencepiece"),
        ("mistral-nemo", "mistral-tekken"),
        ("codestral-2508", "mistral-tekken"),
        ("davinci", "openai-gpt3-legacy"),
        ("text-davinci-003", "openai-gpt3-legacy"),
    ],
)
def test_vendor_rules(model: str, rule: str) -> None:
    assert resolve_tokenizer(model, default_catalogs()).rule_id == rule


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("tts-1", "model 'tts-1' is not priced per text token: priced per audio minute"),
        ("whisper-1", "is not priced per text token"),
        ("totally-unknown-model", "no tokenizer known for model 'totally-unknown-model'"),
        ("  ", "expected a model id"),
    ],
)
def test_unresolvable_models(model: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        resolve_tokenizer(model, default_catalogs(), file="<test>", field="--model")


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("OpenAI/GPT-4o", "gpt-4o"),
        ("ft:gpt-4o-mini-2024-07-18:org:name:id", "gpt-4o-mini-2024-07-18"),
        ("openai/ft-gpt-4.1-mini", "gpt-4.1-mini"),
        ("gpt-4o-mini-2024-07-18.ft-xyz", "gpt-4o-mini-2024-07-18"),
        ("@cf/meta/llama-3-8b-instruct", "llama-3-8b-instruct"),
        (" claude-3-haiku ", "claude-3-haiku"),
    ],
)
def test_normalize_model_id(raw: str, normalised: str) -> None:
    assert normalize_model_id(raw) == normalised


def test_the_kind_is_registered_and_the_shipped_rules_are_consistent() -> None:
    assert CATALOG_KINDS[KIND] is TokenizerRule
    rules = tokenizer_rules(default_catalogs())
    assert len(rules) >= 10
    for rule in rules:
        assert rule_problems(rule) == []
        assert rule.source_url.startswith("https://")
        if not rule.exact:
            assert rule.confidence in ("low", "assumption", "unverified"), rule.id
            assert rule.notes, f"{rule.id}: an estimate must say where its ratio comes from"
    vendors = {r.vendor for r in rules}
    assert {"OpenAI", "Anthropic", "Google", "Meta", "Alibaba", "Mistral"} <= vendors


def _rule(**changes: Any) -> TokenizerRule:
    base = default_catalogs().find(KIND, "claude")
    assert isinstance(base, TokenizerRule)
    return dataclasses.replace(base, **changes)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"exact": True}, "an exact rule takes no ratio"),
        ({"ratio": None}, "an estimate needs ratio, ratio_low and ratio_high"),
        ({"ratio_low": 1.5}, "expected ratio_low <= ratio <= ratio_high"),
        ({"ratio_high": 1.0}, "expected ratio_low <= ratio <= ratio_high"),
        ({"encoding": None}, "an estimate needs the encoding its ratio applies to"),
        ({"pattern": "claude-(("}, "not a valid regular expression"),
        (
            {
                "exact": True,
                "ratio": None,
                "ratio_low": None,
                "ratio_high": None,
                "encoding": None,
                "notes": None,
            },
            "a model without an encoding needs notes",
        ),
    ],
)
def test_inconsistent_rules_are_reported(changes: dict[str, Any], message: str) -> None:
    problems = rule_problems(_rule(**changes), "pricing/tokenizers.yaml:99")
    assert any(message in p.message for p in problems)
    assert all(p.file == "pricing/tokenizers.yaml" and p.line == 99 for p in problems)


def test_a_custom_catalog_rule_is_used_and_checked() -> None:
    custom = parse_catalog(
        """
tokenizer_models:
  - id: acme
    vendor: Acme
    pattern: 'acme-.*'
    encoding: cl100k_base
    exact: false
    ratio: 1.1
    ratio_low: 1.2
    ratio_high: 1.3
    source_url: https://example.org/acme
    as_of: 2026-01-01
""",
        source="custom.yaml",
    )
    catalogs = default_catalogs().merged(custom)
    with pytest.raises(
        InputError, match=r"custom\.yaml:3: tokenizer_models\.acme\.ratio: expected ratio_low"
    ):
        resolve_tokenizer("acme-1", catalogs)


def test_catalog_schema_rejects_unknown_encodings() -> None:
    with pytest.raises(InputError, match="encoding: expected one of o200k_base, cl100k_base"):
        parse_catalog(
            "tokenizer_models:\n  - {id: x, vendor: X, pattern: 'x', encoding: p50k_base,"
            " source_url: 'https://e.org', as_of: 2026-01-01}\n",
            source="c.yaml",
        )
