"""Streamlit-side code of the app: session state split by job, widgets, exports and plotly figure builders.

Session state (each module owns its ``st.session_state`` keys):

- ``session``: the current scenario, where it came from, and its version (bumped on every change).
- ``session_catalogs``: the catalogs this session prices with (built-ins + uploaded catalog + overrides).
- ``runs``: cached runs with those catalogs; ``apply_scenario`` validates and runs a change before keeping it.
- ``link``: the ``?s=`` share link in the address bar, read on arrival and kept in sync.
- ``messages``: error boxes, shown now or queued for the next render.

Everything else: ``markdown`` (escaping user text, pure), ``share`` (link encoding, pure), ``prices``
(catalog tables and overrides, pure), ``sidebar`` and ``strategy_editor`` (widgets), ``summary``
(tables), ``chart`` and ``export`` (showing and downloading figures), ``figures/`` (pure plotly
builders, never import streamlit), ``app`` (navigation; run by ``app.py`` and ``ui/launch/app.py``).
"""
