"""Breakeven — Streamlit app script of an installed package (``breakeven app``); the app itself is ``ui/app.py``.

It sits alone in ``ui/launch/`` because ``streamlit run`` puts its script's folder first on
``sys.path``: run from ``ui/`` itself, every module there (``ui/prices.py``, ``ui/session.py``, ...)
would become a top-level module that shadows any other of the same name.
"""

from ui.app import main

# Streamlit runs this script as __main__; an import (e.g. pytest's doctest collection) starts nothing.
if __name__ == "__main__":
    main()
