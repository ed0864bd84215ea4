"""The ``breakeven`` command line: ``dispatch`` parses and runs a subcommand, one module per group of subcommands."""

from __future__ import annotations

from costmodel.cli.dispatch import main

__all__ = ["main"]
