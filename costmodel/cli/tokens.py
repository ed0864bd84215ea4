"""Subcommand ``tokens``: count the tokens of sample prompts per model (exact or estimated)."""

from __future__ import annotations

import argparse
from typing import Any

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.loader import default_catalogs
from costmodel.catalog.services import FinetuneOffer
from costmodel.cli.common import add_format_flag, emit, positive_number
from costmodel.core.errors import InputError, Problem
from costmodel.core.files import read_regular
from costmodel.core.units import BYTES_PER_MB
from costmodel.tokens.parsers import DEFAULT_MAX_UPLOAD_BYTES, ParseOptions, Upload
from costmodel.tokens.report import build_report, report_dict, report_rows
from costmodel.tokens.stats import training_cost
from costmodel.tokens.upload import over_limit_message

_ESCAPES = {"\\n": "\n", "\\t": "\t", "\\r": "\r", "\\\\": "\\"}


def register(subparsers: Any) -> None:
    """Add ``tokens``."""
    p = subparsers.add_parser(
        "tokens",
        help="count tokens of sample prompts (.txt .md .csv .tsv .jsonl .json) per model",
        description=(
            "Count the tokens of uploaded samples with each model's tokenizer: exact for OpenAI "
            "encodings (o200k_base, cl100k_base, offline), estimated with a dated ratio and range for "
            "other vendors. Nothing is written to disk."
        ),
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="sample files")
    p.add_argument("--model", action="append", required=True, metavar="M", help="model id (repeatable)")
    p.add_argument("--input-column", metavar="C", help="CSV column or JSON key holding the prompt")
    p.add_argument("--output-column", metavar="C", help="CSV column or JSON key holding the reply")
    p.add_argument(
        "--separator",
        metavar="S",
        help=r"split .txt/.md files into samples on S (escapes \n \t \r \\ understood), e.g. '\n---\n'",
    )
    p.add_argument(
        "--context-window-tokens",
        type=int,
        metavar="N",
        help="context window for the over-context share (default: each model's, where the price data knows it)",
    )
    p.add_argument("--epochs", type=float, metavar="N", help="fine-tuning epochs (with a training price)")
    p.add_argument("--training-usd-per-mtok", type=float, metavar="USD", help="training price per 1M tokens")
    p.add_argument(
        "--offer",
        metavar="ID",
        help="hosted fine-tuning offer id (costmodel/catalog/data/finetune_offers.yaml)",
    )
    p.add_argument(
        "--max-upload-mb",
        type=float,
        default=DEFAULT_MAX_UPLOAD_BYTES / BYTES_PER_MB,
        metavar="MB",
        help=f"largest file accepted (default {DEFAULT_MAX_UPLOAD_BYTES / BYTES_PER_MB:g} MB)",
    )
    add_format_flag(p)
    p.set_defaults(handler=run_tokens)


def unescape(text: str) -> str:
    r"""Turn ``\n``, ``\t``, ``\r`` and ``\\`` typed on a command line into the characters.

    >>> unescape(r"\n---\n")
    '\n---\n'
    """
    out = []
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        if pair in _ESCAPES:
            out.append(_ESCAPES[pair])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def read_uploads(paths: list[str], max_bytes: int) -> list[Upload]:
    """Read the files into memory, refusing any over ``max_bytes`` before reading it."""
    uploads = []
    problems: list[Problem] = []
    for path in paths:
        try:
            data = read_regular(
                path,
                max_bytes=max_bytes,
                too_big=lambda size, limit: over_limit_message(size, limit) + " (--max-upload-mb)",
            )
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        uploads.append(Upload(name=path, data=data))
    if problems:
        raise InputError(problems)
    return uploads


def _training_price(args: argparse.Namespace, catalogs: Catalogs) -> float | None:
    price = positive_number("--training-usd-per-mtok", args.training_usd_per_mtok, allow_zero=True)
    if args.offer is not None:
        if price is not None:
            raise InputError.single(
                "<command line>", "--offer", "give --offer or --training-usd-per-mtok, not both"
            )
        offer: FinetuneOffer = catalogs.get(
            "finetune_offers", args.offer, file="<command line>", field="--offer"
        )
        price = offer.training_usd_per_mtok
    return price


def run_tokens(args: argparse.Namespace) -> int:
    """Count, describe and print; return 0 (InputError for bad input)."""
    max_mb = positive_number("--max-upload-mb", args.max_upload_mb)
    assert max_mb is not None
    if args.context_window_tokens is not None and args.context_window_tokens < 1:
        raise InputError.single(
            "<command line>",
            "--context-window-tokens",
            f"expected a whole number >= 1, got {args.context_window_tokens}",
        )
    epochs = positive_number("--epochs", args.epochs)
    catalogs = default_catalogs()
    price = _training_price(args, catalogs)
    if (epochs is None) != (price is None):
        raise InputError.single(
            "<command line>",
            "--epochs" if epochs is None else "--training-usd-per-mtok",
            "a training cost needs both --epochs and a price (--training-usd-per-mtok or --offer)",
        )
    max_bytes = int(max_mb * BYTES_PER_MB)
    options = ParseOptions(
        input_column=args.input_column,
        output_column=args.output_column,
        separator=unescape(args.separator) if args.separator else None,
        max_bytes=max_bytes,
    )
    uploads = read_uploads(args.files, max_bytes)
    report = build_report(
        uploads, args.model, catalogs, options, context_window=args.context_window_tokens, field="--model"
    )
    data = report_dict(report)
    if epochs is not None and price is not None:
        for s in report.models:
            cost = training_cost(s, n_epochs=epochs, training_usd_per_mtok=price)
            data["models"][s.model]["training"] = {
                "n_examples": cost.n_examples,
                "n_epochs": cost.n_epochs,
                "training_usd_per_mtok": price,
                "training_tokens": cost.training_tokens,
                "training_usd": cost.training_usd,
                "low_training_usd": cost.low_training_usd,
                "high_training_usd": cost.high_training_usd,
            }
    rows = report_rows(report)
    if args.format == "json":
        emit(data, "json")
        return 0
    title = None
    if args.format == "table":
        files = ", ".join(f"{f.name} ({f.format}, {f.n_samples:,} samples)" for f in report.counted.files)
        title = f"{report.counted.n_samples:,} samples from {files}"
        for s in report.models:
            if "training" in data["models"][s.model]:
                t = data["models"][s.model]["training"]
                extra = (
                    "" if s.exact else f" (range {t['low_training_usd']:,.2f}-{t['high_training_usd']:,.2f})"
                )
                title += (
                    f"\n{s.model}: training {t['training_tokens']:,.0f} tokens "
                    f"({t['n_epochs']:g} epochs) = {t['training_usd']:,.2f} USD{extra}"
                )
        if not all(s.exact for s in report.models):
            title += "\nEstimated models: o200k_base counts x a dated ratio; see low/high totals."
    emit(data, args.format, rows=rows, title=title)
    return 0
