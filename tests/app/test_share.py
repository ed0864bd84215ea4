"""Scenario links: round trip, compactness, and refusal of tampered, truncated and oversized values."""

from __future__ import annotations

import base64
import dataclasses
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ui_golden import golden_scenario

from costmodel.core.errors import InputError
from costmodel.core.numeric import growth_problem
from costmodel.scenario.io import load_scenario, revalidate
from ui.share import (
    FORMAT_VERSION,
    MAX_PARAM_CHARS,
    MAX_YAML_BYTES,
    QUERY_PARAM,
    compact_plain,
    decode_scenario,
    encode_scenario,
)

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
FIELD = f"query parameter '{QUERY_PARAM}'"


def _token(raw: bytes) -> str:
    return FORMAT_VERSION + "." + base64.urlsafe_b64encode(zlib.compress(raw)).decode().rstrip("=")


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_round_trips_and_fits_a_url(path: Path) -> None:
    scenario = load_scenario(path)
    token = encode_scenario(scenario)
    assert decode_scenario(token) == scenario
    assert len(token) < MAX_PARAM_CHARS / 2
    assert set(token[2:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_golden_round_trip_keeps_inline_prices_and_name() -> None:
    s = golden_scenario()
    back = decode_scenario(encode_scenario(s))
    assert back == s
    assert back.name == "Golden <b>test</b> =1+1"


def test_compact_form_drops_defaults_only() -> None:
    plain = compact_plain(golden_scenario())
    assert "horizon_months" in plain  # 12 differs from the default 24
    assert "schema_version" not in plain and "discount_rate_annual_fraction" not in plain
    a = plain["strategies"][0]
    assert "n_shots" not in a and "cache_hit_fraction" not in a  # defaults
    assert a["model"] == {"input_usd_per_mtok": 10.0, "output_usd_per_mtok": 10.0}


@settings(max_examples=40)
@given(
    requests=st.floats(min_value=0, max_value=1e12, allow_nan=False),
    growth=st.floats(min_value=-0.99, max_value=1.0, allow_nan=False),
    tokens=st.integers(min_value=0, max_value=10**6),
    horizon=st.integers(min_value=1, max_value=600),
)
def test_round_trip_property(requests: float, growth: float, tokens: int, horizon: int) -> None:
    base = golden_scenario()
    workload = dataclasses.replace(
        base.workload,
        requests_per_month=requests,
        growth_fraction_per_month=growth,
        input_tokens_per_request=tokens,
    )
    candidate = dataclasses.replace(base, workload=workload, horizon_months=horizon)
    if growth_problem(requests, growth, horizon) is not None:  # past the traffic ceiling (SCENARIO.md)
        with pytest.raises(InputError, match="growth_fraction_per_month"):
            revalidate(candidate)
        return
    s = revalidate(candidate)
    assert decode_scenario(encode_scenario(s)) == s


GOOD = encode_scenario(golden_scenario())

BAD_TOKENS = [
    ("", "empty"),
    ("1", "unknown link format"),
    ("2." + GOOD[2:], "unknown link format"),
    (GOOD[2:], "unknown link format"),
    ("1.<script>alert(1)</script>", "not base64url"),
    ("1.abc def", "not base64url"),
    ("1.a+b/c==", "not base64url"),
    ("1.A", "not valid base64url"),
    (GOOD[: len(GOOD) // 2], "truncated"),
    (GOOD[:-8], "truncated"),
    ("1." + base64.urlsafe_b64encode(b"not zlib at all").decode().rstrip("="), "corrupt"),
    (GOOD[:10] + ("A" if GOOD[10] != "A" else "B") + GOOD[11:], "corrupt"),
    ("1." + "A" * (MAX_PARAM_CHARS + 1), "too long"),
    (_token(b"name: x\n" + b"#" * (MAX_YAML_BYTES + 10)), "too large"),
    (_token(b" " * 2_000_000), "too large"),  # a zip bomb: 2 MB of spaces in about 2.6 KB
]


@pytest.mark.parametrize(
    ("token", "message"), BAD_TOKENS, ids=[m + str(i) for i, (_, m) in enumerate(BAD_TOKENS)]
)
def test_bad_tokens_raise_input_error_naming_the_parameter(token: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        decode_scenario(token)
    problem = info.value.problems[0]
    assert problem.field == FIELD
    assert problem.file == "link"
    assert message in problem.message


@pytest.mark.parametrize(
    ("yaml_text", "field"),
    [
        (b"workload: [1, 2]\nstrategies: []\n", "workload"),
        (b"name: x\nhorizon_months: -3\n", "horizon_months"),
        (b"bogus_key: 1\n", "bogus_key"),
        (b"!!python/object:os.system {}\n", "<"),
        (b"a: &a [*a]\n", "<file>"),
        (b"\xff\xfe\x00", "<file>"),
    ],
)
def test_valid_encoding_of_an_invalid_scenario_names_the_field(yaml_text: bytes, field: str) -> None:
    with pytest.raises(InputError) as info:
        decode_scenario(_token(yaml_text))
    fields = [p.field for p in info.value.problems]
    assert any(f.startswith(field) for f in fields), fields
    assert all(p.file == "link" for p in info.value.problems)


def test_a_non_string_is_refused() -> None:
    with pytest.raises(InputError):
        decode_scenario(None)  # type: ignore[arg-type]
