"""Token histogram figure: title, axis units, named traces (models with equal counts share one), context window."""

from __future__ import annotations

import json

import numpy as np
import pytest

from costmodel.catalog.loader import default_catalogs
from costmodel.tokens.parsers import Upload
from costmodel.tokens.report import build_report
from ui.figures.tokens import token_histogram_figure, trace_name

ROWS = [{"prompt": "word " * (10 * i + 1), "completion": "ok " * i} for i in range(1, 30)]


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    data = "\n".join(json.dumps(r) for r in ROWS).encode()
    models = ["openai/gpt-4o", "claude-sonnet-4-5", "gpt-4.1"]
    return build_report([Upload(name="r.jsonl", data=data)], models, default_catalogs(), context_window=200)


def test_histogram_has_titles_units_and_named_traces(report) -> None:  # type: ignore[no-untyped-def]
    fig = token_histogram_figure(report.models, direction="input", context_window_tokens=200)
    assert fig.layout.title.text == "Input tokens per sample (29 samples)"
    assert fig.layout.xaxis.title.text == "input tokens per sample (tokens)"
    assert fig.layout.yaxis.title.text == "samples (count)"
    # gpt-4o and gpt-4.1 count identically (o200k_base): one trace.
    assert [t.name for t in fig.data] == [
        "openai/gpt-4o, gpt-4.1 (exact, o200k_base)",
        "claude-sonnet-4-5 (estimated)",
    ]
    assert fig.data[0].marker.pattern.shape == "" and fig.data[1].marker.pattern.shape == "/"
    np.testing.assert_allclose(fig.data[0].x, report.models[0].input_per_sample)
    # Shared bins: both traces use the same bin edges.
    assert fig.data[0].xbins == fig.data[1].xbins
    shapes = [s for s in fig.layout.shapes if s.x0 == 200]
    assert shapes, "the context window is drawn as a vertical line"
    assert any("context window 200 tokens" in a.text for a in fig.layout.annotations)


def test_output_direction_and_no_window(report) -> None:  # type: ignore[no-untyped-def]
    fig = token_histogram_figure(report.models[:1], direction="output")
    assert fig.layout.xaxis.title.text == "output tokens per sample (tokens)"
    np.testing.assert_allclose(fig.data[0].x, report.models[0].output_per_sample)
    assert not fig.layout.shapes


def test_bad_arguments(report) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="direction"):
        token_histogram_figure(report.models, direction="sideways")
    with pytest.raises(ValueError, match="at least one model"):
        token_histogram_figure([])
    assert trace_name(report.models[1:2]) == "claude-sonnet-4-5 (estimated)"
