"""GPU specs, GPU offers and open-model architectures: shipped entries, cross-references, malformed entries."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.hardware import (
    GpuOffer,
    GpuSpec,
    OpenModel,
    check_hardware_catalog,
    get_gpu_or_offer,
    get_model,
    get_offer,
    model_for_params,
    model_param_count,
    offers_for_gpu,
)
from costmodel.catalog.loader import default_catalogs, parse_catalog
from costmodel.core.errors import InputError

ROOT = Path(__file__).resolve().parents[2]

REQUIRED_GPUS = {
    "a10g-24gb",
    "l4-24gb",
    "l40s-48gb",
    "rtx-4090-24gb",
    "rtx-a6000-48gb",
    "a100-sxm-40gb",
    "a100-sxm-80gb",
    "h100-pcie-80gb",
    "h100-sxm-80gb",
    "h200-sxm-141gb",
    "b200-180gb",
}
REQUIRED_MODELS = {
    "llama-2-7b",
    "llama-2-13b",
    "llama-2-70b",
    "llama-3.1-8b",
    "llama-3.1-70b",
    "llama-3.3-70b",
    "mistral-7b",
    "qwen2.5-7b",
    "qwen2.5-72b",
    "gemma-2-9b",
}


@pytest.fixture(scope="module")
def cat() -> Catalogs:
    return default_catalogs()


def test_gpu_ids_are_exactly_the_issue_list(cat: Catalogs) -> None:
    assert {g.id for g in cat.all("gpus")} == REQUIRED_GPUS


def test_required_offers_and_models_exist(cat: Catalogs) -> None:
    offer_ids = {o.id for o in cat.all("gpu_offers")}
    assert {"lambda/h100-sxm-80gb", "aws/l40s-48gb"} <= offer_ids
    gpus_offered = {o.gpu for o in cat.all("gpu_offers")}
    assert gpus_offered & {"a100-sxm-40gb", "a100-sxm-80gb"}
    assert {"a10g-24gb", "l4-24gb"} <= gpus_offered
    assert {m.id for m in cat.all("open_models")} >= REQUIRED_MODELS


def test_cross_references_hold(cat: Catalogs) -> None:
    gpu_ids = {g.id for g in cat.all("gpus")}
    for offer in cat.all("gpu_offers"):
        assert offer.gpu in gpu_ids, offer.id
        assert offer.id == f"{offer.provider}/{offer.gpu}"
    assert check_hardware_catalog(cat) == []


@pytest.mark.parametrize("kind", ["gpus", "gpu_offers", "open_models"])
def test_every_entry_is_sourced_and_dated(cat: Catalogs, kind: str) -> None:
    entries = cat.all(kind)
    assert entries
    for e in entries:
        assert e.source_url.startswith("https://")
        assert e.as_of <= dt.date(2026, 11, 21)
        assert e.confidence in {"high", "medium", "low", "unverified", "assumption"}
        if e.confidence in {"low", "unverified"}:
            assert e.notes, f"{e.id}: a low-confidence figure must say why"


@pytest.mark.parametrize(
    ("gpu_id", "bf16", "fp8", "bandwidth", "memory"),
    [
        # Dense datasheet figures (NVIDIA's "with sparsity" numbers halved).
        ("h100-sxm-80gb", 989, 1979, 3350, 80),
        ("h100-pcie-80gb", 756, 1513, 2000, 80),
        ("a100-sxm-80gb", 312, None, 2039, 80),
        ("a100-sxm-40gb", 312, None, 1555, 40),
        ("l40s-48gb", 362.05, 733, 864, 48),
        ("l4-24gb", 121, 242.5, 300, 24),
        ("h200-sxm-141gb", 989, 1979, 4800, 141),
    ],
)
def test_gpu_figures_are_dense_datasheet_values(
    cat: Catalogs, gpu_id: str, bf16: float, fp8: float | None, bandwidth: float, memory: float
) -> None:
    g: GpuSpec = cat.find("gpus", gpu_id)
    assert (g.bf16_dense_tflops, g.fp8_dense_tflops, g.memory_bandwidth_gb_per_s, g.memory_gb) == (
        bf16,
        fp8,
        bandwidth,
        memory,
    )


def test_no_sparsity_doubled_fp8(cat: Catalogs) -> None:
    for g in cat.all("gpus"):
        if g.fp8_dense_tflops is not None:
            assert g.fp8_dense_tflops == pytest.approx(2 * g.bf16_dense_tflops, rel=0.02), g.id


def test_architecture_matches_stated_parameter_count(cat: Catalogs) -> None:
    """n_params (safetensors totals) agree with the config's shapes within 0.01% (biases and norms)."""
    for m in cat.all("open_models"):
        assert model_param_count(m) == pytest.approx(m.n_params, rel=1e-4), m.id
        assert m.n_heads % m.n_kv_heads == 0


def test_offers_for_gpu_sorted_by_price(cat: Catalogs) -> None:
    prices = [o.on_demand_usd_per_gpu_hour for o in offers_for_gpu(cat, "h100-sxm-80gb")]
    assert prices == sorted(prices) and len(prices) >= 3


def test_serverless_flag(cat: Catalogs) -> None:
    assert cat.find("gpu_offers", "modal/l4-24gb").serverless
    assert not cat.find("gpu_offers", "aws/l40s-48gb").serverless


def test_lookups_resolve_specs_and_offers(cat: Catalogs) -> None:
    gpu, offer = get_gpu_or_offer(cat, "aws/l40s-48gb", file="f", field="gpu")
    assert (gpu.id, offer.id if offer else None) == ("l40s-48gb", "aws/l40s-48gb")
    gpu, offer = get_gpu_or_offer(cat, "h100-sxm-80gb", file="f", field="gpu")
    assert (gpu.id, offer) == ("h100-sxm-80gb", None)
    gpu, offer2 = get_offer(cat, "lambda/h100-sxm-80gb", file="f", field="offer")
    assert isinstance(offer2, GpuOffer) and gpu.id == "h100-sxm-80gb"
    assert isinstance(get_model(cat, "gemma-2-9b", file="f", field="m"), OpenModel)


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda c: get_gpu_or_offer(c, "h100", file="f", field="--gpu"), "did you mean 'h100-pcie-80gb' or"),
        (lambda c: get_gpu_or_offer(c, "lambda/h100-sxm", file="f", field="--gpu"), "lambda/h100-sxm-80gb"),
        (lambda c: get_gpu_or_offer(c, "zzzz", file="f", field="--gpu"), "known GPUs"),
        (lambda c: get_model(c, "llama-3-8b", file="f", field="--base-model"), "llama-3.1-8b"),
        (lambda c: get_offer(c, "aws/l40s", file="f", field="offer"), "aws/l40s-48gb"),
    ],
)
def test_unknown_ids_suggest_close_matches(cat: Catalogs, call, expected: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as info:
        call(cat)
    assert expected in str(info.value)


def test_model_for_params_borrows_the_nearest_architecture(cat: Catalogs) -> None:
    m = model_for_params(cat, 6.8e9)
    assert m.n_params == 6_800_000_000
    assert m.id == "custom-6.8b"
    assert m.notes and "llama-2-7b" in m.notes  # 6.74B is the nearest catalog size
    assert model_for_params(cat, 7.2e9).notes == (
        "layers, widths and heads borrowed from mistral-7b, the catalog model closest in size"
    )
    assert model_for_params(cat, 65e9).n_layers == 80


GOOD_GPU = """
  - id: x-gpu
    name: X
    architecture: hopper
    memory_gb: 80
    memory_bandwidth_gb_per_s: 3000
    bf16_dense_tflops: 900
    interconnect: NVLink
    interconnect_gb_per_s: 900
    source_url: https://example.org/x
    as_of: 2026-01-01
"""


def _offer(**over: object) -> str:
    fields = {
        "id": "prov/x-gpu",
        "provider": "prov",
        "gpu": "x-gpu",
        "instance": "big",
        "on_demand_usd_per_gpu_hour": 2.0,
        "source_url": "https://example.org/p",
        "as_of": "2026-01-01",
    }
    fields.update(over)
    lines = [f"    {k}: {v}" for k, v in fields.items()]
    lines[0] = "  - " + lines[0].strip()
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("offer_yaml", "message"),
    [
        (_offer(gpu="x-gpuu", id="prov/x-gpuu"), "unknown gpus id 'x-gpuu' (did you mean 'x-gpu'?)"),
        (_offer(id="prov/other"), "expected 'prov/x-gpu'"),
        (_offer(spot_usd_per_gpu_hour=3.0), "spot price above the on-demand price"),
    ],
)
def test_cross_entry_problems_are_reported(offer_yaml: str, message: str) -> None:
    cat = parse_catalog("gpus:" + GOOD_GPU + "gpu_offers:\n" + offer_yaml, source="t.yaml")
    problems = check_hardware_catalog(cat)
    assert len(problems) == 1
    assert message in problems[0].message
    assert problems[0].file == "t.yaml" and problems[0].line is not None


@pytest.mark.parametrize(
    ("offer_yaml", "message"),
    [
        (_offer(on_demand_usd_per_gpu_hour=-1), "expected a number > 0"),
        (_offer(on_demand_usd_per_gpu_hour=0), "expected a number > 0"),
        (_offer(n_gpus=0), "expected a number >= 1"),
        (_offer(billing="per_day"), "expected one of per_hour"),
        (_offer(as_of="2999-01-01"), "is in the future"),
        (_offer(priice=1), "unknown key"),
        (_offer(gpu="X GPU"), "does not match the pattern"),
    ],
)
def test_malformed_offers_fail_with_file_line_field(offer_yaml: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_catalog("gpus:" + GOOD_GPU + "gpu_offers:\n" + offer_yaml, source="t.yaml")
    text = str(info.value)
    assert message in text and text.startswith("t.yaml:")


def test_inconsistent_heads_are_reported() -> None:
    doc = """
open_models:
  - id: bad
    name: Bad
    n_params: 1000
    n_layers: 2
    hidden_size: 64
    n_heads: 6
    n_kv_heads: 4
    head_dim: 8
    intermediate_size: 128
    vocab_size: 100
    context_tokens: 512
    source_url: https://example.org/m
    as_of: 2026-01-01
"""
    problems = check_hardware_catalog(parse_catalog(doc, source="m.yaml"))
    assert [p.field for p in problems] == ["open_models.bad.n_kv_heads"]


def test_importing_the_kinds_module_first_works() -> None:
    """costmodel.catalog imports catalog_hardware at its bottom; importing catalog_hardware first must not break."""
    code = (
        "from costmodel.catalog.hardware import GpuOffer; import costmodel.catalog as c; "
        "assert c.CATALOG_KINDS['gpu_offers'] is GpuOffer"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
