"""``breakeven simulate``: the JSON contract, exactness against ``run``, reproducibility, flags and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from costmodel.catalog import loader as catalog
from costmodel.catalog.entry import Catalogs
from costmodel.cli import simulate as cli_simulate
from costmodel.cli.dispatch import SUBCOMMAND_MODULES, main
from costmodel.core.schema import to_plain
from costmodel.core.yamlio import dump_yaml

SCENARIO = """
name: cli simulate
horizon_months: 12
workload: {requests_per_month: 200000, growth_fraction_per_month: 0.03, input_tokens_per_request: 150,
           output_tokens_per_request: 300}
value: {usd_per_correct_answer: 0.4, usd_per_wrong_answer: 1.5}
people: {engineer_usd_per_hour: 120}
strategies:
  - {id: prompt, kind: prompting, model: {input_usd_per_mtok: 2.0, output_usd_per_mtok: 8.0}, system_prompt_tokens: 800,
     n_shots: 6, tokens_per_shot: 200, accuracy_fraction: 0.86, setup_hours: 40, maintenance_hours_per_month: 8}
  - {id: ft, kind: finetune_hosted, offer: test/ft-small, system_prompt_tokens: 150, n_training_examples: 3000,
     tokens_per_example: 700, labeling: test-expert, accuracy_fraction: 0.93, setup_hours: 20}
"""


@pytest.fixture(autouse=True)
def test_pricing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, test_catalogs: Catalogs) -> None:
    """The CLI reads the built-in catalogs: point it at the hand-written test catalogs instead."""
    pricing = tmp_path / "pricing"
    pricing.mkdir()
    plain = {kind: [to_plain(e) for e in entries.values()] for kind, entries in test_catalogs.entries.items()}
    (pricing / "test.yaml").write_text(dump_yaml(plain))
    monkeypatch.setattr(catalog, "PRICING_DIR", pricing)


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    p = tmp_path / "s.yaml"
    p.write_text(SCENARIO)
    return p


def simulate_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["simulate", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_registered() -> None:
    assert cli_simulate in SUBCOMMAND_MODULES


def test_json_has_exactly_the_contract_keys(scenario_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = simulate_json(capsys, str(scenario_file), "--draws", "500", "--seed", "3", "--default-uncertainty")
    assert set(data) == {"draws", "seed", "strategies", "breakeven_months", "tornado"}
    assert (data["draws"], data["seed"]) == (500, 3)
    for s in data["strategies"]:  # type: ignore[attr-defined]
        assert set(s) == {"id", "total_usd", "net_value_usd", "p_cheapest", "p_best_value"}
        assert set(s["total_usd"]) == set(s["net_value_usd"]) == {"p10", "p50", "p90"}
    (pair,) = data["breakeven_months"]  # type: ignore[misc]
    assert set(pair) == {"a", "b", "p_never", "p10", "p50", "p90"}
    assert data["tornado"] and all(set(t) == {"input", "low_usd", "high_usd"} for t in data["tornado"])  # type: ignore[attr-defined]
    assert sum(s["p_cheapest"] for s in data["strategies"]) == pytest.approx(1.0)  # type: ignore[attr-defined]


def test_without_uncertainty_the_percentiles_are_the_run_result(
    scenario_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = simulate_json(capsys, str(scenario_file), "--draws", "50")
    assert main(["run", str(scenario_file), "--format", "json"]) == 0
    det = json.loads(capsys.readouterr().out)
    for got, want in zip(data["strategies"], det["strategies"], strict=True):  # type: ignore[call-overload]
        assert got["total_usd"] == {
            "p10": want["total_usd"],
            "p50": want["total_usd"],
            "p90": want["total_usd"],
        }
        assert got["net_value_usd"]["p50"] == want["net_value_usd"]
        assert got["p_cheapest"] == (1.0 if want["id"] == det["cheapest_id"] else 0.0)
    (pair,) = data["breakeven_months"]  # type: ignore[misc]
    (want_pair,) = det["breakeven"]
    assert (pair["a"], pair["b"], pair["p50"]) == (want_pair["a"], want_pair["b"], want_pair["month"])
    assert data["tornado"] == []


def test_notes_go_to_stderr_so_stdout_stays_json(
    scenario_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["simulate", str(scenario_file), "--draws", "20", "--format", "json"]) == 0
    out, err = capsys.readouterr()
    json.loads(out)
    assert "note: no uncertain inputs" in err and "--default-uncertainty" in err


def test_same_seed_same_output(scenario_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [str(scenario_file), "--draws", "800", "--default-uncertainty"]
    a = simulate_json(capsys, *args, "--seed", "11")
    b = simulate_json(capsys, *args, "--seed", "11")
    c = simulate_json(capsys, *args, "--seed", "12")
    assert a == b
    assert a["strategies"] != c["strategies"]


def test_distributions_in_the_file_are_sampled(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "u.yaml"
    p.write_text(
        SCENARIO.replace(
            "output_tokens_per_request: 300}",
            "output_tokens_per_request: {low: 200, likely: 300, high: 900}}",
        )
    )
    data = simulate_json(capsys, str(p), "--draws", "2000")
    prompt = data["strategies"][0]  # type: ignore[index]
    assert prompt["total_usd"]["p10"] < prompt["total_usd"]["p50"] < prompt["total_usd"]["p90"]
    assert data["tornado"][0]["input"] == "workload.output_tokens_per_request"  # type: ignore[index]


def test_evals_file_sets_accuracy(
    tmp_path: Path, scenario_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evals = tmp_path / "evals.csv"
    evals.write_text(
        "strategy_id,item_id,correct\n" + "".join(f"ft,q{i},{int(i % 2 == 0)}\n" for i in range(40))
    )
    data = simulate_json(capsys, str(scenario_file), "--draws", "1000", "--evals", str(evals))
    assert data["tornado"][0]["input"] == "strategies[1].accuracy_fraction"  # type: ignore[index]
    # ft at 50 % accuracy loses to prompting at 86 % on net value
    ft = data["strategies"][1]  # type: ignore[index]
    assert ft["p_best_value"] == 0.0
    assert ft["net_value_usd"]["p10"] < ft["net_value_usd"]["p90"]


def test_tornado_flags(scenario_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    both = simulate_json(capsys, str(scenario_file), "--draws", "100", "--default-uncertainty")
    one = simulate_json(
        capsys, str(scenario_file), "--draws", "100", "--default-uncertainty", "--tornado-strategy", "prompt"
    )
    assert both["tornado"] != one["tornado"]


def test_table_and_csv(scenario_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", str(scenario_file), "--draws", "300", "--default-uncertainty"]) == 0
    out = capsys.readouterr().out
    for section in (
        "300 draws, seed 0",
        "Breakeven month",
        "Tornado: total_usd of prompt minus total_usd of ft",
        "Uncertain inputs",
    ):
        assert section in out
    assert main(["simulate", str(scenario_file), "--draws", "300", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("id,total_usd_p10,total_usd_p50,total_usd_p90,")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--draws", "0"], "<command line>: --draws: expected 1 to 1,000,000, got 0"),
        (["--draws", "-5"], "--draws: expected 1 to"),
        (["--draws", "1000001"], "--draws: expected 1 to"),
        (["--seed", "-1"], "--seed: expected a whole number >= 0"),
        (["--tornado-versus", "ft"], "--tornado-versus: needs --tornado-strategy"),
        (
            ["--default-uncertainty", "--tornado-strategy", "promtp"],
            "--tornado-strategy: unknown strategy 'promtp' (did you mean 'prompt'?)",
        ),
        (
            ["--default-uncertainty", "--tornado-strategy", "ft", "--tornado-versus", "x"],
            "--tornado-versus: unknown strategy 'x'",
        ),
    ],
)
def test_bad_flags_exit_2_naming_the_flag(
    scenario_file: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    assert main(["simulate", str(scenario_file), *args]) == 2
    out, err = capsys.readouterr()
    assert out == "" and expected in err and "Traceback" not in err


@pytest.mark.parametrize("flag", ["--draws", "--seed"])
def test_non_numbers_are_usage_errors(
    scenario_file: Path, capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["simulate", str(scenario_file), flag, "many"])
    assert exit_info.value.code == 2
    assert "invalid int value" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("scenario_edit", "evals_text", "expected"),
    [
        (
            (
                "output_tokens_per_request: 300}",
                "output_tokens_per_request: {low: 400, likely: 300, high: 200}}",
            ),
            None,
            "s.yaml:5: workload.output_tokens_per_request.low: low (400) is greater than high (200)",
        ),
        (
            ("accuracy_fraction: 0.93", "accuracy_fraction: {low: 0.9, likely: 0.95, high: 1.2}"),
            None,
            "s.yaml:12: strategies[1].accuracy_fraction.high: expected a number <= 1, got 1.2",
        ),
        (
            ("setup_hours: 20}", "setup_hours: {dist: lognormal, median: -2, p90: 3}}"),
            None,
            "strategies[1].setup_hours.median: expected a number >= 0, got -2",
        ),
        (
            None,
            "strategy_id,item_id,correct\nft,1,yes\nft,2,7\n",
            "evals.csv:3: correct: expected 0 or 1 (or true/false), got '7'",
        ),
        (
            None,
            "strategy_id,item_id,correct\nfft,1,1\n",
            "evals.csv:2: strategy_id: unknown strategy 'fft' (did you mean 'ft'?)",
        ),
        (None, "nonsense\n", "evals.csv:1: <header>: missing column"),
    ],
)
def test_bad_input_exits_2_with_file_line_field(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    scenario_edit: tuple[str, str] | None,
    evals_text: str | None,
    expected: str,
) -> None:
    text = SCENARIO if scenario_edit is None else SCENARIO.replace(*scenario_edit)
    assert text != SCENARIO or scenario_edit is None
    path = tmp_path / "s.yaml"
    path.write_text(text)
    args = ["simulate", str(path)]
    if evals_text is not None:
        evals = tmp_path / "evals.csv"
        evals.write_text(evals_text)
        args += ["--evals", str(evals)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert expected in err.replace(str(tmp_path) + "/", ""), err
    assert "Traceback" not in err


def test_missing_files(tmp_path: Path, scenario_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml: <file>: cannot read" in capsys.readouterr().err
    assert main(["simulate", str(scenario_file), "--evals", str(tmp_path / "none.csv")]) == 2
    assert "none.csv: <file>: cannot read" in capsys.readouterr().err
