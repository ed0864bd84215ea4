"""``breakeven tokens``: JSON shape, table and CSV output, flags and errors (exit 2, no traceback)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from costmodel.cli import dispatch as cli
from costmodel.cli import tokens as cli_tokens
from costmodel.tokens.tokenizers import count_tokens


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """Sample files the CLI reads (the CLI reads files; counting itself never writes)."""
    txt = tmp_path / "prompts.txt"
    txt.write_text("hello world\n---\nsecond sample here\n", encoding="utf-8")
    chat = tmp_path / "ft.jsonl"
    rows = [
        {"messages": [{"role": "user", "content": "hello world"}, {"role": "assistant", "content": "Hi!"}]},
        {"messages": [{"role": "user", "content": "2 + 2"}, {"role": "assistant", "content": "4"}]},
    ]
    chat.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    csv = tmp_path / "log.csv"
    csv.write_text("question,answer\nhello world,fine thanks\n", encoding="utf-8")
    return {"txt": txt, "chat": chat, "csv": csv}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_keys_per_model(capsys: pytest.CaptureFixture[str], files: dict[str, Path]) -> None:
    code, out, err = run(
        capsys, "tokens", str(files["txt"]), "--model", "openai/gpt-4o", "--model", "claude-sonnet-4-5",
        "--separator", r"\n---\n", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["n_samples"] == 2
    exact = data["models"]["openai/gpt-4o"]
    assert exact["encoding"] == "o200k_base" and exact["exact"] is True and exact["n_samples"] == 2
    assert set(exact["input_tokens"]) == {"total", "mean", "p50", "p90", "p99", "max"}
    assert set(exact["output_tokens"]) == {"total", "mean", "p50", "p90", "p99", "max"}
    expected = count_tokens("o200k_base", "hello world") + count_tokens("o200k_base", "second sample here\n")
    assert exact["input_tokens"]["total"] == expected
    assert exact["context_window_tokens"] == 128000  # from the price data
    estimate = data["models"]["claude-sonnet-4-5"]
    assert estimate["exact"] is False
    assert {"low", "high"} <= set(estimate["input_tokens"])
    assert (
        estimate["input_tokens"]["low"]
        <= estimate["input_tokens"]["total"]
        <= estimate["input_tokens"]["high"]
    )
    assert estimate["ratio"]["low"] <= estimate["ratio"]["likely"] <= estimate["ratio"]["high"]


def test_fine_tuning_cost_with_a_price_or_an_offer(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path]
) -> None:
    code, out, _ = run(
        capsys, "tokens", str(files["chat"]), "--model", "openai/ft-gpt-4.1-mini",
        "--epochs", "3", "--training-usd-per-mtok", "5", "--format", "json",
    )  # fmt: skip
    assert code == 0
    model = json.loads(out)["models"]["openai/ft-gpt-4.1-mini"]
    training = model["training"]
    assert training["training_tokens"] == model["training_tokens_per_epoch"] * 3
    assert training["training_usd"] == pytest.approx(training["training_tokens"] * 5 / 1e6)
    code, out, _ = run(
        capsys, "tokens", str(files["chat"]), "--model", "gpt-4.1-mini", "--epochs", "2",
        "--offer", "openai/ft-gpt-4.1-mini", "--format", "json",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out)["models"]["gpt-4.1-mini"]["training"]["training_usd_per_mtok"] > 0


def test_table_and_csv(capsys: pytest.CaptureFixture[str], files: dict[str, Path]) -> None:
    code, out, _ = run(
        capsys, "tokens", str(files["csv"]), "--model", "gpt-4", "--model", "gemini-2.5-flash",
        "--input-column", "question", "--output-column", "answer",
    )  # fmt: skip
    assert code == 0
    assert "1 samples from" in out and "exact (cl100k_base)" in out and "estimated: o200k_base x" in out
    code, out, _ = run(
        capsys,
        "tokens",
        str(files["csv"]),
        "--model",
        "gpt-4",
        "--input-column",
        "question",
        "--format",
        "csv",
    )
    assert code == 0
    header, *rows = out.strip().splitlines()
    assert header.startswith("model,counted,direction,n_samples,total_tokens")
    assert len(rows) == 2


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--model", "tts-1"], "<command line>: --model: model 'tts-1' is not priced per text token"),
        (["--model", "no-such-model"], "no tokenizer known for model 'no-such-model'"),
        (["--model", "gpt-4o", "--input-column", "prompt"], "input_column: column 'prompt' not found"),
        (["--model", "gpt-4o", "--epochs", "3"], "a training cost needs both --epochs and a price"),
        (
            ["--model", "gpt-4o", "--epochs", "-1", "--training-usd-per-mtok", "5"],
            "--epochs: expected a finite number > 0",
        ),
        (
            ["--model", "gpt-4o", "--offer", "nope/offer", "--epochs", "1"],
            "unknown finetune_offers id 'nope/offer'",
        ),
        (
            ["--model", "gpt-4o", "--max-upload-mb", "0.00001"],
            "over the upload limit of 10 bytes (1e-05 MB) (--max-upload-mb)",
        ),
        (
            ["--model", "gpt-4o", "--context-window-tokens", "0"],
            "--context-window-tokens: expected a whole number >= 1",
        ),
    ],
)
def test_errors_exit_2_with_a_message(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], extra: list[str], message: str
) -> None:
    code, out, err = run(capsys, "tokens", str(files["csv"]), *extra)
    assert code == 2
    assert message in err
    assert "Traceback" not in err and out == ""


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "tokens", str(tmp_path / "nope.txt"), "--model", "gpt-4o")
    assert code == 2 and "nope.txt: <file>: cannot read: No such file or directory" in err


def test_register_on_a_bare_parser(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    cli_tokens.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["tokens", str(files["txt"]), "--model", "gpt-4o", "--format", "json"])
    assert args.handler(args) == 0
    assert json.loads(capsys.readouterr().out)["models"]["gpt-4o"]["n_samples"] == 1


@pytest.mark.parametrize(
    ("raw", "text"), [(r"\n---\n", "\n---\n"), (r"a\tb", "a\tb"), (r"\\n", "\\n"), ("§§", "§§")]
)
def test_unescape(raw: str, text: str) -> None:
    assert cli_tokens.unescape(raw) == text
