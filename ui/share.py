"""Scenario <-> URL query parameter: compact, validated, never evaluated.

The scenario is written as YAML (the public scenario format) without the keys that equal their
defaults, compressed with zlib and encoded as unpadded base64url, behind a format version:
``?s=1.eJyr...``. Decoding checks the length, the alphabet, the decompressed size and the
compressed stream's integrity before the YAML goes through the normal strict scenario loader, so
a tampered, truncated or oversized link raises :class:`InputError` naming the parameter.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import re
import zlib
from typing import Any

from costmodel.core import yamlio
from costmodel.core.errors import InputError
from costmodel.scenario.io import parse_scenario
from costmodel.scenario.types import Scenario

QUERY_PARAM = "s"
"""Name of the query parameter holding the scenario."""

FORMAT_VERSION = "1"

MAX_PARAM_CHARS = 8_000
"""Longest accepted parameter: about the URL length every browser and proxy passes (8 KB);
the bundled example needs about 1 KB."""

MAX_YAML_BYTES = 64_000
"""Largest decompressed scenario accepted from a link (a large hand-written scenario is ~10 KB)."""

SOURCE = "link"
"""What error messages call a scenario read from a link."""

_B64URL = re.compile(r"[A-Za-z0-9_-]+")


def compact_plain(obj: Any) -> Any:
    """Plain data of a dataclass tree without the fields that equal their defaults (or are None)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(obj):
            if f.name in ("source", "lines"):
                continue
            value = getattr(obj, f.name)
            if value is None:
                continue
            if f.default is not dataclasses.MISSING and value == f.default:
                continue
            if f.default_factory is not dataclasses.MISSING and value == f.default_factory():
                continue
            out[f.name] = compact_plain(value)
        return out
    if isinstance(obj, list | tuple):
        return [compact_plain(v) for v in obj]
    if isinstance(obj, dt.date):
        return obj.isoformat()
    return obj


def encode_scenario(scenario: Scenario) -> str:
    """The query-parameter value for a scenario (``1.`` + base64url of zlib-compressed YAML).

    >>> from costmodel.scenario import load_scenario
    >>> s = load_scenario("examples/fintech-support.yaml")
    >>> token = encode_scenario(s)
    >>> token.startswith("1.") and len(token) < 1500
    True
    >>> decode_scenario(token) == s
    True
    """
    text = yamlio.dump_yaml(compact_plain(scenario))
    packed = zlib.compress(text.encode("utf-8"), 9)
    return FORMAT_VERSION + "." + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def _bad(message: str) -> InputError:
    return InputError.single(SOURCE, f"query parameter '{QUERY_PARAM}'", message)


def decode_scenario(token: str) -> Scenario:
    """The scenario in a query-parameter value; InputError for anything tampered, truncated or too big."""
    if not isinstance(token, str) or not token:
        raise _bad("empty: expected a scenario link value")
    if len(token) > MAX_PARAM_CHARS:
        raise _bad(f"too long ({len(token):,} characters, at most {MAX_PARAM_CHARS:,})")
    version, sep, payload = token.partition(".")
    if not sep or version != FORMAT_VERSION:
        raise _bad(f"unknown link format: expected a value starting with '{FORMAT_VERSION}.'")
    if not _B64URL.fullmatch(payload):
        raise _bad("damaged: contains characters that are not base64url")
    try:
        packed = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    except (binascii.Error, ValueError):
        raise _bad("damaged: not valid base64url (was the link cut short?)") from None
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(packed, MAX_YAML_BYTES)
    except zlib.error:
        raise _bad("damaged: the compressed scenario is corrupt") from None
    if inflater.unconsumed_tail:
        raise _bad(f"too large: the scenario expands beyond {MAX_YAML_BYTES:,} bytes")
    if not inflater.eof:
        raise _bad("truncated: the link was cut short")
    return parse_scenario(raw, source=SOURCE)
