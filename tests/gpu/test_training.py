"""Training estimator: hand-computed building blocks, knobs, fit search, billing, properties and bad input."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costmodel.catalog.loader import default_catalogs
from costmodel.core.errors import InputError
from costmodel.gpu.efficiency import FITTED
from costmodel.gpu.memory import activation_bytes, optimizer_bytes, weight_bytes
from costmodel.gpu.offers import billed_hours
from costmodel.gpu.training import (
    MAX_GPUS,
    TrainingInputs,
    calibrate_mfu,
    effective_mfu,
    estimate_training,
    max_micro_batch_size,
    memory_per_gpu,
    min_gpus_to_fit,
    modelled_tokens_per_s_per_gpu,
)
from costmodel.gpu.training_flops import (
    FLASH_ATTENTION_SPEEDUP,
    FRAMEWORK_SPEEDUP,
    default_mfu,
    gpu_hours,
    lora_trainable_params,
    model_flops_per_token,
    recompute_flops_per_token,
)

CAT = default_catalogs()
LLAMA2_7B = CAT.find("open_models", "llama-2-7b")
LLAMA31_8B = CAT.find("open_models", "llama-3.1-8b")
LLAMA31_70B = CAT.find("open_models", "llama-3.1-70b")
H100 = CAT.find("gpus", "h100-sxm-80gb")
A100 = CAT.find("gpus", "a100-sxm-80gb")
L4 = CAT.find("gpus", "l4-24gb")
N_8B = 8_030_261_248  # Llama 3.1 8B safetensors total


def run(**over: object) -> TrainingInputs:
    base: dict[str, object] = {"model": LLAMA31_8B, "method": "lora", "gpu": H100, "dataset_tokens": 2.1e6}
    base.update(over)
    return TrainingInputs(**base)  # type: ignore[arg-type]


# --- exact building blocks -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "rank", "targets", "expected"),
    [
        (LLAMA2_7B, 8, "attention_qv", 8 * (8192 + 8192) * 32),  # LLaMA-Factory benchmark setting: 4,194,304
        (LLAMA31_8B, 16, "attention", 16 * (8192 + 5120 + 5120 + 8192) * 32),  # GQA: k, v project to 1,024
        (LLAMA31_8B, 16, "all_linear", 16 * ((8192 + 5120 + 5120 + 8192) + 3 * (4096 + 14336)) * 32),
    ],
)
def test_lora_trainable_params(model, rank: int, targets, expected: int) -> None:  # type: ignore[no-untyped-def]
    assert lora_trainable_params(model, rank, targets) == expected


def test_full_finetuning_flops_are_6nd() -> None:
    """Kaplan et al. 2020: 6·N per token (no attention term at zero sequence length)."""
    assert model_flops_per_token(LLAMA31_8B, "full", 0, 0) == 6 * N_8B == 48_181_567_488


def test_lora_flops_are_4n_plus_6_trainable() -> None:
    n_t = 41_943_040
    assert model_flops_per_token(LLAMA31_8B, "lora", n_t, 0) == 4 * N_8B + 6 * n_t == 32_372_703_232
    assert model_flops_per_token(LLAMA31_8B, "qlora", n_t, 0) == model_flops_per_token(
        LLAMA31_8B, "lora", n_t, 0
    )


def test_attention_term_follows_llm_foundry() -> None:
    """3 passes x 4·n_layers·(heads·head_dim)·seq per token: 3 x 4 x 32 x 4096 x 2048 = 3,221,225,472."""
    with_attn = model_flops_per_token(LLAMA31_8B, "full", 0, 2048)
    assert with_attn - 6 * N_8B == 3 * 4 * 32 * 4096 * 2048 == 3_221_225_472
    assert recompute_flops_per_token(LLAMA31_8B, 2048) == 2 * N_8B + 4 * 32 * 4096 * 2048


def test_gpu_hours_formula() -> None:
    """6·N·D / (peak · MFU · 3600): LLaMA-7B, 1T tokens, A100 at MFU 0.5 → 71,581 GPU-hours."""
    assert gpu_hours(6 * 6.7e9 * 1e12, 312, 0.5) == pytest.approx(6 * 6.7e9 * 1e12 / (312e12 * 0.5 * 3600))
    assert round(gpu_hours(6 * 6.7e9 * 1e12, 312, 0.5)) == 71_581


def test_weight_bytes() -> None:
    assert weight_bytes(LLAMA2_7B, "full") == weight_bytes(LLAMA2_7B, "lora") == 2 * 6_738_415_616
    embeddings = 32_000 * 4096 * 2  # input embeddings + LM head stay 16-bit under bitsandbytes NF4
    nf4 = (4 + 0.127) / 8  # QLoRA paper §3: double quantisation leaves 0.127 bits of constants per weight
    assert weight_bytes(LLAMA2_7B, "qlora") == pytest.approx(
        nf4 * (6_738_415_616 - embeddings) + 2 * embeddings
    )


def test_optimizer_bytes() -> None:
    """Full: bf16 gradients + fp32 master + Adam m, v = 14 bytes/param; LoRA adapters 16 bytes/param."""
    assert optimizer_bytes(LLAMA2_7B, "full", 6_738_415_616) == 14 * 6_738_415_616
    assert optimizer_bytes(LLAMA2_7B, "lora", 4_194_304) == 16 * 4_194_304


def test_activation_bytes_korthikanti() -> None:
    """LLaMA2-7B, s = 1024, b = 4 (LLaMA-Factory benchmark): by hand from s·b·d·(34 + 5·a·s/d)."""
    s, b, d, n_l, a, v = 1024, 4, 4096, 32, 32, 32_000
    logits = b * s * v * 4
    checkpointed = n_l * 2 * s * b * d + s * b * d * (34 + 5 * a * s / d) + logits
    assert checkpointed == 2_839_543_808
    got = activation_bytes(
        LLAMA2_7B, seq_len_tokens=s, micro_batch_size=b, gradient_checkpointing=True, flash_attention=False
    )
    assert got == checkpointed
    no_ckpt_flash = n_l * s * b * d * 34 + logits
    got = activation_bytes(
        LLAMA2_7B, seq_len_tokens=s, micro_batch_size=b, gradient_checkpointing=False, flash_attention=True
    )
    assert got == no_ckpt_flash


# --- MFU defaults and knobs --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "arch", "expected"),
    [
        ("full", "ampere", FITTED.hfu_full),
        ("full", "hopper", FITTED.hfu_full * FITTED.hopper_factor),
        ("lora", "ampere", FITTED.hfu_adapter),
        ("lora", "ada", FITTED.hfu_adapter),  # Ada = Ampere (assumption: no published Ada run)
        ("qlora", "ampere", FITTED.hfu_adapter),
        ("qlora", "blackwell", FITTED.hfu_adapter * FITTED.hopper_factor),  # Blackwell = Hopper (assumption)
    ],
)
def test_default_mfu_is_the_utilisation_ceiling(method, arch, expected: float) -> None:  # type: ignore[no-untyped-def]
    assert default_mfu(method, arch) == pytest.approx(expected)


def test_speed_knobs_multiply_throughput() -> None:
    base = effective_mfu(run(gpu=A100))
    assert effective_mfu(run(gpu=A100, flash_attention=True)) == pytest.approx(base * 2954 / 2392)
    assert abs(FLASH_ATTENTION_SPEEDUP - 1.235) < 1e-3
    # unsloth's measured speed-up already includes FlashAttention-2: the flag does not stack.
    assert effective_mfu(run(gpu=A100, framework="unsloth", flash_attention=True)) == pytest.approx(
        base * FRAMEWORK_SPEEDUP["unsloth"]
    )
    assert effective_mfu(run(gpu=A100, speedup_factor=1.3)) == pytest.approx(base * 1.3)
    # Full fine-tuning stacks already use fused attention: the flag changes nothing.
    full = effective_mfu(run(gpu=A100, method="full"))
    assert effective_mfu(run(gpu=A100, method="full", flash_attention=True)) == pytest.approx(full)


def test_time_model_by_hand() -> None:
    """Llama 3.1 8B LoRA r16 on one A100, 1×2048 tokens: the three terms of efficiency.seconds_per_token."""
    i = run(gpu=A100)
    n_t = lora_trainable_params(LLAMA31_8B, 16, "all_linear")
    hw = model_flops_per_token(LLAMA31_8B, "lora", n_t, 2048) + recompute_flops_per_token(LLAMA31_8B, 2048)
    u = FITTED.hfu_adapter * 4096 / (4096 + FITTED.half_width)
    compute = hw / (312e12 * u)
    passes = FITTED.weight_passes_lora * 2 * N_8B / (2039e9 * 2048)
    assert modelled_tokens_per_s_per_gpu(i) == pytest.approx(1 / (compute + passes))
    # Sharded over 8 GPUs: two all-gathers of the bf16 weights per micro-batch over NVLink (300 GB/s a way).
    eight = dataclasses.replace(i, n_gpus=8)
    comm = FITTED.exposed_comm_hf * 2 * 2 * N_8B * 7 / 8 / (300e9 * 2048)
    assert modelled_tokens_per_s_per_gpu(eight) == pytest.approx(1 / (compute + passes + comm))


def test_turning_checkpointing_off_saves_the_recompute() -> None:
    on, off = run(gpu=A100), run(gpu=A100, gradient_checkpointing=False)
    u = FITTED.hfu_adapter * 4096 / (4096 + FITTED.half_width)
    saved = recompute_flops_per_token(LLAMA31_8B, 2048) / (312e12 * u)
    assert 1 / modelled_tokens_per_s_per_gpu(on) - 1 / modelled_tokens_per_s_per_gpu(off) == pytest.approx(
        saved
    )
    assert estimate_training(off).wall_clock_hours < estimate_training(on).wall_clock_hours
    assert memory_per_gpu(off).activations_gb > memory_per_gpu(on).activations_gb


def test_override_and_calibration_round_trip() -> None:
    est = estimate_training(run(flash_attention=True))
    mfu = calibrate_mfu(est.tokens_per_s_per_gpu, run(flash_attention=True))
    assert mfu == pytest.approx(est.mfu_fraction)
    again = estimate_training(run(mfu_fraction=mfu))
    assert again.wall_clock_hours == pytest.approx(est.wall_clock_hours)
    assert (
        estimate_training(run(mfu_fraction=0.5, flash_attention=True, framework="unsloth")).mfu_fraction
        == 0.5
    )


def test_calibration_transfers_to_another_gpu_by_peak() -> None:
    """A measured A100 run sets the MFU; on an H100 the same MFU runs 989/312 times faster per GPU."""
    mfu = calibrate_mfu(3000, run(gpu=A100))
    a = estimate_training(run(gpu=A100, mfu_fraction=mfu))
    h = estimate_training(run(gpu=H100, mfu_fraction=mfu))
    assert a.tokens_per_s_per_gpu == pytest.approx(3000)
    assert h.tokens_per_s_per_gpu == pytest.approx(3000 * 989 / 312)


def test_padding_waste_adds_processed_tokens() -> None:
    packed = estimate_training(run())
    padded = estimate_training(run(padding_waste_fraction=0.75))
    assert padded.processed_tokens == pytest.approx(4 * packed.processed_tokens)
    assert padded.gpu_hours == pytest.approx(4 * packed.gpu_hours)


def test_overhead_is_a_wall_clock_multiplier() -> None:
    a = estimate_training(run(overhead_factor=1.0))
    b = estimate_training(run())
    assert b.wall_clock_hours == pytest.approx(1.15 * a.wall_clock_hours)


# --- memory fit ------------------------------------------------------------------------------


def test_min_gpus_is_the_first_count_that_fits() -> None:
    i = run(model=LLAMA31_70B, method="full")
    n = min_gpus_to_fit(i)
    assert (
        n == 18
    )  # 16 bytes x 70.55B params sharded + 2 gathered layers + activations x 1.75 + 0.5 GB (was 17)
    assert estimate_training(dataclasses.replace(i, n_gpus=n)).fits
    assert not estimate_training(dataclasses.replace(i, n_gpus=n - 1)).fits


def test_qlora_fits_where_full_does_not() -> None:
    assert estimate_training(run(method="qlora", gpu=L4)).fits
    assert not estimate_training(run(method="full", gpu=L4)).fits


def test_activations_too_big_for_any_count() -> None:
    i = run(gpu=L4, seq_len_tokens=32_768, gradient_checkpointing=False)
    assert min_gpus_to_fit(i) is None
    assert estimate_training(i).min_gpus_to_fit is None
    assert MAX_GPUS == 1024


def test_max_micro_batch_is_the_largest_that_fits() -> None:
    i = run(method="qlora", gpu=L4)
    b = max_micro_batch_size(i)
    assert b >= 1
    assert memory_per_gpu(i, micro_batch_size=b).total_gb <= L4.memory_gb
    assert memory_per_gpu(i, micro_batch_size=b + 1).total_gb > L4.memory_gb


def test_memory_breakdown_sums() -> None:
    """Full fine-tuning of Llama 3.1 8B, ZeRO-3 over 4 GPUs, by hand."""
    m = memory_per_gpu(run(method="full", n_gpus=4))
    parts = m.weights_gb + m.optimizer_gb + m.activations_gb + m.overhead_gb
    assert m.total_gb == pytest.approx(parts)
    gathered = 2 * (2 * N_8B / 32)  # two unsharded layers of bf16 weights (FSDP BACKWARD_PRE)
    assert m.weights_gb == pytest.approx((2 * N_8B / 4 + gathered) / 1e9)
    assert m.optimizer_gb == pytest.approx(14 * N_8B / 4 / 1e9)
    assert m.overhead_gb == pytest.approx(0.75 * (m.activations_gb + gathered / 1e9) + 0.5)
    assert m.offloadable_gb == 0.0


@pytest.mark.parametrize(
    ("stage", "weights_div", "grads_div", "state_div"),
    [(0, 1, 1, 1), (1, 1, 1, 4), (2, 1, 4, 4), (3, 4, 4, 4)],
)
def test_zero_stages_shard_what_they_say(
    stage: int, weights_div: int, grads_div: int, state_div: int
) -> None:
    m = memory_per_gpu(run(method="full", n_gpus=4, zero_stage=stage))
    gathered = 2 * (2 * N_8B / 32) if stage == 3 else 0.0
    assert m.weights_gb == pytest.approx((2 * N_8B / weights_div + gathered) / 1e9)
    assert m.optimizer_gb == pytest.approx((2 * N_8B / grads_div + 12 * N_8B / state_div) / 1e9)


def test_qlora_pages_its_optimizer() -> None:
    """QLoRA: bf16 adapters + gradients resident (4 bytes), 32-bit Adam paged (8 bytes), off when asked."""
    n_t = lora_trainable_params(LLAMA31_8B, 16, "all_linear")
    paged = memory_per_gpu(run(method="qlora"))
    assert paged.optimizer_gb == pytest.approx(4 * n_t / 1e9)
    assert paged.offloadable_gb == pytest.approx(8 * n_t / 1e9)
    resident = memory_per_gpu(run(method="qlora", paged_optimizer=False))
    assert resident.optimizer_gb == pytest.approx(12 * n_t / 1e9) and resident.offloadable_gb == 0.0
    assert resident.total_gb > paged.total_gb


def test_the_estimate_states_its_memory_assumptions() -> None:
    text = " | ".join(
        estimate_training(run(method="qlora", n_gpus=2, flash_attention=True)).memory_assumptions
    )
    for phrase in (
        "ZeRO-3/FSDP full shard over 2 GPUs",
        "checkpointing on",
        "FlashAttention",
        "paged",
        "×1.75",
    ):
        assert phrase in text


# --- cost at an offer ---------------------------------------------------------------------------


def test_cost_at_a_per_minute_offer() -> None:
    offer = CAT.find("gpu_offers", "lambda/h100-sxm-80gb")
    est = estimate_training(run(offer=offer))
    minutes = math.ceil(est.wall_clock_hours * 60 - 1e-9)
    assert est.usd == pytest.approx(minutes / 60 * 3.78)
    assert est.usd_per_gpu_hour == 3.78


def test_whole_instances_are_billed() -> None:
    """AWS p5.48xlarge rents 8 GPUs at once: a 1-GPU job pays for 8."""
    offer = CAT.find("gpu_offers", "aws/h100-sxm-80gb")
    est = estimate_training(run(offer=offer))
    assert est.usd == pytest.approx(billed_hours(est.wall_clock_hours, offer) * 8 * 6.88)


def test_billed_hours_granularity() -> None:
    hourly = dataclasses.replace(CAT.find("gpu_offers", "aws/l4-24gb"), billing="per_hour")
    assert billed_hours(1.01, hourly) == 2.0
    assert billed_hours(2.0, hourly) == 2.0
    per_minute = CAT.find("gpu_offers", "lambda/h100-sxm-80gb")
    assert billed_hours(0.501, per_minute) == pytest.approx(31 / 60)


def test_no_offer_means_no_price() -> None:
    est = estimate_training(run())
    assert est.usd is None and est.usd_per_gpu_hour is None


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"n_gpus": 0}, "n_gpus"),
        ({"dataset_tokens": 0}, "dataset_tokens"),
        ({"dataset_tokens": -1.0}, "dataset_tokens"),
        ({"dataset_tokens": math.nan}, "dataset_tokens"),
        ({"dataset_tokens": math.inf}, "dataset_tokens"),
        ({"epochs": 0}, "epochs"),
        ({"seq_len_tokens": 0}, "seq_len_tokens"),
        ({"seq_len_tokens": 200_000}, "seq_len_tokens"),
        ({"micro_batch_size": 0}, "micro_batch_size"),
        ({"padding_waste_fraction": 1.0}, "padding_waste_fraction"),
        ({"padding_waste_fraction": -0.1}, "padding_waste_fraction"),
        ({"lora_rank": 0}, "lora_rank"),
        ({"speedup_factor": 0.0}, "speedup_factor"),
        ({"mfu_fraction": 0.0}, "mfu_fraction"),
        ({"mfu_fraction": 1.2}, "mfu_fraction"),
        ({"overhead_factor": 0.9}, "overhead_factor"),
        ({"zero_stage": 4}, "zero_stage"),
        ({"allocator_reserve_factor": 0.9}, "allocator_reserve_factor"),
        ({"offer": CAT.find("gpu_offers", "aws/l4-24gb")}, "offer"),
    ],
)
def test_bad_inputs_name_the_field(over: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as info:
        run(**over)
    assert [p.field for p in info.value.problems] == [field]


@pytest.mark.parametrize(
    ("call", "field", "text"),
    [
        (lambda: effective_mfu(run(speedup_factor=10.0)), "speedup_factor", "> 1; lower the speed-up"),
        (lambda: calibrate_mfu(1e7, run()), "measured_tokens_per_s_per_gpu", "outside (0, 1]"),
        (lambda: calibrate_mfu(0.0, run()), "measured_tokens_per_s_per_gpu", "outside (0, 1]"),
        (
            lambda: estimate_training(
                run(offer=CAT.find("gpu_offers", "lambda/h100-sxm-80gb"), use_spot=True)
            ),
            "use_spot",
            "publishes no spot price",
        ),
    ],
)
def test_impossible_knob_values(call, field: str, text: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as info:
        call()
    assert info.value.problems[0].field == field
    assert text in str(info.value)


# --- properties --------------------------------------------------------------------------------

MODELS = CAT.all("open_models")
GPUS = CAT.all("gpus")


@st.composite
def runs(draw: st.DrawFn) -> TrainingInputs:
    model = draw(st.sampled_from(MODELS))
    return TrainingInputs(
        model=model,
        method=draw(st.sampled_from(["full", "lora", "qlora"])),
        gpu=draw(st.sampled_from(GPUS)),
        n_gpus=draw(st.integers(1, 64)),
        dataset_tokens=draw(st.floats(1e3, 1e11)),
        epochs=draw(st.floats(0.1, 10)),
        seq_len_tokens=draw(st.integers(16, min(model.context_tokens, 16_384))),
        micro_batch_size=draw(st.integers(1, 16)),
        padding_waste_fraction=draw(st.floats(0, 0.9)),
        lora_rank=draw(st.integers(1, 256)),
        gradient_checkpointing=draw(st.booleans()),
        flash_attention=draw(st.booleans()),
    )


@given(runs(), st.integers(1, 64))
def test_more_gpus_never_save_gpu_hours(i: TrainingInputs, extra: int) -> None:
    few = estimate_training(i)
    many = estimate_training(dataclasses.replace(i, n_gpus=i.n_gpus + extra))
    assert many.memory_gb_per_gpu <= few.memory_gb_per_gpu
    assert many.gpu_hours >= few.gpu_hours * (1 - 1e-9)  # sharding adds communication, never removes work
    overlapped = dataclasses.replace(i, framework="optimized")  # communication fully hidden (fitted 0)
    assert estimate_training(
        dataclasses.replace(overlapped, n_gpus=i.n_gpus + extra)
    ).gpu_hours == pytest.approx(estimate_training(overlapped).gpu_hours)


@given(runs())
def test_all_outputs_finite_and_positive(i: TrainingInputs) -> None:
    est = estimate_training(i)
    for value in (
        est.gpu_hours,
        est.wall_clock_hours,
        est.tokens_per_s_per_gpu,
        est.mfu_fraction,
        est.memory_gb_per_gpu,
        est.model_flops,
    ):
        assert math.isfinite(value) and value > 0
    assert 0 < est.mfu_fraction <= 1
    assert est.min_gpus_to_fit is None or 1 <= est.min_gpus_to_fit <= MAX_GPUS
    assert est.fits == (est.memory_gb_per_gpu <= i.gpu.memory_gb)


@given(runs(), st.floats(1.01, 10))
def test_more_data_costs_proportionally_more_time(i: TrainingInputs, factor: float) -> None:
    a = estimate_training(i)
    b = estimate_training(dataclasses.replace(i, dataset_tokens=i.dataset_tokens * factor))
    assert b.wall_clock_hours == pytest.approx(a.wall_clock_hours * factor)
    assert b.memory_gb_per_gpu == a.memory_gb_per_gpu
