"""Tests of the strict catalog loader (catalog.py, schema.py, yamlio.py) and of the built-in catalogs.

Every malformed document must raise InputError naming the file, the line (where the input has one)
and the field; the built-in catalogs in pricing/ must load, be sourced and dated, and hold the ids
the engine and the example scenario refer to.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

import pytest
from genai_prices import data_snapshot
from hypothesis import given
from hypothesis import strategies as st

from costmodel.catalog.entry import ID_PATTERN, Catalogs
from costmodel.catalog.lifecycle import LifecycleEntry, lifecycle_status
from costmodel.catalog.loader import (
    CATALOG_KINDS,
    PRICING_DIR,
    default_catalogs,
    load_catalog_files,
    parse_catalog,
)
from costmodel.catalog.services import (
    FinetuneOffer,
    LabelingRate,
    LatencyProfile,
    ModelPriceEntry,
    ProviderDiscount,
    VectorDatabase,
)
from costmodel.core.errors import InputError, Problem
from costmodel.core.schema import to_plain, today
from costmodel.core.yamlio import MAX_YAML_BYTES, MAX_YAML_DEPTH, dump_yaml

SOURCE = "pricing/bad.yaml"

LAST_CHECK = dt.date(2026, 12, 6)
"""The day the built-in catalogs were last researched: no as_of may be later."""


def doc(*lines: str) -> str:
    """A YAML document from lines, so that test rows can point at line numbers."""
    return "\n".join(lines) + "\n"


# Lines 1-4 of every `discounts` document below; line 5 onwards is the row's own.
HEAD = (
    "discounts:",
    "  - id: openai",
    "    source_url: https://example.com/pricing",
    "    as_of: 2026-01-01",
)


def discount(*extra: str) -> str:
    return doc(*HEAD, *extra)


def latency(*extra: str) -> str:
    """A latency profile: lines 1-5 fixed, the row's fields from line 6."""
    return doc(
        "latency_profiles:",
        "  - id: default-small",
        "    source_url: https://example.com/aa",
        "    as_of: 2026-01-01",
        "    ttft_ms: 500",
        *extra,
    )


def vector_db(*extra: str) -> str:
    """A vector database: lines 1-5 fixed, the row's fields from line 6."""
    return doc(
        "vector_databases:",
        "  - id: pinecone-serverless",
        "    source_url: https://example.com/pinecone",
        "    as_of: 2026-01-01",
        "    provider: pinecone",
        *extra,
    )


ALIAS_BOMB = doc(
    'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]',
    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]",
    "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]",
)

# (case, document, line, field, part of the message). line None: the problem is about the whole file.
MALFORMED: list[tuple[str, str | bytes, int | None, str, str]] = [
    (
        "unknown key, close match suggested",
        discount("    batch_multiplier: 0.5", "    flex_multipler: 0.5"),
        6,
        "discounts[0].flex_multipler",
        "unknown key (did you mean 'flex_multiplier' or",
    ),
    (
        "unknown key, no close match",
        discount("    batch_multiplier: 0.5", "    colour: red"),
        6,
        "discounts[0].colour",
        "unknown key",
    ),
    (
        "duplicate id in one file",
        doc(*HEAD, "    batch_multiplier: 0.5", *HEAD[1:], "    batch_multiplier: 0.6"),
        6,
        "discounts[1].id",
        "duplicate id 'openai' (first at line 2)",
    ),
    (
        "text where a number belongs",
        discount("    batch_multiplier: half"),
        5,
        "discounts[0].batch_multiplier",
        "expected a number, got the text 'half'",
    ),
    (
        "1e-6 without a dot is text in YAML 1.1",
        discount("    batch_multiplier: 5e-1"),
        5,
        "discounts[0].batch_multiplier",
        "YAML reads numbers like 1e-6 as text: write 1.0e-6",
    ),
    (
        "quoted number",
        discount('    batch_multiplier: "0.5"'),
        5,
        "discounts[0].batch_multiplier",
        "(remove the quotes)",
    ),
    (
        "boolean where a number belongs",
        discount("    batch_multiplier: true"),
        5,
        "discounts[0].batch_multiplier",
        "expected a number, got the boolean true",
    ),
    (
        "negative number",
        discount("    batch_multiplier: -0.5"),
        5,
        "discounts[0].batch_multiplier",
        "expected a number >= 0, got -0.5",
    ),
    (
        "NaN",
        discount("    batch_multiplier: .nan"),
        5,
        "discounts[0].batch_multiplier",
        "expected a finite number, got nan",
    ),
    (
        "infinity",
        discount("    batch_multiplier: .inf"),
        5,
        "discounts[0].batch_multiplier",
        "expected a finite number, got inf",
    ),
    (
        "minus infinity",
        discount("    flex_multiplier: -.inf", "    batch_multiplier: 0.5"),
        5,
        "discounts[0].flex_multiplier",
        "expected a finite number, got -inf",
    ),
    (
        "integer too large for a float",
        discount("    batch_multiplier: 1" + "0" * 400),
        5,
        "discounts[0].batch_multiplier",
        "a number of 401 characters (at most 40)",
    ),
    (
        "above the field's maximum",
        discount("    batch_multiplier: 11"),
        5,
        "discounts[0].batch_multiplier",
        "expected a number <= 10, got 11",
    ),
    (
        "zero where the field must be positive",
        latency("    output_tokens_per_s: 0"),
        6,
        "latency_profiles[0].output_tokens_per_s",
        "expected a number > 0, got 0",
    ),
    (
        "fraction where a whole number belongs",
        latency("    output_tokens_per_s: 90", "    reference_input_tokens: 1000.5"),
        7,
        "latency_profiles[0].reference_input_tokens",
        "expected a whole number, got 1000.5",
    ),
    (
        "null where a value is required",
        discount("    batch_multiplier: null"),
        5,
        "discounts[0].batch_multiplier",
        "a value is required here (got null)",
    ),
    (
        "required key missing",
        discount(),
        2,
        "discounts[0].batch_multiplier",
        "required key is missing",
    ),
    (
        "source_url missing",
        doc("discounts:", "  - id: openai", "    as_of: 2026-01-01", "    batch_multiplier: 0.5"),
        2,
        "discounts[0].source_url",
        "required key is missing",
    ),
    (
        "source_url not a URL",
        doc(
            "discounts:",
            "  - id: openai",
            "    source_url: www.example.com/pricing",
            "    as_of: 2026-01-01",
            "    batch_multiplier: 0.5",
        ),
        3,
        "discounts[0].source_url",
        "'www.example.com/pricing' does not match the pattern",
    ),
    (
        "id with upper case",
        doc(
            "discounts:",
            "  - id: OpenAI",
            "    source_url: https://example.com/p",
            "    as_of: 2026-01-01",
            "    batch_multiplier: 0.5",
        ),
        2,
        "discounts[0].id",
        "'OpenAI' does not match the pattern",
    ),
    (
        "empty id",
        doc(
            "discounts:",
            '  - id: ""',
            "    source_url: https://example.com/p",
            "    as_of: 2026-01-01",
            "    batch_multiplier: 0.5",
        ),
        2,
        "discounts[0].id",
        "expected non-empty text",
    ),
    (
        "as_of in the future",
        doc(
            "discounts:",
            "  - id: openai",
            "    source_url: https://example.com/p",
            "    as_of: 2999-01-01",
            "    batch_multiplier: 0.5",
        ),
        4,
        "discounts[0].as_of",
        "date 2999-01-01 is in the future",
    ),
    (
        "as_of not a date",
        doc(
            "discounts:",
            "  - id: openai",
            "    source_url: https://example.com/p",
            "    as_of: last week",
            "    batch_multiplier: 0.5",
        ),
        4,
        "discounts[0].as_of",
        "expected a date YYYY-MM-DD, got the text 'last week'",
    ),
    (
        "as_of an impossible date",
        doc(
            "discounts:",
            "  - id: openai",
            "    source_url: https://example.com/p",
            "    as_of: 2026-13-45",
            "    batch_multiplier: 0.5",
        ),
        4,
        "<yaml>",
        "cannot read '2026-13-45' as timestamp",
    ),
    (
        "unknown confidence flag",
        discount("    batch_multiplier: 0.5", "    confidence: sure"),
        6,
        "discounts[0].confidence",
        "expected one of high, medium, low, unverified, assumption, got the text 'sure'",
    ),
    (
        "unknown pricing model",
        vector_db("    pricing: monthly"),
        6,
        "vector_databases[0].pricing",
        "expected one of flat, usage",
    ),
    (
        "notes as a list",
        discount("    batch_multiplier: 0.5", "    notes: [a, b]"),
        6,
        "discounts[0].notes",
        "expected non-empty text, got a list",
    ),
    (
        "unknown catalog kind",
        doc("discount:", *HEAD[1:], "    batch_multiplier: 0.5"),
        1,
        "discount",
        "unknown catalog kind (did you mean 'discounts'?)",
    ),
    (
        "kind holding a mapping, not a list",
        doc("discounts:", "  id: openai"),
        1,
        "discounts",
        "expected a list of entries, got a mapping",
    ),
    (
        "entry that is not a mapping",
        doc("discounts:", "  - openai"),
        2,
        "discounts[0]",
        "expected a mapping of fields, got the text 'openai'",
    ),
    (
        "document that is a list",
        doc("- discounts", "- models"),
        1,
        "<file>",
        "expected a mapping of catalog kinds, got a list",
    ),
    ("empty document", "", None, "<file>", "expected a mapping of catalog kinds, got nothing"),
    (
        "!!python/object tag",
        doc("discounts: !!python/object/apply:os.system ['echo pwned']"),
        1,
        "<yaml>",
        "tags like !!python/... are not allowed",
    ),
    ("alias bomb", ALIAS_BOMB, 1, "<file>", "alias bomb"),
    (
        "deep nesting",
        "discounts: " + "[" * (MAX_YAML_DEPTH + 5) + "]" * (MAX_YAML_DEPTH + 5) + "\n",
        1,
        "<file>",
        f"nesting deeper than {MAX_YAML_DEPTH} levels",
    ),
    (
        "invalid UTF-8",
        b"discounts: []\n# caf\xe9\n",
        2,
        "<file>",
        "not valid UTF-8 text (byte 0xe9",
    ),
    (
        "file larger than 2 MB",
        b"# padding\n" * (MAX_YAML_BYTES // 10 + 1),
        None,
        "<file>",
        f"the limit is {MAX_YAML_BYTES:,} bytes",
    ),
    ("NUL bytes", "discounts: []\n\x00\n", None, "<file>", "contains NUL bytes"),
    (
        "duplicate key",
        discount("    batch_multiplier: 0.5", "    batch_multiplier: 0.6"),
        6,
        "<yaml>",
        "duplicate key 'batch_multiplier'",
    ),
    ("key that is not text", discount("    1: 0.5"), 5, "<yaml>", "keys must be text, got 1"),
    ("unclosed flow sequence", doc("discounts: [", "models: []"), 3, "<yaml>", "expected ',' or ']'"),
    (
        "explicit tag with a value it cannot hold",
        discount("    batch_multiplier: !!float half"),
        5,
        "<yaml>",
        "cannot read 'half' as float",
    ),
]


@pytest.mark.parametrize(
    ("case", "data", "line", "field", "message"), MALFORMED, ids=[row[0] for row in MALFORMED]
)
def test_malformed_catalog_names_file_line_and_field(
    case: str, data: str | bytes, line: int | None, field: str, message: str
) -> None:
    with pytest.raises(InputError) as info:
        parse_catalog(data, source=SOURCE)
    located = [(p.file, p.line, p.field) for p in info.value.problems if message in p.message]
    assert (SOURCE, line, field) in located, f"{case}: got {info.value}"


def test_malformed_table_is_big_enough() -> None:
    assert len(MALFORMED) >= 25


def test_problem_renders_as_file_line_field_message() -> None:
    with pytest.raises(InputError) as info:
        parse_catalog(discount("    batch_multiplier: -1"), source=SOURCE)
    assert str(info.value) == (
        "pricing/bad.yaml:5: discounts[0].batch_multiplier: expected a number >= 0, got -1"
    )


def test_every_problem_in_a_file_is_listed_at_once() -> None:
    data = doc(
        "discounts:",
        "  - id: openai",  # 2
        "    source_url: https://example.com/p",
        "    as_of: 2026-01-01",
        "    batch_multiplyer: 0.5",  # 5: unknown key (and batch_multiplier missing)
        "  - id: anthropic",  # 6
        "    source_url: https://example.com/p",
        "    as_of: 2999-01-01",  # 8: future
        "    batch_multiplier: -1",  # 9: negative
        "  - id: google",  # 10
        "    source_url: https://example.com/p",
        "    as_of: 2026-01-01",
        "    batch_multiplier: 0.5",
        "  - id: google",  # 14: duplicate id
        "    source_url: https://example.com/p",
        "    as_of: 2026-01-01",
        "    batch_multiplier: 0.5",
        "  - id: mistral",  # 18
        "    source_url: https://example.com/p",
        "    as_of: 2026-01-01",
        "    batch_multiplier: .nan",  # 21: NaN
        "  - id: xai",  # 22
        "    as_of: 2026-01-01",
        "    batch_multiplier: 0.5",  # source_url missing
        "labeling_rate: []",  # 25: unknown kind
    )
    with pytest.raises(InputError) as info:
        parse_catalog(data, source=SOURCE)
    got = {(p.line, p.field) for p in info.value.problems}
    assert got == {
        (5, "discounts[0].batch_multiplyer"),
        (2, "discounts[0].batch_multiplier"),
        (8, "discounts[1].as_of"),
        (9, "discounts[1].batch_multiplier"),
        (14, "discounts[3].id"),
        (21, "discounts[4].batch_multiplier"),
        (22, "discounts[5].source_url"),
        (25, "labeling_rate"),
    }
    assert all(p.file == SOURCE for p in info.value.problems)


def test_problems_of_several_files_are_reported_together(tmp_path: Path) -> None:
    good = tmp_path / "a.yaml"
    good.write_text(discount("    batch_multiplier: 0.5"))
    clash = tmp_path / "b.yaml"
    clash.write_text(discount("    batch_multiplier: 0.6"))
    broken = tmp_path / "c.yaml"
    broken.write_text(discount("    batch_multiplier: -2"))
    missing = tmp_path / "d.yaml"
    with pytest.raises(InputError) as info:
        load_catalog_files([good, clash, broken, missing])
    by_file = {Path(p.file).name: p for p in info.value.problems}
    assert set(by_file) == {"b.yaml", "c.yaml", "d.yaml"}
    assert by_file["b.yaml"].field == "discounts.openai"
    assert "duplicate id, already defined at" in by_file["b.yaml"].message
    assert "a.yaml:2" in by_file["b.yaml"].message
    assert (by_file["c.yaml"].line, by_file["c.yaml"].field) == (5, "discounts[0].batch_multiplier")
    assert "cannot read" in by_file["d.yaml"].message


def test_valid_document_builds_frozen_entries_with_origins() -> None:
    cats = parse_catalog(discount("    batch_multiplier: 0.5", "    notes: from the docs"), source=SOURCE)
    entry = cats.find("discounts", "openai")
    assert entry == ProviderDiscount(
        id="openai",
        source_url="https://example.com/pricing",
        as_of=dt.date(2026, 1, 1),
        notes="from the docs",
        batch_multiplier=0.5,
    )
    assert cats.origins[("discounts", "openai")] == f"{SOURCE}:2"
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.batch_multiplier = 0.1  # type: ignore[misc]


def test_description_key_is_allowed_and_ignored() -> None:
    cats = parse_catalog(
        doc("description: what this file holds", *HEAD, "    batch_multiplier: 1"), source=SOURCE
    )
    assert [e.id for e in cats.all("discounts")] == ["openai"]


def test_unknown_id_lookup_suggests_close_matches() -> None:
    cats = default_catalogs()
    with pytest.raises(InputError) as info:
        cats.get("labeling_rates", "expret", file="s.yaml", field="strategies[2].labeling", line=7)
    assert str(info.value) == (
        "s.yaml:7: strategies[2].labeling: unknown labeling_rates id 'expret' (did you mean 'expert'?)"
    )


@given(value=st.floats(allow_nan=True, allow_infinity=True))
def test_a_number_is_accepted_exactly_when_finite_and_in_bounds(value: float) -> None:
    data = dump_yaml(
        {
            "discounts": [
                {
                    "id": "openai",
                    "source_url": "https://example.com/p",
                    "as_of": "2026-01-01",
                    "batch_multiplier": value,
                }
            ]
        }
    )
    if math.isfinite(value) and 0.0 <= value <= 10.0:
        entry = parse_catalog(data, source=SOURCE).find("discounts", "openai")
        assert entry.batch_multiplier == value
    else:
        with pytest.raises(InputError) as info:
            parse_catalog(data, source=SOURCE)
        assert [(p.line, p.field) for p in info.value.problems] == [(5, "discounts[0].batch_multiplier")]


# ---------------------------------------------------------------------------------------------
# The built-in catalogs in pricing/
# ---------------------------------------------------------------------------------------------

BUILTIN_FILES = sorted(PRICING_DIR.glob("*.yaml"))


def all_entries(cats: Catalogs) -> list[tuple[str, Any]]:
    return [(kind, entry) for kind in cats.entries for entry in cats.all(kind)]


OWN_KINDS = (
    "models",
    "finetune_offers",
    "embedding_models",
    "vector_databases",
    "labeling_rates",
    "discounts",
    "latency_profiles",
    "rerankers",
    "stage_latencies",
)
"""Catalog kinds whose built-in files (pricing/README.md) these tests hold to the sourcing rules."""


def test_builtin_catalogs_load() -> None:
    cats = default_catalogs()
    assert BUILTIN_FILES, f"no catalogs in {PRICING_DIR}"
    for kind in OWN_KINDS:
        # models.yaml only overrides genai-prices where it is wrong: it may be empty (it is since 0.2.5)
        assert cats.all(kind) or kind == "models", f"no built-in {kind}"


@pytest.mark.parametrize("path", BUILTIN_FILES, ids=[p.name for p in BUILTIN_FILES])
def test_each_builtin_file_parses_on_its_own(path: Path) -> None:
    cats = parse_catalog(path.read_bytes(), source=str(path))
    assert any(cats.entries.values()) or path.name == "models.yaml", f"{path.name} holds no entries"


def test_every_builtin_entry_is_sourced_and_dated() -> None:
    for kind, entry in all_entries(default_catalogs()):
        where = f"{kind}/{entry.id}"
        assert re.fullmatch(r"https?://\S+", entry.source_url), where
        assert entry.as_of <= today(), f"{where}: as_of {entry.as_of} is in the future"
        assert entry.as_of <= LAST_CHECK, f"{where}: as_of {entry.as_of} is after the last check"
        assert entry.confidence in ("high", "medium", "low", "unverified", "assumption"), where
        assert re.fullmatch(ID_PATTERN, entry.id), where


def test_every_cost_and_latency_entry_carries_notes_on_its_source() -> None:
    for kind, entry in all_entries(default_catalogs()):
        if kind in OWN_KINDS:
            assert entry.notes and len(entry.notes) > 40, f"{kind}/{entry.id} needs notes naming its source"


@pytest.mark.parametrize(
    ("kind", "entry_id"),
    [
        ("finetune_offers", "openai/ft-gpt-4.1-mini"),
        ("vector_databases", "pinecone-serverless"),
        ("labeling_rates", "crowd"),
        ("labeling_rates", "expert"),
        ("labeling_rates", "synthetic"),
        ("latency_profiles", "default-small"),
        ("latency_profiles", "default-medium"),
        ("latency_profiles", "default-large"),
        ("latency_profiles", "openai/gpt-4.1"),
        ("latency_profiles", "openai/gpt-4.1-mini"),
        ("stage_latencies", "query-embedding-api"),
        ("stage_latencies", "vector-search-managed"),
        ("stage_latencies", "vector-search-in-memory"),
        ("discounts", "openai"),
        ("discounts", "anthropic"),
        ("discounts", "google"),
    ],
)
def test_required_ids_exist(kind: str, entry_id: str) -> None:
    assert default_catalogs().find(kind, entry_id) is not None


def test_all_catalog_kinds_are_dataclasses_with_source_fields() -> None:
    for kind, cls in CATALOG_KINDS.items():
        names = {f.name for f in dataclasses.fields(cls)}
        assert {"id", "source_url", "as_of", "confidence", "notes"} <= names, kind


def test_class_default_latency_profiles_are_assumptions() -> None:
    cats = default_catalogs()
    for size in ("small", "medium", "large"):
        profile = cats.find("latency_profiles", f"default-{size}")
        assert isinstance(profile, LatencyProfile)
        assert profile.confidence == "assumption"
    small, medium, large = (
        cats.find("latency_profiles", f"default-{s}") for s in ("small", "medium", "large")
    )
    assert small.ttft_ms < medium.ttft_ms < large.ttft_ms
    assert small.output_tokens_per_s > medium.output_tokens_per_s > large.output_tokens_per_s


def _snapshot_price(ref: str) -> Any | None:
    """genai-prices' current price of ``provider/model``, or None when the snapshot lacks it."""
    provider_id, _, model_id = ref.partition("/")
    try:
        _provider, model = data_snapshot.get_snapshot().find_provider_model(model_id, None, provider_id, None)
    except LookupError:
        return None
    return model.get_prices(dt.datetime(2026, 11, 21, tzinfo=dt.UTC))


def test_embedding_catalog_holds_only_models_genai_prices_lacks() -> None:
    for entry in default_catalogs().all("embedding_models"):
        assert _snapshot_price(entry.id) is None, f"{entry.id} is priced by genai-prices: drop it here"


def test_model_overrides_differ_from_the_genai_prices_snapshot() -> None:
    for entry in default_catalogs().all("models"):
        assert isinstance(entry, ModelPriceEntry)
        snap = _snapshot_price(entry.id)
        if snap is None:
            continue  # an addition
        current = (float(snap.input_mtok), float(snap.output_mtok))
        assert current != (entry.input_usd_per_mtok, entry.output_usd_per_mtok), f"{entry.id} is redundant"


def test_finetune_offers_name_known_base_models_and_openai_bases_have_latency() -> None:
    cats = default_catalogs()
    for offer in cats.all("finetune_offers"):
        assert isinstance(offer, FinetuneOffer)
        assert _snapshot_price(offer.base_model) is not None, f"{offer.id}: unknown base {offer.base_model}"
        if offer.provider == "openai":
            assert cats.find("latency_profiles", offer.base_model) is not None, offer.id
            assert offer.shutdown_date is not None and offer.shutdown_date > offer.as_of, offer.id
        # A tuned model costs more per token than its base, or is billed by the hour instead.
        base = _snapshot_price(offer.base_model)
        assert offer.hosting_usd_per_hour > 0 or offer.input_usd_per_mtok >= float(base.input_mtok), offer.id


def test_ft_gpt_41_mini_prices() -> None:
    # OpenAI pricing page (print dated 2025-08-21 and a 2026 docs copy): training $5.00, $0.80/$0.20/$3.20.
    offer = default_catalogs().find("finetune_offers", "openai/ft-gpt-4.1-mini")
    assert (offer.training_usd_per_mtok, offer.input_usd_per_mtok) == (5.0, 0.8)
    assert (offer.cached_input_usd_per_mtok, offer.output_usd_per_mtok) == (0.2, 3.2)
    assert offer.base_model == "openai/gpt-4.1-mini"


CATALOG_CHECKED = dt.date(2026, 12, 6)
"""The day finetune_offers.yaml was last researched (issue 12)."""

STALE_AFTER_DAYS = 180
"""An offer older than this at CATALOG_CHECKED must be flagged (as tests/catalog/test_catalog_freshness.py asks)."""

MIN_PROVIDERS = 6
"""Providers that sell hosted fine-tuning today and have a priced offer in the catalog."""

MIN_PROVIDERS_DATED_SINCE_JUNE = 3
"""Providers with an offer whose prices were read on a page dated 2026-06-01 or later. Issue 12 asks for
six; only Fireworks, Tinker and Prime Intellect had a dated copy of their whole price table in the stored
sources (see the header of finetune_offers.yaml for what was missing for Vertex, Bedrock, Ori, Alibaba)."""


def _offers() -> list[FinetuneOffer]:
    offers = default_catalogs().all("finetune_offers")
    assert all(isinstance(o, FinetuneOffer) for o in offers)
    return offers


def _offer_lifecycles() -> list[LifecycleEntry]:
    return [e for e in default_catalogs().all("lifecycle") if e.subject == "finetune_offer"]


def test_hosted_fine_tuning_catalog_spans_current_providers() -> None:
    offers = _offers()
    providers = {o.provider for o in offers}
    assert len(providers) >= MIN_PROVIDERS, sorted(providers)
    recent = {o.provider for o in offers if o.as_of >= dt.date(2026, 6, 1)}
    assert len(recent) >= MIN_PROVIDERS_DATED_SINCE_JUNE, sorted(recent)
    # Mistral and Cohere ended their fine-tuning APIs: they must not come back as offers.
    assert not providers & {"mistral", "cohere"}
    for o in offers:
        assert o.id.startswith(f"{o.provider}/"), o.id
        assert o.source_url.startswith("https://") and o.notes and len(o.notes) > 200, o.id
        assert o.confidence in ("high", "medium", "low"), o.id
        assert o.training_usd_per_mtok > 0, o.id
        # Billed per token or per hour of hosting: never both free.
        assert o.hosting_usd_per_hour > 0 or o.output_usd_per_mtok > 0, o.id


def test_stale_offers_are_flagged_and_say_since_when() -> None:
    for o in _offers():
        if (CATALOG_CHECKED - o.as_of).days > STALE_AFTER_DAYS:
            assert o.confidence in ("low", "unverified"), o.id
            assert f"Not re-verified since {o.as_of}" in (o.notes or ""), o.id


def test_offer_lifecycles_reference_offers_and_agree_with_their_shutdown_dates() -> None:
    cats = default_catalogs()
    entries = _offer_lifecycles()
    ids = [e.id for e in entries]
    assert len(ids) == len(set(ids))
    for e in entries:
        offer = cats.find("finetune_offers", e.id)
        assert isinstance(offer, FinetuneOffer), f"lifecycle {e.id}: no such offer"
        assert e.shutdown_on is not None or e.new_jobs_until is not None, e.id
        assert offer.shutdown_date == e.shutdown_on, e.id
        if e.new_jobs_until is not None and e.shutdown_on is not None:
            assert e.new_jobs_until < e.shutdown_on, e.id
        if e.deprecated_on is not None:
            assert e.deprecated_on <= e.as_of, e.id
        if e.replacement is not None:
            assert cats.find("finetune_offers", e.replacement) is not None, (
                f"{e.id}: replacement {e.replacement}"
            )
        assert e.notes and e.source_url.startswith("https://"), e.id
    # Every offer with an announced shutdown has its lifecycle entry; the others have none.
    with_dates = {o.id for o in _offers() if o.shutdown_date is not None}
    assert with_dates == set(ids)


@pytest.mark.parametrize(
    ("offer_id", "new_jobs_until", "shutdown_on"),
    [
        # OpenAI deprecations page: fine-tuning wind-down notice of 2026-05-07, bases shut down 2027-01-14.
        ("openai/ft-gpt-4.1-mini", dt.date(2027, 1, 6), dt.date(2027, 1, 14)),
        ("openai/ft-gpt-4.1", dt.date(2027, 1, 6), dt.date(2027, 1, 14)),
        ("openai/ft-gpt-4o", dt.date(2027, 1, 6), dt.date(2027, 1, 14)),
        ("openai/ft-gpt-4o-mini", dt.date(2027, 1, 6), dt.date(2027, 1, 14)),
        # Microsoft Foundry retirement schedule (2026-09-02): training >= 2027-04-01, deployment 2027-10-01.
        ("azure/ft-gpt-4o-mini", dt.date(2027, 3, 31), dt.date(2027, 10, 1)),
    ],
)
def test_announced_fine_tuning_dates(offer_id: str, new_jobs_until: dt.date, shutdown_on: dt.date) -> None:
    entry = default_catalogs().find("lifecycle", offer_id)
    assert isinstance(entry, LifecycleEntry) and entry.subject == "finetune_offer"
    assert (entry.new_jobs_until, entry.shutdown_on, entry.replacement) == (new_jobs_until, shutdown_on, None)


def test_offers_with_no_announced_shutdown_are_active_after_openai_stops() -> None:
    cats = default_catalogs()
    after = dt.date(2027, 2, 1)
    active = {
        o.provider
        for o in _offers()
        if lifecycle_status(cats, "finetune_offer", o.id, after).status == "active"
    }
    assert {"azure", "together", "fireworks", "tinker", "prime-intellect"} <= active
    assert "openai" not in active


@pytest.mark.parametrize(
    ("offer_id", "training", "inp", "cached", "out", "hosting"),
    [
        # Tinker models-and-pricing, 2026-10-07: Qwen3-8B prefill 0.195, sample 0.60, train 0.44; cached -80%.
        ("tinker/lora-qwen3-8b", 0.44, 0.195, 0.039, 0.60, 0.0),
        # fireworks.ai/pricing, 2026-10-07: LoRA SFT <= 16B $0.50; on-demand H100 $8.00/h, LoRA dedicated only.
        ("fireworks/lora-sft-16b-h100", 0.50, 0.0, None, 0.0, 8.00),
        # Prime Intellect hosted training, 2026-09-20: Qwen3.5-9B input 0.20, output 0.60, train 0.60.
        ("prime-intellect/lora-qwen3.5-9b", 0.60, 0.20, None, 0.60, 0.0),
        # Azure fine-tuning calculator (February 2026): training $3.00 regional, base token prices, $1.70/h.
        ("azure/ft-gpt-4o-mini", 3.00, 0.15, 0.075, 0.60, 1.70),
    ],
)
def test_new_offer_prices(
    offer_id: str, training: float, inp: float, cached: float | None, out: float, hosting: float
) -> None:
    o = default_catalogs().find("finetune_offers", offer_id)
    assert isinstance(o, FinetuneOffer)
    assert (o.training_usd_per_mtok, o.input_usd_per_mtok, o.cached_input_usd_per_mtok) == (
        training,
        inp,
        cached,
    )
    assert (o.output_usd_per_mtok, o.hosting_usd_per_hour) == (out, hosting)


def test_labeling_ranges_bracket_their_default() -> None:
    for rate in default_catalogs().all("labeling_rates"):
        assert isinstance(rate, LabelingRate)
        assert rate.low_usd_per_example is not None and rate.high_usd_per_example is not None, rate.id
        assert rate.low_usd_per_example <= rate.usd_per_example <= rate.high_usd_per_example, rate.id


# Each labelling figure recomputed from the derivation written in its notes (pricing/labeling_rates.yaml).
LABELING_DERIVATIONS = {
    # workers x MTurk reward x (1 + 20% fee)
    ("crowd", "usd_per_example"): 3 * 0.06 * 1.2,
    ("crowd", "low_usd_per_example"): 3 * 0.024 * 1.2,
    ("crowd", "high_usd_per_example"): 5 * 0.36 * 1.2,
    # hourly rate x minutes / 60 x (1 + 20% review)
    ("expert", "usd_per_example"): 120 * 4 / 60 * 1.2,
    ("expert", "low_usd_per_example"): 85 * 2 / 60 * 1.2,
    ("expert", "high_usd_per_example"): 200 * 6 / 60 * 1.2,
    # attempts x (prompt x input price + completion x output price) / 1e6
    ("synthetic", "usd_per_example"): 1.5 * (1000 * 2.00 + 700 * 8.00) / 1e6,
    ("synthetic", "low_usd_per_example"): 1 * (1000 * 0.40 + 700 * 1.60) / 1e6,
    ("synthetic", "high_usd_per_example"): 2 * (2000 * 5.00 + 1000 * 25.00) / 1e6,
}


@pytest.mark.parametrize(("key", "expected"), LABELING_DERIVATIONS.items(), ids=lambda v: str(v))
def test_labeling_figures_match_their_derivation(key: tuple[str, str], expected: float) -> None:
    rate_id, field_name = key
    rate = default_catalogs().find("labeling_rates", rate_id)
    assert getattr(rate, field_name) == pytest.approx(expected, rel=1e-12)


def test_synthetic_derivation_uses_current_snapshot_prices() -> None:
    # The synthetic default is priced with openai/gpt-4.1 as genai-prices 0.2.3 knows it.
    snap = _snapshot_price("openai/gpt-4.1")
    assert (float(snap.input_mtok), float(snap.output_mtok)) == (2.0, 8.0)


@pytest.mark.parametrize(
    ("records", "dimensions", "metadata_bytes", "namespace_gb", "read_units"),
    [
        # docs.pinecone.io "Understanding cost", dense-index table (GB and RUs shown to 2-3 digits).
        (500_000, 768, 500, 1.78, 1.78),
        (1_000_000, 1536, 1000, 7.14, 7.14),
        (10_000_000, 1536, 1000, 71.4, 71.4),
        (1_000, 768, 100, 0.0032, 0.25),  # tiny namespace: the 0.25 RU minimum applies
    ],
)
def test_pinecone_serverless_fields_reproduce_the_docs_read_units(
    records: int, dimensions: int, metadata_bytes: int, namespace_gb: float, read_units: float
) -> None:
    db = default_catalogs().find("vector_databases", "pinecone-serverless")
    assert isinstance(db, VectorDatabase) and db.pricing == "usage"
    gb = records * (4 * dimensions + metadata_bytes) / 1e9
    assert gb == pytest.approx(namespace_gb, rel=0.01)
    units = max(db.read_units_per_query, db.read_units_per_query_per_gb * gb)
    assert units == pytest.approx(read_units, rel=0.01)
    # An upsert of a 7.14 KB record costs 7.14 WU (docs: 1,000 records per batch -> 7,140 WU).
    assert max(db.write_units_per_record, db.write_units_per_kb * 7.14) == pytest.approx(7.14)


def test_vector_database_plans_are_consistent() -> None:
    for db in default_catalogs().all("vector_databases"):
        assert isinstance(db, VectorDatabase)
        assert db.query_latency_ms > 0, db.id
        if db.pricing == "flat":
            assert db.flat_usd_per_month > 0 and db.read_usd_per_million_units == 0, db.id
        else:
            assert db.storage_usd_per_gb_month > 0 and db.read_usd_per_million_units > 0, db.id
            assert db.write_usd_per_million_units > 0, db.id
            assert db.read_units_per_query > 0 or db.read_units_per_query_per_gb > 0, db.id
            assert db.write_units_per_record > 0 or db.write_units_per_kb > 0, db.id


def test_discount_multipliers_are_discounts_and_surcharges() -> None:
    for d in default_catalogs().all("discounts"):
        assert isinstance(d, ProviderDiscount)
        assert 0 < d.batch_multiplier < 1, d.id
        assert d.flex_multiplier is None or 0 < d.flex_multiplier < 1, d.id
        assert d.priority_multiplier is None or d.priority_multiplier > 1, d.id


def test_builtin_catalogs_round_trip_through_dump_yaml() -> None:
    cats = default_catalogs()
    for path in BUILTIN_FILES:
        original = parse_catalog(path.read_bytes(), source=path.name)
        plain = {kind: [to_plain(e) for e in original.all(kind)] for kind in original.entries}
        again = parse_catalog(dump_yaml(plain), source=path.name)
        assert again.entries == original.entries, path.name
        for kind, items in original.entries.items():
            for entry_id, entry in items.items():
                assert cats.find(kind, entry_id) == entry


def test_problem_type_is_plain_data() -> None:
    problem = Problem(file=SOURCE, line=None, field="<file>", message="m")
    assert str(problem) == "pricing/bad.yaml: <file>: m"
