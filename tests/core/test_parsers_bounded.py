"""Bounded parsing: YAML 1.1-only forms refused, JSON numbers and nesting bounded, CSV cells bounded per call."""

from __future__ import annotations

import csv

import pytest

from costmodel.core import bounded
from costmodel.core.errors import InputError
from costmodel.core.yamlio import load_yaml
from costmodel.tokens.parsers import Upload
from costmodel.tokens.stats import count_uploads


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("1:00:00", "base-60 number (3600)"),
        ("1:30", "base-60 number (90)"),
        ("1:30.5", "base-60 number (90.5)"),
        ("012", "octal number (10)"),
        ("0b101", "binary number (5)"),
        ("1_000", "YAML 1.2 as text"),
        ("yes", "boolean true"),
        ("Off", "boolean false"),
        ("9" * 41, "a number of 41 characters"),
    ],
)
def test_yaml11_forms_are_refused_with_the_field(value: str, fragment: str) -> None:
    """Each YAML 1.1-only form is an error naming the field path and line, never a reinterpretation."""
    with pytest.raises(InputError) as caught:
        load_yaml(f"needs:\n  x:\n  - a: {value}\n", source="s.yaml")
    message = str(caught.value)
    assert message.startswith("s.yaml:3: needs.x[0].a: "), message
    assert fragment in message


@pytest.mark.parametrize(
    "value", ["'1:00:00'", '"yes"', "0", "-3", "0x1F", "1.5e+3", "true", "2026-01-01", ".inf"]
)
def test_yaml12_forms_and_quoted_text_still_load(value: str) -> None:
    """Quoted look-alikes are text, and the forms YAML 1.2 shares are read as before."""
    load_yaml(f"a: {value}\n", source="s.yaml")


def test_json_numbers_are_bounded() -> None:
    """Long integers and overflowing floats are refused while decoding, with a message."""
    with pytest.raises(bounded.NumberRefused, match="5,000 digits"):
        bounded.loads("[" + "9" * 5000 + "]")
    with pytest.raises(bounded.NumberRefused, match="too large for a float"):
        bounded.loads("[1e400]")
    with pytest.raises(bounded.NumberRefused, match="NaN"):
        bounded.loads("[NaN]", allow_constants=False)


def test_csv_cell_limit_is_per_call_and_never_raised() -> None:
    """A cell longer than csv's default is read (the limit is the upload's, set for this call only),
    a broken long cell is reported with its line, and csv's process-wide limit never moves."""
    before = csv.field_size_limit()
    long_cell = "a" * (bounded.MAX_CSV_CELL_CHARS + 10)
    good = f'input,output\nshort,x\n"{long_cell}",y\nafter,z\n'.encode()
    report = count_uploads([Upload(name="long.csv", data=good)], ["o200k_base"])
    assert report.n_samples == 3
    broken = f'input,output\nshort,x\n"{long_cell},y\n'.encode()
    with pytest.raises(InputError, match=r"long.csv:3: <csv>: malformed CSV: unexpected end of data"):
        count_uploads([Upload(name="long.csv", data=broken)], ["o200k_base"])
    assert csv.field_size_limit() == before == bounded.MAX_CSV_CELL_CHARS


def test_csv_record_parser_matches_the_csv_module() -> None:
    """The long-record parser splits like csv.reader on quoting, doubled quotes, empty cells and CRLF."""
    for text in ['a,"b ""c""",,d\r\n', '"x,y",z\n', ",\n", '"multi\nline",2\n']:
        assert bounded.split_record(text, delimiter=",", max_cell_chars=100) == next(csv.reader([text]))


def test_lone_surrogate_in_a_json_sample_is_refused() -> None:
    """``"\\ud800"`` in an upload is refused with its line, not a tokenizer crash."""
    data = b'{"prompt": "fine"}\n{"prompt": "half \\ud800"}\n'
    with pytest.raises(InputError, match=r"s.jsonl:2: <text>: contains lone surrogate U\+D800"):
        count_uploads([Upload(name="s.jsonl", data=data)], ["o200k_base"])
