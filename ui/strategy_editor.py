"""Strategy editor: add, remove, duplicate and edit strategies of every kind, every field with unit and help.

The pure half (field descriptions, templates, ids, applying edits) is tested without Streamlit;
:func:`render` draws one form per strategy. Edits are applied only when the whole scenario still
validates and runs; otherwise the error names the field and the scenario stays as it was.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.prices import all_model_refs
from costmodel.core import yamlio
from costmodel.core.errors import InputError
from costmodel.core.schema import field_specs, has_default, to_plain
from costmodel.report import KIND_LABELS
from costmodel.scenario.io import load_scenario, parse_scenario, scenario_to_dict
from costmodel.scenario.types import (
    INLINE_TYPES,
    REF_FIELDS,
    STRATEGY_ID_PATTERN,
    STRATEGY_KINDS,
    Scenario,
    StrategyBase,
)
from ui import messages, runs, session, session_catalogs
from ui.composite_templates import composite_template
from ui.prices import REF_KINDS
from ui.words import paths_in_words

SOURCE = "strategy editor"
NOT_SET = "(not set)"
INLINE = "inline price (YAML mapping below)"
DEFAULT_HOSTED_OFFER = "tinker/lora-qwen3-8b"
"""Offer of a new hosted fine-tuning strategy: one with no announced shutdown (finetune_offers.yaml)."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class FieldInfo:
    """How the editor shows one strategy field."""

    name: str
    widget: str
    """number | integer | choice | text | ref | bool"""
    optional: bool
    required: bool
    default: Any
    unit: str
    help: str
    choices: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None


def _base_type(tp: Any) -> tuple[Any, bool]:
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return rest[0], True
    return tp, False


def describe_default(f: dataclasses.Field[Any]) -> str:
    """Where a field's default comes from, in words (shown in every field's help)."""
    help_text = str(f.metadata.get("help", ""))
    if f.name in REF_FIELDS:
        return "a catalog id (its source URL and as-of date are on the Prices page) or an inline price"
    if not has_default(f):
        return "required: no default"
    default = f.default if f.default is not dataclasses.MISSING else None
    shown = "not set" if default is None else f"{default!r}"
    origin = (
        help_text
        or "schema default in costmodel/scenario.py (a neutral starting value, not a sourced figure)"
    )
    return f"default {shown}: {origin}"


def _field_rank(cls: type, name: str) -> int:
    """id, then catalog references, then the kind's own fields, then shared ones, then the common base."""
    if name == "id":
        return 0
    if name in REF_FIELDS:
        return 1
    if name in inspect.get_annotations(cls):
        return 2
    if name in inspect.get_annotations(StrategyBase):
        return 4
    return 3


def field_infos(kind: str) -> list[FieldInfo]:
    """Every editable field of a strategy kind, in declaration order, with widget type, unit and help."""
    cls = STRATEGY_KINDS[kind]
    out = []
    for name, (tp, f) in sorted(field_specs(cls).items(), key=lambda item: _field_rank(cls, item[0])):
        if name == "kind":
            continue
        base, optional = _base_type(tp)
        unit = str(f.metadata.get("unit", ""))
        choices: tuple[str, ...] = ()
        if name in REF_FIELDS:
            widget = "ref"
        elif typing.get_origin(base) is typing.Literal:
            widget, choices = "choice", tuple(str(c) for c in typing.get_args(base))
        elif base is bool:
            widget = "bool"
        elif base is int:
            widget = "integer"
        elif base is float:
            widget = "number"
        else:
            widget = "text"
        help_text = f"`{name}`" + (f" — unit: {unit}" if unit else "") + f". {describe_default(f)}."
        out.append(
            FieldInfo(
                name=name,
                widget=widget,
                optional=optional,
                required=not has_default(f),
                default=f.default if f.default is not dataclasses.MISSING else None,
                unit=unit,
                help=help_text,
                choices=choices,
                min=f.metadata.get("min"),
                max=f.metadata.get("max"),
            )
        )
    return out


def inline_help(name: str) -> str:
    """The fields an inline price of a reference field takes, with units."""
    cls = INLINE_TYPES.get(name)
    if cls is None:
        return ""
    parts = []
    for fname, (_, f) in field_specs(cls).items():
        unit = f.metadata.get("unit", "")
        parts.append(f"{fname}{'' if has_default(f) else ' (required)'}{f' [{unit}]' if unit else ''}")
    return "Inline fields: " + ", ".join(parts)


def ref_options(name: str, catalogs: Catalogs, current: object) -> list[str]:
    """Catalog ids a reference field may name (API models: every genai-prices model plus overrides)."""
    kind = REF_KINDS.get(name)
    ids: set[str] = set()
    if kind == "models":
        ids |= set(all_model_refs())
    if kind is not None:
        ids |= {e.id for e in catalogs.all(kind)}
    if name == "embedding_model":
        ids |= {r for r in all_model_refs() if "embed" in r}
    if isinstance(current, str):
        ids.add(current)
    return sorted(ids)


def unique_id(wanted: str, existing: Sequence[str]) -> str:
    """``wanted`` made valid and unused: ``rag``, ``rag-2``, ...

    >>> unique_id("rag", ["rag", "rag-2"])
    'rag-3'
    >>> unique_id("My Strategy!", [])
    'my-strategy'
    """
    base = re.sub(r"[^a-z0-9-]+", "-", wanted.lower()).strip("-") or "strategy"
    if not re.fullmatch(STRATEGY_ID_PATTERN, base):
        base = "s-" + base
    candidate, n = base, 2
    while candidate in existing:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def template(kind: str, scenario: Scenario) -> dict[str, Any]:
    """A new strategy of ``kind``: a copy of the bundled example's strategy of that kind, with a fresh id.

    Starting values come from ``examples/fintech-support.yaml`` (whose catalog references carry
    their sources); retraining is capped at the horizon so the new strategy validates.
    """
    example = load_scenario(session.DEFAULT_EXAMPLE)
    if kind in ("rag_finetuned", "cascade"):
        new_id = unique_id(kind.replace("_", "-"), [s.id for s in scenario.strategies])
        return composite_template(kind, new_id, scenario, example, offer=DEFAULT_HOSTED_OFFER)
    found = next((s for s in example.strategies if s.kind == kind), None)
    if found is None:
        raise InputError.single(SOURCE, "kind", f"no {kind} strategy in the example to start from")
    plain: dict[str, Any] = to_plain(found)
    plain["id"] = unique_id(kind.replace("_", "-"), [s.id for s in scenario.strategies])
    if isinstance(
        plain.get("offer"), str
    ):  # hosted fine-tuning: start on an offer with no announced shutdown
        plain["offer"] = DEFAULT_HOSTED_OFFER
    if plain.get("retrain_every_months", 0) > scenario.horizon_months:
        plain["retrain_every_months"] = scenario.horizon_months
    return plain


def with_strategies(scenario: Scenario, strategies: Sequence[Mapping[str, Any]]) -> Scenario:
    """The scenario with its strategy list replaced; InputError names any invalid field."""
    doc = scenario_to_dict(scenario)
    doc["strategies"] = [dict(s) for s in strategies]
    return parse_scenario(yamlio.dump_yaml(doc), source=SOURCE)


def plain_strategies(scenario: Scenario) -> list[dict[str, Any]]:
    """Plain dicts of the scenario's strategies."""
    return [dict(s) for s in scenario_to_dict(scenario)["strategies"]]


def add_strategy(scenario: Scenario, kind: str) -> Scenario:
    """The scenario with a new strategy of ``kind`` appended."""
    return with_strategies(scenario, [*plain_strategies(scenario), template(kind, scenario)])


def duplicate_strategy(scenario: Scenario, index: int) -> Scenario:
    """The scenario with strategy ``index`` copied (id ``<id>-copy``) right after it."""
    items = plain_strategies(scenario)
    copy = dict(items[index])
    copy["id"] = unique_id(f"{copy['id']}-copy", [s["id"] for s in items])
    return with_strategies(scenario, [*items[: index + 1], copy, *items[index + 1 :]])


def remove_strategy(scenario: Scenario, index: int) -> Scenario:
    """The scenario without strategy ``index`` (InputError when it is the last one)."""
    items = plain_strategies(scenario)
    return with_strategies(scenario, items[:index] + items[index + 1 :])


def edit_strategy(scenario: Scenario, index: int, values: Mapping[str, Any]) -> Scenario:
    """The scenario with strategy ``index`` replaced by ``values`` (None = omit the key, use the default)."""
    items = plain_strategies(scenario)
    kind = items[index]["kind"]
    items[index] = {
        "id": values.get("id"),
        "kind": kind,
        **{k: v for k, v in values.items() if v is not None and k != "id"},
    }
    return with_strategies(scenario, items)


def parse_inline(text: str, *, index: int, name: str) -> dict[str, Any]:
    """An inline price typed as a YAML mapping; InputError naming ``strategies[i].<name>`` otherwise."""
    where = f"strategies[{index}].{name}"
    try:
        value = yamlio.load_yaml(text or "", source=SOURCE)
    except InputError as exc:
        raise InputError.single(
            SOURCE, where, "inline price is not valid YAML: " + exc.problems[0].message
        ) from None
    if not isinstance(value, Mapping):
        raise InputError.single(SOURCE, where, "inline price must be a mapping such as {usd_per_month: 70}")
    return dict(value)


# ---------------------------------------------------------------------------------------------
# Streamlit
# ---------------------------------------------------------------------------------------------


def _apply(candidate_fn: typing.Callable[[], Scenario]) -> None:
    try:
        candidate = candidate_fn()
    except InputError as exc:
        messages.flash_error("The strategy change was not applied:", str(exc))
        return
    runs.apply_scenario(candidate, origin=SOURCE, revalidate=False)


def _widget(info: FieldInfo, value: Any, key: str, index: int, catalogs: Catalogs) -> Any:
    label = info.name.replace("_", " ") + (f" ({paths_in_words(info.unit)})" if info.unit else "")
    if info.widget == "ref":
        options = ref_options(info.name, catalogs, value)
        extra = ([INLINE] if info.name in INLINE_TYPES else []) + ([NOT_SET] if info.optional else [])
        current = value if isinstance(value, str) else (INLINE if isinstance(value, Mapping) else NOT_SET)
        choice = st.selectbox(
            label, options + extra, index=(options + extra).index(current), key=key, help=info.help
        )
        if info.name in INLINE_TYPES:
            text = st.text_input(
                f"{info.name.replace('_', ' ')} inline price",
                value=_flow(value) if isinstance(value, Mapping) else "",
                key=key + "_inline",
                help=inline_help(info.name),
                placeholder="used only when 'inline price' is selected above",
            )
            if choice == INLINE:
                return ("inline", text)
        return None if choice == NOT_SET else choice
    if info.widget == "choice":
        options = list(info.choices) + ([NOT_SET] if info.optional else [])
        current = value if value is not None else NOT_SET
        choice = st.selectbox(label, options, index=options.index(current), key=key, help=info.help)
        return None if choice == NOT_SET else choice
    if info.widget == "bool":
        return st.checkbox(label, value=bool(value), key=key, help=info.help)
    if info.widget in ("number", "integer"):
        is_int = info.widget == "integer"
        step: float | int = 1 if is_int else (0.01 if info.max == 1.0 else 1.0)
        lo = info.min if info.min is not None else None
        kwargs: dict[str, Any] = {"min_value": int(lo) if is_int and lo is not None else lo, "step": step}
        if info.max is not None:
            kwargs["max_value"] = int(info.max) if is_int else float(info.max)
        shown = None if value is None else (int(value) if is_int else float(value))
        if shown is None and not info.optional and info.default is not None:
            shown = info.default
        return st.number_input(
            label, value=shown, key=key, help=info.help, format=None if is_int else "%g", **kwargs
        )
    return st.text_input(label, value="" if value is None else str(value), key=key, help=info.help) or None


def _flow(value: Mapping[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"


def _strategy_form(
    scenario: Scenario, index: int, plain: dict[str, Any], catalogs: Catalogs, version: int
) -> None:
    kind = plain["kind"]
    infos = field_infos(kind)
    with st.form(key=f"se_form_{version}_{index}", border=False):
        cols = st.columns(3)
        values: dict[str, Any] = {}
        for j, info in enumerate(infos):
            with cols[j % 3]:
                values[info.name] = _widget(
                    info, plain.get(info.name), f"se_{version}_{index}_{info.name}", index, catalogs
                )
        submitted = st.form_submit_button("Apply changes", type="primary", icon=":material/check:")
    if submitted:

        def build() -> Scenario:
            resolved = {
                k: (parse_inline(v[1], index=index, name=k) if isinstance(v, tuple) else v)
                for k, v in values.items()
            }
            return edit_strategy(scenario, index, resolved)

        _apply(build)
        st.rerun()


def render() -> None:
    """The editor: one expander per strategy (form + duplicate/remove), and an add row."""
    scenario = session.get_scenario()
    catalogs = session_catalogs.current_catalogs()
    version = session.scenario_version()
    items = plain_strategies(scenario)
    for i, plain in enumerate(items):
        label = f"{plain['id']} — {KIND_LABELS.get(plain['kind'], plain['kind'])}"
        with st.expander(label, expanded=i == 0, icon=":material/tune:"):
            _strategy_form(scenario, i, plain, catalogs, version)
            left, right, _ = st.columns([1, 1, 4])
            left.button(
                "Duplicate",
                key=f"se_dup_{version}_{i}",
                icon=":material/content_copy:",
                on_click=_apply,
                args=(lambda i=i: duplicate_strategy(session.get_scenario(), i),),
            )
            right.button(
                "Remove",
                key=f"se_rm_{version}_{i}",
                icon=":material/delete:",
                on_click=_apply,
                args=(lambda i=i: remove_strategy(session.get_scenario(), i),),
                disabled=len(items) == 1,
                help="A scenario needs at least one strategy." if len(items) == 1 else None,
            )
    st.subheader("Add a strategy")
    left, right = st.columns([2, 1])
    left.selectbox(
        "Kind",
        list(STRATEGY_KINDS),
        format_func=lambda k: KIND_LABELS.get(k, k),
        key="se_add_kind",
        help="Starts as a copy of the bundled example's strategy of this kind (examples/fintech-support.yaml).",
    )
    right.button(
        "Add",
        key="se_add",
        icon=":material/add:",
        type="primary",
        on_click=_apply,
        args=(lambda: add_strategy(session.get_scenario(), str(st.session_state["se_add_kind"])),),
    )
