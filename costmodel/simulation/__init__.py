"""Monte Carlo over uncertain inputs: vectorised costs per draw (``costs``), bands and chance of winning
(``monte_carlo``, returning ``results``), sourced default ranges (``default_ranges``), the tornado
(``sensitivity``) and accuracy from eval files (``evals``)."""

from __future__ import annotations

from costmodel.simulation.default_ranges import default_uncertainty
from costmodel.simulation.evals import EvalSummary, apply_evals, parse_evals
from costmodel.simulation.monte_carlo import simulate
from costmodel.simulation.results import SimulationResult
from costmodel.simulation.sensitivity import Tornado, tornado_for

__all__ = [
    "EvalSummary",
    "SimulationResult",
    "Tornado",
    "apply_evals",
    "default_uncertainty",
    "parse_evals",
    "simulate",
    "tornado_for",
]
