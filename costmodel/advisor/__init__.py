"""The advisor: the needs answers and the engine's figures in, a ranked recommendation with reasons out.

``criteria`` is the weights table, ``figures`` and ``measured`` read the engine, ``score`` ranks,
``sensitivity`` finds what would change the answer, ``recommendation`` puts it together."""

from __future__ import annotations

from costmodel.advisor.recommendation import Advice, advise

__all__ = ["Advice", "advise"]
