"""One module per strategy kind, each reducing a strategy to cost coefficients (``common.PreparedStrategy``);
``registry`` maps a kind to its preparer."""

from __future__ import annotations

from costmodel.strategies.common import CATEGORIES, Context, PreparedStrategy
from costmodel.strategies.registry import PREPARERS, prepare

__all__ = ["CATEGORIES", "PREPARERS", "Context", "PreparedStrategy", "prepare"]
