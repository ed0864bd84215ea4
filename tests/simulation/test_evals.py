"""Eval results: Wilson goldens, CSV/JSONL parsing, a table of malformed files, applying to a scenario."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from costmodel.catalog.entry import Catalogs
from costmodel.core.errors import InputError
from costmodel.engine import run
from costmodel.scenario.distributions import EvalBeta
from costmodel.scenario.io import parse_scenario
from costmodel.scenario.uncertain import scenario_inputs
from costmodel.simulation.evals import MAX_EVAL_BYTES, apply_evals, parse_evals, wilson_interval
from costmodel.simulation.monte_carlo import simulate


def test_wilson_interval_golden() -> None:
    # p = 0.85, n = 200, z = 1.96: centre 0.85 + 3.8415/400 = 0.859604; half-width
    # 1.96 * sqrt(0.1275/200 + 3.8415/160000) = 0.050411; divided by 1 + 3.8415/200 = 1.019207
    low, high = wilson_interval(170, 200)
    assert low == pytest.approx(0.79395, abs=2e-5)
    assert high == pytest.approx(0.89286, abs=2e-5)


def test_wilson_interval_at_the_edges() -> None:
    assert wilson_interval(0, 10)[0] == 0.0 and 0 < wilson_interval(0, 10)[1] < 0.35
    assert wilson_interval(10, 10)[1] == 1.0 and 0.65 < wilson_interval(10, 10)[0] < 1


@given(st.integers(1, 5000), st.floats(0, 1))
def test_wilson_interval_contains_the_rate_and_narrows_with_more_items(n: int, share: float) -> None:
    k = round(share * n)
    low, high = wilson_interval(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0
    low4, high4 = wilson_interval(4 * k, 4 * n)
    assert high4 - low4 <= high - low + 1e-12


CSV = "strategy_id,item_id,correct\n" + "".join(f"prompt,q{i},{0 if i % 5 == 0 else 1}\n" for i in range(50))


def test_csv_with_correct_column() -> None:
    (e,) = parse_evals(CSV, source="evals.csv")
    assert (e.strategy_id, e.n_items, e.n_correct, e.accuracy_fraction) == ("prompt", 50, 40.0, 0.8)
    assert (e.wilson_low_fraction, e.wilson_high_fraction) == wilson_interval(40, 50)
    assert e.first_line == 2


def test_jsonl_with_scores_aliases_and_booleans() -> None:
    rows = [
        {"strategy": "rag", "item": 1, "score": 0.5},
        {"strategy": "rag", "item": 2, "score": 1},
        {"strategy_id": "ft", "item_id": "a", "correct": True},
        {"strategy_id": "ft", "item_id": "b", "correct": "false"},
    ]
    text = "\n".join(json.dumps(r) for r in rows) + "\n\n"
    out = {e.strategy_id: e for e in parse_evals(text, source="evals.jsonl")}
    assert out["rag"].n_correct == 1.5 and out["rag"].accuracy_fraction == 0.75
    assert out["ft"].n_correct == 1.0 and out["ft"].n_items == 2


def test_format_from_content_and_byte_order_mark() -> None:
    assert parse_evals(("\ufeff" + CSV).encode("utf-8"), source="upload")[0].n_items == 50
    assert parse_evals('{"strategy": "p", "item": 1, "correct": 1}', source="upload")[0].n_items == 1


HEADER = "strategy_id,item_id,correct\n"


@pytest.mark.parametrize(
    ("text", "source", "where", "fragment"),
    [
        (
            "strategy,question,correct\np,1,1\n",
            "e.csv",
            "e.csv:1: <header>",
            "missing column item_id or item",
        ),
        ("strategy_id,item_id\np,1\n", "e.csv", "e.csv:1: <header>", "correct or score"),
        (HEADER + "p,1,2\n", "e.csv", "e.csv:2: correct", "expected 0 or 1"),
        (HEADER + "p,1,maybe\n", "e.csv", "e.csv:2: correct", "got 'maybe'"),
        ("strategy_id,item_id,score\np,1,1.5\n", "e.csv", "e.csv:2: score", "from 0 to 1, got '1.5'"),
        ("strategy_id,item_id,score\np,1,nan\n", "e.csv", "e.csv:2: score", "from 0 to 1"),
        ("strategy_id,item_id,score\np,1,-0.1\n", "e.csv", "e.csv:2: score", "from 0 to 1"),
        ("strategy_id,item_id,correct,score\np,1,1,0.5\n", "e.csv", "e.csv:2: correct", "not both"),
        (HEADER + "p,1,1\np,2,0\np,1,0\n", "e.csv", "e.csv:4: item_id", "item '1' of 'p' repeats line 2"),
        (HEADER + ",1,1\n", "e.csv", "e.csv:2: strategy_id", "expected an id"),
        (HEADER + "p,,1\n", "e.csv", "e.csv:2: item_id", "expected an id"),
        (HEADER + "p,1,\n", "e.csv", "e.csv:2: correct", "missing"),
        (HEADER + "p,1,1,extra\n", "e.csv", "e.csv:2: <row>", "more cells than columns"),
        (HEADER, "e.csv", "e.csv: <file>", "no eval rows"),
        ("", "e.csv", "e.csv:1: <header>", "missing column"),
        ('{"strategy": "p", "item": 1, "correct": 1}\n{broken\n', "e.jsonl", "e.jsonl:2: <row>", "not JSON"),
        ("[1, 2]\n", "e.jsonl", "e.jsonl:1: <row>", "expected a JSON object"),
        ('{"strategy": "p", "item": true, "correct": 1}\n', "e.jsonl", "e.jsonl:1: item", "expected an id"),
        (
            '{"strategy": "p", "item": 1, "correct": 0.5}\n',
            "e.jsonl",
            "e.jsonl:1: correct",
            "expected 0 or 1",
        ),
        ('{"strategy": "p", "item": 1, "score": "x"}\n', "e.jsonl", "e.jsonl:1: score", "from 0 to 1"),
    ],
)
def test_malformed_files_name_file_line_and_field(text: str, source: str, where: str, fragment: str) -> None:
    with pytest.raises(InputError) as err:
        parse_evals(text, source=source)
    assert any(line.startswith(where) and fragment in line for line in str(err.value).splitlines()), str(
        err.value
    )


def test_binary_and_oversized_files() -> None:
    with pytest.raises(InputError, match="not UTF-8"):
        parse_evals(b"\xff\xfe\x00garbage", source="e.csv")
    with pytest.raises(InputError, match="larger than"):
        parse_evals(b"x" * (MAX_EVAL_BYTES + 1), source="e.csv")
    with pytest.raises(InputError, match="expected csv or jsonl"):
        parse_evals(CSV, source="e.csv", fmt="xlsx")


def test_every_bad_row_is_listed_up_to_a_limit() -> None:
    with pytest.raises(InputError) as err:
        parse_evals(HEADER + "p,1,7\n" * 500, source="e.csv")
    assert 1 < len(err.value.problems) <= 50


SCENARIO = """
horizon_months: 6
workload: {requests_per_month: 1000, input_tokens_per_request: 100, output_tokens_per_request: 100}
value: {usd_per_correct_answer: 1.0, usd_per_wrong_answer: 2.0}
strategies:
  - {id: prompt, kind: prompting, model: {input_usd_per_mtok: 1, output_usd_per_mtok: 2}, accuracy_fraction: 0.9}
  - {id: rag, kind: prompting, model: {input_usd_per_mtok: 1, output_usd_per_mtok: 2}, accuracy_fraction: 0.7}
"""


def test_apply_evals_sets_observed_accuracy_and_a_beta(test_catalogs: Catalogs) -> None:
    s = apply_evals(parse_scenario(SCENARIO), parse_evals(CSV, source="evals.csv"), source="evals.csv")
    assert s.strategies[0].accuracy_fraction == 0.8 and s.strategies[1].accuracy_fraction == 0.7
    assert dict(s.uncertain) == {"strategies[0].accuracy_fraction": EvalBeta(n_correct=40, n_items=50)}
    (inp,) = scenario_inputs(s)
    assert inp.origin == "eval results"
    # 6,000 requests, 80 % correct: 4800 x 1 - 1200 x 2 - cost
    result = run(s, test_catalogs)
    assert result.strategy("prompt").net_value_usd == pytest.approx(
        4800 - 2400 - result.strategy("prompt").total_usd
    )
    res = simulate(s, draws=20_000, rng=np.random.default_rng(5), catalogs=test_catalogs)
    net = res.strategy("prompt").net_value_usd
    assert net is not None and net.p10 < net.p50 < net.p90
    # Beta(40.5, 10.5): the simulated p10/p90 of net value follow its quantiles, net = 6000 acc x 3 - 6000 - cost
    beta = EvalBeta(n_correct=40, n_items=50)
    cost = result.strategy("prompt").total_usd
    for q, got in ((0.1, net.p10), (0.9, net.p90)):
        acc = (got + 12000 + cost) / 18000
        assert abs(beta.cdf(acc) - q) <= 5 * (q * (1 - q) / 20_000) ** 0.5


def test_beta_posterior_is_close_to_the_wilson_interval() -> None:
    beta = EvalBeta(n_correct=170, n_items=200)
    low, high = wilson_interval(170, 200)
    assert beta.ppf(0.025) == pytest.approx(low, abs=0.005)
    assert beta.ppf(0.975) == pytest.approx(high, abs=0.005)


def test_unknown_strategy_in_evals_names_its_line() -> None:
    text = CSV + "rga,q1,1\n"
    with pytest.raises(InputError) as err:
        apply_evals(parse_scenario(SCENARIO), parse_evals(text, source="evals.csv"), source="evals.csv")
    assert str(err.value) == "evals.csv:52: strategy_id: unknown strategy 'rga' (did you mean 'rag'?)"
