"""Parsers for uploaded sample prompts: bytes in memory -> a stream of samples (texts to count).

Formats: ``.txt``/``.md`` (one sample per file, or split on a separator), ``.csv``/``.tsv``
(chosen input/output columns), ``.jsonl`` (``prompt``/``completion``, ``input``/``output``, chat
``messages`` incl. OpenAI's fine-tuning format, or chosen keys) and ``.json`` (an array of such
rows). Bytes become text in :mod:`costmodel.tokens.upload` (chunked, nothing written to disk); a
very long single text is emitted in parts cut where the tokenizers break anyway, so memory stays a
small multiple of the upload. Rows and chats become samples in :mod:`costmodel.tokens.rows`.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from typing import Final

from costmodel.core import bounded
from costmodel.core.bounded import csv_problem
from costmodel.core.errors import InputError
from costmodel.core.schema import Collector, suggest
from costmodel.core.text import describe_char
from costmodel.tokens.rows import OUTPUT, USER, Sample, row_sample
from costmodel.tokens.tokenizers import last_safe_cut
from costmodel.tokens.upload import (
    DEFAULT_MAX_UPLOAD_BYTES,
    FORMATS,
    ParseOptions,
    Upload,
    decode_problem,
    detect_encoding,
    file_format,
    iter_decoded,
    iter_lines,
)

MAX_PROBLEMS: Final = 20

MAX_SAMPLES: Final = 200_000
"""Most samples counted from one upload: each costs ~5 microseconds of Python work however short, so
12 million tiny rows took 72 s and 3.5 GB; 200,000 stay near a second (benchmarks/bench_hostile.py)."""
"""Stop reading a file after this many problems (they are all reported)."""

MAX_COLUMNS_SHOWN: Final = 20
"""Column names listed in a message about a CSV header; the rest are counted."""


INPUT_COLUMN_GUESSES: Final = ("input", "prompt", "text", "question", "query", "message")
OUTPUT_COLUMN_GUESSES: Final = ("output", "completion", "response", "answer", "reply")

_PART_CHARS: Final = 1 << 22
"""A text sample longer than this is emitted in parts (characters)."""


_SURROGATE: Final = re.compile(r"[\ud800-\udfff]")


def _surrogate_problem(sample: Sample) -> str | None:
    """Lone surrogates come only from JSON ``"\\ud800"`` escapes (decoders refuse them in bytes) and
    no tokenizer can encode them: the sample is refused (costmodel.core.text's rule)."""
    for text in sample.texts:
        found = _SURROGATE.search(text)
        if found is not None:
            return (
                f"contains {describe_char(found.group())}; write the character itself, not half of its escape"
            )
    return None


def iter_samples(upload: Upload, options: ParseOptions | None = None) -> Iterator[Sample]:
    """Every sample of an upload, in file order; InputError (all problems found) on bad input."""
    options = options or ParseOptions()
    fmt = file_format(upload.name)
    encoding = detect_encoding(upload, max_bytes=options.max_bytes)
    col = Collector(upload.name)
    n = 0
    if fmt == "text":
        samples = _text_samples(upload, encoding, options)
    elif fmt in ("csv", "tsv"):
        samples = _csv_samples(upload, encoding, options, col, delimiter="\t" if fmt == "tsv" else ",")
    elif fmt == "jsonl":
        samples = _jsonl_samples(upload, encoding, options, col)
    else:
        samples = _json_samples(upload, encoding, options, col)
    for sample in samples:
        problem = _surrogate_problem(sample)
        if problem is not None:
            col.add(sample.line, "<text>", problem)
            continue
        if not sample.continues:
            n += 1
            if n > MAX_SAMPLES:
                raise InputError.single(
                    upload.name,
                    "<file>",
                    f"more than {MAX_SAMPLES:,} samples (the work budget of one upload); upload a random "
                    f"subset of at most {MAX_SAMPLES:,}: averages and percentiles need far fewer",
                    sample.line,
                )
        yield sample
        if len(col.problems) >= MAX_PROBLEMS:
            break
    col.raise_if_any()
    if n == 0:
        raise InputError.single(upload.name, "<file>", "no samples found (the file holds no text)")


# ---------------------------------------------------------------------------------------------
# .txt / .md
# ---------------------------------------------------------------------------------------------


def _text_samples(upload: Upload, encoding: str, options: ParseOptions) -> Iterator[Sample]:
    sep = options.separator or ""
    carry = ""
    line = 1  # line where the current sample starts
    in_progress = False  # parts of the current sample were already emitted
    for chunk in iter_decoded(upload, encoding):
        buf = carry + chunk if carry else chunk
        pos = 0
        while sep:
            i = buf.find(sep, pos)
            if i < 0:
                break
            text = buf[pos:i]
            if in_progress or _has_text(text):
                yield Sample(texts=(text,), buckets=(USER,), line=line)
            in_progress = False
            line += buf.count("\n", pos, i + len(sep))
            pos = i + len(sep)
        # Keep a possible separator split across chunks out of the part we emit.
        limit = len(buf) - max(0, len(sep) - 1)
        if limit - pos > _PART_CHARS:
            cut = last_safe_cut(buf, start=pos, end=limit)
            if cut is not None and cut > pos:
                yield Sample(texts=(buf[pos:cut],), buckets=(USER,), line=line, continues=True)
                in_progress = True
                line += buf.count("\n", pos, cut)
                pos = cut
        carry = buf[pos:]
    if in_progress or _has_text(carry):
        yield Sample(texts=(carry,), buckets=(USER,), line=line)


# ---------------------------------------------------------------------------------------------
# .csv / .tsv
# ---------------------------------------------------------------------------------------------


def _column_list(names: Iterable[str], shown: int = MAX_COLUMNS_SHOWN) -> str:
    """Column names for a message: the first ``shown``, then how many more (a 10,000-column header
    must not become a 70 KB error).

    >>> _column_list(["a", "b", "c"], shown=2)
    'a, b and 1 more'
    """
    names = list(names)
    head = ", ".join(names[:shown])
    return head if len(names) <= shown else f"{head} and {len(names) - shown:,} more"


def _has_text(text: str) -> bool:
    return bool(text) and not text.isspace()


def _pick_column(
    header: list[str], chosen: str | None, guesses: tuple[str, ...], *, flag: str, col: Collector
) -> int | None:
    """Index of the chosen column (exact, then case-insensitive match), or of the first guess present."""
    names = [h.strip() for h in header]
    lowered = [h.lower() for h in names]
    if chosen is None:
        return next((lowered.index(g) for g in guesses if g in lowered), None)
    if chosen.strip() in names:
        return names.index(chosen.strip())
    if chosen.strip().lower() in lowered:
        return lowered.index(chosen.strip().lower())
    col.add(
        1, flag, f"column {chosen!r} not found{suggest(chosen, names)}; columns are: {_column_list(names)}"
    )
    return None


def _csv_samples(
    upload: Upload, encoding: str, options: ParseOptions, col: Collector, *, delimiter: str
) -> Iterator[Sample]:
    # Prompts can be long: a cell may be as large as the upload, a limit set for this call only
    # (costmodel.core.bounded.CsvRows); csv.field_size_limit is process-wide and never changed.
    lines = (text for _, text in iter_lines(iter_decoded(upload, encoding), keepends=True))
    reader = bounded.CsvRows(lines, delimiter=delimiter, max_cell_chars=options.max_bytes)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        col.add(reader.line_num, "<csv>", f"cannot read the header row: {exc}")
        return
    in_idx = _pick_column(header, options.input_column, INPUT_COLUMN_GUESSES, flag="input_column", col=col)
    out_idx = _pick_column(
        header, options.output_column, OUTPUT_COLUMN_GUESSES, flag="output_column", col=col
    )
    if in_idx is None:
        if options.input_column is None:
            col.add(
                1,
                "input_column",
                f"choose the input column; columns are: {_column_list(h.strip() for h in header)}",
            )
        return
    if options.output_column is not None and out_idx is None:
        return
    need = max(in_idx, out_idx if out_idx is not None else 0)
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            col.add(start, "<csv>", csv_problem(exc))
            return
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= need:
            col.add(line, "<csv>", f"row has {len(row)} fields, the header has {len(header)}")
        elif out_idx is None:
            yield Sample(texts=(row[in_idx],), buckets=(USER,), line=line)
        else:
            yield Sample(texts=(row[in_idx], row[out_idx]), buckets=(USER, OUTPUT), line=line)
        if len(col.problems) >= MAX_PROBLEMS:
            return


# ---------------------------------------------------------------------------------------------
# .jsonl / .json
# ---------------------------------------------------------------------------------------------


def _jsonl_samples(upload: Upload, encoding: str, options: ParseOptions, col: Collector) -> Iterator[Sample]:
    for line_no, raw in iter_lines(iter_decoded(upload, encoding)):
        text = raw.strip()
        if not text:
            continue
        try:
            row = bounded.loads(text)
        except (ValueError, RecursionError) as exc:
            col.add(line_no, "<json>", bounded.json_problem(exc))
        else:
            sample = row_sample(
                row, line=line_no, input_key=options.input_column, output_key=options.output_column, col=col
            )
            if sample is not None:
                yield sample
        if len(col.problems) >= MAX_PROBLEMS:
            return


def _json_samples(upload: Upload, encoding: str, options: ParseOptions, col: Collector) -> Iterator[Sample]:
    try:
        text = upload.data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise decode_problem(upload, encoding, exc.start, exc.reason) from None
    decoder = bounded.decoder()
    pos = _skip_ws(text, 0)
    if pos < len(text) and text[pos] == "{":
        # A single object: one sample (e.g. one chat).
        try:
            row, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            col.add(exc.lineno, "<json>", f"invalid JSON: {exc.msg} (column {exc.colno})")
            return
        except (ValueError, RecursionError) as exc:
            col.add(text.count("\n", 0, pos) + 1, "<json>", bounded.json_problem(exc))
            return
        if _skip_ws(text, end) != len(text):
            col.add(text.count("\n", 0, end) + 1, "<json>", "extra data after the JSON value")
            return
        sample = row_sample(
            row,
            line=text.count("\n", 0, pos) + 1,
            input_key=options.input_column,
            output_key=options.output_column,
            col=col,
        )
        if sample is not None:
            yield sample
        return
    if pos >= len(text) or text[pos] != "[":
        col.add(text.count("\n", 0, pos) + 1, "<json>", "expected a JSON array of samples (or one object)")
        return
    pos = _skip_ws(text, pos + 1)
    line = text.count("\n", 0, pos) + 1
    index = 0
    if pos < len(text) and text[pos] == "]":
        return
    while True:
        try:
            row, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            col.add(exc.lineno, "<json>", f"invalid JSON in item {index}: {exc.msg} (column {exc.colno})")
            return
        except (ValueError, RecursionError) as exc:
            col.add(line, "<json>", f"item {index}: {bounded.json_problem(exc)}")
            return
        sample = row_sample(
            row,
            line=line,
            input_key=options.input_column,
            output_key=options.output_column,
            col=col,
            path=f"[{index}]",
        )
        if sample is not None:
            yield sample
        if len(col.problems) >= MAX_PROBLEMS:
            return
        nxt = _skip_ws(text, end)
        line += text.count("\n", pos, nxt)
        if nxt < len(text) and text[nxt] == "]":
            if _skip_ws(text, nxt + 1) != len(text):
                col.add(line, "<json>", "extra data after the JSON array")
            return
        if nxt >= len(text) or text[nxt] != ",":
            col.add(line, "<json>", f"expected ',' or ']' after item {index}")
            return
        pos = _skip_ws(text, nxt + 1)
        line += text.count("\n", nxt, pos)
        index += 1


def _skip_ws(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and text[pos] in " \t\r\n":
        pos += 1
    return pos


__all__ = [
    "DEFAULT_MAX_UPLOAD_BYTES",
    "FORMATS",
    "MAX_PROBLEMS",
    "ParseOptions",
    "Upload",
    "detect_encoding",
    "file_format",
    "iter_decoded",
    "iter_lines",
    "iter_samples",
]
