"""App rerun speed: after a slider change, how long do the Overview and Breakeven pages take to rerun?

Target (issue 5): <= 150 ms median per rerun in AppTest on the default scenario. Baseline: a bare
page holding the same sidebar widgets and one plotly chart, rerun after the same kind of change;
the ratio says what the cost model, the figures and the tables add on top of Streamlit itself.
Every measured change moves the requests slider to a value not seen before, so the cached run
result never hides the engine's cost.

Run: ``python benchmarks/bench_app.py`` (prints a table; exit code 1 if a median exceeds the target).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from ui import sidebar  # noqa: E402

TARGET_MS = 150.0
N_WARMUP = 2

BARE_PAGE = """
import plotly.graph_objects as go
import streamlit as st

steps = sorted({m * 10**e for e in range(1, 10) for m in (1, 2, 5)})
st.sidebar.selectbox("Start from", ["a", "b"], key="pick")
st.sidebar.select_slider("Requests per month", options=steps, value=200000, key="req")
st.sidebar.slider("Growth", -20.0, 50.0, 5.0, 0.5, key="growth")
st.sidebar.slider("Input tokens", 0, 16000, 150, 10, key="inp")
st.sidebar.slider("Output tokens", 0, 4000, 300, 10, key="out")
st.sidebar.slider("Horizon", 1, 60, 24, key="horizon")
st.sidebar.number_input("Engineer rate", 0.0, 2000.0, 120.0, 5.0, key="rate")
q = st.session_state["req"]
fig = go.Figure()
for i in range(4):
    fig.add_trace(go.Scatter(x=list(range(25)), y=[q * (i + 1) * m / 1e5 for m in range(25)], name=f"s{i}"))
fig.update_layout(title="one chart", xaxis_title="month", yaxis_title="USD")
st.plotly_chart(fig)
"""


def _time_changes(at: AppTest, key: str, values: list[object]) -> list[float]:
    out = []
    for value in values:
        at.select_slider(key=key).set_value(value)
        t0 = time.perf_counter()
        at.run()
        out.append((time.perf_counter() - t0) * 1000.0)
        if at.exception or at.error:
            raise SystemExit(f"rerun failed: {[e.value for e in at.exception] + [e.value for e in at.error]}")
    return out[N_WARMUP:]


def main() -> int:
    steps = [v for v in sidebar.REQUEST_STEPS if v != 200_000]
    rows = []

    bare = AppTest.from_string(BARE_PAGE, default_timeout=60).run()
    bare_ms = _time_changes(bare, "req", steps[::2])
    base = statistics.median(bare_ms)
    rows.append(("bare page (same widgets, one chart)", base, len(bare_ms)))

    for page, values in (("app_pages/overview.py", steps[::2]), ("app_pages/breakeven.py", steps[1::2])):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        at.switch_page(page).run()
        times = _time_changes(at, sidebar.REQUESTS_KEY, values)
        rows.append((f"{page} after a slider change", statistics.median(times), len(times)))

    print(f"{'rerun in AppTest':45} {'median ms':>10} {'x bare':>8} {'n':>4}")
    ok = True
    for name, median, n in rows:
        print(f"{name:45} {median:10.1f} {median / base:8.2f} {n:4d}")
        ok = ok and (name.startswith("bare") or median <= TARGET_MS)
    print(f"target: <= {TARGET_MS:.0f} ms median for Overview and Breakeven: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
