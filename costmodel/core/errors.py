"""The project's error type: every invalid input becomes a list of `file:line: field: message` problems."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One thing wrong with an input, located as precisely as the input allows."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        """Render as ``file:line: field: message`` (the line is left out when unknown)."""
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.field}: {self.message}"


class InputError(ValueError):
    """Raised for any invalid user input (scenario, catalog, upload, CLI flag); carries every problem found.

    >>> err = InputError([Problem(file="s.yaml", line=3, field="horizon_months", message="must be >= 1")])
    >>> str(err)
    's.yaml:3: horizon_months: must be >= 1'
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("InputError needs at least one problem")
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, file: str, field: str, message: str, line: int | None = None) -> InputError:
        """Build an error holding one problem."""
        return cls([Problem(file=file, line=line, field=field, message=message)])
