"""``python -m costmodel`` runs the ``breakeven`` command line."""

from costmodel.cli.dispatch import main

raise SystemExit(main())
