"""Each medium's real output shows a hostile name inert: terminal (CLI), HTML report, Plotly figures.

The loaders refuse control characters and lone surrogates (tests/data/bad), so these tests build
results around a name the loaders would refuse, or carry bidi overrides and markup they accept, and
check what the outputs make of it: the escaper of each medium must hold on its own.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
from pathlib import Path

import pandas as pd
import pytest

from costmodel.catalog.loader import default_catalogs
from costmodel.cli import dispatch as cli
from costmodel.engine import RunResult, run
from costmodel.scenario.io import load_scenario

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "fintech-support.yaml"
LINK = "<a href='https://phish.invalid'>click</a>"
HOSTILE = f"{LINK} ![p](https://tracker.invalid/p.png) %{{x}} \x1b]0;pwned\x07 \ud800 \u202e"


@pytest.fixture(scope="module")
def hostile_result() -> RunResult:
    """A real run of the example whose name carries markup, a link, ESC/BEL, a surrogate and a bidi override."""
    return run(dataclasses.replace(load_scenario(EXAMPLE), name=HOSTILE), default_catalogs())


def test_terminal_output_of_a_real_run(tmp_path: Path) -> None:
    """``breakeven run`` of a scenario whose name holds a bidi override (accepted at load): escaped on stdout."""
    path = tmp_path / "s.yaml"
    path.write_text(
        EXAMPLE.read_text("utf-8").replace("name: Fintech support assistant", 'name: "Q3 \\u202e evil"')
    )
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["run", str(path)]) == 0
    assert "Q3 \\u202e evil" in out.getvalue()
    assert "\u202e" not in out.getvalue()


def test_html_report(hostile_result: RunResult) -> None:
    """The HTML report: no tag from the name, no raw control character or surrogate, encodable."""
    from ui.export import report_html

    page = report_html(
        hostile_result,
        verdict=HOSTILE,
        table=pd.DataFrame({"id": ["p"]}),
        figures={},
        breakevens=[HOSTILE],
        notes=[HOSTILE],
    )
    assert LINK not in page and "<a href='https://phish" not in page
    head = page.split("<pre>")[0]  # the YAML block below is the scenario's own dump
    assert "\x1b" not in head and "\x07" not in head and "\ud800" not in head and "\u202e" not in head
    head.encode("utf-8")


def _assert_inert_plotly(text: str) -> None:
    assert "<" not in text and ">" not in text, text  # no <a href>, no <img>: entities only
    assert "%{" not in text, text  # no hover-template placeholder
    assert "\x1b" not in text and "\ud800" not in text and "\u202e" not in text, text
    assert "phish.invalid" in text  # shown, as text


def test_plotly_titles(hostile_result: RunResult) -> None:
    """The cumulative-cost figure's subtitle holds the name: inert and serialisable."""
    from ui.figures.common import cumulative_cost_figure

    fig = cumulative_cost_figure(hostile_result)
    _assert_inert_plotly(fig.layout.title.subtitle.text.split(": one-off")[0])
    fig.to_json()


def test_plotly_advisor_title(hostile_result: RunResult) -> None:
    """The Advisor figure's title (the page the outside probe found a live link on)."""
    from costmodel.advisor import advise
    from ui.figures.advisor import advisor_scores_figure

    fig = advisor_scores_figure(advise(hostile_result, sensitivity=False))
    _assert_inert_plotly(fig.layout.title.text)
    fig.to_json()
