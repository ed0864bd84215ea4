"""Serving estimator: KV cache and weights by hand, roofline times, batch choice, replicas, costs, properties."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from costmodel.catalog.loader import default_catalogs
from costmodel.core.errors import InputError
from costmodel.gpu.roofline import (
    allreduce_s,
    decode_step_s,
    kv_cache_bytes_per_token,
    peak_tflops,
    serving_weight_bytes,
)
from costmodel.gpu.serving import (
    ServingInputs,
    estimate_serving,
    max_batch_size,
    min_gpus_to_serve,
    request_timings,
    roofline,
)
from costmodel.gpu.serving_cost import dedicated_monthly_usd, replicas_for_demand, serverless_usd_per_request

CAT = default_catalogs()
M8B = CAT.find("open_models", "llama-3.1-8b")
N_8B = 8_030_261_248
EMB_8B = 128_256 * 4096 * 2  # input embeddings + untied LM head
L40S = CAT.find("gpus", "l40s-48gb")
H100 = CAT.find("gpus", "h100-sxm-80gb")
A100 = CAT.find("gpus", "a100-sxm-80gb")


def cfg(**over: object) -> ServingInputs:
    base: dict[str, object] = {"model": M8B, "gpu": L40S, "input_tokens": 300.0, "output_tokens": 300.0}
    base.update(over)
    return ServingInputs(**base)  # type: ignore[arg-type]


# --- exact building blocks -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "kv_bytes", "expected"),
    [
        ("llama-2-70b", 2.0, 327_680),  # 2 x 80 layers x 8 KV heads x 128 x 2 bytes (Cursor: "320 KB")
        ("llama-2-13b", 2.0, 819_200),  # 2 x 40 x 40 x 128 x 2 (llm-numbers: "~1 MB per token")
        ("llama-3.1-8b", 2.0, 131_072),
        ("llama-3.1-8b", 1.0, 65_536),
        ("gemma-2-9b", 2.0, 2 * 42 * 8 * 256 * 2),
    ],
)
def test_kv_cache_bytes_per_token(model_id: str, kv_bytes: float, expected: int) -> None:
    assert kv_cache_bytes_per_token(CAT.find("open_models", model_id), kv_bytes) == expected


def test_weight_bytes_by_precision() -> None:
    assert serving_weight_bytes(M8B, "bf16") == 2 * N_8B
    assert serving_weight_bytes(M8B, "fp8") == (N_8B - EMB_8B) + 2 * EMB_8B == 9_080_934_400
    assert serving_weight_bytes(M8B, "int8") == serving_weight_bytes(M8B, "fp8")
    # AWQ/GPTQ int4: 4 bits + fp16 scale and 4-bit zero per group of 128 weights.
    assert serving_weight_bytes(M8B, "int4") == pytest.approx(
        (0.5 + 2.5 / 128) * (N_8B - EMB_8B) + 2 * EMB_8B
    )


@pytest.mark.parametrize(
    ("gpu_id", "precision", "expected"),
    [
        ("h100-sxm-80gb", "fp8", 1979),
        ("a100-sxm-80gb", "fp8", 312),  # no FP8 tensor cores: weight-only FP8 at BF16 speed
        ("a100-sxm-80gb", "int8", 624),
        ("a10g-24gb", "int8", 140),
        ("h100-sxm-80gb", "int4", 989),  # W4A16: math in 16-bit
        ("rtx-a6000-48gb", "bf16", 154.8),
    ],
)
def test_peak_by_precision(gpu_id: str, precision, expected: float) -> None:  # type: ignore[no-untyped-def]
    assert peak_tflops(CAT.find("gpus", gpu_id), precision) == expected


def test_kv_precision_follows_fp8_weights_unless_set() -> None:
    assert cfg(precision="fp8").kv_bytes == 1.0
    assert cfg(precision="int4").kv_bytes == 2.0
    assert cfg(precision="fp8", kv_precision="bf16").kv_bytes == 2.0


def test_max_batch_by_hand() -> None:
    """0.9 x 48 GB minus 16.06 GB of weights, over 131,072 bytes x 600 tokens per request = 345.09."""
    free = 0.9 * 48e9 - 2 * N_8B
    assert free / (131_072 * 600) == pytest.approx(345.09, abs=0.01)
    assert max_batch_size(cfg()) == 345


def test_decode_at_batch_one_is_bandwidth_bound() -> None:
    """(weights + KV of 450 context tokens) / (864 GB/s x 0.8) = 23.32 ms."""
    r = roofline(cfg())
    expected = (2 * N_8B + 131_072 * 450) / (864e9 * 0.8)
    assert float(decode_step_s(r, 1, 450)[()]) == pytest.approx(expected)
    assert expected == pytest.approx(0.023321, abs=1e-6)


def test_prefill_is_compute_bound() -> None:
    """2·N·L + 2·n_layers·w·L² FLOPs (causal half of L²) at 362.05 TFLOPS x 0.5: 26.75 ms for 300 tokens."""
    flops = 2 * N_8B * 300 + 2 * 32 * 4096 * 300**2
    est = estimate_serving(cfg(batch_size=1))
    assert est.ttft_ms == pytest.approx(flops / (362.05e12 * 0.5) * 1000)
    assert est.ttft_ms == pytest.approx(26.746, abs=1e-3)


def test_decode_turns_compute_bound_at_large_batch() -> None:
    r = roofline(cfg(gpu=H100, precision="fp8", input_tokens=128.0, output_tokens=128.0))
    small, big = decode_step_s(r, np.array([1.0, 4000.0]), 192)
    assert small == pytest.approx((r.weight_bytes + r.kv_bytes_per_token * 192) / r.bytes_per_s)
    assert big == pytest.approx(4000 * (2 * N_8B + 4 * 32 * 4096 * 192) / r.flops_per_s)


def test_tensor_parallel_allreduce_by_hand() -> None:
    """Two ring all-reduces per layer of B·d bf16 values: 2·(tp-1)/tp x bytes over half the NVLink figure."""
    r = roofline(cfg(gpu=H100, n_gpus=2))
    per = 2 * (2 - 1) / 2 * 64 * 4096 * 2
    assert float(allreduce_s(r, 64)[()]) == pytest.approx(2 * 32 * per / (900e9 / 2))
    assert float(allreduce_s(roofline(cfg(gpu=H100)), 64)[()]) == 0.0


def test_usd_per_mtok_formula() -> None:
    offer = CAT.find("gpu_offers", "aws/l40s-48gb")
    est = estimate_serving(cfg(offer=offer))
    assert est.usd_per_mtok_output == pytest.approx(1.861 / 3600 / est.output_tokens_per_s * 1e6)
    assert estimate_serving(cfg()).usd_per_mtok_output is None


def test_memory_reported_per_gpu() -> None:
    one = estimate_serving(cfg(gpu=H100, batch_size=8))
    two = estimate_serving(cfg(gpu=H100, n_gpus=2, batch_size=8))
    assert one.memory.weights_gb == pytest.approx(2 * N_8B / 1e9)
    assert one.memory.kv_cache_gb == pytest.approx(8 * 131_072 * 600 / 1e9)
    assert two.memory_gb_per_gpu == pytest.approx(one.memory_gb_per_gpu / 2)


# --- batch choice and errors --------------------------------------------------------------------


def test_batch_max_and_latency_budget() -> None:
    full = estimate_serving(cfg())
    assert full.batch_size == full.max_batch_size == 345
    budget = estimate_serving(cfg(latency_budget_ms=12_000))
    assert budget.end_to_end_ms <= 12_000
    assert budget.batch_size < 345
    above = request_timings(cfg(), np.array([budget.batch_size + 1.0]))["end_to_end_ms"][0]
    assert above > 12_000


@pytest.mark.parametrize(
    ("inputs", "field", "text"),
    [
        (lambda: cfg(batch_size=346), "batch_size", "the largest that fits is 345"),
        (
            lambda: cfg(model=CAT.find("open_models", "llama-3.1-70b")),
            "n_gpus",
            "it needs 4 GPUs in tensor parallel",
        ),
        (
            lambda: cfg(
                model=CAT.find("open_models", "qwen2.5-72b"),
                gpu=CAT.find("gpus", "l4-24gb"),
                input_tokens=120_000.0,
            ),
            "n_gpus",
            "use bigger GPUs or a lower precision",
        ),
        (lambda: cfg(latency_budget_ms=50.0), "latency_budget_ms", "even one request at a time takes"),
    ],
)
def test_what_does_not_fit_says_what_would(inputs, field: str, text: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as info:
        estimate_serving(inputs())
    assert [p.field for p in info.value.problems] == [field]
    assert text in str(info.value)


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"n_gpus": 0}, "n_gpus"),
        ({"batch_size": 0}, "batch_size"),
        ({"input_tokens": 0.0}, "input_tokens"),
        ({"output_tokens": -3.0}, "output_tokens"),
        ({"output_tokens": math.nan}, "output_tokens"),
        ({"mfu_fraction": 0.0}, "mfu_fraction"),
        ({"mbu_fraction": 1.5}, "mbu_fraction"),
        ({"memory_utilization_fraction": 0.0}, "memory_utilization_fraction"),
        ({"latency_budget_ms": -1.0}, "latency_budget_ms"),
        ({"input_tokens": 200_000.0}, "input_tokens"),
        ({"offer": CAT.find("gpu_offers", "aws/l4-24gb")}, "offer"),
    ],
)
def test_bad_inputs_name_the_field(over: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as info:
        cfg(**over)
    assert [p.field for p in info.value.problems] == [field]


def test_min_gpus_to_serve() -> None:
    assert min_gpus_to_serve(cfg()) == 1
    assert min_gpus_to_serve(cfg(model=CAT.find("open_models", "llama-3.1-70b"))) == 4
    assert min_gpus_to_serve(cfg(model=CAT.find("open_models", "llama-3.1-70b"), precision="int4")) == 1


# --- replicas and monthly cost --------------------------------------------------------------------


def test_replicas_at_the_step_boundary() -> None:
    """Capacity 1 req/s, peak x3: 876,000 requests/month is exactly 1 req/s at peak -> 1 replica; one more -> 2."""
    boundary = 730 * 3600 / 3
    got = replicas_for_demand(
        [boundary, boundary + 1, 2 * boundary, 0.0], peak_to_mean_ratio=3, requests_per_s_per_replica=1
    )
    assert got.tolist() == [1, 2, 2, 1]
    assert got.dtype == np.int64
    assert replicas_for_demand(
        [0.0], peak_to_mean_ratio=3, requests_per_s_per_replica=1, min_replicas=0
    ).tolist() == [0]


def test_replicas_are_vectorised_over_sweeps_and_months() -> None:
    demand = np.outer(np.linspace(1e4, 1e8, 50), 1.05 ** np.arange(24))
    got = replicas_for_demand(demand, peak_to_mean_ratio=3, requests_per_s_per_replica=2.5)
    assert got.shape == (50, 24)
    expected = np.maximum(1, np.ceil(demand / (730 * 3600) * 3 / 2.5))
    assert np.array_equal(got, expected)


def test_dedicated_cost_bills_every_hour_of_whole_instances() -> None:
    l40s = CAT.find("gpu_offers", "aws/l40s-48gb")
    p5 = CAT.find("gpu_offers", "aws/h100-sxm-80gb")
    assert dedicated_monthly_usd([1, 3], n_gpus_per_replica=1, offer=l40s).tolist() == pytest.approx(
        [1.861 * 730, 3 * 1.861 * 730]
    )
    # p5.48xlarge comes with 8 GPUs: 1 to 8 single-GPU replicas cost the same, the 9th needs a second instance.
    costs = dedicated_monthly_usd([1, 8, 9], n_gpus_per_replica=1, offer=p5)
    assert costs.tolist() == pytest.approx([8 * 6.88 * 730, 8 * 6.88 * 730, 16 * 6.88 * 730])


def test_serverless_cost_per_request() -> None:
    modal = CAT.find("gpu_offers", "modal/l40s-48gb")
    i = cfg(offer=modal)
    volumes = np.array([10.0, 1e4, 1e6, 1e8])
    per_request = serverless_usd_per_request(i, volumes)
    one = request_timings(i, np.array([1.0]))["end_to_end_ms"][0] / 1000
    assert per_request[0] == pytest.approx(1.9512 / 3600 * one)  # a lone request pays its own GPU time
    assert np.all(np.diff(per_request) <= 1e-15)  # batching only gets cheaper with volume
    with pytest.raises(InputError):
        serverless_usd_per_request(cfg(), volumes)


# --- properties --------------------------------------------------------------------------------

MODELS = CAT.all("open_models")
GPUS = CAT.all("gpus")


@st.composite
def configs(draw: st.DrawFn) -> ServingInputs:
    model = draw(st.sampled_from(MODELS))
    i = draw(st.integers(1, 8000))
    o = draw(st.integers(1, 2000))
    return ServingInputs(
        model=model,
        gpu=draw(st.sampled_from(GPUS)),
        n_gpus=draw(st.sampled_from([1, 2, 4, 8])),
        precision=draw(st.sampled_from(["bf16", "fp8", "int8", "int4"])),
        input_tokens=float(min(i, model.context_tokens - o)),
        output_tokens=float(o),
        mfu_fraction=draw(st.floats(0.05, 1.0)),
        mbu_fraction=draw(st.floats(0.05, 1.0)),
    )


@given(configs())
def test_larger_batch_never_lowers_throughput_until_memory_runs_out(i: ServingInputs) -> None:
    largest = max_batch_size(i)
    if largest < 1:
        with pytest.raises(InputError):
            estimate_serving(i)
        return
    b = np.arange(1, min(largest, 2000) + 1, dtype=np.float64)
    t = request_timings(i, b)
    tokens = t["output_tokens_per_s"]
    assert np.all(np.diff(tokens) >= -1e-9 * tokens[1:])
    assert np.all(np.diff(t["time_per_output_token_ms"]) >= -1e-9)
    assert np.ptp(t["ttft_ms"]) == 0.0  # a request's own prefill does not depend on the batch
    for arr in t.values():
        assert np.all(np.isfinite(arr)) and np.all(arr > 0)
    with pytest.raises(InputError):
        estimate_serving(dataclasses.replace(i, batch_size=largest + 1))


@given(
    st.lists(st.floats(0, 1e10), min_size=1, max_size=30),
    st.floats(1, 20),
    st.floats(1e-3, 1e3),
)
def test_replicas_are_an_integer_step_function_of_demand(
    demand: list[float], peak: float, cap: float
) -> None:
    d = np.sort(np.array(demand))
    r = replicas_for_demand(d, peak_to_mean_ratio=peak, requests_per_s_per_replica=cap)
    assert r.dtype == np.int64
    assert np.all(np.diff(r) >= 0)  # monotone in demand
    need = d / (730 * 3600) * peak / cap
    assert np.all(r >= np.maximum(1, need * (1 - 1e-9)))  # enough capacity
    assert np.all((r == 1) | (r - 1 < need))  # and no replica more than needed


@given(configs())
def test_estimates_are_finite(i: ServingInputs) -> None:
    if max_batch_size(i) < 1:
        return
    est = estimate_serving(i)
    for value in (
        est.ttft_ms,
        est.time_per_output_token_ms,
        est.output_tokens_per_s,
        est.requests_per_s,
        est.memory_gb_per_gpu,
    ):
        assert math.isfinite(value) and value > 0
    assert est.memory_gb_per_gpu <= i.gpu.memory_gb * i.memory_utilization_fraction * (1 + 1e-9)
