"""One rule for control characters and lone surrogates, one escaper per medium (costmodel/core/text.py).

Each medium gets a name that carries markup, a link, ESC/BEL and a lone surrogate, and must show it
inert: no tag, link, image, template placeholder or raw control character survives.
"""

from __future__ import annotations

import html
import io
import re
import sys

import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costmodel.core import text
from costmodel.core.errors import InputError

HOSTILE = (
    "![pixel](https://tracker.invalid/p.png) <a href='https://phish.invalid'>x</a> "
    "<img src=x onerror=alert(1)> :red[y] $5 %{x} \x1b]0;pwned\x07 \x1b[2J \ud800 \x9b"
)
"""Markdown image and link, HTML tags, a Streamlit directive, LaTeX, a Plotly placeholder, OSC/CSI
escapes, BEL, a lone surrogate and a C1 control: everything a name could carry."""

RAW_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def test_refusal_names_the_character_and_position() -> None:
    """Loaders refuse with the code point, its name and where it is."""
    with pytest.raises(InputError) as caught:
        text.check_text("Q3 \x1b]0;t\x07", source="s.yaml", field="name", line=2)
    assert str(caught.value).startswith(
        "s.yaml:2: name: contains control character U+001B (ESC) at character 4"
    )
    assert text.text_problem("x\ud800") is not None
    assert text.text_problem("tab\tand\nnewline\r\n are fine") is None
    assert text.text_problem("line\nbreak", allow_newlines=False) is not None


def test_terminal_medium() -> None:
    """ESC, BEL, C1 controls and surrogates become visible escapes; the result encodes as UTF-8."""
    out = text.for_terminal(HOSTILE)
    assert not RAW_CONTROLS.search(out)
    assert "\\x1b]0;pwned\\x07" in out and "\\ud800" in out and "\\x9b" in out
    out.encode("utf-8")  # a surrogate would raise here


def test_terminal_safe_output_wraps_every_print() -> None:
    """Inside the context, print() of hostile text reaches the stream escaped; the streams are restored."""
    buffer = io.StringIO()
    saved = sys.stdout
    sys.stdout = buffer
    try:
        with text.terminal_safe_output():
            print(HOSTILE)
    finally:
        sys.stdout = saved
    assert not RAW_CONTROLS.search(buffer.getvalue())
    assert "pwned" in buffer.getvalue()


def test_markdown_medium() -> None:
    """Every markdown, directive, LaTeX and HTML character is backslash-escaped; controls are visible."""
    out = text.for_markdown(HOSTILE)
    assert not RAW_CONTROLS.search(out)
    unescaped = re.compile(r"(?<!\\)[\[\]()<>`*_$:!]")
    assert not unescaped.search(out), unescaped.search(out)
    assert "\n" not in text.for_markdown("two\nlines")


def test_html_medium() -> None:
    """No tag or attribute survives; unescaping gives back the visible text."""
    out = text.for_html(HOSTILE)
    assert "<" not in out and ">" not in out and "'" not in out
    assert not RAW_CONTROLS.search(out)
    assert html.unescape(out) == text.for_terminal(HOSTILE)


def test_plotly_medium() -> None:
    """No tag and no ``%{`` placeholder survives; a figure with it as its title serialises to JSON."""
    out = text.for_plotly(HOSTILE)
    assert "<" not in out and ">" not in out and "%{" not in out
    assert not RAW_CONTROLS.search(out)
    fig = go.Figure(layout={"title": {"text": out}})
    assert "phish.invalid" in fig.to_json()  # shown as text...
    assert "<a href" not in fig.to_json()  # ...never as a link


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_every_escaper_removes_every_control_and_surrogate(value: str) -> None:
    """Property: for any text, no escaper lets a refused character through, and all encode to UTF-8."""
    for escaped in (
        text.for_terminal(value),
        text.for_markdown(value),
        text.for_html(value),
        text.for_plotly(value),
    ):
        assert not RAW_CONTROLS.search(escaped)
        escaped.encode("utf-8")


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_refusal_and_escaping_agree(value: str) -> None:
    """Property: text the loaders accept is left unchanged by ``visible``; text they refuse is changed."""
    accepted = text.text_problem(value) is None
    assert (text.visible(value) == value) == accepted
