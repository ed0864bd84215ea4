"""The tiktoken adapter: exact ``o200k_base`` / ``cl100k_base`` counts with no network, and fast counting.

This is the only module that imports tiktoken. The vocabularies are read from the gzipped files
shipped in the pinned ``bpe-openai==0.1.4`` wheel (``bpe_openai/data/*.tiktoken.gz``, located
through the distribution's metadata without importing ``bpe_openai``); the
decompressed bytes must hash to the sha256 that tiktoken itself expects for these encodings
(``tiktoken_ext/openai_public.py``) before they are used. ``tiktoken.get_encoding`` is never
called, because it downloads missing vocabularies. Text that looks like a special token
(``<|endoftext|>``) is encoded as ordinary text.

Counting is exact and fast: long texts are cut at points where tiktoken's pre-tokenizer regex
is known to break anyway (see :func:`safe_cut`), so the pieces' counts add up to the count of the
whole text; pieces are encoded on a thread pool (tiktoken's Rust core releases the GIL) into
uint32 buffers, never into Python int lists.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import importlib.metadata
import itertools
import os
import re
import threading
import zlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
import tiktoken

from costmodel.core.errors import InputError, Problem

EncodingName = Literal["o200k_base", "cl100k_base"]
ENCODING_NAMES: Final[tuple[EncodingName, ...]] = ("o200k_base", "cl100k_base")

VOCAB_PACKAGE: Final = "bpe-openai==0.1.4"
"""The PyPI package that ships the vocabulary files (pinned in pyproject.toml)."""
VOCAB_DISTRIBUTION: Final = "bpe-openai"
VOCAB_DIR: Final = "bpe_openai/data"

_ENDOFTEXT = "<|endoftext|>"
_FIM_PREFIX = "<|fim_prefix|>"
_FIM_MIDDLE = "<|fim_middle|>"
_FIM_SUFFIX = "<|fim_suffix|>"
_ENDOFPROMPT = "<|endofprompt|>"


@dataclass(frozen=True, slots=True, kw_only=True)
class VocabSpec:
    """How to build one encoding: vocabulary file, its expected hash, pre-tokenizer regex, specials."""

    name: EncodingName
    filename: str
    sha256: str
    pat_str: str
    special_tokens: dict[str, int]


# The regexes, special tokens and hashes below are copied from tiktoken 0.14.0,
# tiktoken_ext/openai_public.py (functions cl100k_base and o200k_base), so that an Encoding built
# here is identical to tiktoken.get_encoding(name) without its download step.
VOCABS: Final[dict[str, VocabSpec]] = {
    "o200k_base": VocabSpec(
        name="o200k_base",
        filename="o200k_base.tiktoken.gz",
        sha256="446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        pat_str="|".join(
            [
                r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
                r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
                r"""\p{N}{1,3}""",
                r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
                r"""\s*[\r\n]+""",
                r"""\s+(?!\S)""",
                r"""\s+""",
            ]
        ),
        special_tokens={_ENDOFTEXT: 199999, _ENDOFPROMPT: 200018},
    ),
    "cl100k_base": VocabSpec(
        name="cl100k_base",
        filename="cl100k_base.tiktoken.gz",
        sha256="223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        pat_str=(
            r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+|"""
            r""" ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
        ),
        special_tokens={
            _ENDOFTEXT: 100257,
            _FIM_PREFIX: 100258,
            _FIM_MIDDLE: 100259,
            _FIM_SUFFIX: 100260,
            _ENDOFPROMPT: 100276,
        },
    ),
}


class VocabError(InputError):
    """The vocabulary file is missing or corrupt: an installation problem, reported like bad input."""


def vocab_location(name: str) -> Path:
    """Where the vocabulary file of an encoding is installed (inside the bpe-openai distribution).

    Found through the installed distribution's metadata (importlib.metadata), not by importing
    ``bpe_openai``: its ``__init__`` builds its own tokenizers from these files, which we never use.
    """
    spec = _spec(name)
    relative = f"{VOCAB_DIR}/{spec.filename}"
    try:
        return Path(str(importlib.metadata.distribution(VOCAB_DISTRIBUTION).locate_file(relative)))
    except importlib.metadata.PackageNotFoundError:
        return Path(relative)


def _spec(name: str) -> VocabSpec:
    spec = VOCABS.get(name)
    if spec is None:
        raise InputError.single(
            "<tokenizer>", "encoding", f"unknown encoding {name!r} (known: {', '.join(ENCODING_NAMES)})"
        )
    return spec


def _vocab_error(name: str, message: str) -> VocabError:
    hint = f"; reinstall the vocabulary package: pip install --force-reinstall '{VOCAB_PACKAGE}'"
    return VocabError(
        [Problem(file=str(vocab_location(name)), line=None, field=name, message=message + hint)]
    )


def read_vocab_bytes(name: str) -> bytes:
    """The decompressed vocabulary file of an encoding, after checking its sha256.

    Raises:
        VocabError: the file is missing, not gzip, or its decompressed bytes have another sha256.
    """
    spec = _spec(name)
    try:
        compressed = vocab_location(name).read_bytes()
    except OSError as exc:
        raise _vocab_error(name, f"vocabulary file not found or unreadable ({exc.strerror})") from exc
    try:
        raw = gzip.decompress(compressed)
    except (OSError, EOFError, zlib.error) as exc:
        raise _vocab_error(name, f"vocabulary file is not valid gzip ({exc})") from exc
    digest = hashlib.sha256(raw).hexdigest()
    if digest != spec.sha256:
        raise _vocab_error(name, f"sha256 of the decompressed vocabulary is {digest}, expected {spec.sha256}")
    return raw


def parse_ranks(raw: bytes, *, name: str) -> dict[bytes, int]:
    """Parse a ``.tiktoken`` file (one ``base64(token) rank`` per line) into mergeable ranks."""
    ranks: dict[bytes, int] = {}
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line:
            continue
        try:
            token, rank = line.split()
            ranks[base64.b64decode(token, validate=True)] = int(rank)
        except (ValueError, binascii.Error) as exc:
            raise _vocab_error(name, f"line {number} is not 'base64 rank': {exc}") from exc
    return ranks


_LOCK = threading.Lock()
_ENCODINGS: dict[str, tiktoken.Encoding] = {}


def get_encoding(name: str) -> tiktoken.Encoding:
    """The verified tiktoken Encoding (built once per process; thread-safe).

    >>> get_encoding("o200k_base").encode_ordinary("hello world")
    [24912, 2375]
    """
    enc = _ENCODINGS.get(name)
    if enc is not None:
        return enc
    with _LOCK:
        enc = _ENCODINGS.get(name)
        if enc is None:
            spec = _spec(name)
            ranks = parse_ranks(read_vocab_bytes(name), name=name)
            enc = tiktoken.Encoding(
                spec.name,
                pat_str=spec.pat_str,
                mergeable_ranks=ranks,
                special_tokens=dict(spec.special_tokens),
            )
            _ENCODINGS[name] = enc
    return enc


def encode_ordinary(name: str, text: str) -> list[int]:
    """Token ids of ``text``, special-token-looking text encoded as ordinary text."""
    ids: list[int] = get_encoding(name).encode_ordinary(text)
    return ids


# ---------------------------------------------------------------------------------------------
# Cutting long texts where the pre-tokenizer breaks anyway
# ---------------------------------------------------------------------------------------------

_CUT = re.compile(r"[A-Za-z](?=[\t\n\r -&(-@\[-`{-~])")
"""An ASCII letter followed by an ASCII non-letter other than the apostrophe.

Why a cut after such a letter is exact for both encodings: a letter is only ever matched by the
letter alternatives of the two regexes (``...\\p{L}...`` runs, plus an optional contraction
suffix that starts with ``'``); such a run cannot continue past a character that is neither a
letter, a combining mark nor an apostrophe, so a piece ends right after the letter. The pieces
before the cut only ever look ahead one character through ``(?!\\S)`` / ``$`` in the whitespace
alternatives, which cannot end on a letter, so the prefix splits exactly as inside the whole
text; the regexes have no look-behind, so the suffix splits the same too. tiktoken encodes each
piece independently, hence count(text) = count(text[:cut]) + count(text[cut:]). The property
test in tests/tokens/test_tokenizers.py checks this on random texts.
"""

PIECE_CHARS: Final = 1 << 18
"""Target length of a piece of a long text (characters): big enough that per-call overhead
vanishes, small enough that the uint32 token buffer stays around a megabyte."""


def safe_cut(text: str, start: int, end: int | None = None) -> int | None:
    """First position ``p`` in ``[start, end)`` where ``text`` may be cut without changing its count.

    >>> safe_cut("hello world", 0)
    5
    >>> safe_cut("12345 ???", 0) is None
    True
    """
    m = _CUT.search(text, start, len(text) if end is None else end)
    return None if m is None else m.start() + 1


def last_safe_cut(text: str, start: int = 0, end: int | None = None, *, window: int = 1 << 16) -> int | None:
    """Last position in ``(start, end)`` where ``text`` may be cut, searching back in windows; or None.

    >>> last_safe_cut("one two three")
    7
    """
    stop = len(text) if end is None else end
    while stop > start:
        lo = max(start, stop - window)
        last = None
        for m in _CUT.finditer(text, lo, stop):
            last = m.start() + 1
        if last is not None:
            return last
        stop = lo
    return None


def split_points(text: str, piece_chars: int = PIECE_CHARS) -> list[int]:
    """Cut positions splitting ``text`` into pieces of about ``piece_chars`` (always 0 ... len)."""
    points = [0]
    n = len(text)
    while n - points[-1] > piece_chars:
        cut = safe_cut(text, points[-1] + piece_chars)
        if cut is None or cut >= n:
            break
        points.append(cut)
    points.append(n)
    return points


# ---------------------------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------------------------

N_THREADS: Final = max(1, min(8, os.cpu_count() or 1))
"""Worker threads for counting (one per core, at most 8)."""

_INLINE_CHARS: Final = 1 << 16
"""Below this many characters in a batch, threads cost more than they save."""

_NO_SPECIALS: Final[frozenset[str]] = frozenset()

_BYTES_PER_TOKEN_ID: Final = 4
"""tiktoken returns token ids as uint32."""


def _count_one(core: Any, text: str) -> int:
    # encode_to_tiktoken_buffer with no allowed specials encodes exactly like encode_ordinary
    # (tiktoken/src/py.rs), but returns a uint32 buffer built without holding the GIL.
    return (
        memoryview(core.encode_to_tiktoken_buffer(text, _NO_SPECIALS)).nbytes // _BYTES_PER_TOKEN_ID
        if text
        else 0
    )


def count_tokens(name: str, text: str) -> int:
    """Exact token count of one text (ordinary encoding), cutting very long texts into pieces.

    >>> count_tokens("o200k_base", "hello world")
    2
    >>> count_tokens("cl100k_base", "<|endoftext|>")
    7
    """
    return int(count_many(name, [text])[0])


def count_many(
    name: str,
    texts: Sequence[str],
    *,
    n_threads: int | None = None,
    piece_chars: int = PIECE_CHARS,
) -> npt.NDArray[np.int64]:
    """Exact token count of each text, on a thread pool.

    Returns:
        int64 array, one count per text (tokens of the ordinary encoding, no special tokens).

    >>> count_many("o200k_base", ["hello world", "", "hello"]).tolist()
    [2, 0, 1]
    """
    core = get_encoding(name)._core_bpe
    counts = np.zeros(len(texts), dtype=np.int64)
    # Work items: (owner index, start, end); long texts become several items.
    owners: list[int] = []
    spans: list[tuple[int, int]] = []
    total = 0
    for i, text in enumerate(texts):
        n = len(text)
        total += n
        if n > piece_chars:
            points = split_points(text, piece_chars)
            for a, b in itertools.pairwise(points):
                owners.append(i)
                spans.append((a, b))
        elif n:
            owners.append(i)
            spans.append((0, n))
    threads = N_THREADS if n_threads is None else max(1, n_threads)
    if threads == 1 or total < _INLINE_CHARS or (len(spans) == 1 and total <= piece_chars):
        for owner, (a, b) in zip(owners, spans, strict=True):
            text = texts[owner]
            counts[owner] += _count_one(core, text if (a == 0 and b == len(text)) else text[a:b])
        return counts
    # Balanced contiguous batches, several per thread so a slow batch does not idle the others.
    n_batches = threads * 4
    per_batch = max(1, total // n_batches)
    batches: list[tuple[int, int]] = []
    lo = acc = 0
    for k, (a, b) in enumerate(spans):
        acc += b - a
        if acc >= per_batch:
            batches.append((lo, k + 1))
            lo, acc = k + 1, 0
    if lo < len(spans):
        batches.append((lo, len(spans)))

    def work(batch: tuple[int, int]) -> list[int]:
        out = []
        for k in range(batch[0], batch[1]):
            text = texts[owners[k]]
            a, b = spans[k]
            out.append(_count_one(core, text if (a == 0 and b == len(text)) else text[a:b]))
        return out

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="tokens") as pool:
        results = list(pool.map(work, batches))
    piece_counts = np.fromiter((c for r in results for c in r), dtype=np.int64, count=len(spans))
    np.add.at(counts, np.asarray(owners, dtype=np.intp), piece_counts)
    return counts
