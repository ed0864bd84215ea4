"""The ``breakeven`` command line: subcommands, exit codes and error printing.

Exit codes: 0 success, 2 invalid input (one ``file:line: field: message`` line per problem on
stderr, never a traceback). Each feature module registers its own subcommands through a
``register(subparsers)`` function listed in :data:`SUBCOMMAND_MODULES`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from costmodel import __version__
from costmodel.cli import advise, app, budget, catalogs, gpu, run, simulate, tokens
from costmodel.core.errors import InputError
from costmodel.core.text import terminal_safe_output

SUBCOMMAND_MODULES: tuple[ModuleType, ...] = (run, budget, catalogs, simulate, gpu, advise, tokens, app)
"""Modules that each define ``register(subparsers)``; the order is the order in ``--help``."""


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose usage errors exit 2 with a one-line message (argparse's own convention)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"<command line>: {self.prog}: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every registered subcommand."""
    parser = _Parser(
        prog="breakeven",
        description="Prompt, RAG or fine-tune? Costs, latency and breakeven points of LLM strategies.",
    )
    parser.add_argument("--version", action="version", version=f"breakeven {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    for module in SUBCOMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    # Every byte the subcommand prints goes through the terminal escaper (costmodel.core.text).
    with terminal_safe_output():
        try:
            code: int = args.handler(args)
        except InputError as exc:
            for problem in exc.problems:
                sys.stderr.write(f"{problem}\n")
            return 2
        except BrokenPipeError:
            return 0
    return code
