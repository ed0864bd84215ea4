"""What every catalog entry carries (id, source, date, confidence) and the :class:`Catalogs` container."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from costmodel.core.errors import InputError
from costmodel.core.schema import spec, suggest

Confidence = Literal["high", "medium", "low", "unverified", "assumption"]

ID_PATTERN = r"[a-z0-9][a-z0-9._/+-]*"


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """Fields every catalog entry carries."""

    id: str = field(metadata=spec(pattern=ID_PATTERN, help="unique id, lower case"))
    source_url: str = field(metadata=spec(pattern=r"https?://\S+", help="where the figure comes from"))
    as_of: dt.date = field(metadata=spec(not_future=True, help="date the figure was checked"))
    confidence: Confidence = "medium"
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class Catalogs:
    """All catalog entries by kind and id, with where each came from (``file:line``)."""

    entries: Mapping[str, Mapping[str, Any]]
    origins: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def all(self, kind: str) -> list[Any]:
        """Every entry of a kind, in file order."""
        return list(self.entries.get(kind, {}).values())

    def find(self, kind: str, entry_id: str) -> Any | None:
        """The entry or None."""
        return self.entries.get(kind, {}).get(entry_id)

    def get(self, kind: str, entry_id: str, *, file: str, field: str, line: int | None = None) -> Any:
        """The entry, or an InputError naming ``field`` with close-match suggestions."""
        found = self.find(kind, entry_id)
        if found is None:
            known = list(self.entries.get(kind, {}))
            hint = suggest(entry_id, known) or (
                f" (known: {', '.join(known[:8])}{', ...' if len(known) > 8 else ''})" if known else ""
            )
            raise InputError.single(file, field, f"unknown {kind} id {entry_id!r}{hint}", line)
        return found

    def merged(self, override: Catalogs) -> Catalogs:
        """A new Catalogs where ``override``'s entries replace or add to these (for custom catalogs)."""
        entries = {kind: dict(items) for kind, items in self.entries.items()}
        for kind, items in override.entries.items():
            entries.setdefault(kind, {}).update(items)
        return Catalogs(entries, {**self.origins, **override.origins})
