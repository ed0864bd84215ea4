"""What ``breakeven app`` starts: the installed app script (``app.py``) and its server configuration (``config.toml``).

The checkout's ``.streamlit/config.toml`` is a symlink to ``config.toml`` here, so ``streamlit run app.py``
in a checkout and ``breakeven app`` anywhere run with the same settings.
"""
