"""Which genai-prices data the model prices with: the pinned package's bundled snapshot, or a refresh.

``breakeven prices update`` fetches genai-prices' published data file (online, explicit) or reads a
local copy (``--from FILE``), validates it with genai-prices' own schema and stores it at
:func:`refreshed_path`. From then on every run prices with it and says so (``price_data`` in the
JSON, the app's sidebar). ``breakeven prices reset`` goes back to the bundled snapshot. Nothing here
touches the network unless :func:`fetch_published` is called.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genai_prices import types as gp_types

from costmodel.core.errors import InputError

GENAI_PRICES_PINNED_VERSION = "0.2.5"
"""The genai-prices release whose snapshot we price with (pinned in pyproject.toml)."""

GENAI_PRICES_AS_OF = dt.date(2026, 11, 19)
"""As-of date of that snapshot: the latest "verified on" date cited in genai-prices 0.2.5's bundled
data (``genai_prices/data.py``, price_comments). The package stores no per-model check dates."""

GENAI_PRICES_SOURCE_URL = "https://github.com/pydantic/genai-prices"

PUBLISHED_DATA_URL = (
    "https://raw.githubusercontent.com/pydantic/genai-prices/refs/heads/main/prices/new_data/v2/data.json"
)
"""The data file genai-prices' own auto-updater fetches (``genai_prices.update_prices``)."""

PRICE_DATA_ENV = "BREAKEVEN_PRICE_DATA"
"""Environment variable naming the refreshed data file (default: in the user's cache directory)."""

MAX_PRICE_DATA_BYTES = 20_000_000
"""Largest data file accepted: the published file is ~0.4 MB."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceDataInfo:
    """Where the API prices of a run come from."""

    source: str
    as_of: dt.date
    refreshed: bool
    problem: str | None = None
    """Why a refreshed file exists but was not used (unreadable or invalid), else None."""

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the JSON ``price_data`` key."""
        return {
            "source": self.source,
            "as_of": self.as_of.isoformat(),
            "refreshed": self.refreshed,
            "problem": self.problem,
        }


def refreshed_path() -> Path:
    """Where a refreshed data file lives: ``$BREAKEVEN_PRICE_DATA``, else the user cache directory."""
    named = os.environ.get(PRICE_DATA_ENV, "").strip()
    if named:
        return Path(named)
    cache = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(cache) / "breakeven" / "genai-prices-data.json"


def _meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".meta.json")


def parse_price_data(data: bytes, *, source: str) -> list[Any]:
    """genai-prices providers from a published data file; InputError naming ``source`` when invalid."""
    if len(data) > MAX_PRICE_DATA_BYTES:
        raise InputError.single(
            source, "<file>", f"{len(data):,} bytes; at most {MAX_PRICE_DATA_BYTES:,} accepted"
        )
    try:
        raw = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise InputError.single(source, "<file>", f"not a JSON document ({str(exc)[:120]})") from None
    if not isinstance(raw, list) or not raw:
        raise InputError.single(source, "<file>", "expected genai-prices' list of providers")
    try:
        # genai-prices' own loader for its published file (what its auto-updater calls)
        providers: list[Any] = gp_types._providers_from_raw(raw)
    except Exception as exc:  # pydantic's ValidationError and friends: the file is not genai-prices data
        first = str(exc).splitlines()[:3]
        raise InputError.single(
            source, "<file>", "not genai-prices data: " + " / ".join(first)[:300]
        ) from None
    return providers


def store_price_data(data: bytes, *, source: str, fetched_at: dt.datetime | None = None) -> PriceDataInfo:
    """Validate ``data`` and store it as the refreshed price data (atomic write); return its info."""
    providers = parse_price_data(data, source=source)
    path = refreshed_path()
    when = fetched_at or dt.datetime.now(dt.UTC)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"source": source, "fetched_at": when.isoformat(), "providers": len(providers)}
    for target, payload in ((path, data), (_meta_path(path), json.dumps(meta).encode())):
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
            tmp.write(payload)
        os.replace(tmp.name, target)
    _load_refreshed.cache_clear()
    return current_price_data()[1]


def fetch_published(url: str = PUBLISHED_DATA_URL, timeout_s: float = 20.0) -> bytes:
    """Download genai-prices' published data file (the only network access in costmodel)."""
    request = urllib.request.Request(url, headers={"User-Agent": "breakeven"})
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        body: bytes = response.read(MAX_PRICE_DATA_BYTES + 1)
    return body


def reset_price_data() -> bool:
    """Remove the refreshed data (back to the bundled snapshot); True when something was removed."""
    path = refreshed_path()
    removed = False
    for p in (path, _meta_path(path)):
        if p.is_file():
            p.unlink()
            removed = True
    _load_refreshed.cache_clear()
    return removed


def _bundled_info(problem: str | None = None) -> PriceDataInfo:
    return PriceDataInfo(
        source=f"genai-prices {GENAI_PRICES_PINNED_VERSION} bundled snapshot",
        as_of=GENAI_PRICES_AS_OF,
        refreshed=False,
        problem=problem,
    )


@functools.lru_cache(maxsize=4)
def _load_refreshed(path_str: str, mtime_ns: int) -> tuple[list[Any] | None, PriceDataInfo]:
    path = Path(path_str)
    try:
        data = path.read_bytes()
        providers = parse_price_data(data, source=str(path))
        meta = json.loads(_meta_path(path).read_bytes()) if _meta_path(path).is_file() else {}
        fetched = dt.datetime.fromisoformat(str(meta.get("fetched_at"))) if meta.get("fetched_at") else None
    except (OSError, InputError, ValueError) as exc:
        reason = exc.problems[0].message if isinstance(exc, InputError) else str(exc)
        return None, _bundled_info(f"refreshed price data at {path} not used: {reason[:200]}")
    when = (fetched or dt.datetime.fromtimestamp(mtime_ns / 1e9, dt.UTC)).date()
    origin = str(meta.get("source") or path)
    return providers, PriceDataInfo(
        source=f"genai-prices data refreshed from {origin}", as_of=when, refreshed=True
    )


def current_price_data() -> tuple[list[Any] | None, PriceDataInfo]:
    """(refreshed providers or None for the bundled snapshot, description of the data in use)."""
    path = refreshed_path()
    try:
        mtime = path.stat().st_mtime_ns if path.is_file() else None
    except OSError:
        mtime = None
    if mtime is None:
        return None, _bundled_info()
    return _load_refreshed(str(path), mtime)
