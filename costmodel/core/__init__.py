"""The ground floor: the error type, unit constants, declarative schema validation and the YAML and JSON adapters.

Nothing here knows about catalogs, scenarios or strategies."""

from __future__ import annotations

from costmodel.core.errors import InputError, Problem
from costmodel.core.jsonio import to_json
from costmodel.core.schema import Collector, field_specs, spec, to_plain, today
from costmodel.core.yamlio import dump_yaml, load_yaml

__all__ = [
    "Collector",
    "InputError",
    "Problem",
    "dump_yaml",
    "field_specs",
    "load_yaml",
    "spec",
    "to_json",
    "to_plain",
    "today",
]
