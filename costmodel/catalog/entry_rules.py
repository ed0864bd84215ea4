"""One validator per catalog kind, beyond field bounds: used by the catalog loader and by inline entries.

A scenario may write a catalog entry inline (``base_model: {n_heads: 32, n_kv_heads: 7, ...}``).
Field bounds come from the same dataclass either way; the rules between fields of one entry live
here, so an inline entry is checked exactly like a catalog entry and the error names the field the
user can change (``strategies[3].base_model.n_kv_heads``). Entries are read by attribute, so this
module imports no entry class (:mod:`costmodel.catalog.hardware` uses it without a cycle).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["RULES", "entry_problems"]


def _open_model(m: Any) -> list[tuple[str, str]]:
    if m.n_kv_heads > m.n_heads or m.n_heads % m.n_kv_heads:
        return [("n_kv_heads", f"{m.n_kv_heads} KV heads do not divide {m.n_heads} heads")]
    return []


def _gpu_offer(o: Any) -> list[tuple[str, str]]:
    if o.spot_usd_per_gpu_hour is not None and o.spot_usd_per_gpu_hour > o.on_demand_usd_per_gpu_hour:
        return [("spot_usd_per_gpu_hour", "spot price above the on-demand price")]
    return []


RULES: dict[str, Callable[[Any], list[tuple[str, str]]]] = {
    "open_models": _open_model,
    "gpu_offers": _gpu_offer,
}
"""Catalog kind -> its rules between fields of one entry."""


def entry_problems(kind: str, entry: Any) -> list[tuple[str, str]]:
    """(field, message) for each rule between fields of one ``kind`` entry that ``entry`` breaks.

    >>> from types import SimpleNamespace as E
    >>> entry_problems("open_models", E(n_heads=32, n_kv_heads=7))
    [('n_kv_heads', '7 KV heads do not divide 32 heads')]
    >>> entry_problems("open_models", E(n_heads=32, n_kv_heads=8)), entry_problems("labeling_rates", E())
    ([], [])
    """
    rule = RULES.get(kind)
    return [] if rule is None else rule(entry)
