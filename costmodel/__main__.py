"""``python -m costmodel`` runs the ``breakeven`` command line."""

from .cli import main

raise SystemExit(main())
