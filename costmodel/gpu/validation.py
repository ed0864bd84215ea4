"""Field checks shared by the GPU estimators' input dataclasses: collect every bad field, then raise."""

from __future__ import annotations

import math

from costmodel.core.errors import InputError, Problem


def check_fields(checks: dict[str, tuple[bool, str]], obj: object, file: str) -> None:
    """Raise InputError for every field whose rule fails or whose value is not finite.

    ``checks`` maps a field name of ``obj`` to (rule holds, rule text); ``None`` values pass the
    finiteness test (optional fields).

    >>> from types import SimpleNamespace
    >>> check_fields({"epochs": (True, "> 0")}, SimpleNamespace(epochs=3.0), "<inputs>")
    >>> check_fields({"epochs": (False, "> 0")}, SimpleNamespace(epochs=0.0), "<inputs>")
    Traceback (most recent call last):
    ...
    costmodel.core.errors.InputError: <inputs>: epochs: expected > 0, got 0.0
    """
    problems: list[Problem] = []
    for name, (ok, rule) in checks.items():
        value = getattr(obj, name)
        if not ok or (value is not None and not math.isfinite(value)):
            problems.append(
                Problem(file=file, line=None, field=name, message=f"expected {rule}, got {value!r}")
            )
    if problems:
        raise InputError(problems)
