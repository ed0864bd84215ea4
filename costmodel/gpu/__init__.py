"""GPU estimators for self-hosting: training time, memory and cost (``training``); serving throughput,
latency and replicas (``serving``)."""

from __future__ import annotations

from costmodel.gpu.serving import ServingEstimate, ServingInputs, estimate_serving
from costmodel.gpu.training import TrainingEstimate, TrainingInputs, estimate_training

__all__ = [
    "ServingEstimate",
    "ServingInputs",
    "TrainingEstimate",
    "TrainingInputs",
    "estimate_serving",
    "estimate_training",
]
