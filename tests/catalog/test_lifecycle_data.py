"""Checks of the researched lifecycle, prompt-caching and reasoning catalogs (costmodel/catalog/data/).

Every lifecycle id names a model or embedding model we can price, every replacement is itself priced
and still served when the original shuts down, dates are ordered and sourced, and every caching
minimum and reasoning default is a usable number.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.lifecycle import LifecycleEntry, PromptCaching, ReasoningProfile
from costmodel.catalog.loader import PRICING_DIR, default_catalogs, load_catalog_files
from costmodel.catalog.prices import all_model_refs

DATA = Path(PRICING_DIR)
TODAY = dt.date(2026, 12, 6)
"""The research date of these files: nothing in them may be dated later."""


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return default_catalogs()


def _own(kind: str, name: str) -> list[Any]:
    return load_catalog_files([DATA / name]).all(kind)


def _priced(catalogs: Catalogs) -> set[str]:
    return (
        set(all_model_refs())
        | {entry.id for entry in catalogs.all("models")}
        | {entry.id for entry in catalogs.all("embedding_models")}
    )


LIFECYCLE = _own("lifecycle", "lifecycle.yaml")
CACHING = _own("prompt_caching", "prompt_caching.yaml")
REASONING = _own("reasoning", "reasoning.yaml")


def test_files_hold_entries_of_their_kind() -> None:
    assert LIFECYCLE and all(isinstance(e, LifecycleEntry) for e in LIFECYCLE)
    assert CACHING and all(isinstance(e, PromptCaching) for e in CACHING)
    assert REASONING and all(isinstance(e, ReasoningProfile) for e in REASONING)


@pytest.mark.parametrize("entry", LIFECYCLE, ids=lambda e: e.id)
def test_lifecycle_id_and_replacement_are_priced(entry: LifecycleEntry, catalogs: Catalogs) -> None:
    priced = _priced(catalogs)
    assert entry.subject in ("model", "embedding_model")
    assert entry.id in priced, f"{entry.id} is not priced by genai-prices or the catalogs"
    if entry.replacement is not None:
        assert entry.replacement != entry.id
        assert entry.replacement in priced, f"replacement {entry.replacement} of {entry.id} is not priced"


@pytest.mark.parametrize("entry", LIFECYCLE, ids=lambda e: e.id)
def test_lifecycle_dates_are_ordered_and_sourced(entry: LifecycleEntry) -> None:
    assert entry.shutdown_on is not None, "an entry without a shutdown date should not exist"
    if entry.deprecated_on is not None:
        assert entry.deprecated_on <= entry.shutdown_on
        assert entry.deprecated_on <= TODAY
    assert entry.as_of <= TODAY
    assert entry.source_url.startswith("https://")
    assert entry.notes, "notes must quote what the source says"


@pytest.mark.parametrize("entry", [e for e in LIFECYCLE if e.replacement], ids=lambda e: e.id)
def test_replacement_outlives_the_original(entry: LifecycleEntry, catalogs: Catalogs) -> None:
    assert entry.replacement is not None and entry.shutdown_on is not None
    successor = catalogs.find("lifecycle", entry.replacement)
    if isinstance(successor, LifecycleEntry) and successor.shutdown_on is not None:
        assert successor.shutdown_on > entry.shutdown_on, (
            f"{entry.id} migrates to {entry.replacement}, which shuts down first ({successor.shutdown_on})"
        )


def test_issue_dates_are_present(catalogs: Catalogs) -> None:
    """The dates issue 12 is built on: the bundled examples' OpenAI models retire on 2027-01-14."""
    for model in ("openai/gpt-4o", "openai/gpt-4o-mini", "openai/gpt-4.1", "openai/gpt-4.1-mini"):
        entry = catalogs.find("lifecycle", model)
        assert isinstance(entry, LifecycleEntry)
        assert entry.shutdown_on == dt.date(2027, 1, 14)
        assert entry.replacement == "openai/gpt-6-luna"
    nano = catalogs.find("lifecycle", "openai/gpt-4.1-nano")
    assert isinstance(nano, LifecycleEntry) and nano.shutdown_on == dt.date(2026, 10, 23)


@pytest.mark.parametrize("entry", CACHING, ids=lambda e: e.id)
def test_caching_minimums_are_positive_and_sourced(entry: PromptCaching, catalogs: Catalogs) -> None:
    assert entry.min_cached_prefix_tokens > 0
    assert entry.source_url.startswith("https://")
    assert entry.as_of <= TODAY
    if "/" in entry.id:
        assert entry.id in _priced(catalogs), f"{entry.id} is not a priced model"


@pytest.mark.parametrize("entry", REASONING, ids=lambda e: e.id)
def test_reasoning_profiles_are_consistent(entry: ReasoningProfile, catalogs: Catalogs) -> None:
    assert entry.id in _priced(catalogs), f"{entry.id} is not a priced model"
    assert entry.source_url.startswith("https://")
    assert entry.as_of <= TODAY
    assert entry.typical_reasoning_tokens_per_request >= 0
    if entry.reasons_by_default:
        assert entry.typical_reasoning_tokens_per_request > 0
    else:
        assert entry.typical_reasoning_tokens_per_request == 0
    if entry.typical_reasoning_tokens_per_request > 0:
        # No published per-request measure exists: a non-zero figure must be flagged as ours.
        assert entry.confidence == "assumption"
        assert entry.notes and "ASSUMPTION" in entry.notes
