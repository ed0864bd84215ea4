"""The JSON adapter: results as strict, indented JSON (the format of every ``--format json`` output).

Strict means RFC 8259 JSON: a non-finite float (NaN, infinity) is written as ``null``, never as the
non-standard ``NaN`` that Python's ``json`` emits by default (https://www.rfc-editor.org/rfc/rfc8259#section-6).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any


def _json_default(value: Any) -> Any:
    """Dates and datetimes as ISO 8601 strings, numpy arrays and scalars as plain lists and numbers."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _clean(value: Any) -> Any:
    """Replace non-finite floats by None so the JSON stays valid (never NaN in output)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def to_json(data: Any) -> str:
    """Serialise to indented JSON (dates as ISO strings, numpy arrays as lists, non-finite floats as null).

    >>> import datetime as dt
    >>> print(to_json({"as_of": dt.date(2025, 1, 31), "usd": [1.5, float("nan")]}))
    {
      "as_of": "2025-01-31",
      "usd": [
        1.5,
        null
      ]
    }
    """
    return json.dumps(_clean(data), indent=2, default=_json_default, allow_nan=False)
