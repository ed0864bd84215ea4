"""The built-in catalogs are current or flagged (issue 12).

An entry whose ``as_of`` lies more than :data:`MAX_AGE_DAYS` before :data:`REFERENCE_DATE` must carry a
confidence that admits it (``low``, ``unverified`` or ``assumption``) and say in its notes since when it
was not re-verified. The reference date is fixed, not today's clock, so the test does not start failing
by itself; move it forward when the catalogs are re-researched.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from costmodel.catalog.entry import Catalogs, Entry
from costmodel.catalog.loader import PRICING_DIR, load_catalog_files

REFERENCE_DATE = dt.date(2026, 12, 6)
"""The day the catalogs were last checked for staleness."""

MAX_AGE_DAYS = 180
"""An entry older than this many days before REFERENCE_DATE is stale."""

FLAGGED_CONFIDENCES = frozenset({"low", "unverified", "assumption"})
"""Confidence flags that already tell the user a figure is weak or old."""

EXCLUDED_FILES: frozenset[str] = frozenset()
"""Files left out of the check (none: every built-in catalog is current or flagged)."""


def is_stale(as_of: dt.date, *, reference: dt.date = REFERENCE_DATE) -> bool:
    """True when ``as_of`` is more than MAX_AGE_DAYS days before ``reference``.

    >>> is_stale(dt.date(2026, 6, 9)), is_stale(dt.date(2026, 6, 8))
    (False, True)
    """
    return (reference - as_of).days > MAX_AGE_DAYS


def unflagged_stale(catalogs: Catalogs) -> list[str]:
    """``file:line kind/id (as_of, confidence)`` for every stale entry whose confidence is not flagged."""
    found: list[str] = []
    for kind, items in sorted(catalogs.entries.items()):
        for entry_id, entry in items.items():
            assert isinstance(entry, Entry)
            if is_stale(entry.as_of) and entry.confidence not in FLAGGED_CONFIDENCES:
                origin = catalogs.origins.get((kind, entry_id), "?")
                found.append(f"{origin} {kind}/{entry_id} (as_of {entry.as_of}, {entry.confidence})")
    return found


def checked_files() -> list[Path]:
    """The built-in catalog files this test covers."""
    return [path for path in sorted(PRICING_DIR.glob("*.yaml")) if path.name not in EXCLUDED_FILES]


@pytest.mark.parametrize(
    ("as_of", "stale"),
    [
        (dt.date(2026, 12, 6), False),
        (dt.date(2026, 6, 9), False),  # exactly 180 days old
        (dt.date(2026, 6, 8), True),  # 181 days old
        (dt.date(2025, 4, 15), True),
    ],
)
def test_is_stale_boundary(as_of: dt.date, stale: bool) -> None:
    assert is_stale(as_of) is stale


def _doc(as_of: str, confidence: str) -> str:
    return (
        "stage_latencies:\n"
        "  - id: probe\n"
        "    latency_ms: 5\n"
        "    source_url: https://example.com/probe\n"
        f"    as_of: {as_of}\n"
        f"    confidence: {confidence}\n"
    )


@pytest.mark.parametrize(
    ("as_of", "confidence", "listed"),
    [
        ("2026-06-08", "medium", True),
        ("2026-06-08", "high", True),
        ("2026-06-08", "low", False),
        ("2026-06-08", "unverified", False),
        ("2026-06-08", "assumption", False),
        ("2026-06-09", "high", False),
    ],
)
def test_unflagged_stale_lists_only_stale_unflagged_entries(
    tmp_path: Path, as_of: str, confidence: str, listed: bool
) -> None:
    path = tmp_path / "probe.yaml"
    path.write_text(_doc(as_of, confidence), encoding="utf-8")
    found = unflagged_stale(load_catalog_files([path]))
    assert bool(found) is listed
    if listed:
        assert "probe.yaml:2 stage_latencies/probe" in found[0]


def test_checked_files_cover_the_refreshed_catalogs() -> None:
    names = {path.name for path in checked_files()}
    assert {
        "latency_profiles.yaml",
        "rerankers.yaml",
        "embedding_models.yaml",
        "stage_latencies.yaml",
        "vector_databases.yaml",
        "labeling_rates.yaml",
    } <= names
    assert not names & EXCLUDED_FILES


def test_built_in_catalogs_are_current_or_flagged() -> None:
    stale = unflagged_stale(load_catalog_files(checked_files()))
    assert stale == [], "stale entries without a low/unverified/assumption flag:\n" + "\n".join(stale)


def test_stale_entries_say_since_when_they_were_not_re_verified() -> None:
    """A stale entry in the refreshed files names the date it was last verified in its notes."""
    refreshed = {"latency_profiles.yaml", "rerankers.yaml", "embedding_models.yaml"}
    catalogs = load_catalog_files([path for path in checked_files() if path.name in refreshed])
    missing = [
        f"{kind}/{entry_id}"
        for kind, items in catalogs.entries.items()
        for entry_id, entry in items.items()
        if is_stale(entry.as_of) and f"Not re-verified since {entry.as_of}" not in (entry.notes or "")
    ]
    assert missing == []
