"""Breakeven: cost, latency and breakeven model for prompting, RAG and fine-tuning LLM applications.

The package is UI-free (no streamlit, no plotly). Entry points:

- :func:`costmodel.scenario.load_scenario` reads and validates a scenario YAML file.
- :func:`costmodel.engine.run` evaluates it into a :class:`costmodel.engine.RunResult`.
- ``breakeven`` (``python -m costmodel``) is the command-line interface.
"""

__version__ = "0.1.0"
