"""Subcommands ``estimate-training``, ``estimate-serving`` and ``gpus`` of the ``breakeven`` command line."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.hardware import (
    PARAMS_PER_BILLION,
    GpuOffer,
    GpuSpec,
    OpenModel,
    get_gpu_or_offer,
    get_model,
    model_for_params,
    offers_for_gpu,
)
from costmodel.catalog.loader import default_catalogs
from costmodel.cli.common import add_format_flag, emit, positive_number
from costmodel.core.errors import InputError, Problem
from costmodel.gpu.serving import (
    PRECISIONS,
    ServingInputs,
    estimate_serving,
    max_batch_size,
    min_gpus_to_serve,
)
from costmodel.gpu.training import (
    DEFAULT_OVERHEAD_FACTOR,
    METHODS,
    TrainingInputs,
    calibrate_mfu,
    estimate_training,
)

CMD = "<command line>"
T = TypeVar("T")

TRAINING_FLAGS = {
    "n_gpus": "--n-gpus",
    "dataset_tokens": "--dataset-tokens",
    "epochs": "--epochs",
    "seq_len_tokens": "--seq-len",
    "micro_batch_size": "--micro-batch-size",
    "padding_waste_fraction": "--padding-waste",
    "lora_rank": "--lora-rank",
    "speedup_factor": "--speedup",
    "mfu_fraction": "--mfu",
    "overhead_factor": "--overhead",
    "use_spot": "--spot",
    "measured_tokens_per_s_per_gpu": "--calibrate-tokens-per-s",
}
SERVING_FLAGS = {
    "n_gpus": "--n-gpus",
    "batch_size": "--batch-size",
    "input_tokens": "--input-tokens",
    "output_tokens": "--output-tokens",
    "mfu_fraction": "--mfu",
    "mbu_fraction": "--mbu",
    "memory_utilization_fraction": "--memory-utilization",
    "latency_budget_ms": "--latency-budget-ms",
    "use_spot": "--spot",
}


def register(subparsers: Any) -> None:
    """Add ``estimate-training``, ``estimate-serving`` and ``gpus``."""
    p = subparsers.add_parser(
        "estimate-training", help="GPU-hours, wall-clock, memory per GPU and cost of a fine-tuning run"
    )
    _model_flags(p)
    p.add_argument("--dataset-tokens", type=float, required=True, metavar="T", help="real tokens per epoch")
    p.add_argument("--epochs", type=float, default=3.0, metavar="E", help="epochs (default 3)")
    p.add_argument("--method", choices=METHODS, default="lora", help="full | lora | qlora (default lora)")
    _gpu_flags(p)
    p.add_argument(
        "--seq-len", type=int, default=2048, metavar="S", help="training sequence length (default 2048)"
    )
    p.add_argument("--micro-batch-size", type=int, metavar="B", help="sequences per GPU per step (default 1)")
    p.add_argument("--lora-rank", type=int, default=16, metavar="R", help="LoRA rank (default 16)")
    p.add_argument(
        "--lora-targets", choices=("attention_qv", "attention", "all_linear"), default="all_linear"
    )
    p.add_argument(
        "--no-packing", action="store_true", help="pad every example to --seq-len instead of packing"
    )
    p.add_argument(
        "--tokens-per-example", type=float, metavar="T", help="mean example length (sets padding waste)"
    )
    p.add_argument(
        "--padding-waste", type=float, metavar="F", help="share of processed tokens that are padding"
    )
    p.add_argument(
        "--no-gradient-checkpointing", action="store_true", help="keep all activations (faster, more memory)"
    )
    p.add_argument("--flash-attention", action="store_true", help="FlashAttention-2 (x1.235 for LoRA/QLoRA)")
    p.add_argument(
        "--framework", choices=("hf", "unsloth"), default="hf", help="hf (default) or unsloth (x1.675)"
    )
    p.add_argument(
        "--speedup", type=float, metavar="X", help="custom throughput multiplier instead of --framework"
    )
    p.add_argument(
        "--mfu", type=float, metavar="F", help="MFU to use instead of the defaults and speed knobs"
    )
    p.add_argument(
        "--calibrate-tokens-per-s", type=float, metavar="X", help="measured tokens/s per GPU of this setup"
    )
    p.add_argument("--calibrate-gpu", metavar="ID", help="GPU of the measured run (default: --gpu)")
    p.add_argument(
        "--overhead", type=float, default=DEFAULT_OVERHEAD_FACTOR, metavar="X", help="wall-clock factor"
    )
    add_format_flag(p)
    p.set_defaults(handler=_estimate_training)

    p = subparsers.add_parser(
        "estimate-serving", help="roofline TTFT, time per token, throughput, memory and $/Mtok"
    )
    _model_flags(p)
    _gpu_flags(p)
    p.add_argument(
        "--batch-size", default="max", metavar="B|max", help="concurrent requests, or max (default)"
    )
    p.add_argument("--input-tokens", type=float, required=True, metavar="I", help="prompt tokens per request")
    p.add_argument(
        "--output-tokens", type=float, required=True, metavar="O", help="generated tokens per request"
    )
    p.add_argument("--precision", choices=PRECISIONS, default="bf16", help="weight precision (default bf16)")
    p.add_argument(
        "--kv-precision", choices=("bf16", "fp8"), help="KV cache precision (default: fp8 with fp8 weights)"
    )
    p.add_argument("--mfu", type=float, metavar="F", help="share of peak FLOP/s (default 0.5)")
    p.add_argument("--mbu", type=float, metavar="F", help="share of memory bandwidth (default 0.8)")
    p.add_argument(
        "--memory-utilization", type=float, metavar="F", help="share of GPU memory for weights+KV (0.9)"
    )
    p.add_argument(
        "--latency-budget-ms", type=float, metavar="MS", help="largest batch whose end-to-end latency fits"
    )
    add_format_flag(p)
    p.set_defaults(handler=_estimate_serving)

    p = subparsers.add_parser(
        "gpus", help="list GPU specs (dense TFLOPS, memory) or rental offers with as-of dates"
    )
    p.add_argument("--offers", action="store_true", help="list rental offers instead of GPU specs")
    add_format_flag(p)
    p.set_defaults(handler=_gpus)


def _model_flags(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--base-model", metavar="ID", help="open-model id (see costmodel/catalog/data/open_models.yaml)"
    )
    group.add_argument("--params-b", type=float, metavar="P", help="model size in billions of parameters")


def _gpu_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--gpu", required=True, metavar="ID", help="GPU spec id, or an offer id provider/gpu to price it"
    )
    p.add_argument("--n-gpus", type=int, default=1, metavar="K", help="GPUs (default 1)")
    p.add_argument("--spot", action="store_true", help="price at the offer's spot rate")


def _resolve_model(args: argparse.Namespace, catalogs: Catalogs) -> tuple[OpenModel, list[str]]:
    if args.base_model is not None:
        return get_model(catalogs, args.base_model, file=CMD, field="--base-model"), []
    positive_number("--params-b", args.params_b)
    model = model_for_params(catalogs, args.params_b * PARAMS_PER_BILLION)
    return model, [model.notes or ""]


def _build(cls: Callable[..., T], flags: Mapping[str, str], **kwargs: Any) -> T:
    """Construct an inputs dataclass, renaming its field errors to the command-line flags."""
    try:
        return cls(**kwargs)
    except InputError as exc:
        raise _as_flags(exc, flags) from None


def _as_flags(exc: InputError, flags: Mapping[str, str]) -> InputError:
    return InputError(
        Problem(file=CMD, line=None, field=flags.get(p.field, p.field), message=p.message)
        for p in exc.problems
    )


def _check_numbers(args: argparse.Namespace, flags: Mapping[str, str]) -> None:
    for flag in flags.values():
        value = getattr(args, flag.lstrip("-").replace("-", "_"), None)
        if isinstance(value, float | int) and not isinstance(value, bool):
            positive_number(flag, float(value), allow_zero=flag == "--padding-waste")


def _estimate_training(args: argparse.Namespace) -> int:
    catalogs = default_catalogs()
    _check_numbers(args, {**TRAINING_FLAGS, "tokens": "--tokens-per-example"})
    model, notes = _resolve_model(args, catalogs)
    gpu, offer = get_gpu_or_offer(catalogs, args.gpu, file=CMD, field="--gpu")
    waste = _padding_waste(args)
    common: dict[str, Any] = {
        "model": model,
        "method": args.method,
        "gpu": gpu,
        "n_gpus": args.n_gpus,
        "dataset_tokens": args.dataset_tokens,
        "epochs": args.epochs,
        "seq_len_tokens": args.seq_len,
        "micro_batch_size": args.micro_batch_size or 1,
        "padding_waste_fraction": waste,
        "lora_rank": args.lora_rank,
        "lora_targets": args.lora_targets,
        "gradient_checkpointing": not args.no_gradient_checkpointing,
        "flash_attention": args.flash_attention,
        "framework": args.framework,
        "speedup_factor": args.speedup,
        "mfu_fraction": args.mfu,
        "overhead_factor": args.overhead,
        "offer": offer,
        "use_spot": args.spot,
    }
    inputs = _build(TrainingInputs, TRAINING_FLAGS, **common)
    if args.calibrate_tokens_per_s is not None:
        measured_gpu = gpu
        if args.calibrate_gpu is not None:
            measured_gpu, _ = get_gpu_or_offer(
                catalogs, args.calibrate_gpu, file=CMD, field="--calibrate-gpu"
            )
        measured = _build(TrainingInputs, TRAINING_FLAGS, **{**common, "gpu": measured_gpu, "offer": None})
        try:
            mfu = calibrate_mfu(args.calibrate_tokens_per_s, measured)
        except InputError as exc:
            raise _as_flags(exc, TRAINING_FLAGS) from None
        inputs = dataclasses.replace(inputs, mfu_fraction=mfu)
        notes.append(
            f"MFU {mfu:.3f} calibrated from {args.calibrate_tokens_per_s:,.0f} tokens/s on {measured_gpu.id}"
        )
    try:
        est = estimate_training(inputs)
    except InputError as exc:
        raise _as_flags(exc, TRAINING_FLAGS) from None
    if args.micro_batch_size is not None and not est.fits and est.max_micro_batch_size >= 1:
        raise InputError.single(
            CMD,
            "--micro-batch-size",
            f"a micro-batch of {args.micro_batch_size} needs {est.memory_gb_per_gpu:,.1f} GB per GPU, more than the "
            f"{gpu.memory_gb:g} GB of {gpu.id}: the largest that fits is {est.max_micro_batch_size}",
        )
    if waste:
        notes.append(f"{waste:.0%} of processed tokens are padding")
    data = {
        "gpu_hours": est.gpu_hours,
        "wall_clock_hours": est.wall_clock_hours,
        "tokens_per_s_per_gpu": est.tokens_per_s_per_gpu,
        "mfu_fraction": est.mfu_fraction,
        "memory_gb_per_gpu": est.memory_gb_per_gpu,
        "fits": est.fits,
        "min_gpus_to_fit": est.min_gpus_to_fit,
        "usd": est.usd,
        "model": model.id,
        "method": args.method,
        "gpu": gpu.id,
        "offer": offer.id if offer else None,
        "n_gpus": args.n_gpus,
        "usd_per_gpu_hour": est.usd_per_gpu_hour,
        "processed_tokens": est.processed_tokens,
        "n_trainable_params": est.n_trainable_params,
        "max_micro_batch_size": est.max_micro_batch_size,
        "memory_breakdown_gb": _memory(est.memory),
        "notes": [n for n in notes if n],
    }
    _emit(data, args.format, f"Fine-tuning {model.id} ({args.method}) on {args.n_gpus} x {gpu.id}")
    return 0


def _padding_waste(args: argparse.Namespace) -> float:
    if args.padding_waste is not None:
        if not 0 <= args.padding_waste < 1:
            raise InputError.single(
                CMD, "--padding-waste", f"expected a fraction in [0, 1), got {args.padding_waste}"
            )
        return float(args.padding_waste)
    if not args.no_packing:
        return 0.0
    if args.tokens_per_example is None:
        raise InputError.single(
            CMD,
            "--no-packing",
            "without packing give --tokens-per-example (or --padding-waste) to size the padding",
        )
    if args.tokens_per_example > args.seq_len:
        raise InputError.single(CMD, "--tokens-per-example", f"longer than --seq-len {args.seq_len}")
    return 1.0 - float(args.tokens_per_example) / float(args.seq_len)


def _batch_size(text: str) -> int | None:
    if text.strip().lower() == "max":
        return None
    try:
        value = int(text)
    except ValueError:
        raise InputError.single(
            CMD, "--batch-size", f"expected a whole number or 'max', got {text!r}"
        ) from None
    if value < 1:
        raise InputError.single(CMD, "--batch-size", f"expected a whole number >= 1 or 'max', got {value}")
    return value


def _estimate_serving(args: argparse.Namespace) -> int:
    catalogs = default_catalogs()
    _check_numbers(args, SERVING_FLAGS)
    model, notes = _resolve_model(args, catalogs)
    gpu, offer = get_gpu_or_offer(catalogs, args.gpu, file=CMD, field="--gpu")
    optional = {
        "mfu_fraction": args.mfu,
        "mbu_fraction": args.mbu,
        "memory_utilization_fraction": args.memory_utilization,
    }
    inputs = _build(
        ServingInputs,
        SERVING_FLAGS,
        model=model,
        gpu=gpu,
        n_gpus=args.n_gpus,
        precision=args.precision,
        kv_precision=args.kv_precision,
        batch_size=_batch_size(args.batch_size),
        input_tokens=args.input_tokens,
        output_tokens=args.output_tokens,
        latency_budget_ms=args.latency_budget_ms,
        offer=offer,
        use_spot=args.spot,
        **{k: v for k, v in optional.items() if v is not None},
    )
    head = {"model": model.id, "gpu": gpu.id, "offer": offer.id if offer else None, "n_gpus": args.n_gpus}
    title = f"Serving {model.id} ({args.precision}) on {args.n_gpus} x {gpu.id}"
    if max_batch_size(inputs) < 1:
        need = min_gpus_to_serve(inputs)
        notes.append(
            f"does not fit; smallest tensor-parallel size that fits: {need}" if need else "does not fit"
        )
        data = {key: None for key in _SERVING_KEYS} | {
            "fits": False,
            "max_batch_size": 0,
            **head,
            "notes": notes,
        }
        _emit(data, args.format, title)
        return 0
    try:
        est = estimate_serving(inputs)
    except InputError as exc:
        raise _as_flags(exc, SERVING_FLAGS) from None
    data = {
        "ttft_ms": est.ttft_ms,
        "time_per_output_token_ms": est.time_per_output_token_ms,
        "output_tokens_per_s": est.output_tokens_per_s,
        "requests_per_s": est.requests_per_s,
        "memory_gb_per_gpu": est.memory_gb_per_gpu,
        "fits": True,
        "max_batch_size": est.max_batch_size,
        "usd_per_mtok_output": est.usd_per_mtok_output,
        **head,
        "batch_size": est.batch_size,
        "end_to_end_ms": est.end_to_end_ms,
        "decode_compute_bound": est.decode_compute_bound,
        "usd_per_gpu_hour": est.usd_per_gpu_hour,
        "memory_breakdown_gb": _memory(est.memory),
        "notes": notes,
    }
    _emit(data, args.format, title)
    return 0


_SERVING_KEYS = (
    "ttft_ms",
    "time_per_output_token_ms",
    "output_tokens_per_s",
    "requests_per_s",
    "memory_gb_per_gpu",
    "fits",
    "max_batch_size",
    "usd_per_mtok_output",
)


def _memory(mem: Any) -> dict[str, float]:
    return {
        "weights": mem.weights_gb,
        "optimizer_and_gradients": mem.optimizer_gb,
        "activations": mem.activations_gb,
        "kv_cache": mem.kv_cache_gb,
        "overhead": mem.overhead_gb,
    }


def _emit(data: dict[str, Any], fmt: str, title: str) -> None:
    """JSON as is; a two-column table; CSV as one flat row (nested values flattened with dots)."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{k}": v for k, v in value.items()})
        elif isinstance(value, list):
            flat[key] = "; ".join(str(v) for v in value)
        else:
            flat[key] = value
    if fmt == "json":
        emit(data, "json")
    elif fmt == "csv":
        emit(None, "csv", rows=[flat])
    else:
        emit(None, "table", rows=[{"quantity": k, "value": v} for k, v in flat.items()], title=title)


def gpu_rows(catalogs: Catalogs) -> list[dict[str, Any]]:
    """One row per GPU spec with its cheapest on-demand offer."""
    rows = []
    for g in catalogs.all("gpus"):
        spec: GpuSpec = g
        offers = offers_for_gpu(catalogs, spec.id)
        rows.append(
            {
                "id": spec.id,
                "name": spec.name,
                "architecture": spec.architecture,
                "memory_gb": spec.memory_gb,
                "memory_bandwidth_gb_per_s": spec.memory_bandwidth_gb_per_s,
                "bf16_dense_tflops": spec.bf16_dense_tflops,
                "fp8_dense_tflops": spec.fp8_dense_tflops,
                "int8_dense_tops": spec.int8_dense_tops,
                "interconnect": spec.interconnect,
                "cheapest_offer": offers[0].id if offers else None,
                "cheapest_usd_per_gpu_hour": offers[0].on_demand_usd_per_gpu_hour if offers else None,
                "as_of": spec.as_of.isoformat(),
                "confidence": spec.confidence,
            }
        )
    return rows


def offer_rows(catalogs: Catalogs) -> list[dict[str, Any]]:
    """One row per GPU rental offer."""
    rows = []
    for o in catalogs.all("gpu_offers"):
        offer: GpuOffer = o
        rows.append(
            {
                "id": offer.id,
                "gpu": offer.gpu,
                "instance": offer.instance,
                "n_gpus": offer.n_gpus,
                "on_demand_usd_per_gpu_hour": offer.on_demand_usd_per_gpu_hour,
                "spot_usd_per_gpu_hour": offer.spot_usd_per_gpu_hour,
                "billing": offer.billing,
                "as_of": offer.as_of.isoformat(),
                "confidence": offer.confidence,
            }
        )
    return rows


def _gpus(args: argparse.Namespace) -> int:
    catalogs = default_catalogs()
    if args.offers:
        rows = offer_rows(catalogs)
        title = f"{len(rows)} GPU rental offers (USD per GPU-hour; estimates, check the provider)"
    else:
        rows = gpu_rows(catalogs)
        title = f"{len(rows)} GPUs (dense TFLOPS, no sparsity)"
    emit(rows, args.format, title=title)
    return 0
