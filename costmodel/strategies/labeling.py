"""Synthetic labels (SCENARIO.md "Version 1 additions (composite strategies and budget)").

Per example: the teacher model's tokens at its price, plus the reviewed share at the human rate:
``(teacher_input_tokens x input price + teacher_output_tokens x output price) / 1e6
+ review_fraction x review_usd_per_example``. The teacher is priced from the price database at the
run's date (``models.yaml`` overrides win), like every other hosted model.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.prices import model_prices
from costmodel.core.units import TOKENS_PER_MTOK

__all__ = ["synthetic_usd_per_example"]


def synthetic_usd_per_example(
    teacher_model: str,
    *,
    teacher_input_tokens: Any,
    teacher_output_tokens: Any,
    review_fraction: Any,
    review_usd_per_example: Any,
    catalogs: Catalogs,
    file: str,
    field: str,
    line: int | None,
    at: dt.datetime | None = None,
) -> tuple[Any, str]:
    """(USD per synthetic example, a note saying how it was priced); arrays of draws pass through.

    Raises:
        InputError: the teacher model is unknown (named at ``field``).
    """
    pr = model_prices(
        teacher_model,
        input_tokens=typical(teacher_input_tokens),
        catalogs=catalogs,
        file=file,
        field=field,
        line=line,
        at=at,
    )
    teacher = (
        teacher_input_tokens * pr.input_usd_per_mtok + teacher_output_tokens * pr.output_usd_per_mtok
    ) / TOKENS_PER_MTOK
    usd = teacher + review_fraction * review_usd_per_example
    note = (
        f"synthetic labels: {teacher_model} writes each example ({typical(teacher):.4f} USD at "
        f"{pr.input_usd_per_mtok:g}/{pr.output_usd_per_mtok:g} USD per 1M tokens, {pr.as_of.isoformat()}) "
        f"and {typical(review_fraction):.0%} are reviewed at {typical(review_usd_per_example):g} USD each"
    )
    return usd, note


def typical(x: Any) -> float:
    """One number for a value that may be an array of simulation draws (their mean)."""
    return float(np.mean(x))
