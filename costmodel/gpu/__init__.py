"""GPU estimators for self-hosting, and the planning shared by the CLI and the Planner page.

``training`` (one fine-tuning run: time, memory, fit, cost) builds on ``training_flops`` (FLOPs per
token, MFU) and ``memory`` (tensor bytes); ``serving`` (one replica: batch, latency, throughput,
$/Mtok) builds on ``roofline``; ``serving_cost`` sizes replicas for a demand and prices them;
``offers`` turns hours and GPUs into billed dollars; ``planning`` compares GPUs and prices a plan.
"""

from __future__ import annotations

from costmodel.gpu.memory import MemoryBreakdown
from costmodel.gpu.serving import ServingEstimate, ServingInputs, estimate_serving
from costmodel.gpu.serving_cost import dedicated_monthly_usd, replicas_for_demand
from costmodel.gpu.training import TrainingEstimate, TrainingInputs, estimate_training

__all__ = [
    "MemoryBreakdown",
    "ServingEstimate",
    "ServingInputs",
    "TrainingEstimate",
    "TrainingInputs",
    "dedicated_monthly_usd",
    "estimate_serving",
    "estimate_training",
    "replicas_for_demand",
]
