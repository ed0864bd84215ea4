"""Token counting of uploaded samples: reading uploads (``upload``, ``parsers``, ``rows``), the offline
tiktoken adapter (``tokenizers``), statistics (``stats``) and the report applied to a scenario (``report``)."""

from __future__ import annotations

from costmodel.tokens.report import TokenReport, apply_to_scenario, build_report
from costmodel.tokens.stats import ModelTokenStats, count_uploads

__all__ = ["ModelTokenStats", "TokenReport", "apply_to_scenario", "build_report", "count_uploads"]
