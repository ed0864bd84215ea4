"""Pure plotly figure builders (no streamlit): one module per page's charts, ``common`` for the shared style
and the cumulative-cost chart. Each builder takes model results and returns a ``go.Figure``."""
