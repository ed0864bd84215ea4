"""Subcommands ``estimate-training``, ``estimate-serving`` and ``gpus`` of the ``breakeven`` command line."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.hardware import (
    PARAMS_PER_BILLION,
    OpenModel,
    get_gpu_or_offer,
    get_model,
    model_for_params,
)
from costmodel.catalog.loader import default_catalogs
from costmodel.cli.common import add_format_flag, emit, positive_number
from costmodel.core.errors import InputError, Problem
from costmodel.gpu.planning import calibrated, gpu_rows, offer_rows, padding_waste_fraction
from costmodel.gpu.roofline import PRECISIONS
from costmodel.gpu.serving import ServingInputs, estimate_serving, max_batch_size, min_gpus_to_serve
from costmodel.gpu.training import TrainingInputs, estimate_training
from costmodel.gpu.training_flops import DEFAULT_OVERHEAD_FACTOR, FRAMEWORKS, LORA_TARGETS, METHODS

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
    add = p.add_argument
    _model_flags(p)
    add("--dataset-tokens", type=float, required=True, metavar="T", help="real tokens per epoch")
    add("--epochs", type=float, default=3.0, metavar="E", help="epochs (default 3)")
    add("--method", choices=METHODS, default="lora", help="full | lora | qlora (default lora)")
    _gpu_flags(p)
    add("--seq-len", type=int, default=2048, metavar="S", help="training sequence length (default 2048)")
    add("--micro-batch-size", type=int, metavar="B", help="sequences per GPU per step (default 1)")
    add("--lora-rank", type=int, default=16, metavar="R", help="LoRA rank (default 16)")
    add("--lora-targets", choices=LORA_TARGETS, default="all_linear")
    add("--no-packing", action="store_true", help="pad every example to --seq-len instead of packing")
    add("--tokens-per-example", type=float, metavar="T", help="mean example length (sets padding waste)")
    add("--padding-waste", type=float, metavar="F", help="share of processed tokens that are padding")
    add("--no-gradient-checkpointing", action="store_true", help="keep all activations (faster, more memory)")
    add("--flash-attention", action="store_true", help="FlashAttention-2 (x1.235 for LoRA/QLoRA)")
    add("--framework", choices=FRAMEWORKS, default="hf", help="hf (default) or unsloth (x1.675)")
    add("--speedup", type=float, metavar="X", help="custom throughput multiplier instead of --framework")
    add("--mfu", type=float, metavar="F", help="MFU to use instead of the defaults and speed knobs")
    add("--calibrate-tokens-per-s", type=float, metavar="X", help="measured tokens/s per GPU of this setup")
    add("--calibrate-gpu", metavar="ID", help="GPU of the measured run (default: --gpu)")
    add("--overhead", type=float, default=DEFAULT_OVERHEAD_FACTOR, metavar="X", help="wall-clock factor")
    add_format_flag(p)
    p.set_defaults(handler=_estimate_training)

    p = subparsers.add_parser(
        "estimate-serving", help="roofline TTFT, time per token, throughput, memory and $/Mtok"
    )
    add = p.add_argument
    _model_flags(p)
    _gpu_flags(p)
    add("--batch-size", default="max", metavar="B|max", help="concurrent requests, or max (default)")
    add("--input-tokens", type=float, required=True, metavar="I", help="prompt tokens per request")
    add("--output-tokens", type=float, required=True, metavar="O", help="generated tokens per request")
    add("--precision", choices=PRECISIONS, default="bf16", help="weight precision (default bf16)")
    add("--kv-precision", choices=("bf16", "fp8"), help="KV cache precision (default: fp8 with fp8 weights)")
    add("--mfu", type=float, metavar="F", help="share of peak FLOP/s (default 0.5)")
    add("--mbu", type=float, metavar="F", help="share of memory bandwidth (default 0.8)")
    add("--memory-utilization", type=float, metavar="F", help="share of GPU memory for weights+KV (0.9)")
    add("--latency-budget-ms", type=float, metavar="MS", help="largest batch whose end-to-end latency fits")
    add_format_flag(p)
    p.set_defaults(handler=_estimate_serving)

    p = subparsers.add_parser(
        "gpus", help="list GPU specs (dense TFLOPS, memory) or rental offers with as-of dates"
    )
    p.add_argument("--offers", action="store_true", help="list rental offers instead of GPU specs")
    add_format_flag(p)
    p.set_defaults(handler=_gpus)


def _model_flags(p: argparse.ArgumentParser) -> None:
    add = p.add_mutually_exclusive_group(required=True).add_argument
    add("--base-model", metavar="ID", help="open-model id (see costmodel/catalog/data/open_models.yaml)")
    add("--params-b", type=float, metavar="P", help="model size in billions of parameters")


def _gpu_flags(p: argparse.ArgumentParser) -> None:
    add = p.add_argument
    add("--gpu", required=True, metavar="ID", help="GPU spec id, or an offer id provider/gpu to price it")
    add("--n-gpus", type=int, default=1, metavar="K", help="GPUs (default 1)")
    add("--spot", action="store_true", help="price at the offer's spot rate")


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
            positive_number(flag, value, allow_zero=flag == "--padding-waste")


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
        try:
            inputs = calibrated(inputs, args.calibrate_tokens_per_s, measured_gpu=measured_gpu)
        except InputError as exc:
            raise _as_flags(exc, TRAINING_FLAGS) from None
        notes.append(
            f"MFU {inputs.mfu_fraction:.3f} calibrated from {args.calibrate_tokens_per_s:,.0f} tokens/s "
            f"on {measured_gpu.id}"
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
    if args.no_packing and args.tokens_per_example is None:
        raise InputError.single(
            CMD,
            "--no-packing",
            "without packing give --tokens-per-example (or --padding-waste) to size the padding",
        )
    if args.no_packing and args.tokens_per_example > args.seq_len:
        raise InputError.single(CMD, "--tokens-per-example", f"longer than --seq-len {args.seq_len}")
    return padding_waste_fraction(args.tokens_per_example, args.seq_len, packing=not args.no_packing)


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
