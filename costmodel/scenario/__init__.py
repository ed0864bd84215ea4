"""Scenario files (SCENARIO.md, version 1): the typed model (``types``), strict loading and dumping (``io``),
distributions of uncertain inputs (``distributions``, parsed by ``distribution_parser``, CDF numerics in
``beta_function``) and field paths into a scenario (``uncertain``)."""

from __future__ import annotations

from costmodel.scenario.io import (
    defaults_table,
    dump_scenario,
    load_scenario,
    parse_scenario,
    replace_strategy,
    revalidate,
    scenario_to_dict,
)
from costmodel.scenario.types import (
    FinetuneHostedStrategy,
    FinetuneSelfhostedStrategy,
    Needs,
    People,
    PromptingStrategy,
    RagStrategy,
    Scenario,
    Strategy,
    Value,
    Workload,
)

__all__ = [
    "FinetuneHostedStrategy",
    "FinetuneSelfhostedStrategy",
    "Needs",
    "People",
    "PromptingStrategy",
    "RagStrategy",
    "Scenario",
    "Strategy",
    "Value",
    "Workload",
    "defaults_table",
    "dump_scenario",
    "load_scenario",
    "parse_scenario",
    "replace_strategy",
    "revalidate",
    "scenario_to_dict",
]
