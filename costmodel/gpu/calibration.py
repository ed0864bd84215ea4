"""Published training runs: read them, predict them with the time model, fit its constants.

The runs live in ``benchmarks/data/published_training_runs.yaml`` (each with its page); the fit uses
only ``split: fit`` runs and minimises the squared log error by coordinate descent over bounded grids,
so it is deterministic. ``scripts/gpu_validation.py`` prints both halves to docs/gpu-validation.md.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.hardware import GpuSpec, OpenModel, model_param_count
from costmodel.core.errors import InputError
from costmodel.core.units import S_PER_HOUR
from costmodel.core.yamlio import load_yaml
from costmodel.gpu.efficiency import EfficiencyConstants
from costmodel.gpu.training import TrainingInputs, modelled_tokens_per_s_per_gpu

Measure = Literal["tokens_per_s_per_gpu", "wall_clock_hours", "gpu_hours"]
MEASURES: Final[tuple[str, ...]] = ("tokens_per_s_per_gpu", "wall_clock_hours", "gpu_hours")
TOLERANCE_FRACTION: Final = 0.30
"""A run is "within" when the estimate is within ±30% of the published figure (issue 16's goal)."""

FIT_BOUNDS: Final[dict[str, tuple[float, float]]] = {
    "hfu_full": (0.3, 0.95),
    "hfu_adapter": (0.2, 0.95),
    "weight_passes_lora": (0.0, 60.0),
    "weight_passes_qlora": (0.0, 200.0),
    "weight_passes_hf_full_extra": (0.0, 400.0),
    "exposed_comm_optimized": (0.0, 1.0),
    "exposed_comm_hf": (0.0, 1.0),
    "hopper_factor": (0.4, 1.0),
    "half_width": (0.0, 4096.0),
}
"""Search range of each constant (physical limits: utilisation ≤ 1, overlap share ≤ 1 for tuned stacks)."""

_INPUT_KEYS: Final = (
    "method",
    "n_gpus",
    "seq_len_tokens",
    "micro_batch_size",
    "lora_rank",
    "lora_targets",
    "gradient_checkpointing",
    "flash_attention",
    "framework",
    "epochs",
    "padding_waste_fraction",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishedRun:
    """One published run: its inputs, the published figure and where it comes from."""

    id: str
    split: Literal["fit", "holdout"]
    title: str
    source_url: str
    measure: Measure
    value: float
    inputs: TrainingInputs
    derivation: str
    known_limit: str | None


def _model(catalogs: Catalogs, raw: dict[str, Any], where: str) -> OpenModel:
    base: OpenModel = catalogs.get("open_models", str(raw["model"]), file=where, field="model")
    over = dict(raw.get("model_overrides") or {})
    n_params = over.pop("n_params", base.n_params)
    model = dataclasses.replace(base, **over)
    count = model_param_count(model) if n_params is None else int(n_params)
    return dataclasses.replace(model, id=f"{raw['id']}-model", n_params=count)


def parse_runs(data: bytes, catalogs: Catalogs, *, source: str) -> list[PublishedRun]:
    """Runs of a published-runs YAML file; ``like: <id>`` copies an earlier run's fields first."""
    doc = load_yaml(data, source=source)
    by_id: dict[str, dict[str, Any]] = {}
    runs: list[PublishedRun] = []
    for raw_entry in doc["runs"]:
        raw = dict(by_id[raw_entry["like"]]) if "like" in raw_entry else {}
        raw.update({k: v for k, v in raw_entry.items() if k != "like"})
        where = f"{source}: runs.{raw['id']}"
        if raw["measure"] not in MEASURES or raw["split"] not in ("fit", "holdout"):
            raise InputError.single(
                where, "measure", f"unknown measure/split {raw['measure']}/{raw['split']}"
            )
        by_id[str(raw["id"])] = raw
        gpu: GpuSpec = catalogs.get("gpus", str(raw["gpu"]), file=where, field="gpu")
        fields = {k: raw[k] for k in _INPUT_KEYS if k in raw}
        inputs = TrainingInputs(
            model=_model(catalogs, raw, where),
            gpu=gpu,
            dataset_tokens=float(raw.get("dataset_tokens", 1e9)),
            **{"epochs": 1.0, **fields},
        )
        runs.append(
            PublishedRun(
                id=str(raw["id"]),
                split=raw["split"],
                title=str(raw["title"]),
                source_url=str(raw["source_url"]),
                measure=raw["measure"],
                value=float(raw["value"]),
                inputs=inputs,
                derivation=str(raw.get("derivation", "")),
                known_limit=raw.get("known_limit"),
            )
        )
    return runs


def predict(run: PublishedRun, c: EfficiencyConstants) -> float:
    """The model's figure for the run's measure under constants ``c`` (overhead as in the inputs).

    Throughput is compared bare; wall-clock and GPU-hours include the wall-clock overhead factor.
    """
    i = run.inputs
    tps = modelled_tokens_per_s_per_gpu(i, c)
    if run.measure == "tokens_per_s_per_gpu":
        return tps
    processed = i.dataset_tokens * i.epochs / (1.0 - i.padding_waste_fraction)
    wall = processed / (tps * i.n_gpus) / S_PER_HOUR * i.overhead_factor
    return wall if run.measure == "wall_clock_hours" else wall * i.n_gpus


def log_errors(runs: list[PublishedRun], c: EfficiencyConstants) -> np.ndarray:
    """``ln(estimate / published)`` per run."""
    return np.array([math.log(predict(r, c) / r.value) for r in runs])


def fit_constants(runs: list[PublishedRun], *, rounds: int = 12) -> EfficiencyConstants:
    """Constants minimising the summed squared log error on ``runs``.

    Coordinate descent on 241-point grids inside :data:`FIT_BOUNDS`, starting from the middle of each
    range, so the result depends on the runs only.
    """
    best = EfficiencyConstants(**{k: (low + high) / 2 for k, (low, high) in FIT_BOUNDS.items()})
    loss = float(np.sum(log_errors(runs, best) ** 2))
    for _ in range(rounds):
        for name, (low, high) in FIT_BOUNDS.items():
            for value in np.linspace(low, high, 241):
                trial = dataclasses.replace(best, **{name: float(value)})
                trial_loss = float(np.sum(log_errors(runs, trial) ** 2))
                if trial_loss < loss - 1e-12:
                    best, loss = trial, trial_loss
    return best


def within(run: PublishedRun, c: EfficiencyConstants) -> bool:
    """True when the estimate is within ±30% of the published figure."""
    return abs(predict(run, c) / run.value - 1.0) <= TOLERANCE_FRACTION
