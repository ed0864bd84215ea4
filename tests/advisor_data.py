"""Shared data of the advisor tests: situation files and the catalogs they are priced with."""

from __future__ import annotations

from pathlib import Path

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.loader import default_catalogs, parse_catalog

DATA = Path(__file__).parent / "data"
SITUATIONS_DIR = DATA / "advisor"
"""Scenario files, one situation each (the header comment of each file explains it)."""


def overlay_catalogs() -> Catalogs:
    """Built-in catalogs with tests/data/advisor-catalog.yaml on top (fixed class-default latencies).

    Situations price hosted models inline, so with this overlay their figures do not move when
    pricing/ is updated; self-hosted strategies still resolve GPU and open-model ids built in.
    """
    overlay = parse_catalog(
        (DATA / "advisor-catalog.yaml").read_text(), source="tests/data/advisor-catalog.yaml"
    )
    base = default_catalogs()
    kinds = set(base.entries) | set(overlay.entries)
    return Catalogs({k: {**base.entries.get(k, {}), **overlay.entries.get(k, {})} for k in kinds})
