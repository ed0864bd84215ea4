"""The app's pages, one script per page; ``ui/app.py`` mounts them with ``st.navigation`` (this file is no page)."""
