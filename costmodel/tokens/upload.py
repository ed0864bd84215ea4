"""Uploaded files as text: size limit, format from the name, encoding detection, chunked decoding, lines.

Text must be UTF-8 (with or without BOM) or UTF-16 with a BOM; anything else (UTF-32, binary data,
a PDF or spreadsheet, invalid bytes) is an InputError naming the file, and the byte offset and line
where there is one. Uploads are bytes in memory and are decoded in chunks: nothing is written to
disk and no full decoded copy is made.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Final

from costmodel.core.errors import InputError
from costmodel.core.text import text_problem, visible
from costmodel.core.units import BYTES_PER_MB

DEFAULT_MAX_UPLOAD_BYTES: Final = 200_000_000
"""Default upload limit of the CLI (bytes); the app passes its own."""

FORMATS: Final[dict[str, str]] = {
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".markdown": "text",
    ".csv": "csv",
    ".tsv": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
}

_CHUNK_BYTES: Final = 1 << 23
"""Bytes decoded per step."""

_BINARY_SIGNATURES: Final = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (e.g. .xlsx or .docx)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.xls/.doc)"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Upload:
    """An uploaded file: its name (for the format and messages) and its bytes."""

    name: str
    data: bytes = field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ParseOptions:
    """How to read uploads: chosen columns/keys, text separator and the size limit."""

    input_column: str | None = None
    output_column: str | None = None
    separator: str | None = None
    max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES


def file_format(name: str) -> str:
    """The format of an upload from its file name; InputError for unsupported types.

    A name holding a control character or a lone surrogate is refused (costmodel.core.text's rule),
    shown with visible escapes.
    """
    problem = text_problem(name, allow_newlines=False)
    if problem is not None:
        raise InputError.single(visible(name), "<file name>", problem)
    dot = name.rfind(".")
    suffix = name[dot:].lower() if dot >= 0 else ""
    fmt = FORMATS.get(suffix)
    if fmt is None:
        shown = f"'{suffix}'" if suffix else "no extension"
        raise InputError.single(
            name, "<file>", f"unsupported file type ({shown}); upload .txt, .md, .csv, .tsv, .jsonl or .json"
        )
    return fmt


def detect_encoding(upload: Upload, *, max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> str:
    """Codec name for an upload (``utf-8``, ``utf-8-sig`` or ``utf-16``), after size and binary checks.

    >>> detect_encoding(Upload(name="a.txt", data=b"\\xef\\xbb\\xbfhi"))
    'utf-8-sig'
    """
    data = upload.data
    if len(data) > max_bytes:
        raise InputError.single(
            upload.name,
            "<file>",
            over_limit_message(len(data), max_bytes),
        )
    if not data:
        raise InputError.single(upload.name, "<file>", "file is empty")
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise InputError.single(upload.name, "<file>", "UTF-32 text is not supported; save the file as UTF-8")
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    else:
        encoding = "utf-8"
    for signature, what in _BINARY_SIGNATURES:
        if data.startswith(signature):
            raise InputError.single(
                upload.name, "<file>", f"this is {what}, not text; export it as CSV, JSONL or text"
            )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError.single(
            upload.name,
            "<file>",
            f"binary data (a NUL byte at offset {nul:,}); upload UTF-8 text, or UTF-16 with a BOM",
            line=data.count(b"\n", 0, nul) + 1,
        )
    return encoding


def decode_problem(upload: Upload, encoding: str, offset: int, reason: str) -> InputError:
    """InputError for bytes that do not decode, with the byte offset and its line."""
    label = "UTF-16" if encoding == "utf-16" else "UTF-8"
    return InputError.single(
        upload.name,
        "<encoding>",
        f"invalid {label} at byte {offset:,} ({reason}); save the file as UTF-8 (or UTF-16 with a BOM)",
        line=upload.data.count(b"\n", 0, offset) + 1,
    )


def iter_decoded(upload: Upload, encoding: str, chunk_bytes: int | None = None) -> Iterator[str]:
    """Decode an upload in chunks (no full copy); InputError with byte offset and line on bad bytes."""
    chunk_bytes = chunk_bytes or _CHUNK_BYTES
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    data = memoryview(upload.data)
    for start in range(0, len(data), chunk_bytes):
        pending = len(decoder.getstate()[0])
        try:
            text = decoder.decode(data[start : start + chunk_bytes], final=start + chunk_bytes >= len(data))
        except UnicodeDecodeError as exc:
            raise decode_problem(upload, encoding, start - pending + exc.start, exc.reason) from None
        if text:
            yield text
    try:
        tail = decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise decode_problem(upload, encoding, len(data) - len(exc.object) + exc.start, exc.reason) from None
    if tail:
        yield tail


def iter_lines(chunks: Iterable[str], *, keepends: bool = False) -> Iterator[tuple[int, str]]:
    """(line number, line) over decoded chunks, split on ``\\n`` only (a trailing ``\\r`` is kept)."""
    parts: list[str] = []
    line_no = 1
    for chunk in chunks:
        pos = 0
        while True:
            i = chunk.find("\n", pos)
            if i < 0:
                break
            piece = chunk[pos : i + 1] if keepends else chunk[pos:i]
            if parts:
                parts.append(piece)
                piece = "".join(parts)
                parts.clear()
            yield line_no, piece
            line_no += 1
            pos = i + 1
        if pos < len(chunk):
            parts.append(chunk[pos:])
    if parts:
        yield line_no, "".join(parts)


def over_limit_message(size_bytes: int, max_bytes: int) -> str:
    """Message for a file over the size limit, exact in bytes so a near miss still reads as over.

    >>> over_limit_message(50_000_001, 50_000_000)
    'file is 50,000,001 bytes, over the upload limit of 50,000,000 bytes (50 MB)'
    """
    return (
        f"file is {size_bytes:,} bytes, over the upload limit of {max_bytes:,} bytes "
        f"({max_bytes / BYTES_PER_MB:.3g} MB)"
    )
