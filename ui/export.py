"""Exports of charts and results: image files, self-contained HTML, CSV, JSON, a one-page report.

Plain functions (no streamlit), tested directly. Server-side images (PNG, SVG, PDF) go through
kaleido >= 1, which drives a Chrome/Chromium; :func:`image_export_status` says whether one is
installed and, if not, what to install. Nothing is downloaded: MathJax (a CDN fetch in kaleido's
default page) is switched off and plotly.js comes from the installed plotly package.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import numbers
import os
import shutil
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from costmodel.core.text import for_html
from costmodel.engine import RunResult
from costmodel.scenario.io import dump_scenario
from costmodel.strategies.common import CATEGORIES
from ui.figures.common import EXPORT_WIDTH_PX, FIGURE_HEIGHT_PX
from ui.lifecycle import month_one_line, price_data_line
from ui.words import MISSING, round_money

EXPORT_TEMPLATE = "plotly_white"
"""Exports leave the app's theme behind: light background, dark text, for memos and slides."""

IMAGE_FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}

IMAGE_SCALE = {"png": 2, "svg": 1, "pdf": 1}
"""PNG at 2x the export width (2,400 px wide) is print quality; vector formats need no scale."""

BROWSER_ENV = "BREAKEVEN_CHROME"
"""Environment variable naming the Chrome/Chromium executable kaleido should use."""

BROWSER_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")

INSTALL_HINT = (
    "Server-side PNG/SVG/PDF export needs kaleido>=1 (`pip install 'breakeven[export]'`) and a "
    "Chrome or Chromium (Debian/Ubuntu: `apt-get install chromium`; or set BREAKEVEN_CHROME to its path). "
    "The camera icon in each chart's toolbar saves a PNG or SVG without either."
)

EXPORT_TIMEOUT_S = 90.0
"""Longest wait for the (one) image export slot; kaleido's own render timeout is also 90 s."""

_EXPORT_LOCK = threading.Lock()
"""One headless browser at a time: each export starts one, and many at once would exhaust a small server."""

CSV_UNSAFE_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""Cells starting with these are formulas to a spreadsheet (CSV injection); text cells get a ' prefix."""


class ExportUnavailable(RuntimeError):
    """Server-side image export cannot run here (no kaleido or no browser); the message says what to install."""


def browser_path() -> str | None:
    """Path of the Chrome/Chromium to render with: ``$BREAKEVEN_CHROME``, a Debian path, or PATH."""
    env = os.environ.get(BROWSER_ENV)
    if env:
        return env if Path(env).is_file() else None
    for candidate in BROWSER_CANDIDATES:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def image_export_status() -> tuple[bool, str]:
    """(available, message): whether server-side image export can run, and what is missing if not."""
    try:
        import kaleido  # noqa: F401  (optional dependency)
    except ImportError:
        return False, "kaleido is not installed. " + INSTALL_HINT
    path = browser_path()
    if path is None:
        return False, "no Chrome/Chromium found. " + INSTALL_HINT
    return True, f"rendered with {path}"


def export_figure(fig: go.Figure) -> go.Figure:
    """A copy of ``fig`` styled for files: light template and a fixed size."""
    out = go.Figure(fig)
    out.update_layout(template=EXPORT_TEMPLATE, width=EXPORT_WIDTH_PX, height=export_height(fig))
    return out


def export_height(fig: go.Figure) -> int:
    """The figure's own height (taller when its legend sits under the plot), at least the standard height."""
    return max(int(fig.layout.height or FIGURE_HEIGHT_PX), FIGURE_HEIGHT_PX)


def figure_image(fig: go.Figure, fmt: str) -> bytes:
    """The figure as PNG, SVG or PDF bytes, rendered by kaleido in a headless Chromium."""
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"format: expected one of {', '.join(IMAGE_FORMATS)}, got {fmt!r}")
    ok, message = image_export_status()
    if not ok:
        raise ExportUnavailable(message)
    import kaleido

    spec = export_figure(fig).to_dict()
    opts = {"format": fmt, "width": EXPORT_WIDTH_PX, "height": export_height(fig), "scale": IMAGE_SCALE[fmt]}
    if not _EXPORT_LOCK.acquire(timeout=EXPORT_TIMEOUT_S):
        raise ExportUnavailable("the image exporter is busy; try again in a minute")
    try:
        # One Chromium, started on the first export and reused (about 4 s to start, 0.3 s per image after).
        kaleido.start_sync_server(path=browser_path(), mathjax=False, silence_warnings=True)
        try:
            data = kaleido.calc_fig_sync(spec, opts=opts)
        except Exception as exc:
            kaleido.stop_sync_server(silence_warnings=True)  # the next export starts a fresh browser
            raise ExportUnavailable(f"the image renderer failed ({type(exc).__name__}); try again") from exc
    finally:
        _EXPORT_LOCK.release()
    return bytes(data)


def stop_renderer() -> None:
    """Stop the shared headless browser (it also stops at interpreter exit)."""
    import kaleido

    with _EXPORT_LOCK:
        kaleido.stop_sync_server(silence_warnings=True)


def figure_html(fig: go.Figure) -> str:
    """A self-contained HTML page of the interactive figure (plotly.js inlined: works offline)."""
    return str(
        pio.to_html(export_figure(fig), include_plotlyjs=True, full_html=True, config={"displaylogo": False})
    )


def _defuse(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(CSV_UNSAFE_PREFIXES) else v
            )
    return out


def to_csv(frame: pd.DataFrame) -> str:
    """CSV text of a table, with text cells that a spreadsheet would run as formulas neutralised and
    numbers rounded (USD to cents, other figures to six significant digits: no float noise)."""
    buf = io.StringIO()
    _defuse(round_money(frame)).to_csv(buf, index=False)
    return buf.getvalue()


def _axis_title(fig: go.Figure, axis: str, fallback: str) -> str:
    title = getattr(getattr(fig.layout, axis), "title", None)
    text = getattr(title, "text", None)
    return str(text) if text else fallback


def figure_frame(fig: go.Figure) -> pd.DataFrame:
    """The data behind a figure, one row per point: series name, x value, y value (axis titles as headers)."""
    x_name = _axis_title(fig, "xaxis", "x")
    y_name = _axis_title(fig, "yaxis", "y")
    if x_name == y_name:
        x_name, y_name = f"x: {x_name}", f"y: {y_name}"
    rows: list[dict[str, object]] = []
    for trace in fig.data:
        xs = getattr(trace, "x", None)
        ys = getattr(trace, "y", None)
        if xs is None or ys is None:
            continue
        for x, y in zip(list(xs), list(ys), strict=False):
            rows.append({"series": trace.name or "", x_name: _plain(x), y_name: _plain(y)})
    return pd.DataFrame(rows, columns=["series", x_name, y_name])


def _plain(value: object) -> object:
    return value.item() if hasattr(value, "item") else value


def figure_csv(fig: go.Figure) -> str:
    """CSV text of :func:`figure_frame`."""
    return to_csv(figure_frame(fig))


def result_json(result: RunResult, verdict: Mapping[str, Any] | None = None) -> str:
    """The whole result in the JSON contract of ``breakeven run --format json`` (SCENARIO.md), with its verdict."""
    data = result.to_dict()
    if verdict is not None:
        data["verdict"] = dict(verdict)
    return json.dumps(data, indent=2, allow_nan=False)


def result_monthly_frame(result: RunResult) -> pd.DataFrame:
    """Month-by-month result in long form: one row per strategy and month, every cost category in USD."""
    rows = []
    requests = result.requests_per_month
    for s in result.strategies:
        if not s.available:
            continue
        rows.append(
            {
                "strategy": s.id,
                "kind": s.kind,
                "month": 0,
                "requests": 0.0,
                "cost_usd": s.one_off_usd,
                "cumulative_usd": s.one_off_usd,
                **{
                    f"{cat}_usd": float(s.breakdown_usd.get(cat, 0.0) - s.monthly_breakdown_usd[cat].sum())
                    for cat in CATEGORIES
                },
            }
        )
        for m in range(len(s.monthly_usd)):
            rows.append(
                {
                    "strategy": s.id,
                    "kind": s.kind,
                    "month": m + 1,
                    "requests": float(requests[m]),
                    "cost_usd": float(s.monthly_usd[m]),
                    "cumulative_usd": float(s.cumulative_usd[m]),
                    **{f"{cat}_usd": float(s.monthly_breakdown_usd[cat][m]) for cat in CATEGORIES},
                }
            )
    return pd.DataFrame(rows)


def result_csv(result: RunResult) -> str:
    """CSV of :func:`result_monthly_frame` (month 0 holds one-off costs)."""
    return to_csv(result_monthly_frame(result))


def report_html(
    result: RunResult,
    *,
    verdict: str,
    table: pd.DataFrame,
    figures: Mapping[str, go.Figure],
    breakevens: Sequence[str],
    notes: Sequence[str],
    lifecycle: Sequence[str] = (),
    decisive: Sequence[str] = (),
) -> str:
    """A one-page, self-contained HTML report: verdict, decisive assumptions, lifecycle events, table,
    charts, breakevens, assumptions, scenario."""
    sc = result.scenario
    esc = for_html  # the one HTML escaper (costmodel.core.text)
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Breakeven report: {esc(sc.name)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:1240px;margin:2em auto;color:#111;padding:0 1em}"
        "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
        "th{background:#f3f4f6}td:first-child,th:first-child{text-align:left}pre{background:#f6f8fa;padding:1em;"
        "overflow:auto;font-size:12px}.note{color:#555}</style>",
        "<script>" + _plotly_js() + "</script></head><body>",
        f"<h1>Breakeven report: {esc(sc.name)}</h1>",
        f"<p class='note'>Generated {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · "
        f"{esc(month_one_line(result))} · {esc(price_data_line(result))} · oldest price used checked on "
        f"{result.prices_as_of or 'n/a'} · estimates, not quotes.</p>",
        f"<p><strong>{esc(verdict)}</strong></p>",
        *(
            ["<h2>Decisive assumptions</h2><ul>", *(f"<li>{esc(d)}</li>" for d in decisive), "</ul>"]
            if decisive
            else []
        ),
        *(
            ["<h2>Model lifecycle</h2><ul>", *(f"<li>{esc(e)}</li>" for e in lifecycle), "</ul>"]
            if lifecycle
            else []
        ),
        table.to_html(index=False, formatters=_cell_formats(table), na_rep=MISSING, escape=True),
        "<h2>Breakeven</h2><ul>" + "".join(f"<li>{esc(b)}</li>" for b in breakevens) + "</ul>",
    ]
    for name, fig in figures.items():
        parts.append(f"<h2>{esc(name)}</h2>")
        parts.append(pio.to_html(export_figure(fig), include_plotlyjs=False, full_html=False))
    parts.append("<h2>Assumptions and notes</h2><ul>")
    parts += [f"<li>{esc(n)}</li>" for n in notes] or ["<li>none</li>"]
    parts.append("</ul><h2>Scenario (YAML)</h2><pre>" + esc(dump_scenario(sc)) + "</pre></body></html>")
    return "\n".join(parts)


def _cell_formats(table: pd.DataFrame) -> dict[str, Callable[[object], str]]:
    """Per column, how the report prints a number: dollars to cents or 4 decimals per request, counts
    and milliseconds with thousands separators, fractions to 2 decimals; never scientific notation."""
    return {str(c): _number_format(str(c)) for c in table.columns}


def _number_format(column: str) -> Callable[[object], str]:
    name = column.lower()
    if "usd" in name:
        pattern = "${:,.4f}" if "per " in name else "${:,.2f}"
    elif "fraction" in name or "accuracy" in name:
        pattern = "{:.2f}"
    else:
        pattern = "{:,.0f}"

    def fmt(value: object) -> str:
        if value is None or (isinstance(value, float) and value != value):
            return MISSING
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return str(value)
        text = pattern.format(abs(float(value)) if pattern[0] == "$" else float(value))
        return "-" + text if pattern[0] == "$" and value < 0 else text

    return fmt


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())
