"""Scenario documents: strict parsing with defaults and line numbers, loading files, dumping, the defaults table."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from costmodel.catalog.entry_rules import entry_problems
from costmodel.core import yamlio
from costmodel.core.files import read_regular
from costmodel.core.numeric import growth_problem
from costmodel.core.schema import (
    Collector,
    build,
    check_value,
    describe,
    field_specs,
    line_of,
    suggest,
    to_plain,
    today,
)
from costmodel.scenario.composite import cascade_fields, composite_problems
from costmodel.scenario.draw_bounds import draw_problems
from costmodel.scenario.types import (
    _ENTRY_FIELDS,
    _INLINE_ENTRY_DEFAULTS,
    INLINE_CATALOG_TYPES,
    INLINE_SOURCE_URL,
    INLINE_TYPES,
    MAX_SCENARIO_BYTES,
    MAX_STRATEGIES,
    REF_FIELDS,
    SCHEMA_VERSION,
    STRATEGY_KINDS,
    CascadeStrategy,
    FinetuneHostedStrategy,
    FinetuneSelfhostedStrategy,
    InlineOffer,
    Needs,
    People,
    RagFinetunedStrategy,
    RagStrategy,
    Scenario,
    Strategy,
    Value,
    Workload,
)
from costmodel.scenario.uncertain import extract_distributions, insert_distributions

_TOP_KEYS = (
    "schema_version",
    "name",
    "horizon_months",
    "discount_rate_annual_fraction",
    "start_date",
    "price_change_fraction_per_year",
    "workload",
    "value",
    "people",
    "needs",
    "strategies",
)


def _record_lines(node: Any, path: str, lines: dict[str, int]) -> None:
    if isinstance(node, Mapping):
        for key, value in node.items():
            sub = f"{path}.{key}" if path else str(key)
            ln = line_of(node, key)
            if ln is not None:
                lines[sub] = ln
            _record_lines(value, sub, lines)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            sub = f"{path}[{i}]"
            ln = line_of(node, i)
            if ln is not None:
                lines[sub] = ln
            _record_lines(value, sub, lines)


def _build_strategy(node: Any, i: int, col: Collector) -> Strategy | None:
    path = f"strategies[{i}]"
    if not isinstance(node, Mapping):
        col.add(line_of(node), path, f"expected a mapping, got {describe(node)}")
        return None
    kind = node.get("kind")
    cls = STRATEGY_KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        choices = ", ".join(STRATEGY_KINDS)
        hint = suggest(kind, STRATEGY_KINDS) if isinstance(kind, str) else ""
        col.add(
            line_of(node, "kind") or line_of(node),
            f"{path}.kind",
            f"expected one of {choices}, got {describe(kind)}{hint}",
        )
        return None
    specs = field_specs(cls)
    extra: dict[str, Any] = {}
    ok = True
    for name in REF_FIELDS:
        if name not in specs or name not in node:
            continue
        value = node[name]
        fpath, fline = f"{path}.{name}", line_of(node, name)
        if isinstance(value, Mapping) and name in INLINE_TYPES:
            inline_cls = (
                InlineOffer
                if (name == "migrate_to" and kind in ("finetune_hosted", "rag_finetuned"))
                else INLINE_TYPES[name]
            )
            inline = build(inline_cls, value, path=fpath, col=col)
            ok = ok and inline is not None
            extra[name] = inline
        elif isinstance(value, Mapping) and name in INLINE_CATALOG_TYPES:
            entry_cls = INLINE_CATALOG_TYPES[name]
            entry_specs = field_specs(entry_cls)
            defaults: dict[str, Any] = {
                "id": f"inline/{name}",
                "source_url": INLINE_SOURCE_URL,
                "as_of": today(),
            }
            defaults.update({k: v for k, v in _INLINE_ENTRY_DEFAULTS.items() if k in entry_specs})
            fixed = {
                k: v for k, v in defaults.items() if k not in value or k in ("id", "source_url", "as_of")
            }
            inline = build(entry_cls, value, path=fpath, col=col, extra=fixed)
            kind = "open_models" if name == "base_model" else "gpu_offers"
            for fld, message in entry_problems(kind, inline) if inline is not None else []:
                col.add(line_of(value, fld) or fline, f"{fpath}.{fld}", message)  # the catalog's own rules
                inline = None
            ok = ok and inline is not None
            extra[name] = inline
        elif isinstance(value, str) and value.strip():
            extra[name] = value.strip()
        elif value is None and specs[name][1].default is None:
            extra[name] = None
        else:
            want = "a catalog id or an inline mapping"
            col.add(fline, fpath, f"expected {want}, got {describe(value)}")
            ok = False
            extra[name] = None  # reported above; keeps build() from type-checking a reference field itself
    if kind == "cascade":
        parts, parts_ok = cascade_fields(node, path, col)
        extra.update(parts)
        ok = ok and parts_ok
    strategy = build(cls, node, path=path, col=col, extra=extra)
    if strategy is None or not ok:
        return None
    if (
        isinstance(strategy, FinetuneHostedStrategy | FinetuneSelfhostedStrategy | RagFinetunedStrategy)
        and strategy.n_training_examples < 1
    ):
        col.add(
            line_of(node, "n_training_examples"),
            f"{path}.n_training_examples",
            "expected at least 1 example",
        )
        return None
    if (
        isinstance(strategy, RagStrategy | RagFinetunedStrategy)
        and strategy.chunk_overlap_tokens >= strategy.tokens_per_chunk
    ):
        col.add(
            line_of(node, "chunk_overlap_tokens"),
            f"{path}.chunk_overlap_tokens",
            f"must be smaller than tokens_per_chunk ({strategy.tokens_per_chunk:g})",
        )
        return None
    return strategy  # type: ignore[no-any-return]


def parse_scenario(data: bytes | str, *, source: str = "<scenario>") -> Scenario:
    """Validate a scenario document, apply defaults, and return it; InputError lists every problem.

    >>> s = parse_scenario('''
    ... workload: {requests_per_month: 1000, input_tokens_per_request: 100, output_tokens_per_request: 50}
    ... strategies:
    ...   - {id: p, kind: prompting, model: openai/gpt-4.1-mini}
    ... ''')
    >>> s.horizon_months, s.strategies[0].model
    (24, 'openai/gpt-4.1-mini')
    """
    doc = yamlio.load_yaml(data, source=source, max_bytes=MAX_SCENARIO_BYTES)
    col = Collector(source)
    if not isinstance(doc, Mapping):
        col.add(line_of(doc), "<file>", f"expected a scenario mapping, got {describe(doc)}")
        col.raise_if_any()
    doc, uncertain = extract_distributions(doc, col)
    lines: dict[str, int] = {}
    _record_lines(doc, "", lines)
    for key in doc:
        if key not in _TOP_KEYS:
            col.add(line_of(doc, key), key, "unknown key" + suggest(key, _TOP_KEYS))
    top = field_specs(Scenario)
    values: dict[str, Any] = {}
    for key in (
        "schema_version",
        "name",
        "horizon_months",
        "discount_rate_annual_fraction",
        "start_date",
        "price_change_fraction_per_year",
    ):
        if key in doc:
            tp, f = top[key]
            out = check_value(doc[key], tp, field=key, line=line_of(doc, key), col=col, meta=f.metadata)
            values[key] = out
    if values.get("schema_version", SCHEMA_VERSION) != SCHEMA_VERSION:
        col.add(
            line_of(doc, "schema_version"), "schema_version", f"only version {SCHEMA_VERSION} is supported"
        )
    blocks: dict[str, type[Any]] = {"workload": Workload, "value": Value, "people": People, "needs": Needs}
    for key, cls in blocks.items():
        if key in doc:
            if doc[key] is None and key in ("value", "needs"):
                values[key] = None
                continue
            values[key] = build(cls, doc[key], path=key, col=col)
        elif key == "workload":
            col.add(line_of(doc), "workload", "required block is missing")
    raw = doc.get("strategies")
    strategies: list[Strategy | None] = []
    if not isinstance(raw, list) or not raw:
        col.add(line_of(doc, "strategies") or line_of(doc), "strategies", "at least one strategy is required")
    elif len(raw) > MAX_STRATEGIES:
        col.add(
            line_of(doc, "strategies"),
            "strategies",
            f"{len(raw):,} strategies; at most {MAX_STRATEGIES} can be compared in one scenario",
        )
    else:
        seen: dict[str, int] = {}
        for i, node in enumerate(raw):
            s = _build_strategy(node, i, col)
            strategies.append(s)
            if s is not None:
                if s.id in seen:
                    col.add(
                        line_of(raw, i),
                        f"strategies[{i}].id",
                        f"duplicate strategy id {s.id!r} (also strategies[{seen[s.id]}])",
                    )
                seen.setdefault(s.id, i)
    _check_cross_fields(values, strategies, doc, col)
    if isinstance(raw, list) and len(strategies) == len(raw):
        for line, fld, message in composite_problems(strategies, raw):
            col.add(line, fld, message)
    _check_growth(values, doc, col)
    rag = [
        (i, s.tokens_per_chunk, s.chunk_overlap_tokens)
        for i, s in enumerate(strategies)
        if isinstance(s, RagStrategy)
    ]
    for field, message in draw_problems(rag, uncertain):  # draws stay valid (costmodel.scenario.draw_bounds)
        col.add(lines.get(field), field, message)
    col.raise_if_any()
    values["strategies"] = tuple(s for s in strategies if s is not None)
    return Scenario(**values, source=source, lines=lines, uncertain=uncertain)


def _check_growth(values: dict[str, Any], doc: Any, col: Collector) -> None:
    """Month-H traffic within the ceiling (costmodel.core.numeric), named on the growth field."""
    w, horizon = values.get("workload"), values.get("horizon_months", 24)
    if isinstance(w, Workload) and isinstance(horizon, int):
        problem = growth_problem(w.requests_per_month, w.growth_fraction_per_month, horizon)
        if problem is not None:
            node = doc.get("workload")
            line = line_of(node, "growth_fraction_per_month") or line_of(node, "requests_per_month")
            col.add(line, "workload.growth_fraction_per_month", problem)


def _check_cross_fields(
    values: dict[str, Any], strategies: list[Strategy | None], doc: Any, col: Collector
) -> None:
    horizon = values.get("horizon_months", 24)
    if not isinstance(horizon, int):
        return
    has_value = values.get("value") is not None
    for i, s in enumerate(strategies):
        if s is None:
            continue
        node = doc["strategies"][i]
        if (
            isinstance(s, FinetuneHostedStrategy | FinetuneSelfhostedStrategy | RagFinetunedStrategy)
            and s.retrain_every_months > horizon
        ):
            col.add(
                line_of(node, "retrain_every_months"),
                f"strategies[{i}].retrain_every_months",
                f"must be <= horizon_months ({horizon}); use 0 for never",
            )
        if has_value and s.accuracy_fraction is None and not isinstance(s, CascadeStrategy):
            col.add(
                line_of(node),
                f"strategies[{i}].accuracy_fraction",
                "required when the scenario has a value block (net value needs it)",
            )


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file."""
    p = Path(path)
    return parse_scenario(read_regular(p, max_bytes=MAX_SCENARIO_BYTES), source=str(p))


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """Plain data of a scenario with every default filled in, in SCENARIO.md key order."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(scenario):
        if f.name in ("source", "lines", "uncertain"):
            continue
        value = getattr(scenario, f.name)
        if value is None:
            continue
        out[f.name] = to_plain(value)
    out["strategies"] = [_ordered_strategy(s) for s in out["strategies"]]
    return insert_distributions(out, scenario)


def _ordered_strategy(plain: dict[str, Any]) -> dict[str, Any]:
    """id and kind first, then references, then the rest (as in SCENARIO.md)."""
    for name in INLINE_CATALOG_TYPES:
        entry = plain.get(name)
        if isinstance(entry, dict) and entry.get("source_url") == INLINE_SOURCE_URL:
            plain[name] = {k: v for k, v in entry.items() if k not in _ENTRY_FIELDS}
    first = [k for k in ("id", "kind", *REF_FIELDS) if k in plain]
    return {**{k: plain[k] for k in first}, **{k: v for k, v in plain.items() if k not in first}}


def dump_scenario(scenario: Scenario) -> str:
    """YAML text of a scenario (round-trips through :func:`parse_scenario`)."""
    return yamlio.dump_yaml(scenario_to_dict(scenario))


def replace_strategy(scenario: Scenario, strategy_id: str, **changes: Any) -> Scenario:
    """A copy of the scenario with one strategy's fields changed (validated by re-parsing)."""
    new = tuple(dataclasses.replace(s, **changes) if s.id == strategy_id else s for s in scenario.strategies)
    return revalidate(dataclasses.replace(scenario, strategies=new))


def revalidate(scenario: Scenario) -> Scenario:
    """Check a programmatically built scenario by dumping and re-parsing it (raises InputError)."""
    return parse_scenario(dump_scenario(scenario), source=scenario.source)


def defaults_table() -> list[dict[str, Any]]:
    """Every optional key with its default, unit and origin (for ``breakeven defaults``)."""
    rows: list[dict[str, Any]] = []

    def add(prefix: str, cls: type[Any]) -> None:
        for name, (_, f) in field_specs(cls).items():
            if name in ("source", "lines", "uncertain", "kind", "id"):
                continue
            if f.default is not dataclasses.MISSING:
                default: Any = f.default
            elif f.default_factory is not dataclasses.MISSING:
                continue
            else:
                default = "(required)"
            rows.append(
                {
                    "key": f"{prefix}{name}",
                    "default": to_plain(default),
                    "unit": f.metadata.get("unit", ""),
                    "note": f.metadata.get("help", ""),
                }
            )

    add("", Scenario)
    add("workload.", Workload)
    add("value.", Value)
    add("people.", People)
    add("needs.", Needs)
    for kind, cls in STRATEGY_KINDS.items():
        add(f"strategies[kind={kind}].", cls)
    return rows
