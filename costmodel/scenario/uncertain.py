"""Uncertain scenario inputs: distributions in scenario files, field paths, and the inputs the simulator samples.

Any numeric scenario field may hold a distribution mapping instead of a number (syntax in
:mod:`costmodel.scenario.distributions` and docs/SCENARIO.md). :func:`extract_distributions` replaces each one
in the loaded YAML tree by its central value (``likely`` of a three-point estimate, the ``median`` of a
lognormal, the midpoint of a uniform, the observed rate of an eval result), so the deterministic
engine runs on those, and returns ``path -> distribution`` for the simulator. Paths are the dotted
field paths of error messages: ``workload.output_tokens_per_request``,
``strategies[2].accuracy_fraction``, ``strategies[0].model.input_usd_per_mtok``.

The sourced default ranges (output tokens, growth, accuracy, GPU price, MFU) are the simulator's:
:mod:`costmodel.simulation.default_ranges`.
"""

from __future__ import annotations

import dataclasses
import math
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from costmodel.core import yamlio
from costmodel.core.schema import Collector, field_specs, line_of
from costmodel.scenario.distribution_parser import parse_distribution
from costmodel.scenario.distributions import Distribution, EvalBeta
from costmodel.scenario.types import INLINE_TYPES, STRATEGY_KINDS, Needs, People, Scenario, Value, Workload

FIXED_FIELDS = frozenset({"schema_version", "horizon_months", "retrain_every_months"})
"""Fields that fix the shape of the timeline (array lengths, retrain months): one number only."""

_BLOCKS: dict[str, type[Any]] = {"workload": Workload, "value": Value, "people": People, "needs": Needs}

_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?")


@dataclass(frozen=True, slots=True, kw_only=True)
class CostFactor:
    """An uncertainty on something that is not a scenario field (a catalog GPU price, an MFU).

    Multiplies a strategy's costs in ``categories`` (one-off and monthly) by
    ``(draw / reference) ** exponent``: exponent 1 for a price, -1 for an efficiency such as MFU.
    """

    strategy_id: str
    categories: tuple[str, ...]
    reference: float
    exponent: float = 1.0


@dataclass(frozen=True, slots=True, kw_only=True)
class UncertainInput:
    """One input the simulator samples."""

    path: str
    """A scenario field path, or a name for a :class:`CostFactor`."""
    dist: Distribution
    origin: str
    """Where the range comes from: ``scenario``, an eval file, or a default's source."""
    integer: bool = False
    """Draws are rounded to whole numbers (count fields such as ``n_shots``)."""
    factor: CostFactor | None = None

    def central(self) -> float:
        """The value a deterministic run uses (rounded for whole-number fields)."""
        return round_half_up(self.dist.central()) if self.integer else self.dist.central()


def round_half_up(x: float) -> float:
    """Nearest whole number, halves rounded up (Python's round() rounds halves to even).

    >>> round_half_up(2.5), round_half_up(-0.5)
    (3.0, 0.0)
    """
    return float(math.floor(x + 0.5))


# ---------------------------------------------------------------------------------------------
# Extraction from a YAML tree
# ---------------------------------------------------------------------------------------------


def _numeric(tp: Any) -> type | None:
    """``float`` or ``int`` when the field holds a number (optionally None), else None."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        tp = args[0] if len(args) == 1 else None
    return tp if tp in (float, int) else None


def _copy_map(node: Mapping[str, Any], changes: dict[str, Any]) -> Any:
    """A copy of ``node`` with ``changes``, keeping the line numbers of :class:`yamlio.YMap`."""
    if isinstance(node, yamlio.YMap):
        out = yamlio.YMap({**node, **changes})
        out.line = node.line
        out.key_lines = node.key_lines
        return out
    return {**node, **changes}


def _placeholder(f: dataclasses.Field[Any], number: type) -> float | int:
    """A valid stand-in for a rejected distribution, so the field is reported once, not twice."""
    if isinstance(f.default, int | float) and not isinstance(f.default, bool):
        return f.default
    lo = f.metadata.get("min")
    value = (lo if lo is not None else 0.0) + (1.0 if f.metadata.get("exclusive_min") else 0.0)
    return int(value) if number is int else float(value)


def path_sort_key(path: str) -> tuple[Any, ...]:
    """Order of field paths: as text, but ``strategies[2]`` before ``strategies[10]``.

    >>> sorted(["strategies[10].n_shots", "strategies[2].n_shots", "people.engineer_usd_per_hour"], key=path_sort_key)
    ['people.engineer_usd_per_hour', 'strategies[2].n_shots', 'strategies[10].n_shots']
    """
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"\[(\d+)\]", path))


def _walk(node: Any, cls: type[Any], path: str, col: Collector, found: list[tuple[str, Distribution]]) -> Any:
    if not isinstance(node, Mapping):
        return node
    specs = field_specs(cls)
    changes: dict[str, Any] = {}
    for key, value in node.items():
        if key not in specs or not isinstance(value, Mapping):
            continue
        fpath = f"{path}.{key}" if path else key
        tp, f = specs[key]
        number = _numeric(tp)
        if number is None:
            inline = (
                INLINE_TYPES.get(key)
                if path.startswith("strategies[")
                else _BLOCKS.get(key)
                if not path
                else None
            )
            if inline is not None:
                sub = _walk(value, inline, fpath, col, found)
                if sub is not value:
                    changes[key] = sub
            continue
        if key in FIXED_FIELDS:
            col.add(line_of(node, key), fpath, "must be one number: it fixes the months of the timeline")
            changes[key] = _placeholder(f, number)
            continue
        dist = parse_distribution(value, field=fpath, col=col, meta=f.metadata)
        if dist is None:
            changes[key] = _placeholder(f, number)
            continue
        found.append((fpath, dist))
        central = dist.central()
        changes[key] = int(round_half_up(central)) if number is int else central
    return _copy_map(node, changes) if changes else node


def extract_distributions(doc: Any, col: Collector) -> tuple[Any, tuple[tuple[str, Distribution], ...]]:
    """Replace every distribution in a loaded scenario tree by its central value.

    Returns the new tree (line numbers kept; the input is not modified) and the distributions by
    field path, in :func:`path_sort_key` order so that equal scenarios compare equal. Invalid
    distributions are recorded in ``col`` with file, line and field (and replaced by a valid stand-in
    so the field is not reported a second time).

    >>> col = Collector("s.yaml")
    >>> tree, found = extract_distributions({"workload": {"output_tokens_per_request":
    ...     {"low": 200, "likely": 300, "high": 600}}}, col)
    >>> tree["workload"]["output_tokens_per_request"], found[0][0], col.problems
    (300.0, 'workload.output_tokens_per_request', [])
    """
    found: list[tuple[str, Distribution]] = []
    if not isinstance(doc, Mapping):
        return doc, ()
    new = _walk(doc, Scenario, "", col, found)
    raw = doc.get("strategies")
    if isinstance(raw, list):
        items = []
        for i, node in enumerate(raw):
            kind = node.get("kind") if isinstance(node, Mapping) else None
            cls = STRATEGY_KINDS.get(kind) if isinstance(kind, str) else None
            items.append(_walk(node, cls, f"strategies[{i}]", col, found) if cls is not None else node)
        if any(a is not b for a, b in zip(items, raw, strict=True)):
            seq = yamlio.YList(items)
            if isinstance(raw, yamlio.YList):
                seq.line, seq.item_lines = raw.line, raw.item_lines
            new = _copy_map(new, {"strategies": seq})
    return new, tuple(sorted(found, key=lambda item: path_sort_key(item[0])))


def insert_distributions(plain: dict[str, Any], scenario: Scenario) -> dict[str, Any]:
    """Put a scenario's distributions back into its plain dict (for dumping to YAML).

    A distribution is written only while its field still holds the distribution's central value;
    a field changed since (a slider moved) keeps the new number and drops the stale distribution.
    """
    for path, dist in scenario.uncertain:
        parent, key = _plain_parent(plain, path)
        if parent is None or key not in parent:
            continue
        current = parent[key]
        if isinstance(current, int | float) and math.isclose(
            current, dist.central(), rel_tol=1e-12, abs_tol=0.5 if isinstance(current, int) else 0.0
        ):
            parent[key] = dist.to_plain()
    return plain


def _plain_parent(plain: Any, path: str) -> tuple[dict[str, Any] | None, str]:
    parts = path.split(".")
    node = plain
    for part in parts[:-1]:
        m = _SEGMENT.fullmatch(part)
        if m is None or not isinstance(node, dict) or m.group(1) not in node:
            return None, ""
        node = node[m.group(1)]
        if m.group(2) is not None:
            index = int(m.group(2))
            if not isinstance(node, list) or index >= len(node):
                return None, ""
            node = node[index]
    return (node if isinstance(node, dict) else None), parts[-1]


# ---------------------------------------------------------------------------------------------
# Paths on Scenario objects
# ---------------------------------------------------------------------------------------------


def _step(obj: Any, part: str) -> Any:
    m = _SEGMENT.fullmatch(part)
    if m is None:
        raise KeyError(part)
    value = getattr(obj, m.group(1))
    return value[int(m.group(2))] if m.group(2) is not None else value


def get_value(scenario: Scenario, path: str) -> Any:
    """The value at a field path (KeyError/AttributeError when the path does not exist)."""
    obj: Any = scenario
    for part in path.split("."):
        obj = _step(obj, part)
    return obj


def is_integer_field(scenario: Scenario, path: str) -> bool:
    """True when the field at ``path`` holds whole numbers."""
    parent_path, _, name = path.rpartition(".")
    parent = get_value(scenario, parent_path) if parent_path else scenario
    tp, _ = field_specs(type(parent))[name]
    return _numeric(tp) is int


def with_values(obj: Any, values: Mapping[str, Any]) -> Any:
    """A copy of ``obj`` (a Scenario or a part of it) with the fields at ``values``' paths replaced.

    No validation: the simulator passes draws (numpy arrays) that the distributions already keep
    within each field's bounds.
    """
    direct: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    for path, value in values.items():
        head, _, rest = path.partition(".")
        if rest:
            nested.setdefault(head, {})[rest] = value
        else:
            direct[head] = value
    changes: dict[str, Any] = dict(direct)
    for head, sub in nested.items():
        m = _SEGMENT.fullmatch(head)
        if m is None:
            raise KeyError(head)
        name = m.group(1)
        if m.group(2) is None:
            changes[name] = with_values(getattr(obj, name), sub)
        else:
            items = list(changes.get(name, getattr(obj, name)))
            index = int(m.group(2))
            items[index] = with_values(items[index], sub)
            changes[name] = tuple(items)
    return dataclasses.replace(obj, **changes)


def scenario_inputs(scenario: Scenario) -> list[UncertainInput]:
    """The uncertain inputs written in the scenario itself (and eval results applied to it)."""
    out = []
    for path, dist in scenario.uncertain:
        origin = "eval results" if isinstance(dist, EvalBeta) else "scenario"
        out.append(
            UncertainInput(path=path, dist=dist, origin=origin, integer=is_integer_field(scenario, path))
        )
    return out
