"""CPU bounds for hostile input (issue 17): what one crafted upload, catalog or link costs the server.

Run: ``python benchmarks/bench_hostile.py [--mb 2]``.

Prints the CPU seconds (``time.process_time``, this process only) of each case next to its
reference, and the ratio, with the target of the issue:

- sample text without spaces, and the same bytes as millions of tiny CSV rows, vs ordinary words
  of the same size: <= 3x (long runs are cut before BPE; rows beyond ``MAX_SAMPLES`` are refused
  early instead of being counted one by one);
- a catalog of the largest accepted size written as tiny entries: refused in about a second
  (``MAX_WRITTEN_NODES`` stops the parse) instead of 10-25 s;
- a FIFO and ``/dev/zero`` as a scenario path: refused in milliseconds (never read).

Inputs are generated deterministically in memory; nothing is timed in the test suite.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from costmodel.catalog.loader import parse_catalog
from costmodel.core.errors import InputError
from costmodel.core.files import read_regular
from costmodel.tokens.parsers import Upload
from costmodel.tokens.stats import count_uploads

BYTES_PER_MB = 1_000_000
TARGET_RATIO = 3.0


def cpu_seconds(action: Callable[[], object]) -> tuple[float, str]:
    """CPU seconds of ``action`` and how it ended (``ok`` or the start of the refusal)."""
    start = time.process_time()
    try:
        action()
        outcome = "ok"
    except InputError as exc:
        outcome = "refused: " + str(exc).split(": ", 2)[-1][:60]
    return time.process_time() - start, outcome


def count(name: str, data: bytes) -> Callable[[], object]:
    """Counting one upload with the o200k_base encoding (the Tokens page's path)."""
    return lambda: count_uploads([Upload(name=name, data=data)], ["o200k_base"])


def uploads(n_bytes: int) -> None:
    """Text without spaces and tiny rows vs ordinary words of the same size."""
    vocabulary = [
        "the",
        "fee",
        "for",
        "an",
        "international",
        "wire",
        "transfer",
        "account",
        "card",
        "limit",
        "statement",
        "refund",
        "dispute",
        "interest",
        "rate",
        "savings",
        "loan",
        "mortgage",
        "balance",
        "payment",
        "fraud",
        "alert",
        "branch",
        "customer",
        "support",
    ]
    state, out, size = 12345, [], 0
    while size < n_bytes:  # varied words (a repeated sentence would hit tiktoken's cache and flatter it)
        state = (state * 1103515245 + 12345) % 2**31
        word = vocabulary[state % len(vocabulary)] + ("." if state % 11 == 0 else "")
        out.append(word)
        size += len(word) + 1
    words = " ".join(out).encode()
    count("warm-up.txt", b"hello world")()  # load the tokenizer outside the timings
    reference, _ = cpu_seconds(count("words.txt", words))
    print(f"{'ordinary words':34s} {len(words):>11,} B {reference:7.2f} s  (reference)")
    cases = {
        "one run of 'a' (no spaces)": ("nospace.txt", b"a" * n_bytes),
        "random letters, no spaces": ("letters.txt", bytes(97 + (i * 7919) % 26 for i in range(n_bytes))),
        "tiny CSV rows": ("rows.csv", b"input\n" + b"a\n" * (n_bytes // 2)),
        "tiny JSONL rows": ("rows.jsonl", b'{"prompt":"a"}\n' * (n_bytes // 15)),
    }
    for label, (name, data) in cases.items():
        seconds, outcome = cpu_seconds(count(name, data))
        ratio = seconds / reference if reference else float("inf")
        verdict = "ok" if ratio <= TARGET_RATIO else "OVER"
        print(f"{label:34s} {len(data):>11,} B {seconds:7.2f} s  {ratio:4.1f}x [{verdict}]  {outcome}")


def catalog(n_bytes: int) -> None:
    """A catalog of tiny entries up to the byte limit: refused by parse cost, not after parsing all."""
    row = '  - {{id: c{i}, usd_per_example: 0.2, source_url: "https://e.org/l", as_of: 2026-01-01}}\n'
    n_rows = int(0.95 * n_bytes) // len(row.format(i=99_999))
    text = "labeling_rates:\n" + "".join(row.format(i=i) for i in range(n_rows))
    seconds, outcome = cpu_seconds(lambda: parse_catalog(text.encode(), source="big.yaml"))
    print(f"{'catalog of tiny entries':34s} {len(text):>11,} B {seconds:7.2f} s  {outcome}")


def special_files() -> None:
    """A FIFO (would block forever) and /dev/zero (endless) are refused before any read."""
    with tempfile.TemporaryDirectory() as folder:
        fifo = Path(folder) / "pipe.yaml"
        os.mkfifo(fifo)
        for label, path in (("FIFO as a scenario", fifo), ("/dev/zero as a scenario", Path("/dev/zero"))):
            seconds, outcome = cpu_seconds(lambda p=path: read_regular(p, max_bytes=256_000))
            print(f"{label:34s} {'':>13} {seconds * 1000:7.2f} ms {outcome}")


def main(argv: list[str] | None = None) -> int:
    """Run every case and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--mb", type=float, default=2.0, help="size of each upload and the catalog (MB)")
    args = parser.parse_args(argv)
    n_bytes = int(args.mb * BYTES_PER_MB)
    uploads(n_bytes)
    catalog(n_bytes)
    special_files()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
