"""``estimate-training``, ``estimate-serving`` and ``gpus``: JSON keys, formats, exit codes, error messages."""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

import pytest

from costmodel.catalog.loader import default_catalogs
from costmodel.cli import dispatch as cli
from costmodel.cli import gpu as cli_gpu
from costmodel.gpu.training import TrainingInputs, effective_mfu

TRAINING_KEYS = [
    "gpu_hours",
    "wall_clock_hours",
    "tokens_per_s_per_gpu",
    "mfu_fraction",
    "memory_gb_per_gpu",
    "fits",
    "min_gpus_to_fit",
    "usd",
]
SERVING_KEYS = [
    "ttft_ms",
    "time_per_output_token_ms",
    "output_tokens_per_s",
    "requests_per_s",
    "memory_gb_per_gpu",
    "fits",
    "max_batch_size",
    "usd_per_mtok_output",
]
TRAIN = ["estimate-training", "--base-model", "llama-3.1-8b", "--dataset-tokens", "2.1e6"]


def _default_run_mfu(gpu_id: str) -> float:
    """MFU the fitted model gives TRAIN's run (LoRA, defaults) on one ``gpu_id``."""
    cat = default_catalogs()
    return effective_mfu(
        TrainingInputs(
            model=cat.find("open_models", "llama-3.1-8b"),
            method="lora",
            gpu=cat.find("gpus", gpu_id),
            dataset_tokens=2.1e6,
        )
    )


GPU_H100 = ["--gpu", "h100-sxm-80gb"]
TOKENS_300 = ["--input-tokens", "300", "--output-tokens", "300"]
SERVE = [
    "estimate-serving",
    "--base-model",
    "llama-3.1-8b",
    "--input-tokens",
    "300",
    "--output-tokens",
    "300",
]


def parser() -> argparse.ArgumentParser:
    """A parser with only this module's subcommands (independent of the other CLI modules)."""
    p = argparse.ArgumentParser(prog="breakeven")
    cli_gpu.register(p.add_subparsers(dest="command", required=True))
    return p


def call(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    args = parser().parse_args(argv)
    code = args.handler(args)
    return code, capsys.readouterr().out


def call_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> Any:
    code, out = call([*argv, "--format", "json"], capsys)
    assert code == 0
    return json.loads(out)


def test_training_json_keys_and_values(capsys: pytest.CaptureFixture[str]) -> None:
    data = call_json([*TRAIN, "--method", "qlora", "--gpu", "lambda/h100-sxm-80gb"], capsys)
    assert list(data)[: len(TRAINING_KEYS)] == TRAINING_KEYS
    assert data["fits"] is True and data["min_gpus_to_fit"] == 1
    minutes = math.ceil(data["wall_clock_hours"] * 60 - 1e-9)  # Lambda bills per minute
    assert data["usd"] == pytest.approx(minutes / 60 * 3.78)
    assert data["gpu_hours"] == pytest.approx(data["wall_clock_hours"])
    assert data["offer"] == "lambda/h100-sxm-80gb" and data["gpu"] == "h100-sxm-80gb"
    assert sum(data["memory_breakdown_gb"].values()) == pytest.approx(data["memory_gb_per_gpu"])


def test_training_without_offer_has_null_usd(capsys: pytest.CaptureFixture[str]) -> None:
    data = call_json([*TRAIN, "--gpu", "h100-sxm-80gb"], capsys)
    assert data["usd"] is None
    # The fitted time model's MFU for this run (issue 16; was the flat LoRA default 0.25 x 0.875).
    assert data["mfu_fraction"] == pytest.approx(_default_run_mfu("h100-sxm-80gb"))


def test_training_that_does_not_fit_reports_min_gpus(capsys: pytest.CaptureFixture[str]) -> None:
    data = call_json(
        [
            "estimate-training",
            "--base-model",
            "llama-3.1-70b",
            "--dataset-tokens",
            "1e6",
            "--method",
            "full",
            *GPU_H100,
        ],
        capsys,
    )
    assert data["fits"] is False and data["min_gpus_to_fit"] == 18  # was 17 before FSDP buffers (issue 16)


def test_params_b_borrows_an_architecture(capsys: pytest.CaptureFixture[str]) -> None:
    data = call_json(
        ["estimate-training", "--params-b", "13", "--dataset-tokens", "1e6", "--gpu", "a100-sxm-80gb"], capsys
    )
    assert data["model"] == "custom-13b"
    assert any("llama-2-13b" in n for n in data["notes"])


def test_calibration_sets_the_mfu(capsys: pytest.CaptureFixture[str]) -> None:
    measured = call_json([*TRAIN, "--gpu", "a100-sxm-80gb"], capsys)["tokens_per_s_per_gpu"]
    data = call_json(
        [
            *TRAIN,
            "--gpu",
            "h100-sxm-80gb",
            "--calibrate-tokens-per-s",
            str(measured),
            "--calibrate-gpu",
            "a100-sxm-80gb",
        ],
        capsys,
    )
    # The A100's modelled MFU, recovered from its own throughput (was the flat default 0.25 before issue 16).
    assert data["mfu_fraction"] == pytest.approx(_default_run_mfu("a100-sxm-80gb"))
    assert "calibrated" in data["notes"][0]


def test_padding_waste_from_example_length(capsys: pytest.CaptureFixture[str]) -> None:
    packed = call_json([*TRAIN, "--gpu", "h100-sxm-80gb"], capsys)
    padded = call_json(
        [
            *TRAIN,
            "--gpu",
            "h100-sxm-80gb",
            "--no-packing",
            "--tokens-per-example",
            "512",
            "--seq-len",
            "2048",
        ],
        capsys,
    )
    assert padded["processed_tokens"] == pytest.approx(4 * packed["processed_tokens"])


def test_serving_json_keys_and_values(capsys: pytest.CaptureFixture[str]) -> None:
    data = call_json([*SERVE, "--gpu", "aws/l40s-48gb"], capsys)
    assert list(data)[: len(SERVING_KEYS)] == SERVING_KEYS
    assert data["fits"] is True and data["max_batch_size"] == 345 == data["batch_size"]
    assert data["usd_per_mtok_output"] == pytest.approx(1.861 / 3600 / data["output_tokens_per_s"] * 1e6)
    fixed = call_json([*SERVE, "--gpu", "l40s-48gb", "--batch-size", "8"], capsys)
    assert fixed["batch_size"] == 8 and fixed["usd_per_mtok_output"] is None
    assert fixed["ttft_ms"] == pytest.approx(data["ttft_ms"])


def test_serving_that_does_not_fit(capsys: pytest.CaptureFixture[str]) -> None:
    data = call_json(
        ["estimate-serving", "--base-model", "llama-3.1-70b", "--gpu", "l40s-48gb", *TOKENS_300],
        capsys,
    )
    assert data["fits"] is False and data["max_batch_size"] == 0
    assert all(data[k] is None for k in SERVING_KEYS if k not in {"fits", "max_batch_size"})
    assert "4" in data["notes"][0]


def test_gpus_lists_specs_and_offers(capsys: pytest.CaptureFixture[str]) -> None:
    rows = call_json(["gpus"], capsys)
    assert len(rows) == 11
    h100 = next(r for r in rows if r["id"] == "h100-sxm-80gb")
    assert h100["bf16_dense_tflops"] == 989 and h100["cheapest_offer"] is not None
    offers = call_json(["gpus", "--offers"], capsys)
    assert len(offers) == len(default_catalogs().all("gpu_offers"))


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_table_and_csv(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code, out = call([*SERVE, "--gpu", "h100-sxm-80gb", "--format", fmt], capsys)
    assert code == 0
    assert "ttft_ms" in out
    if fmt == "csv":
        header, row = out.strip().splitlines()
        assert header.split(",")[0] == "ttft_ms" and len(row.split(",")) == len(header.split(","))
    code, out = call(["gpus", "--format", fmt], capsys)
    assert "a10g-24gb" in out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([*TRAIN, "--gpu", "h100"], "--gpu: unknown GPU or GPU offer id 'h100' (did you mean"),
        ([*TRAIN, "--gpu", "lambda/h100-sxm"], "did you mean 'lambda/h100-sxm-80gb'"),
        (
            ["estimate-training", "--base-model", "llama-3-8b", "--dataset-tokens", "1", "--gpu", "l4-24gb"],
            "--base-model: unknown open_models id 'llama-3-8b' (did you mean 'llama-3.1-8b'",
        ),
        ([*TRAIN, "--gpu", "l4-24gb", "--epochs", "0"], "--epochs: expected a finite number > 0, got 0.0"),
        ([*TRAIN, "--gpu", "l4-24gb", "--n-gpus", "-2"], "--n-gpus: expected a finite number > 0"),
        ([*TRAIN, "--gpu", "l4-24gb", "--mfu", "1.5"], "--mfu: expected a fraction in (0, 1], got 1.5"),
        ([*TRAIN, "--gpu", "l4-24gb", "--seq-len", "999999"], "--seq-len: 999,999 tokens exceed the context"),
        (
            [*TRAIN, "--gpu", "l4-24gb", "--no-packing"],
            "--no-packing: without packing give --tokens-per-example",
        ),
        (
            [*TRAIN, "--gpu", "l4-24gb", "--padding-waste", "1"],
            "--padding-waste: expected a fraction in [0, 1)",
        ),
        ([*TRAIN, "--gpu", "l4-24gb", "--micro-batch-size", "64"], "the largest that fits is"),
        (
            [*TRAIN, "--gpu", "lambda/h100-sxm-80gb", "--spot"],
            "--spot: lambda/h100-sxm-80gb publishes no spot price",
        ),
        ([*TRAIN, "--gpu", "l4-24gb", "--calibrate-tokens-per-s", "1e9"], "--calibrate-tokens-per-s:"),
        ([*TRAIN, "--gpu", "l4-24gb", "--speedup", "20"], "--speedup: the speed-ups imply an MFU of"),
        (
            [*SERVE, "--gpu", "l4-24gb", "--batch-size", "500"],
            "--batch-size: a batch of 500 requests does not fit",
        ),
        (
            [*SERVE, "--gpu", "l4-24gb", "--batch-size", "0"],
            "--batch-size: expected a whole number >= 1 or 'max'",
        ),
        (
            [*SERVE, "--gpu", "l4-24gb", "--batch-size", "many"],
            "--batch-size: expected a whole number or 'max'",
        ),
        (
            [*SERVE, "--gpu", "l4-24gb", "--input-tokens", "-1"],
            "--input-tokens: expected a finite number > 0",
        ),
        (
            [*SERVE, "--gpu", "l4-24gb", "--output-tokens", "inf"],
            "--output-tokens: expected a finite number > 0",
        ),
        ([*SERVE, "--gpu", "l4-24gb", "--mbu", "0"], "--mbu: expected a finite number > 0"),
        ([*SERVE, "--gpu", "l4-24gb", "--latency-budget-ms", "10"], "--latency-budget-ms: even one request"),
        ([*SERVE, "--gpu", "l4-24gb", "--params-b", "7"], "not allowed with argument"),
    ],
)
def test_bad_input_exits_2_without_traceback(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert code == 2
    assert expected in err
    assert "Traceback" not in err


def test_main_runs_the_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([*SERVE, "--gpu", "aws/l40s-48gb", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["fits"] is True
