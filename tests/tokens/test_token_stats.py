"""Counting uploads and statistics per model: golden counts, estimates, training cost, no disk writes."""

from __future__ import annotations

import builtins
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from costmodel.catalog.loader import default_catalogs
from costmodel.catalog.tokenizer_rules import resolve_tokenizer
from costmodel.core.errors import InputError
from costmodel.tokens import parsers as token_parsers
from costmodel.tokens import stats as token_stats
from costmodel.tokens import upload as token_upload
from costmodel.tokens.parsers import ParseOptions, Upload
from costmodel.tokens.stats import count_uploads, describe_tokens, model_stats, training_cost
from costmodel.tokens.tokenizers import count_tokens, get_encoding

# openai-cookbook How_to_count_tokens_with_tiktoken.ipynb, section 6: for these messages the OpenAI API
# reported 129 prompt tokens for gpt-3.5-turbo-0613 and gpt-4-0613 (cl100k_base).
COOKBOOK_MESSAGES = [
    {
        "role": "system",
        "content": "You are a helpful, pattern-following assistant that translates corporate jargon into plain English.",
    },
    {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Things working well together will increase revenue.",
    },
    {
        "role": "system",
        "name": "example_user",
        "content": "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
    },
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Let's talk later when we're less busy about how to do better.",
    },
    {
        "role": "user",
        "content": "This late pivot means we don't have time to boil the ocean for the client deliverable.",
    },
]


def upload(name: str, text: str) -> Upload:
    return Upload(name=name, data=text.encode("utf-8"))


def test_chat_prompt_tokens_match_the_openai_api_golden_value() -> None:
    counted = count_uploads([upload("c.jsonl", json.dumps({"messages": COOKBOOK_MESSAGES}))], ["cl100k_base"])
    tokens = counted.tokens["cl100k_base"]
    assert int(tokens.input_tokens[0]) == 129
    assert int(tokens.output_tokens[0]) == 0


def test_fine_tuning_example_counts_like_the_cookbook_recipe() -> None:
    messages = [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "hello world"},
        {"role": "assistant", "content": "Hi there!"},
    ]
    counted = count_uploads([upload("ft.jsonl", json.dumps({"messages": messages}))], ["o200k_base"])
    t = counted.tokens["o200k_base"]
    enc = get_encoding("o200k_base")
    # Chat_finetuning_data_prep.ipynb: sum over messages of 3 + tokens(role) + tokens(content), plus 3.
    recipe = sum(3 + len(enc.encode(m["role"])) + len(enc.encode(m["content"])) for m in messages) + 3
    assert int(t.training_tokens[0]) == recipe
    assert int(t.output_tokens[0]) == len(enc.encode("Hi there!"))
    assert int(t.system_tokens[0]) == 3 + len(enc.encode("system")) + len(enc.encode("You are terse."))
    assert counted.n_chat_samples == 1 and counted.n_samples_with_output == 1


def test_counts_across_files_and_encodings() -> None:
    files = [
        upload("a.txt", "hello world"),
        upload("b.csv", "prompt,completion\nhello world,hi\n<|endoftext|>,x\n"),
    ]
    counted = count_uploads(files, ["o200k_base", "cl100k_base"])
    assert counted.n_samples == 3
    assert [f.n_samples for f in counted.files] == [1, 2]
    for name in ("o200k_base", "cl100k_base"):
        t = counted.tokens[name]
        assert t.input_tokens.tolist() == [
            count_tokens(name, s) for s in ("hello world", "hello world", "<|endoftext|>")
        ]
        assert t.output_tokens.tolist() == [0, count_tokens(name, "hi"), count_tokens(name, "x")]
    assert counted.tokens["o200k_base"].input_tokens.tolist()[0] == 2


def test_problems_of_all_files_are_reported_together() -> None:
    with pytest.raises(InputError) as err:
        count_uploads([upload("a.txt", ""), upload("b.jsonl", "{bad")], ["o200k_base"])
    assert [p.file for p in err.value.problems] == ["a.txt", "b.jsonl"]


def test_long_text_in_parts_and_small_batches_counts_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(token_upload, "_CHUNK_BYTES", 1000)
    monkeypatch.setattr(token_parsers, "_PART_CHARS", 700)
    monkeypatch.setattr(token_stats, "BATCH_CHARS", 500)
    long_text = "Tokens cost money; count them exactly, 12345 times.\n" * 300
    files = [upload("a.txt", f"short one\n@@\n{long_text}\n@@\nlast")]
    counted = count_uploads(files, ["o200k_base"], ParseOptions(separator="\n@@\n"))
    expected = [count_tokens("o200k_base", t) for t in ("short one", long_text, "last")]
    assert counted.tokens["o200k_base"].input_tokens.tolist() == expected
    assert counted.n_samples == 3


def test_nothing_is_written_to_disk_while_counting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A private working directory and temp directory, so only this process can change their listings.
    cwd, tmp = tmp_path / "cwd", tmp_path / "tmp"
    cwd.mkdir()
    tmp.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    real_open = builtins.open

    def read_only_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if any(flag in mode for flag in "wax+"):
            raise AssertionError(f"counting opened {file!r} for writing")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", read_only_open)
    with pytest.raises(AssertionError, match="for writing"):
        open(tmp / "probe.txt", "w")  # noqa: SIM115 - the guard itself must work

    def listing() -> tuple[list[str], list[str]]:
        return sorted(os.listdir(os.getcwd())), sorted(os.listdir(tempfile.gettempdir()))

    rows = "\n".join(json.dumps({"prompt": f"sample {i} " * 50, "completion": "ok"}) for i in range(2000))
    files = [upload("big.jsonl", rows), upload("t.txt", "word " * 100_000), upload("d.csv", "prompt\nhi\n")]
    before = listing()
    counted = count_uploads(files, ["o200k_base", "cl100k_base"])
    assert listing() == before == ([], [])
    assert counted.n_samples == 2002


# ---------------------------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------------------------


def test_describe_tokens_golden() -> None:
    # numpy linear percentiles of 1..100: p50 = 50.5, p90 = 90.1, p99 = 99.01.
    d = describe_tokens(np.arange(1, 101))
    assert (d.total, d.mean, d.p50, d.max) == (5050.0, 50.5, 50.5, 100.0)
    assert d.p90 == pytest.approx(90.1)
    assert d.p99 == pytest.approx(99.01)
    with pytest.raises(ValueError, match="at least one sample"):
        describe_tokens(np.array([], dtype=np.int64))


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=50))
def test_describe_tokens_is_ordered(values: list[int]) -> None:
    d = describe_tokens(np.array(values))
    assert min(values) <= d.p50 <= d.p90 <= d.p99 <= d.max == max(values)
    assert d.total == sum(values)


def _counted() -> token_stats.CountResult:
    rows = [
        {"prompt": "one two three four", "completion": "five"},
        {"prompt": "a much longer prompt " * 20, "completion": "six seven"},
    ]
    return count_uploads([upload("r.jsonl", "\n".join(json.dumps(r) for r in rows))], ["o200k_base"])


def test_exact_model_stats_and_context_share() -> None:
    counted = _counted()
    raw = counted.tokens["o200k_base"]
    s = model_stats(counted, resolve_tokenizer("openai/gpt-4o", default_catalogs()), context_window_tokens=50)
    assert s.exact and s.n_samples == 2
    assert s.input_tokens.total == raw.input_tokens.sum()
    assert s.input_tokens.low_total is None
    assert s.over_context_fraction == 0.5  # only the long prompt (+ reply) exceeds 50 tokens
    assert model_stats(counted, resolve_tokenizer("gpt-4o", default_catalogs())).over_context_fraction is None


def test_estimated_model_stats_scale_by_the_ratio() -> None:
    counted = _counted()
    raw = counted.tokens["o200k_base"]
    choice = resolve_tokenizer("claude-sonnet-4-5", default_catalogs())
    assert not choice.exact and choice.ratio is not None
    s = model_stats(counted, choice)
    assert s.input_tokens.total == pytest.approx(raw.input_tokens.sum() * choice.ratio)
    assert s.input_tokens.low_total == pytest.approx(raw.input_tokens.sum() * choice.ratio_low)
    assert s.input_tokens.high_total == pytest.approx(raw.input_tokens.sum() * choice.ratio_high)
    assert s.input_tokens.low_total <= s.input_tokens.total <= s.input_tokens.high_total


def test_training_cost_golden_and_errors() -> None:
    counted = _counted()
    s = model_stats(counted, resolve_tokenizer("openai/ft-gpt-4.1-mini", default_catalogs()))
    per_epoch = float(counted.tokens["o200k_base"].training_tokens.sum())
    cost = training_cost(s, n_epochs=3, training_usd_per_mtok=5.0)
    assert cost.training_tokens == per_epoch * 3
    assert cost.training_usd == pytest.approx(per_epoch * 3 * 5.0 / 1e6)
    assert cost.low_training_usd is None
    estimate = training_cost(
        model_stats(counted, resolve_tokenizer("llama-3.1-8b", default_catalogs())),
        n_epochs=2,
        training_usd_per_mtok=1,
    )
    assert estimate.low_training_usd is not None and estimate.high_training_usd is not None
    assert estimate.low_training_usd <= estimate.training_usd <= estimate.high_training_usd
    with pytest.raises(InputError, match="n_epochs: expected a number > 0"):
        training_cost(s, n_epochs=0, training_usd_per_mtok=5.0)
    with pytest.raises(InputError, match="training_usd_per_mtok: expected a number >= 0"):
        training_cost(s, n_epochs=1, training_usd_per_mtok=float("nan"))
