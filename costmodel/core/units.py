"""Named unit constants: every conversion in the cost model goes through one of these."""

from typing import Final

TOKENS_PER_MTOK: Final = 1_000_000
"""Tokens in one million tokens (prices are quoted in USD per 1M tokens)."""

TOKENS_PER_KTOK: Final = 1_000
"""Tokens in one thousand tokens."""

HOURS_PER_MONTH: Final = 730.0
"""Billable hours in an average month (8,760 h per year / 12), the convention of AWS and GCP price pages."""

MONTHS_PER_YEAR: Final = 12
"""Months in a year, for converting an annual discount rate to a monthly one."""

S_PER_HOUR: Final = 3600.0
"""Seconds in an hour."""

MS_PER_S: Final = 1000.0
"""Milliseconds in a second."""

BYTES_PER_GB: Final = 1_000_000_000
"""Bytes in a (decimal) gigabyte, as vendors quote storage and GPU memory."""

BYTES_PER_MB: Final = 1_000_000
"""Bytes in a (decimal) megabyte, as upload limits are quoted."""

BYTES_PER_KB: Final = 1_000
"""Bytes in a (decimal) kilobyte."""

SEARCHES_PER_KSEARCH: Final = 1_000
"""Searches in one thousand searches (rerank prices are quoted per 1,000 searches)."""

UNITS_PER_MUNIT: Final = 1_000_000
"""Units in one million units (vector-database read/write units are quoted per million)."""

FLOPS_PER_TFLOP: Final = 1e12
"""FLOP/s in one TFLOP/s."""
