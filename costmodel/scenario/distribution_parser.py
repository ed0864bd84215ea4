"""Strict parsing of a distribution mapping written in a scenario (syntax in :mod:`costmodel.scenario.distributions`).

Every problem names the field, its key and its line; a mapping with any problem yields None.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from costmodel.core.schema import Collector, check_number, describe, line_of, suggest
from costmodel.scenario.distributions import (
    DEFAULT_THREE_POINT,
    Distribution,
    EvalBeta,
    LogNormal,
    ThreePoint,
    Uniform,
)

_KEYS: dict[str, tuple[str, ...]] = {
    "pert": ("low", "likely", "high"),
    "triangular": ("low", "likely", "high"),
    "uniform": ("low", "high"),
    "lognormal": ("median", "p90"),
    "beta": ("n_correct", "n_items"),
}
"""Required keys of each ``dist`` (besides ``dist`` itself, which only three-point estimates may omit)."""

DIST_KEYS = frozenset({"dist", *(k for keys in _KEYS.values() for k in keys)})
"""Every key a distribution mapping may hold."""


def parse_distribution(
    node: Mapping[str, Any], *, field: str, col: Collector, meta: Mapping[str, Any]
) -> Distribution | None:
    """Validate a distribution mapping written for the field ``field``; record problems in ``col``.

    ``meta`` holds the field's bounds (:func:`costmodel.core.schema.spec`): every number of the mapping
    must respect them, so a fraction's range stays within 0-1 and a count's stays non-negative.
    Returns None when anything is wrong (the problems name ``field.key`` and its line).
    """
    kind = node.get("dist", DEFAULT_THREE_POINT)
    if not isinstance(kind, str) or kind not in _KEYS:
        hint = suggest(kind, _KEYS) if isinstance(kind, str) else ""
        col.add(
            line_of(node, "dist") or line_of(node),
            f"{field}.dist",
            f"expected one of {', '.join(_KEYS)}, got {describe(kind)}{hint}",
        )
        return None
    wanted = _KEYS[kind]
    ok = True
    for key in node:
        if key != "dist" and key not in wanted:
            col.add(
                line_of(node, key), f"{field}.{key}", f"unknown key for dist {kind}" + suggest(key, wanted)
            )
            ok = False
    values: dict[str, float] = {}
    bounded = {"low", "likely", "high"}
    for key in wanted:
        if key not in node:
            col.add(
                line_of(node),
                f"{field}.{key}",
                f"required key is missing (dist {kind} needs {', '.join(wanted)})",
            )
            ok = False
            continue
        key_meta = meta if key in bounded else {"min": 0.0}
        out = check_number(node[key], field=f"{field}.{key}", line=line_of(node, key), col=col, meta=key_meta)
        if out is None:
            ok = False
        else:
            values[key] = float(out)
    if not ok:
        return None
    return _checked(kind, values, node, field=field, col=col, meta=meta)


def _checked(
    kind: str,
    v: dict[str, float],
    node: Mapping[str, Any],
    *,
    field: str,
    col: Collector,
    meta: Mapping[str, Any],
) -> Distribution | None:
    """Cross-key rules: ordering, positivity, and shapes the field's bounds cannot hold."""

    def bad(key: str, message: str) -> None:
        col.add(line_of(node, key) or line_of(node), f"{field}.{key}", message)

    if kind in ("pert", "triangular", "uniform"):
        if v["low"] > v["high"]:
            bad("low", f"low ({v['low']:g}) is greater than high ({v['high']:g})")
            return None
        if kind == "uniform":
            return Uniform(low=v["low"], high=v["high"])
        if not v["low"] <= v["likely"] <= v["high"]:
            bad(
                "likely",
                f"likely ({v['likely']:g}) must lie between low ({v['low']:g}) and high ({v['high']:g})",
            )
            return None
        return ThreePoint(low=v["low"], likely=v["likely"], high=v["high"], shape=kind)
    if kind == "lognormal":
        if meta.get("max") is not None:
            bad(
                "dist",
                f"a lognormal is unbounded above but this field must be <= {meta['max']:g}: use low/likely/high",
            )
            return None
        if not v["median"] > 0:
            bad("median", f"a lognormal's median must be > 0, got {v['median']:g}")
            return None
        if v["p90"] < v["median"]:
            bad("p90", f"p90 ({v['p90']:g}) is smaller than the median ({v['median']:g})")
            return None
        return LogNormal(median=v["median"], p90=v["p90"])
    if meta.get("min") != 0.0 or meta.get("max") != 1.0:
        bad("dist", "a beta (eval result) is only for fractions between 0 and 1 such as accuracy_fraction")
        return None
    if not v["n_items"] > 0:
        bad("n_items", f"expected at least one item, got {v['n_items']:g}")
        return None
    if v["n_correct"] > v["n_items"]:
        bad("n_correct", f"n_correct ({v['n_correct']:g}) is greater than n_items ({v['n_items']:g})")
        return None
    return EvalBeta(n_correct=v["n_correct"], n_items=v["n_items"])
