"""Pure, vectorised formulas: token and infrastructure costs (``costs``), breakeven points (``breakeven``)
and hosted-API latency (``latency``)."""

from __future__ import annotations

__all__ = []
