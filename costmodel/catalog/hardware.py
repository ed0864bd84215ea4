"""Hardware catalog kinds: GPU specs (``gpus``), GPU rental offers (``gpu_offers``), open-model architectures.

The loader's registry (:data:`costmodel.catalog.loader.CATALOG_KINDS`) imports these entry types.
Cross-entry rules the per-field schema cannot express (an offer's ``gpu`` must be a
known GPU, an offer id is ``provider/gpu``, KV heads divide attention heads) are checked by
:func:`check_hardware_catalog`; the lookups below raise :class:`InputError` with close-match
suggestions for unknown ids.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Literal

from costmodel.catalog.entry import ID_PATTERN, Catalogs, Entry
from costmodel.catalog.entry_rules import entry_problems
from costmodel.core.errors import InputError, Problem
from costmodel.core.schema import spec, suggest

GpuArchitecture = Literal["ampere", "ada", "hopper", "blackwell"]
Billing = Literal["per_hour", "per_minute", "per_second", "per_second_active"]

PARAMS_PER_BILLION = 1_000_000_000
"""Parameters in one billion (model sizes are quoted in billions)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class GpuSpec(Entry):
    """One GPU model's datasheet figures. TFLOPS are dense (never the 2:4-sparsity doubled figures)."""

    name: str
    architecture: GpuArchitecture
    memory_gb: float = field(metadata=spec(exclusive_min=True, unit="GB of device memory (decimal)"))
    memory_bandwidth_gb_per_s: float = field(metadata=spec(exclusive_min=True, unit="GB/s device memory"))
    bf16_dense_tflops: float = field(metadata=spec(exclusive_min=True, unit="TFLOP/s dense BF16/FP16 tensor"))
    fp8_dense_tflops: float | None = field(
        default=None, metadata=spec(exclusive_min=True, unit="TFLOP/s dense FP8 tensor (null: no FP8)")
    )
    int8_dense_tops: float | None = field(
        default=None, metadata=spec(exclusive_min=True, unit="TOP/s dense INT8 tensor (null: not published)")
    )
    interconnect: str = field(metadata=spec(help="GPU-to-GPU link, e.g. NVLink 4 or PCIe Gen4 x16"))
    interconnect_gb_per_s: float = field(
        metadata=spec(exclusive_min=True, unit="GB/s per GPU, bidirectional, as the vendor quotes it")
    )
    tdp_w: float | None = field(default=None, metadata=spec(exclusive_min=True, unit="W"))


@dataclass(frozen=True, slots=True, kw_only=True)
class GpuOffer(Entry):
    """A rental price for one GPU model at one provider; the id is ``provider/gpu``."""

    provider: str = field(metadata=spec(pattern=r"[a-z0-9][a-z0-9-]*"))
    gpu: str = field(metadata=spec(pattern=ID_PATTERN, help="id of an entry in gpus"))
    instance: str = field(metadata=spec(help="instance type or product name at the provider"))
    n_gpus: int = field(default=1, metadata=spec(min=1, unit="GPUs per rentable instance"))
    on_demand_usd_per_gpu_hour: float = field(metadata=spec(exclusive_min=True, unit="USD per GPU-hour"))
    spot_usd_per_gpu_hour: float | None = field(
        default=None, metadata=spec(exclusive_min=True, unit="USD per GPU-hour (interruptible)")
    )
    billing: Billing = field(
        default="per_hour",
        metadata=spec(help="billing granularity; per_second_active = serverless, idle is free"),
    )
    region: str | None = None

    @property
    def serverless(self) -> bool:
        """True when only busy seconds are billed (scale-to-zero endpoints)."""
        return self.billing == "per_second_active"


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenModel(Entry):
    """A dense open-weight transformer's architecture, as in its ``config.json``."""

    name: str
    n_params: int = field(metadata=spec(min=1, unit="parameters (total, incl. embeddings)"))
    n_layers: int = field(metadata=spec(min=1, unit="transformer blocks"))
    hidden_size: int = field(metadata=spec(min=1, unit="model width d"))
    n_heads: int = field(metadata=spec(min=1, unit="query attention heads"))
    n_kv_heads: int = field(metadata=spec(min=1, unit="key/value heads (GQA)"))
    head_dim: int = field(metadata=spec(min=1, unit="dimensions per head"))
    intermediate_size: int = field(metadata=spec(min=1, unit="MLP width"))
    vocab_size: int = field(metadata=spec(min=1, unit="tokens"))
    context_tokens: int = field(metadata=spec(min=1, unit="maximum context length"))
    tied_embeddings: bool = False

    @property
    def attention_width(self) -> int:
        """Width of the attention projections, ``n_heads * head_dim`` (differs from d for Gemma 2)."""
        return self.n_heads * self.head_dim


def model_param_count(m: OpenModel) -> int:
    """Parameters implied by a Llama-style architecture (gated MLP, biases and norms ignored).

    ``embeddings * (1 or 2) + layers * (q + k + v + o + 3 * d * ffn)``, with q and o of size
    ``d * heads * head_dim`` and k, v of size ``d * kv_heads * head_dim``. Used to cross-check the
    ``n_params`` written in the catalog; biases (Qwen) and norms add well under 0.1%.

    >>> m = OpenModel(id="x", source_url="https://x", as_of=__import__("datetime").date(2024, 1, 1),
    ...     name="Llama-2-7B", n_params=6738415616, n_layers=32, hidden_size=4096, n_heads=32,
    ...     n_kv_heads=32, head_dim=128, intermediate_size=11008, vocab_size=32000, context_tokens=4096)
    >>> model_param_count(m)
    6738149376
    """
    d = m.hidden_size
    attention = 2 * d * m.attention_width + 2 * d * m.n_kv_heads * m.head_dim
    mlp = 3 * d * m.intermediate_size
    embeddings = m.vocab_size * d * (1 if m.tied_embeddings else 2)
    return embeddings + m.n_layers * (attention + mlp)


def check_offer_rents(offer: GpuOffer | None, gpu: GpuSpec, *, source: str) -> None:
    """Raise InputError (field ``offer``) when an offer rents a different GPU than the one estimated."""
    if offer is not None and offer.gpu != gpu.id:
        raise InputError.single(source, "offer", f"offer {offer.id} rents {offer.gpu}, not {gpu.id}")


def check_hardware_catalog(catalogs: Catalogs, *, file: str = "pricing") -> list[Problem]:
    """Rules across entries: offer ids are ``provider/gpu``, offers name known GPUs, heads are consistent."""
    problems: list[Problem] = []

    def add(kind: str, entry_id: str, fld: str, message: str) -> None:
        origin = catalogs.origins.get((kind, entry_id), file)
        where, _, line = origin.rpartition(":")
        problems.append(
            Problem(
                file=where or origin,
                line=int(line) if line.isdigit() else None,
                field=f"{kind}.{entry_id}.{fld}",
                message=message,
            )
        )

    gpu_ids = [g.id for g in catalogs.all("gpus")]
    for offer in catalogs.all("gpu_offers"):
        if offer.gpu not in gpu_ids:
            add("gpu_offers", offer.id, "gpu", f"unknown gpus id {offer.gpu!r}{suggest(offer.gpu, gpu_ids)}")
        expected = f"{offer.provider}/{offer.gpu}"
        if offer.id != expected:
            add("gpu_offers", offer.id, "id", f"an offer id is provider/gpu: expected {expected!r}")
        for fld, message in entry_problems("gpu_offers", offer):  # the rules inline entries share
            add("gpu_offers", offer.id, fld, message)
    for m in catalogs.all("open_models"):
        for fld, message in entry_problems("open_models", m):
            add("open_models", m.id, fld, message)
    return problems


def get_model(
    catalogs: Catalogs, model_id: str, *, file: str, field: str, line: int | None = None
) -> OpenModel:
    """The open-model architecture with this id, or an InputError with suggestions."""
    found: OpenModel = catalogs.get("open_models", model_id, file=file, field=field, line=line)
    return found


def get_gpu_or_offer(
    catalogs: Catalogs, ref: str, *, file: str, field: str, line: int | None = None
) -> tuple[GpuSpec, GpuOffer | None]:
    """Resolve a GPU spec id or a GPU offer id to (spec, offer or None).

    An offer resolves to its GPU's spec; an unknown id raises InputError naming close matches
    among both specs and offers.
    """
    spec_entry = catalogs.find("gpus", ref)
    if isinstance(spec_entry, GpuSpec):
        return spec_entry, None
    offer = catalogs.find("gpu_offers", ref)
    if isinstance(offer, GpuOffer):
        gpu = catalogs.find("gpus", offer.gpu)
        if not isinstance(gpu, GpuSpec):
            raise InputError.single(file, field, f"offer {ref!r} names unknown gpus id {offer.gpu!r}", line)
        return gpu, offer
    known = [g.id for g in catalogs.all("gpus")] + [o.id for o in catalogs.all("gpu_offers")]
    containing = [k for k in known if ref.lower() in k][:4]
    hint = (
        suggest(ref, known)
        or (" (did you mean " + " or ".join(repr(k) for k in containing) + "?)" if containing else "")
        or f" (known GPUs: {', '.join(g.id for g in catalogs.all('gpus'))})"
    )
    raise InputError.single(file, field, f"unknown GPU or GPU offer id {ref!r}{hint}", line)


def get_offer(
    catalogs: Catalogs, offer_id: str, *, file: str, field: str, line: int | None = None
) -> tuple[GpuSpec, GpuOffer]:
    """A GPU offer and its GPU spec (InputError with suggestions when either is unknown)."""
    offer: GpuOffer = catalogs.get("gpu_offers", offer_id, file=file, field=field, line=line)
    gpu = catalogs.find("gpus", offer.gpu)
    if not isinstance(gpu, GpuSpec):
        raise InputError.single(file, field, f"offer {offer_id!r} names unknown gpus id {offer.gpu!r}", line)
    return gpu, offer


def offers_for_gpu(catalogs: Catalogs, gpu_id: str) -> list[GpuOffer]:
    """Every offer of one GPU model, cheapest on-demand first."""
    offers = [o for o in catalogs.all("gpu_offers") if o.gpu == gpu_id]
    return sorted(offers, key=lambda o: o.on_demand_usd_per_gpu_hour)


def model_for_params(catalogs: Catalogs, n_params: float) -> OpenModel:
    """A model of ``n_params`` parameters, borrowing the architecture of the closest catalog model.

    Layers, widths and heads (which set activation and KV-cache memory) come from the catalog model
    nearest in size; FLOPs and weight bytes use ``n_params``. The returned entry says so in ``notes``.
    """
    models: list[OpenModel] = catalogs.all("open_models")
    if not models:
        raise InputError.single("<catalog>", "open_models", "no open-model architectures in the catalogs")
    nearest = min(models, key=lambda m: abs(m.n_params - n_params))
    billions = n_params / PARAMS_PER_BILLION
    return dataclasses.replace(
        nearest,
        id=f"custom-{billions:g}b",
        name=f"{billions:g}B-parameter model (architecture of {nearest.name})",
        n_params=round(n_params),
        notes=f"layers, widths and heads borrowed from {nearest.id}, the catalog model closest in size",
    )
