"""Model and offer lifecycles, prompt-caching minimums and reasoning defaults (catalog kinds).

``lifecycle`` entries say when a hosted model, embedding model or fine-tuning offer is deprecated,
stops taking new fine-tuning jobs and shuts down, and what the vendor names as its replacement
(SCENARIO.md "Version 1 additions (lifecycle)"). Unknown lifecycle means "no announced shutdown":
:func:`lifecycle_status` says so and never guesses. genai-prices' own ``deprecated`` flag is the
fallback status for models with no entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from costmodel.catalog.entry import Catalogs, Entry
from costmodel.catalog.prices import genai_deprecated
from costmodel.catalog.services import FinetuneOffer
from costmodel.core.schema import spec

Subject = Literal["model", "embedding_model", "finetune_offer"]
Status = Literal["active", "deprecated", "retired"]


@dataclass(frozen=True, slots=True, kw_only=True)
class LifecycleEntry(Entry):
    """Announced lifecycle dates of one model, embedding model or hosted fine-tuning offer (``lifecycle``).

    ``id`` is the model id (``provider/model``), embedding model id or offer id it describes.
    """

    subject: Subject = field(
        metadata=spec(help="what the id names: model, embedding_model or finetune_offer")
    )
    deprecated_on: dt.date | None = field(
        default=None, metadata=spec(help="date the vendor announced or applied the deprecation")
    )
    new_jobs_until: dt.date | None = field(
        default=None, metadata=spec(help="fine-tuning offers: last day new training jobs can start")
    )
    shutdown_on: dt.date | None = field(
        default=None, metadata=spec(help="first day the model or offer is no longer served")
    )
    replacement: str | None = field(
        default=None, metadata=spec(help="id the vendor names as the replacement (null: none named)")
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class PromptCaching(Entry):
    """Prompt caching rules of a provider or one model (``prompt_caching``; a model id wins over its provider).

    A prefix shorter than ``min_cached_prefix_tokens`` is never cached: every token is billed at the
    input price whatever ``cache_hit_fraction`` says.
    """

    min_cached_prefix_tokens: int = field(
        metadata=spec(unit="tokens", help="shortest prefix the provider caches")
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ReasoningProfile(Entry):
    """Whether a hosted model reasons by default and how many reasoning tokens a request typically adds
    (``reasoning``; billed as output tokens)."""

    reasons_by_default: bool
    typical_reasoning_tokens_per_request: float = field(
        default=0.0, metadata=spec(unit="tokens per request at the default effort")
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class LifecycleEvent:
    """One lifecycle event inside the horizon (SCENARIO.md ``lifecycle_events``)."""

    month: int
    date: dt.date
    kind: str
    """``shutdown``, ``new_jobs_end`` or ``deprecated``."""
    subject: str
    replacement: str | None
    one_off_usd: float
    source_url: str | None

    def to_dict(self) -> dict[str, object]:
        """Plain data in the JSON contract's shape."""
        return {
            "month": self.month,
            "date": self.date.isoformat(),
            "kind": self.kind,
            "subject": self.subject,
            "replacement": self.replacement,
            "one_off_usd": self.one_off_usd,
            "source_url": self.source_url,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class LifecycleStatus:
    """The lifecycle of one id on a given date, with where it comes from."""

    id: str
    subject: Subject
    status: Status
    basis: str
    """Human-readable origin: the catalog entry, the offer's shutdown date, genai-prices' flag, or none."""
    deprecated_on: dt.date | None = None
    new_jobs_until: dt.date | None = None
    shutdown_on: dt.date | None = None
    replacement: str | None = None
    source_url: str | None = None
    as_of: dt.date | None = None


def lifecycle_status(catalogs: Catalogs, subject: Subject, entry_id: str, on: dt.date) -> LifecycleStatus:
    """Status of ``entry_id`` on date ``on``: ``retired`` from ``shutdown_on``, ``deprecated`` from
    ``deprecated_on`` (or genai-prices' flag), else ``active``.

    A ``lifecycle`` entry wins; a fine-tuning offer's own ``shutdown_date`` is the next source; for
    models, genai-prices' ``deprecated`` flag gives a status without dates. No source: active, "no
    announced shutdown".
    """
    entry = catalogs.find("lifecycle", entry_id)
    if isinstance(entry, LifecycleEntry) and entry.subject == subject:
        return LifecycleStatus(
            id=entry_id,
            subject=subject,
            status=_status(on, entry.deprecated_on, entry.shutdown_on),
            deprecated_on=entry.deprecated_on,
            new_jobs_until=entry.new_jobs_until,
            shutdown_on=entry.shutdown_on,
            replacement=entry.replacement,
            source_url=entry.source_url,
            as_of=entry.as_of,
            basis=f"lifecycle catalog ({catalogs.origins.get(('lifecycle', entry_id), 'inline')})",
        )
    if subject == "finetune_offer":
        offer = catalogs.find("finetune_offers", entry_id)
        if isinstance(offer, FinetuneOffer) and offer.shutdown_date is not None:
            return LifecycleStatus(
                id=entry_id,
                subject=subject,
                status=_status(on, None, offer.shutdown_date),
                shutdown_on=offer.shutdown_date,
                source_url=offer.source_url,
                as_of=offer.as_of,
                basis="the offer's shutdown_date",
            )
    elif genai_deprecated(entry_id):
        return LifecycleStatus(
            id=entry_id,
            subject=subject,
            status="deprecated",
            basis="genai-prices marks it deprecated (no dates known)",
        )
    return LifecycleStatus(id=entry_id, subject=subject, status="active", basis="no announced shutdown")


def _status(on: dt.date, deprecated_on: dt.date | None, shutdown_on: dt.date | None) -> Status:
    if shutdown_on is not None and shutdown_on <= on:
        return "retired"
    if deprecated_on is not None and deprecated_on <= on:
        return "deprecated"
    return "active"


def min_cached_prefix_tokens(catalogs: Catalogs, model_ref: str | None) -> PromptCaching | None:
    """The caching rule for a ``provider/model`` id: the model's own entry, else its provider's, else None."""
    if not model_ref:
        return None
    found = catalogs.find("prompt_caching", model_ref)
    if isinstance(found, PromptCaching):
        return found
    provider = catalogs.find("prompt_caching", model_ref.split("/", 1)[0])
    return provider if isinstance(provider, PromptCaching) else None


def reasoning_profile(catalogs: Catalogs, model_ref: str | None) -> ReasoningProfile | None:
    """The reasoning default of a ``provider/model`` id, or None when the catalog does not know it."""
    if not model_ref:
        return None
    found = catalogs.find("reasoning", model_ref)
    return found if isinstance(found, ReasoningProfile) else None
