"""Breakeven — Streamlit app script of a checkout (``streamlit run app.py``); the app itself is ``ui/app.py``."""

from ui.app import main

# Streamlit runs this script as __main__; an import (e.g. pytest's doctest collection) starts nothing.
if __name__ == "__main__":
    main()
