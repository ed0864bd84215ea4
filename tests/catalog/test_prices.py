"""The genai-prices adapter: per-request prices agree with genai-prices itself, tiers on both sides."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from genai_prices import Usage, calc_price

from costmodel.catalog import prices
from costmodel.catalog.entry import Catalogs
from costmodel.catalog.loader import parse_catalog
from costmodel.core.errors import InputError

EMPTY = Catalogs({}, {})
AT = dt.datetime(2026, 11, 21, tzinfo=dt.UTC)


def test_pinned_version_is_installed() -> None:
    assert prices.installed_version() == prices.GENAI_PRICES_PINNED_VERSION


@pytest.mark.parametrize(
    ("ref", "input_tokens", "cached_tokens", "output_tokens"),
    [
        ("openai/gpt-4.1", 2370, 0, 300),
        ("openai/gpt-4.1-mini", 5000, 4000, 700),
        ("openai/gpt-4o", 100, 0, 1),
        ("anthropic/claude-sonnet-4-5", 1200, 0, 500),
        ("google/gemini-2.5-pro", 150_000, 0, 1000),
        ("google/gemini-2.5-pro", 250_000, 0, 1000),
    ],
)
def test_request_price_matches_genai_prices(
    ref: str, input_tokens: int, cached_tokens: int, output_tokens: int
) -> None:
    tp = prices.model_prices(ref, input_tokens=input_tokens, catalogs=EMPTY, file="t", field="model", at=AT)
    cached_price = (
        tp.cached_input_usd_per_mtok if tp.cached_input_usd_per_mtok is not None else tp.input_usd_per_mtok
    )
    ours = (
        (input_tokens - cached_tokens) * tp.input_usd_per_mtok
        + cached_tokens * cached_price
        + output_tokens * tp.output_usd_per_mtok
    ) / 1e6
    provider, model = ref.split("/", 1)
    theirs = calc_price(
        Usage(input_tokens=input_tokens, cache_read_tokens=cached_tokens, output_tokens=output_tokens),
        model,
        provider_id=provider,
        genai_request_timestamp=AT,
    ).total_price
    assert Decimal(str(ours)).quantize(Decimal("1e-12")) == theirs.quantize(Decimal("1e-12"))


def _tiered_ref() -> tuple[str, int]:
    """A model in the snapshot with a long-context input tier, and the tier's threshold."""
    from genai_prices import data_snapshot

    for provider in data_snapshot.get_snapshot().providers:
        if provider.id != "openai":
            continue
        for model in provider.models:
            value = getattr(model.get_prices(AT), "input_mtok", None)
            if getattr(value, "tiers", None):
                return f"{provider.id}/{model.id}", int(value.tiers[0].start)
    raise AssertionError("no tiered OpenAI model in the snapshot")


def test_long_context_tier_on_both_sides_of_the_threshold() -> None:
    ref, start = _tiered_ref()
    below = prices.model_prices(ref, input_tokens=start, catalogs=EMPTY, file="t", field="model", at=AT)
    above = prices.model_prices(ref, input_tokens=start + 1, catalogs=EMPTY, file="t", field="model", at=AT)
    assert below.tier_start_tokens is None
    assert above.tier_start_tokens == start
    assert above.input_usd_per_mtok > below.input_usd_per_mtok


def test_unknown_model_suggests_close_matches() -> None:
    with pytest.raises(InputError) as info:
        prices.model_prices(
            "openai/gpt-4.1-mnii",
            input_tokens=10,
            catalogs=EMPTY,
            file="s.yaml",
            field="strategies[0].model",
            line=7,
        )
    message = str(info.value)
    assert message.startswith("s.yaml:7: strategies[0].model: unknown model 'openai/gpt-4.1-mnii'")
    assert "openai/gpt-4.1-mini" in message


def test_unknown_model_is_never_priced_zero() -> None:
    with pytest.raises(InputError):
        prices.model_prices("nobody/nothing-7b", input_tokens=10, catalogs=EMPTY, file="s", field="m")


def test_catalog_override_wins_over_genai_prices() -> None:
    catalogs = parse_catalog(
        """
models:
  - {id: openai/gpt-4.1, input_usd_per_mtok: 1.5, output_usd_per_mtok: 6.0, source_url: "https://example.org",
     as_of: 2026-10-01}
  - {id: private/our-model, input_usd_per_mtok: 0.7, output_usd_per_mtok: 0.9, source_url: "https://example.org",
     as_of: 2026-10-01}
""",
        source="override.yaml",
    )
    tp = prices.model_prices("openai/gpt-4.1", input_tokens=10, catalogs=catalogs, file="s", field="m")
    assert (tp.input_usd_per_mtok, tp.output_usd_per_mtok, tp.as_of) == (1.5, 6.0, dt.date(2026, 10, 1))
    added = prices.model_prices("private/our-model", input_tokens=10, catalogs=catalogs, file="s", field="m")
    assert added.output_usd_per_mtok == 0.9
    listed = {m.id for m in prices.list_models(catalogs, "our-model")}
    assert listed == {"private/our-model"}


def test_embedding_price_from_genai_prices() -> None:
    price, as_of, source = prices.embedding_price(
        "openai/text-embedding-3-small", catalogs=EMPTY, file="s", field="e"
    )
    assert price == 0.02
    assert as_of == prices.GENAI_PRICES_AS_OF
    assert source.startswith("genai-prices")


def test_list_models_search_filters() -> None:
    rows = prices.list_models(EMPTY, "gpt-4.1-mini")
    assert rows and all("gpt-4.1-mini" in r.id for r in rows)
    assert all(r.as_of == prices.GENAI_PRICES_AS_OF.isoformat() for r in rows)
