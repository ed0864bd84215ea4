"""Token counting speed and memory: the project's path vs raw tiktoken and a per-line loop.

Run: ``python benchmarks/bench_tokens.py [--mb 50] [--upload-mb 200] [--skip-speed|--skip-memory]``.

Prints MB/s for (1) the project's counting path (``costmodel.tokenizers.count_many`` over the
documents), (2) raw ``Encoding.encode_ordinary`` called once per document, sequentially (the
limit a single-threaded caller can reach), (3) a per-line ``len(enc.encode(line))`` loop (what
common token-counting scripts do), with the ratios; then the peak memory of parsing and counting a
JSONL upload and a single-document text upload of ``--upload-mb`` MB, each in a fresh process:
resident memory sampled while counting and Python allocations (tracemalloc), above the state before
counting; the ratio adds the upload bytes themselves. The corpus is generated deterministically in memory (seeded), never
written to disk. Targets (issue 4): path >= 0.9x raw, >= 1.8x per-line, peak <= 3x the upload.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from costmodel.tokens import tokenizers
from costmodel.tokens.parsers import ParseOptions, Upload
from costmodel.tokens.stats import count_uploads

_WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "was",
    "that",
    "for",
    "on",
    "with",
    "as",
    "by",
    "at",
    "from",
    "this",
    "be",
    "are",
    "it",
    "an",
    "have",
    "not",
    "or",
    "which",
    "but",
    "model",
    "request",
    "token",
    "price",
    "latency",
    "cost",
    "budget",
    "month",
    "volume",
    "answer",
    "customer",
    "support",
    "invoice",
    "payment",
    "account",
    "refund",
    "policy",
    "retrieval",
    "index",
    "vector",
    "embedding",
    "training",
    "example",
    "epoch",
    "dataset",
    "évaluation",
    "Straße",
    "naïve",
    "café",
    "déjà",
]
_IDENTIFIERS = [
    "value",
    "result",
    "items",
    "index",
    "total",
    "count",
    "name",
    "config",
    "data",
    "response",
    "request",
    "user",
]


def _prose(rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.randint(2, 12)):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 24))]
        words[0] = words[0].capitalize()
        if rng.random() < 0.2:
            words.insert(rng.randint(1, len(words) - 1), str(rng.randint(1, 99999)))
        sentences.append(" ".join(words) + rng.choice(".!?."))
    return " ".join(sentences)


def _code(rng: random.Random) -> str:
    lines = [f"def {rng.choice(_IDENTIFIERS)}_{rng.randint(0, 999)}(data, limit={rng.randint(1, 100)}):"]
    for _ in range(rng.randint(3, 30)):
        indent = "    " * rng.randint(1, 3)
        a, b = rng.choice(_IDENTIFIERS), rng.choice(_IDENTIFIERS)
        lines.append(
            rng.choice(
                [
                    f"{indent}{a} = {b}[{rng.randint(0, 9)}] + {rng.random():.3f}",
                    f"{indent}if {a} > {rng.randint(0, 500)}:",
                    f"{indent}for {a} in range(len({b})):",
                    f"{indent}return {{'{a}': {b}, 'ok': True}}",
                    f"{indent}# {' '.join(rng.choice(_WORDS) for _ in range(6))}",
                ]
            )
        )
    return "\n".join(lines)


def _json(rng: random.Random) -> str:
    record = {
        "id": rng.randint(1, 10**9),
        "customer": {"name": rng.choice(_WORDS).title(), "tier": rng.choice(["free", "pro", "team"])},
        "amount_usd": round(rng.random() * 1000, 2),
        "tags": [rng.choice(_WORDS) for _ in range(rng.randint(0, 6))],
        "note": " ".join(rng.choice(_WORDS) for _ in range(rng.randint(0, 20))),
    }
    return json.dumps(record, indent=rng.choice([None, 2]), ensure_ascii=False)


def make_corpus(total_chars: int, seed: int = 7) -> list[str]:
    """Mixed documents (prose, code, JSON) of about ``total_chars`` characters, deterministic."""
    rng = random.Random(seed)
    makers: list[Callable[[random.Random], str]] = [_prose, _prose, _code, _json]
    docs: list[str] = []
    size = 0
    while size < total_chars:
        doc = rng.choice(makers)(rng)
        docs.append(doc)
        size += len(doc)
    return docs


def _rates(n_bytes: int, methods: dict[str, Callable[[], int]], repeat: int) -> dict[str, tuple[float, int]]:
    """Best MB/s of each method over ``repeat`` interleaved rounds (so a load change on the machine
    hits every method alike), and each method's token total."""
    best = dict.fromkeys(methods, float("inf"))
    totals = dict.fromkeys(methods, 0)
    for _ in range(repeat):
        for label, fn in methods.items():
            start = time.perf_counter()
            totals[label] = fn()
            best[label] = min(best[label], time.perf_counter() - start)
    out = {}
    for label in methods:
        mb_per_s = n_bytes / 1e6 / best[label]
        print(
            f"  {label:<44} {mb_per_s:8.2f} MB/s  ({totals[label]:,} tokens, best of {repeat}: {best[label]:.2f} s)"
        )
        out[label] = (mb_per_s, totals[label])
    return out


def _rss_bytes() -> int:
    """Resident set size of this process now (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _make_upload(kind: str, size_bytes: int, encoding: str) -> Upload:
    """A deterministic upload of about ``size_bytes``: JSONL prompt/completion rows, or one long text."""
    docs = make_corpus(2_000_000, seed=11)
    rng = random.Random(11)
    if kind == "jsonl":
        rows: list[bytes] = []
        size = 0
        while size < size_bytes:
            row = {
                "prompt": docs[rng.randrange(len(docs))],
                "completion": docs[rng.randrange(len(docs))][:400],
            }
            rows.append(json.dumps(row, ensure_ascii=False).encode("utf-8"))
            size += len(rows[-1]) + 1
        return Upload(name="upload.jsonl", data=b"\n".join(rows))
    block = "\n\n".join(docs).encode("utf-8")
    data = (block * (1 + size_bytes // len(block)))[:size_bytes]
    return Upload(name="upload.txt", data=data.decode("utf-8", "ignore").encode("utf-8"))


def memory_child(kind: str, upload_mb: float, encoding: str) -> dict[str, float]:
    """Count one upload in this (fresh) process; peak memory above the state before counting."""
    tokenizers.get_encoding(encoding)
    upload = _make_upload(kind, int(upload_mb * 1e6), encoding)
    options = ParseOptions(max_bytes=len(upload.data))
    gc.collect()
    baseline = _rss_bytes()
    peak_rss = baseline
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_rss
        while not done.is_set():
            peak_rss = max(peak_rss, _rss_bytes())
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    counted = count_uploads([upload], [encoding], options)
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    tracemalloc.start()
    count_uploads([upload], [encoding], options)
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "upload_bytes": len(upload.data),
        "n_samples": counted.n_samples,
        "seconds": elapsed,
        "rss_peak_above_bytes": peak_rss - baseline,
        "traced_peak_bytes": traced,
    }


def _peak(kind: str, upload_mb: float, encoding: str) -> float:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--memory-child",
            kind,
            "--upload-mb",
            str(upload_mb),
            "--encoding",
            encoding,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    r = json.loads(out.stdout)
    size = r["upload_bytes"]
    worst = max(r["rss_peak_above_bytes"], r["traced_peak_bytes"])
    print(
        f"  {kind:<6} {size / 1e6:7.1f} MB upload, {r['n_samples']:,} samples, {r['seconds']:.1f} s: "
        f"peak RSS above the state before counting {r['rss_peak_above_bytes'] / 1e6:7.1f} MB "
        f"({r['rss_peak_above_bytes'] / size:.2f}x), Python allocations (tracemalloc) "
        f"{r['traced_peak_bytes'] / 1e6:7.1f} MB ({r['traced_peak_bytes'] / size:.2f}x); "
        f"with the upload itself {(worst + size) / size:.2f}x"
    )
    return (worst + size) / size


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0, help="corpus size for the speed test (MB)")
    parser.add_argument("--upload-mb", type=float, default=200.0, help="upload size for the memory test (MB)")
    parser.add_argument("--encoding", default="o200k_base", choices=tokenizers.ENCODING_NAMES)
    parser.add_argument(
        "--repeat", type=int, default=5, help="interleaved rounds of the speed test (best kept)"
    )
    parser.add_argument("--skip-speed", action="store_true", help="only the memory test")
    parser.add_argument("--skip-memory", action="store_true", help="only the speed test")
    parser.add_argument("--memory-child", choices=["jsonl", "txt"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        print(json.dumps(memory_child(args.memory_child, args.upload_mb, args.encoding)))
        return 0
    if not args.skip_speed:
        speed(args.mb, args.encoding, args.repeat)
    if not args.skip_memory:
        print(f"peak memory of counting a {args.upload_mb:g} MB upload (each in a fresh process):")
        worst = max(_peak(kind, args.upload_mb, args.encoding) for kind in ("jsonl", "txt"))
        print(f"  worst: {worst:.2f}x the upload size, upload included (target <= 3x)")
    return 0


def speed(mb: float, encoding: str, repeat: int = 5) -> None:
    """MB/s of the project path, raw encode_ordinary and a per-line loop over the same corpus."""
    enc = tokenizers.get_encoding(encoding)
    docs = make_corpus(int(mb * 1e6))
    n_bytes = sum(len(d.encode("utf-8")) for d in docs)
    lines = [line for d in docs for line in d.splitlines()]
    print(
        f"corpus: {n_bytes / 1e6:.1f} MB, {len(docs):,} documents, {len(lines):,} lines, "
        f"encoding {encoding}, {tokenizers.N_THREADS} counting threads"
    )
    ours, raw, per_line = (
        "project path: count_many(documents)",
        "raw: len(enc.encode_ordinary(doc)) per doc",
        "per-line: len(enc.encode(line)) per line",
    )
    rates = _rates(
        n_bytes,
        {
            ours: lambda: int(tokenizers.count_many(encoding, docs).sum()),
            raw: lambda: sum(len(enc.encode_ordinary(d)) for d in docs),
            per_line: lambda: sum(len(enc.encode(line)) for line in lines),
        },
        repeat,
    )
    assert rates[ours][1] == rates[raw][1], "the project path must count exactly what encode_ordinary counts"
    print(f"  ratio project/raw      = {rates[ours][0] / rates[raw][0]:.2f}x (target >= 0.9x)")
    print(f"  ratio project/per-line = {rates[ours][0] / rates[per_line][0]:.2f}x (target >= 1.8x)")


if __name__ == "__main__":
    raise SystemExit(main())
