"""Nothing internal reaches a page: on every page of every bundled example, no visible text, table header
or table cell shows a snake_case field name, a field path, "None" or a float with float noise."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from costmodel.catalog.loader import default_catalogs
from costmodel.engine import run
from costmodel.scenario.io import load_scenario
from ui import app as ui_app
from ui import export, sidebar, summary

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
PAGES = [path.relative_to(ROOT).as_posix() for path in ui_app.page_paths()]

SNAKE = re.compile(r"(?<![\w/-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/-])")
"""A snake_case field name such as ``total_usd_p10`` or ``knowledge_change`` standing as a word."""
NOISY_FLOAT = re.compile(r"\d\.0*[1-9]\d{5,}")
"""Six or more significant decimals: float noise such as ``2459.3999999999996``, ``0.18000000000000002``
or ``13196.359223300971`` (catalog prices such as 0.36975 USD per 1M tokens keep their five)."""
NONE = re.compile(r"\bNone\b")
NAMES = re.compile(r"https?://\S+|\S*/\S*|`[^`]*`")
"""Ids with a slash (models, offers, files), URLs and code spans: names, not field names."""
PROPER_NAMES = {"o200k_base", "cl100k_base", "check_circle"}
"""Names of things (tiktoken's encodings, a Material icon), not fields."""


def leaks(text: str) -> list[str]:
    """Every internal name, "None" or noisy float in ``text`` a reader would see.

    >>> leaks("total_usd_p10 of needs.latency_budget_ms is None at 2459.3999999999996")
    ['total_usd_p10', 'latency_budget_ms', 'None', '2459.3999999999996']
    >>> leaks("openai/gpt-4.1 at $0.0123, see `breakeven run`, o200k_base, https://x.io/a_b")
    []
    """
    plain = NAMES.sub(" ", text)
    found = [w for w in SNAKE.findall(plain) if w not in PROPER_NAMES]
    found += NONE.findall(plain)
    found += [_number_at(plain, m) for m in NOISY_FLOAT.finditer(plain)]
    return found


def _number_at(text: str, match: re.Match[str]) -> str:
    start = match.start()
    while start > 0 and text[start - 1].isdigit():
        start -= 1
    end = match.end()
    while end < len(text) and text[end].isdigit():
        end += 1
    return text[start:end]


def table_leaks(frame: pd.DataFrame, columns_json: str) -> list[str]:
    """Leaks in a shown table: headers (the column_config label when set), text cells, and float cells
    of a column without a display format."""
    config = json.loads(columns_json) if columns_json else {}
    found = []
    for c in frame.columns:
        conf = config.get(str(c), {})
        if conf.get("hidden"):
            continue
        found += [f"header {h}" for h in leaks(str(conf.get("label", c)))]
        col = frame[c]
        if pd.api.types.is_float_dtype(col):
            found += [f"{c}: NaN shows as None" for v in col if v != v]
            if (conf.get("type_config") or {}).get("format"):
                continue
            cells = [f"{v}" for v in col if v == v]
        else:
            cells = [str(v) for v in col]
        found += [f"{c}: {leak}" for cell in cells for leak in leaks(cell)]
    return found


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_no_internal_names_on_any_page(example: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.selectbox(key=sidebar.PICK_KEY).set_value(f"Example: {example.stem}").run()
    problems: list[str] = []
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, f"{page}: {[e.value for e in at.exception]}"
        texts = [*(m.value for m in at.markdown), *(c.value for c in at.caption)]
        texts += [*(i.value for i in at.info), *(s.value for s in at.success), *(w.value for w in at.warning)]
        problems += [f"{page}: {leak} in {str(t)[:80]!r}" for t in texts for leak in leaks(str(t))]
        for widget in [*at.selectbox, *at.number_input, *at.slider, *at.select_slider]:
            problems += [f"{page}: label {leak}" for leak in leaks(str(widget.label))]
        for table in at.dataframe:
            problems += [f"{page}: {leak}" for leak in table_leaks(table.value, table.proto.columns)]
    assert not problems, "\n".join(sorted(set(problems)))


def test_monthly_csv_has_cents_and_the_report_table_no_scientific_notation() -> None:
    result = run(load_scenario(ROOT / "examples" / "fintech-support.yaml"), default_catalogs())
    monthly = export.result_csv(result)
    assert "cost_usd" in monthly.splitlines()[0]  # machine names kept
    frame = pd.read_csv(io.StringIO(monthly))
    usd = [c for c in frame.columns if c.endswith("_usd")]
    assert (frame[usd].round(2) == frame[usd]).all().all()
    assert not NOISY_FLOAT.search(monthly)
    html = export.report_html(
        result, verdict="v", table=summary.full_table(result), figures={}, breakevens=[], notes=[]
    )
    table = html[html.index("<table") : html.index("</table>")]
    assert not re.search(r"\de[+-]\d", table)
    assert "None" not in table and "$" in table
