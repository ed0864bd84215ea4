"""Pure, vectorised formulas: token and infrastructure costs (``costs``), breakeven points (``breakeven``),
hosted-API latency (``latency``) and net value (``value``)."""

from __future__ import annotations

__all__ = []
