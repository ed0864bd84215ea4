"""Calendar months of a scenario: month 1 is the month containing ``start_date`` (SCENARIO.md, lifecycle).

Today's date comes from the clock (UTC) unless ``BREAKEVEN_TODAY=YYYY-MM-DD`` is set, which runs
everything "as if today were" that date: reproducible results, and how the tests pin the date.
"""

from __future__ import annotations

import datetime as dt
import os

from costmodel.core.errors import InputError

TODAY_ENV = "BREAKEVEN_TODAY"


def today() -> dt.date:
    """Today (UTC), or the date in ``BREAKEVEN_TODAY``.

    Raises:
        InputError: ``BREAKEVEN_TODAY`` is set but not a YYYY-MM-DD date.
    """
    pinned = os.environ.get(TODAY_ENV, "").strip()
    if pinned:
        try:
            return dt.date.fromisoformat(pinned)
        except ValueError:
            raise InputError.single(
                "<environment>", TODAY_ENV, f"expected a date YYYY-MM-DD, got {pinned[:40]!r}"
            ) from None
    return dt.datetime.now(dt.UTC).date()


def month_start(day: dt.date) -> dt.date:
    """First day of the month containing ``day``.

    >>> month_start(dt.date(2026, 12, 6))
    datetime.date(2026, 12, 1)
    """
    return day.replace(day=1)


def default_start_date() -> dt.date:
    """The default ``start_date``: the first day of the current month."""
    return month_start(today())


def month_of(day: dt.date, start: dt.date) -> int:
    """Scenario month (1-based) that contains ``day`` when month 1 contains ``start``.

    >>> month_of(dt.date(2027, 1, 14), dt.date(2026, 12, 1))
    2
    >>> month_of(dt.date(2026, 11, 30), dt.date(2026, 12, 1))
    0
    """
    return (day.year - start.year) * 12 + (day.month - start.month) + 1


def first_day_of_month(m: int, start: dt.date) -> dt.date:
    """First calendar day of scenario month ``m``.

    >>> first_day_of_month(2, dt.date(2026, 12, 6))
    datetime.date(2027, 1, 1)
    """
    index = start.year * 12 + (start.month - 1) + (m - 1)
    return dt.date(index // 12, index % 12 + 1, 1)
