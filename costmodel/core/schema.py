"""Strict, declarative validation of YAML mappings into frozen dataclasses.

A dataclass field's type says what is accepted (``float``, ``int``, ``str``, ``bool``,
``datetime.date``, ``Literal[...]``, or ``X | None``); its ``metadata`` (built with :func:`spec`)
adds bounds, a unit and a help text. :func:`build` checks a mapping against the class and records
every problem (unknown key with a close match, missing key, wrong type, NaN/inf, out of range,
future date) in a :class:`Collector`, so one pass reports everything wrong in a file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import math
import re
import sys
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

from costmodel.core.errors import InputError, Problem
from costmodel.core.numeric import ceiling_problem

T = TypeVar("T")

_NUMBER_LIKE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")

_FLOAT_MAX = sys.float_info.max
"""Largest finite float; larger integers cannot be used as numbers."""


def spec(
    *,
    unit: str = "",
    help: str = "",
    min: float | None = 0.0,
    max: float | None = None,
    exclusive_min: bool = False,
    pattern: str | None = None,
    not_future: bool = False,
) -> dict[str, Any]:
    """Metadata for a dataclass field: bounds (numbers default to ``>= 0``), unit and help text."""
    return {
        "unit": unit,
        "help": help,
        "min": min,
        "max": max,
        "exclusive_min": exclusive_min,
        "pattern": pattern,
        "not_future": not_future,
    }


def today() -> dt.date:
    """Today's date (UTC); a function so tests can reason about "future" dates."""
    return dt.datetime.now(dt.UTC).date()


class Collector:
    """Accumulates problems for one file; :meth:`raise_if_any` raises them together."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, line: int | None, field: str, message: str) -> None:
        """Record one problem."""
        self.problems.append(Problem(file=self.file, line=line, field=field, message=message))

    def raise_if_any(self) -> None:
        """Raise InputError with every recorded problem, if there are any."""
        if self.problems:
            raise InputError(self.problems)


def line_of(node: Any, key: str | int | None = None) -> int | None:
    """Line of ``node[key]`` (or of the node itself) when the node came from :mod:`costmodel.core.yamlio`."""
    if key is not None:
        if isinstance(key, str):
            lines = getattr(node, "key_lines", None)
            if lines and key in lines:
                return int(lines[key])
        else:
            items = getattr(node, "item_lines", None)
            if items and 0 <= key < len(items):
                return int(items[key])
    line = getattr(node, "line", None)
    return int(line) if line is not None else None


def describe(value: Any) -> str:
    """Short description of a value for error messages."""
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if value is None:
        return "nothing (null)"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    return repr(value)


def suggest(name: str, options: typing.Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a close match exists, else an empty string."""
    matches = difflib.get_close_matches(name, list(options), n=3, cutoff=0.6)
    if not matches:
        return ""
    return " (did you mean " + " or ".join(repr(m) for m in matches) + "?)"


def _unwrap_optional(tp: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(tp)) == 2:
            return args[0], True
    return tp, False


def check_number(
    value: Any,
    *,
    field: str,
    line: int | None,
    col: Collector,
    meta: Mapping[str, Any],
    integer: bool = False,
) -> float | int | None:
    """Validate one number against ``meta`` bounds; record a problem and return None when invalid."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        hint = ""
        if isinstance(value, str) and _NUMBER_LIKE.match(value.strip()):
            hint = (
                " (YAML reads numbers like 1e-6 as text: write 1.0e-6, or quote nothing)"
                if "e" in value.lower()
                else " (remove the quotes)"
            )
        col.add(line, field, f"expected a number, got {describe(value)}{hint}")
        return None
    if isinstance(value, float) and not math.isfinite(value):
        col.add(line, field, f"expected a finite number, got {value}")
        return None
    if isinstance(value, int) and not -_FLOAT_MAX <= value <= _FLOAT_MAX:
        # YAML reads any run of digits as an int; one past the float range would crash float().
        col.add(line, field, "expected a finite number, got an integer too large for a float")
        return None
    if integer and value != int(value):
        col.add(line, field, f"expected a whole number, got {value}")
        return None
    lo, hi = meta.get("min"), meta.get("max")
    if lo is not None:
        if meta.get("exclusive_min") and not value > lo:
            col.add(line, field, f"expected a number > {lo:g}, got {value:g}")
            return None
        if value < lo:
            col.add(line, field, f"expected a number >= {lo:g}, got {value:g}")
            return None
    if hi is not None and value > hi:
        col.add(line, field, f"expected a number <= {hi:g}, got {value:g}")
        return None
    ceiling = ceiling_problem(value, has_own_max=hi is not None)
    if ceiling is not None:
        col.add(line, field, ceiling)
        return None
    return int(value) if integer else float(value)


def check_value(
    value: Any, tp: Any, *, field: str, line: int | None, col: Collector, meta: Mapping[str, Any]
) -> Any:
    """Validate ``value`` against type ``tp``; return the converted value or a sentinel on error."""
    tp, optional = _unwrap_optional(tp)
    if value is None:
        if optional:
            return None
        col.add(line, field, "a value is required here (got null)")
        return _INVALID
    if tp is float:
        out = check_number(value, field=field, line=line, col=col, meta=meta)
        return _INVALID if out is None else out
    if tp is int:
        out = check_number(value, field=field, line=line, col=col, meta=meta, integer=True)
        return _INVALID if out is None else out
    if tp is bool:
        if not isinstance(value, bool):
            col.add(line, field, f"expected true or false, got {describe(value)}")
            return _INVALID
        return value
    if tp is str:
        if not isinstance(value, str) or not value.strip():
            col.add(line, field, f"expected non-empty text, got {describe(value)}")
            return _INVALID
        pattern = meta.get("pattern")
        if pattern and not re.fullmatch(pattern, value):
            col.add(line, field, f"{value!r} does not match the pattern {pattern}")
            return _INVALID
        return value
    if tp is dt.date:
        if isinstance(value, dt.datetime):
            value = value.date()
        elif isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                col.add(line, field, f"expected a date YYYY-MM-DD, got {describe(value)}")
                return _INVALID
        if not isinstance(value, dt.date):
            col.add(line, field, f"expected a date YYYY-MM-DD, got {describe(value)}")
            return _INVALID
        if meta.get("not_future") and value > today():
            col.add(line, field, f"date {value.isoformat()} is in the future")
            return _INVALID
        return value
    if typing.get_origin(tp) is typing.Literal:
        choices = typing.get_args(tp)
        if value not in choices:
            col.add(
                line,
                field,
                f"expected one of {', '.join(str(c) for c in choices)}, got {describe(value)}"
                + (suggest(value, [str(c) for c in choices]) if isinstance(value, str) else ""),
            )
            return _INVALID
        return value
    raise TypeError(f"schema: unsupported field type {tp!r} for {field}")  # programming error


class _Invalid:
    def __repr__(self) -> str:
        return "<invalid>"


_INVALID: Any = _Invalid()


def field_specs(cls: type) -> dict[str, tuple[Any, dataclasses.Field[Any]]]:
    """Map each dataclass field name to its resolved type and Field object."""
    hints = typing.get_type_hints(cls)
    return {f.name: (hints[f.name], f) for f in dataclasses.fields(cls)}


def has_default(f: dataclasses.Field[Any]) -> bool:
    """True when the dataclass field may be omitted."""
    return f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING


def build(
    cls: type[T],
    node: Any,
    *,
    path: str,
    col: Collector,
    skip: typing.Collection[str] = (),
    extra: Mapping[str, Any] | None = None,
) -> T | None:
    """Validate mapping ``node`` against dataclass ``cls``; return an instance or None (problems in ``col``).

    Fields named in ``skip`` are not read from the node (the caller validates them and passes the
    results through ``extra``).
    """
    if not isinstance(node, Mapping):
        col.add(line_of(node), path, f"expected a mapping of fields, got {describe(node)}")
        return None
    specs = field_specs(cls)
    ok = True
    for key in node:
        if key not in specs:
            col.add(line_of(node, key), f"{path}.{key}", "unknown key" + suggest(key, specs))
            ok = False
    values: dict[str, Any] = dict(extra or {})
    for name, (tp, f) in specs.items():
        if name in skip or name in values:
            continue
        if name not in node:
            if not has_default(f):
                col.add(line_of(node), f"{path}.{name}", "required key is missing")
                ok = False
            continue
        out = check_value(
            node[name], tp, field=f"{path}.{name}", line=line_of(node, name), col=col, meta=f.metadata
        )
        if out is _INVALID:
            ok = False
        else:
            values[name] = out
    if not ok:
        return None
    return cls(**values)


def to_plain(obj: Any, *, drop_none: bool = True) -> Any:
    """Dataclass / tuple / date tree -> plain dicts, lists and scalars (for YAML and JSON output)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if value is None and drop_none:
                continue
            out[f.name] = to_plain(value, drop_none=drop_none)
        return out
    if isinstance(obj, Mapping):
        return {str(k): to_plain(v, drop_none=drop_none) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_plain(v, drop_none=drop_none) for v in obj]
    if isinstance(obj, dt.date):
        return obj.isoformat()
    return obj
