"""The catalogs this session prices with: the built-ins, an uploaded custom catalog, and price overrides.

Every page that prices anything takes :func:`current_catalogs`, so an upload or an override on the
Prices page reaches all of them. :func:`catalogs_key` names that combination for caches. Uploaded
catalogs live only in ``st.session_state``, in memory.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.loader import default_catalogs
from ui import prices

CUSTOM_CATALOG_KEY = "custom_catalog"
"""(file name, sha256 of its bytes, parsed Catalogs) of the uploaded custom catalog, or absent."""
OVERRIDES_KEY = "price_overrides"
"""Session price overrides: {(kind, entry id, field): value}."""
_CATALOG_MEMO_KEY = "_catalogs_memo"


def set_custom_catalog(name: str, data: bytes) -> Catalogs:
    """Validate and keep an uploaded catalog for this session; InputError lists every problem."""
    parsed = prices.parse_custom_catalog(data, name)
    st.session_state[CUSTOM_CATALOG_KEY] = (name, hashlib.sha256(data).hexdigest(), parsed)
    return parsed


def clear_custom_catalog() -> None:
    """Go back to the built-in catalogs only."""
    st.session_state.pop(CUSTOM_CATALOG_KEY, None)


def price_overrides() -> dict[tuple[str, str, str], float]:
    """This session's price overrides (a live dict: change it through the Prices page)."""
    overrides: dict[tuple[str, str, str], float] = st.session_state.setdefault(OVERRIDES_KEY, {})
    return overrides


def catalogs_key() -> str:
    """A short text that identifies the session's catalogs (built-ins + custom + overrides)."""
    custom = st.session_state.get(CUSTOM_CATALOG_KEY)
    overrides = sorted(price_overrides().items())
    if custom is None and not overrides:
        return "builtin"
    text = repr((custom[1] if custom else None, overrides))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def current_catalogs() -> Catalogs:
    """The catalogs this session prices with (memoised per :func:`catalogs_key`)."""
    key = catalogs_key()
    memo = st.session_state.get(_CATALOG_MEMO_KEY)
    if memo is not None and memo[0] == key:
        cached: Catalogs = memo[1]
        return cached
    catalogs = default_catalogs()
    custom = st.session_state.get(CUSTOM_CATALOG_KEY)
    if custom is not None:
        catalogs = catalogs.merged(custom[2])
    catalogs = prices.apply_overrides(catalogs, price_overrides())
    st.session_state[_CATALOG_MEMO_KEY] = (key, catalogs)
    return catalogs
