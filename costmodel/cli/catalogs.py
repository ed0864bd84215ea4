"""Subcommands ``offers`` (hosted fine-tuning offers and their lifecycles) and ``prices`` (which price
data runs use; ``update`` refreshes genai-prices' data online or from a file, ``reset`` goes back to the
bundled snapshot)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.lifecycle import lifecycle_status
from costmodel.catalog.loader import default_catalogs
from costmodel.catalog.price_data import (
    MAX_PRICE_DATA_BYTES,
    PUBLISHED_DATA_URL,
    current_price_data,
    fetch_published,
    refreshed_path,
    reset_price_data,
    store_price_data,
)
from costmodel.catalog.services import FinetuneOffer
from costmodel.cli.common import add_format_flag, emit
from costmodel.core.errors import InputError
from costmodel.scenario.calendar import today


def register(subparsers: Any) -> None:
    """Add ``offers`` and ``prices``."""
    p = subparsers.add_parser(
        "offers", help="list hosted fine-tuning offers with status, new-job and shutdown dates, sources"
    )
    p.add_argument("--search", metavar="TEXT", help="only offers whose id contains TEXT")
    add_format_flag(p)
    p.set_defaults(handler=_offers)

    p = subparsers.add_parser("prices", help="which price data runs use; refresh it (update) or reset it")
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    q = sub.add_parser("status", help="show the price data in use")
    add_format_flag(q)
    q.set_defaults(handler=_status)
    q = sub.add_parser(
        "update",
        help="fetch genai-prices' published data (needs the internet) or read it from --from FILE",
    )
    q.add_argument("--from", dest="from_file", metavar="FILE", help="a local copy of genai-prices' data.json")
    q.add_argument(
        "--url", default=PUBLISHED_DATA_URL, help="where to fetch from (default: genai-prices' own URL)"
    )
    add_format_flag(q)
    q.set_defaults(handler=_update)
    q = sub.add_parser("reset", help="forget refreshed data and use the bundled snapshot again")
    add_format_flag(q)
    q.set_defaults(handler=_reset)


def offer_rows(catalogs: Catalogs, on: dt.date, search: str | None = None) -> list[dict[str, Any]]:
    """One row per hosted fine-tuning offer (SCENARIO.md ``breakeven offers --format json``)."""
    rows: list[dict[str, Any]] = []
    for offer in catalogs.all("finetune_offers"):
        if not isinstance(offer, FinetuneOffer) or (search and search.lower() not in offer.id.lower()):
            continue
        st = lifecycle_status(catalogs, "finetune_offer", offer.id, on)
        status = st.status
        if st.new_jobs_until is not None and st.new_jobs_until < on and status == "active":
            status = "deprecated"
        rows.append(
            {
                "id": offer.id,
                "provider": offer.provider,
                "status": status,
                "new_jobs_until": st.new_jobs_until.isoformat() if st.new_jobs_until else None,
                "shutdown_on": st.shutdown_on.isoformat() if st.shutdown_on else None,
                "replacement": st.replacement,
                "training_usd_per_mtok": offer.training_usd_per_mtok,
                "input_usd_per_mtok": offer.input_usd_per_mtok,
                "output_usd_per_mtok": offer.output_usd_per_mtok,
                "hosting_usd_per_hour": offer.hosting_usd_per_hour,
                "as_of": offer.as_of.isoformat(),
                "source_url": offer.source_url,
                "confidence": offer.confidence,
            }
        )
    return rows


def _offers(args: argparse.Namespace) -> int:
    rows = offer_rows(default_catalogs(), today(), args.search)
    if args.format == "json":
        emit(rows, "json")
    else:
        emit(None, args.format, rows=rows, title=f"{len(rows)} hosted fine-tuning offers (USD per 1M tokens)")
    return 0


def _info_row() -> dict[str, Any]:
    _, info = current_price_data()
    return {**info.to_dict(), "refreshed_file": str(refreshed_path())}


def _status(args: argparse.Namespace) -> int:
    emit(_info_row(), args.format, title="Price data in use")
    return 0


def _update(args: argparse.Namespace) -> int:
    if args.from_file:
        path = Path(args.from_file)
        if not path.is_file():
            raise InputError.single(str(path), "--from", "not a regular file")
        if path.stat().st_size > MAX_PRICE_DATA_BYTES:
            raise InputError.single(str(path), "--from", f"larger than {MAX_PRICE_DATA_BYTES:,} bytes")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError.single(str(path), "--from", f"cannot read: {exc.strerror or exc}") from None
        info = store_price_data(data, source=str(path.resolve()))
    else:
        try:
            data = fetch_published(args.url)
        except (OSError, ValueError) as exc:
            raise InputError.single(
                "<network>",
                "--url",
                f"cannot fetch {args.url}: {exc}; offline, download it elsewhere and use --from FILE",
            ) from None
        info = store_price_data(data, source=args.url)
    emit({**info.to_dict(), "refreshed_file": str(refreshed_path())}, args.format, title="Price data updated")
    return 0


def _reset(args: argparse.Namespace) -> int:
    removed = reset_price_data()
    row = _info_row()
    emit(
        row,
        args.format,
        title="Refreshed price data removed" if removed else "No refreshed price data to remove",
    )
    return 0
