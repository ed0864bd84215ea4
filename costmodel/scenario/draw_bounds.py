"""Draws stay valid: uncertain inputs whose ranges could break a cross-field rule are rejected at load.

Single-field bounds hold for every draw by construction: a three-point, uniform or beta
distribution lives inside its ``low``-``high`` (or 0-1) range, which the loader checks against the
field's bounds, and a lognormal (unbounded above) is refused for fields with an upper bound. What
a field's own bounds cannot hold is a rule between two fields; for those the ranges are compared
at load and the scenario is **rejected** (not truncated) when some pair of draws could break the
rule that the central values satisfy, naming the field and both ranges (docs/SCENARIO.md).

Rules checked: ``chunk_overlap_tokens < tokens_per_chunk`` (RAG); a draw with the overlap at or
above the chunk size gives a negative or infinite number of chunks and NaN costs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from costmodel.scenario.distributions import Distribution, EvalBeta, LogNormal, ThreePoint, Uniform

__all__ = ["draw_problems", "support"]


def support(dist: Distribution) -> tuple[float, float]:
    """(lowest, highest) value a distribution can draw (``inf`` for a lognormal's upper end).

    >>> support(ThreePoint(low=1.0, likely=2.0, high=5.0)), support(LogNormal(median=2.0, p90=4.0))
    ((1.0, 5.0), (0.0, inf))
    """
    if isinstance(dist, ThreePoint | Uniform):
        return dist.low, dist.high
    if isinstance(dist, LogNormal):
        return 0.0, math.inf
    if isinstance(dist, EvalBeta):
        return 0.0, 1.0
    raise TypeError(f"unknown distribution {type(dist).__name__}")


def _range(path: str, value: float, uncertain: Mapping[str, Distribution]) -> tuple[float, float]:
    dist = uncertain.get(path)
    return (value, value) if dist is None else support(dist)


def draw_problems(
    rag_chunks: Sequence[tuple[int, float, float]], uncertain: Sequence[tuple[str, Distribution]]
) -> list[tuple[str, str]]:
    """(field, message) for each RAG strategy whose overlap could be drawn at or above its chunk size.

    ``rag_chunks`` holds (strategy index, tokens_per_chunk, chunk_overlap_tokens) central values.

    >>> draw_problems([(0, 350.0, 50.0)], [("strategies[0].chunk_overlap_tokens", Uniform(low=0.0, high=400.0))])[0][0]
    'strategies[0].chunk_overlap_tokens'
    >>> draw_problems([(0, 350.0, 50.0)], [("strategies[0].chunk_overlap_tokens", Uniform(low=0.0, high=100.0))])
    []
    """
    by_path = dict(uncertain)
    out: list[tuple[str, str]] = []
    for i, chunk, overlap in rag_chunks:
        chunk_path, overlap_path = (
            f"strategies[{i}].tokens_per_chunk",
            f"strategies[{i}].chunk_overlap_tokens",
        )
        if chunk_path not in by_path and overlap_path not in by_path:
            continue
        chunk_low, _ = _range(chunk_path, chunk, by_path)
        _, overlap_high = _range(overlap_path, overlap, by_path)
        if overlap_high >= chunk_low:
            out.append(
                (
                    overlap_path,
                    f"draws could reach {overlap_high:g} tokens of overlap while tokens_per_chunk can be as low "
                    f"as {chunk_low:g}; the overlap must stay below the chunk size in every draw: narrow the "
                    "ranges (a lognormal overlap is unbounded: use low/likely/high)",
                )
            )
    return out
