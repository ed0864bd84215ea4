"""Bounded, typed parsing of JSON and CSV from uploads and eval files: no uncaught exception, no global state.

- JSON: integers of more than :data:`MAX_NUMBER_CHARS` characters and numbers that overflow to
  infinity are refused while decoding (``int()`` of thousands of digits raises, ``1e400`` becomes
  ``inf``); nesting deeper than Python's recursion limit is caught and reported
  (:func:`json_problem` turns every failure into one message).
- CSV: ``csv.field_size_limit`` is process-wide, so it is never raised (raising it for one upload
  would change every other session's parser). :class:`CsvRows` sets the cell limit per call
  instead: rows within Python's default (:data:`MAX_CSV_CELL_CHARS`) go through the fast ``csv``
  reader; a row with a longer cell is re-read by a small RFC 4180 record parser bounded by the
  caller's ``max_cell_chars``, and the fast reader resumes after it. Eval files keep the default
  (:func:`csv_problem` says so and points to ``.jsonl``).
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterator
from typing import Any

from costmodel.core.yamlio import MAX_NUMBER_CHARS

MAX_CSV_CELL_CHARS = 131_072
"""Longest CSV cell: Python's default ``csv.field_size_limit()``, which this project never changes."""

TOO_DEEP = "nested too deeply (more levels than the parser allows; samples need 2 or 3)"


class NumberRefused(ValueError):
    """A JSON number refused while decoding (too long, or overflowing to infinity)."""


def _parse_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise NumberRefused(f"a number of {len(text):,} digits (at most {MAX_NUMBER_CHARS})")
    return int(text)


def _parse_float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise NumberRefused(f"a number of {len(text):,} characters (at most {MAX_NUMBER_CHARS})")
    value = float(text)
    if not math.isfinite(value):
        raise NumberRefused(f"the number {text} is too large for a float")
    return value


def _refuse_constant(name: str) -> float:
    raise NumberRefused(f"{name} is not a number JSON allows")


def decoder(*, allow_constants: bool = True) -> json.JSONDecoder:
    """A JSON decoder with bounded numbers (and, unless allowed, no ``NaN``/``Infinity`` constants).

    >>> decoder().decode('{"n": 12, "x": 1.5}')
    {'n': 12, 'x': 1.5}
    """
    if allow_constants:
        return json.JSONDecoder(parse_int=_parse_int, parse_float=_parse_float)
    return json.JSONDecoder(parse_int=_parse_int, parse_float=_parse_float, parse_constant=_refuse_constant)


def loads(text: str, *, allow_constants: bool = True) -> Any:
    """``json.loads`` with bounded numbers; raises json.JSONDecodeError, NumberRefused or RecursionError."""
    return decoder(allow_constants=allow_constants).decode(text)


def json_problem(exc: BaseException) -> str:
    """The message for a JSON decoding failure (decoder error, refused number, too deep).

    >>> try:
    ...     loads("[" + "1" * 500 + "]")
    ... except Exception as exc:
    ...     print(json_problem(exc))
    a number of 500 digits (at most 40)
    >>> json_problem(RecursionError())
    'nested too deeply (more levels than the parser allows; samples need 2 or 3)'
    """
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON: {exc.msg} (column {exc.colno})"
    if isinstance(exc, RecursionError):
        return TOO_DEEP
    return str(exc)


def csv_problem(exc: csv.Error) -> str:
    """The message for a CSV reading failure; an over-long cell says what the limit is and what to do.

    >>> csv_problem(csv.Error("field larger than field limit (131072)"))
    'a cell is longer than 131,072 characters; put long texts in a .jsonl or .txt file'
    """
    found = re.search(r"field larger than field limit \((\d+)\)", str(exc))
    if found is not None:
        return f"a cell is longer than {int(found.group(1)):,} characters; put long texts in a .jsonl or .txt file"
    return f"malformed CSV: {exc}"


def _quoted_cell(body: str, start: int) -> tuple[str, int]:
    """(the cell, the position after its closing quote) of the quoted cell at ``start``: a linear scan
    (a regular expression with nested repetition backtracks exponentially on an unclosed quote)."""
    pos = start + 1
    while True:
        quote = body.find('"', pos)
        if quote < 0:
            raise csv.Error("unexpected end of data (an unclosed quote)")
        if body.startswith('""', quote):
            pos = quote + 2
            continue
        return body[start + 1 : quote].replace('""', '"'), quote + 1


_LIMIT_ERROR = "field larger than field limit"


def split_record(text: str, *, delimiter: str, max_cell_chars: int) -> list[str]:
    """The cells of one complete CSV record (RFC 4180 quoting); csv.Error when malformed or too long.

    >>> split_record('a,"b ""q"", c",\\n', delimiter=",", max_cell_chars=100)
    ['a', 'b "q", c', '']
    """
    body = text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith(("\n", "\r")) else text
    cells: list[str] = []
    pos, end = 0, len(body)
    while True:
        if pos < end and body[pos] == '"':
            cell, pos = _quoted_cell(body, pos)
        else:
            stop = body.find(delimiter, pos)
            stop = end if stop < 0 else stop
            cell = body[pos:stop]
            if '"' in cell:
                raise csv.Error("a quote inside an unquoted cell")
            pos = stop
        if len(cell) > max_cell_chars:
            raise csv.Error(f"{_LIMIT_ERROR} ({max_cell_chars})")
        cells.append(cell)
        if pos == end:
            return cells
        if body[pos] != delimiter:
            raise csv.Error(f"'{delimiter}' expected after '\"'")
        pos += 1


class CsvRows:
    """Rows of CSV text lines with a cell limit set per call, never process-wide (see the module doc).

    ``line_num`` is the number of lines read so far, as with ``csv.reader``.

    >>> rows = CsvRows(iter(["a,b\\n", '"' + "x" * 200_000 + '",y\\n']), delimiter=",", max_cell_chars=300_000)
    >>> [len(cell) for row in rows for cell in row], rows.line_num
    ([1, 1, 200000, 1], 2)
    """

    def __init__(self, lines: Iterator[str], *, delimiter: str, max_cell_chars: int) -> None:
        self._lines = lines
        self._delimiter = delimiter
        self._max = max_cell_chars
        self._record: list[str] = []
        self.line_num = 0
        self._reader = self._fast_reader()

    def _recording(self) -> Iterator[str]:
        for line in self._lines:
            self._record.append(line)
            yield line

    def _fast_reader(self) -> Iterator[list[str]]:
        return csv.reader(self._recording(), delimiter=self._delimiter, strict=True)

    def __iter__(self) -> CsvRows:
        return self

    def __next__(self) -> list[str]:
        self._record.clear()
        try:
            row = next(self._reader)
        except csv.Error as exc:
            if _LIMIT_ERROR not in str(exc):
                self.line_num += len(self._record)
                raise
            row = self._long_record()
            self._reader = self._fast_reader()
        self.line_num += len(self._record)
        return row

    def _long_record(self) -> list[str]:
        """Finish the record the fast reader gave up on (a cell over its limit) and split it."""
        text = "".join(self._record)
        while text.count('"') % 2 or not text.endswith(("\n", "\r")):
            if len(text) > self._max + MAX_CSV_CELL_CHARS:
                raise csv.Error(f"{_LIMIT_ERROR} ({self._max})")
            line = next(self._lines, None)
            if line is None:
                break
            self._record.append(line)
            text += line
        return split_record(text, delimiter=self._delimiter, max_cell_chars=self._max)
