"""Parsers of uploaded samples: formats, encodings, chat framing and every bad-input message."""

from __future__ import annotations

import codecs
import json

import pytest

from costmodel.core.errors import InputError
from costmodel.tokens import parsers as token_parsers
from costmodel.tokens import upload as token_upload
from costmodel.tokens.parsers import (
    ParseOptions,
    Upload,
    detect_encoding,
    iter_decoded,
    iter_lines,
    iter_samples,
)
from costmodel.tokens.rows import OUTPUT, SYSTEM, TRAINING_EXTRA, USER, Sample


def samples(name: str, data: bytes, **options: object) -> list[Sample]:
    return list(iter_samples(Upload(name=name, data=data), ParseOptions(**options)))  # type: ignore[arg-type]


def texts(found: list[Sample], bucket: int) -> list[str]:
    return ["".join(t for t, b in zip(s.texts, s.buckets, strict=True) if b == bucket) for s in found]


def error_of(name: str, data: bytes, **options: object) -> str:
    with pytest.raises(InputError) as err:
        samples(name, data, **options)
    return str(err.value)


# ---------------------------------------------------------------------------------------------
# Encodings
# ---------------------------------------------------------------------------------------------

HELLO = "héllo wörld ✓"


@pytest.mark.parametrize(
    ("data", "codec"),
    [
        (HELLO.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + HELLO.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + HELLO.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + HELLO.encode("utf-16-be"), "utf-16"),
    ],
)
def test_supported_encodings_decode_to_the_same_text(data: bytes, codec: str) -> None:
    assert detect_encoding(Upload(name="a.txt", data=data)) == codec
    assert texts(samples("a.txt", data), USER) == [HELLO]


def test_decoding_in_small_chunks_keeps_multibyte_characters() -> None:
    upload = Upload(name="a.txt", data=("ü€😀" * 50).encode("utf-8"))
    assert "".join(iter_decoded(upload, "utf-8", chunk_bytes=3)) == "ü€😀" * 50


# ---------------------------------------------------------------------------------------------
# Bad input: one clear message each, with the file (and line where there is one)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "options", "expected"),
    [
        ("empty.txt", b"", {}, "empty.txt: <file>: file is empty"),
        ("blank.txt", b"  \n\n ", {}, "blank.txt: <file>: no samples found"),
        ("bom-only.jsonl", codecs.BOM_UTF8, {}, "no samples found"),
        ("binary.txt", b"abc\n\x00\x01\x02", {}, "binary.txt:2: <file>: binary data (a NUL byte at offset 4"),
        ("doc.txt", b"%PDF-1.7\n...", {}, "this is a PDF document, not text"),
        ("sheet.csv", b"PK\x03\x04rest", {}, "ZIP archive (e.g. .xlsx or .docx)"),
        ("bad.txt", b"ok line\nbad \xff byte\n", {}, "bad.txt:2: <encoding>: invalid UTF-8 at byte 12"),
        ("cut.txt", b"ends mid character \xe2\x82", {}, "invalid UTF-8 at byte 19"),
        ("u32.txt", codecs.BOM_UTF32_LE + "hi".encode("utf-32-le"), {}, "UTF-32 text is not supported"),
        ("u16.txt", codecs.BOM_UTF16_LE + b"\x00\xd8", {}, "invalid UTF-16"),
        ("big.txt", b"x" * 101, {"max_bytes": 100}, "file is 101 bytes, over the upload limit of 100 bytes"),
        ("notes.pdf", b"hello", {}, "unsupported file type ('.pdf')"),
        ("README", b"hello", {}, "unsupported file type (no extension)"),
        (
            "broken.jsonl",
            b'{"prompt": "a"}\n{"prompt": "b"\n{"prompt": "c"}\n',
            {},
            "broken.jsonl:2: <json>: invalid JSON: Expecting ',' delimiter",
        ),
        ("rows.jsonl", b'{"prompt": 3}\n', {}, "rows.jsonl:1: prompt: expected text, got a number"),
        (
            "rows.jsonl",
            b'{"question": "x"}\n',
            {},
            "expected 'messages', 'prompt'/'completion' or 'input'/'output'",
        ),
        ("rows.jsonl", b"[1, 2]\n", {}, "rows.jsonl:1: <row>: expected an object or a text, got a list"),
        (
            "rows.jsonl",
            b'{"q": "x"}\n',
            {"input_column": "question"},
            "rows.jsonl:1: question: key not found",
        ),
        (
            "rows.jsonl",
            b'{"q": "x"}\n',
            {"input_column": "q", "output_column": "answer"},
            "rows.jsonl:1: answer: key 'answer' not found",
        ),
        (
            "chat.jsonl",
            b'{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant"}]}\n',
            {},
            "chat.jsonl:1: messages[1].content: message has no content",
        ),
        (
            "chat.jsonl",
            b'{"messages": [{"role": "user", "content": "  "}]}\n',
            {},
            "messages[0].content: message has no content",
        ),
        (
            "chat.jsonl",
            b'{"messages": [{"role": "user", "content": null}]}\n',
            {},
            "messages[0].content: message has no content",
        ),
        ("chat.jsonl", b'{"messages": []}\n', {}, "messages: expected a non-empty list of messages"),
        (
            "chat.jsonl",
            b'{"messages": [{"role": "robot", "content": "x"}]}\n',
            {},
            "messages[0].role: expected one of system, developer, user, assistant, tool, function, got 'robot'",
        ),
        (
            "chat.jsonl",
            b'{"messages": [{"content": "x"}]}\n',
            {},
            "messages[0].role: expected one of system, developer, user, assistant, tool, function, got missing",
        ),
        (
            "chat.jsonl",
            b'{"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]}\n',
            {},
            "messages[0].content[0]: only text parts can be counted, got 'image_url'",
        ),
        (
            "data.csv",
            b"question,answer\nhi,there\n",
            {"input_column": "prompt"},
            "data.csv:1: input_column: column 'prompt' not found",
        ),
        ("data.csv", b"Prompt,answer\nhi,there\n", {"input_column": "prompts"}, "(did you mean 'Prompt'?)"),
        (
            "data.csv",
            b"a,b\nhi,there\n",
            {},
            "data.csv:1: input_column: choose the input column; columns are: a, b",
        ),
        (
            "data.csv",
            b"prompt,reply\nhi\n",
            {"output_column": "reply"},
            "data.csv:2: <csv>: row has 1 fields, the header has 2",
        ),
        ("data.csv", b'prompt\n"unterminated\n', {}, "data.csv:2: <csv>: malformed CSV"),
        ("a.json", b'{"prompt": "a"', {}, "a.json:1: <json>: invalid JSON"),
        (
            "a.json",
            b'[{"prompt": "a"},\n {"prompt": "b"} {"prompt": "c"}]',
            {},
            "a.json:2: <json>: expected ',' or ']' after item 1",
        ),
        ("a.json", b'"just text"', {}, "expected a JSON array of samples (or one object)"),
        ("a.json", b'[{"prompt": "a"}] x', {}, "extra data after the JSON array"),
        (
            "a.json",
            b'[{"prompt": "a"},\n{"prompt": 5}]',
            {},
            "a.json:2: [1].prompt: expected text, got a number",
        ),
    ],
)
def test_bad_input_has_a_clear_message(
    name: str, data: bytes, options: dict[str, object], expected: str
) -> None:
    assert expected in error_of(name, data, **options)


def test_all_problems_of_a_file_are_reported_together() -> None:
    data = b'{"prompt": "ok"}\n{bad\n{"prompt": 1}\nnot json either\n'
    message = error_of("many.jsonl", data)
    assert message.count("\n") == 2
    assert "many.jsonl:2:" in message and "many.jsonl:3:" in message and "many.jsonl:4:" in message


def test_problems_stop_after_the_limit() -> None:
    data = b"\n".join(b"{bad" for _ in range(100))
    with pytest.raises(InputError) as err:
        samples("bad.jsonl", data)
    assert len(err.value.problems) == token_parsers.MAX_PROBLEMS


# ---------------------------------------------------------------------------------------------
# Text files
# ---------------------------------------------------------------------------------------------


def test_text_file_is_one_sample() -> None:
    found = samples("prompt.md", b"# Title\n\nSome text.\n")
    assert texts(found, USER) == ["# Title\n\nSome text.\n"]
    assert found[0].line == 1


@pytest.mark.parametrize(
    ("data", "separator", "expected", "lines"),
    [
        (b"one\n---\ntwo\n---\nthree", "\n---\n", ["one", "two", "three"], [1, 3, 5]),
        (b"one\n---\n\n---\ntwo\n---\n", "\n---\n", ["one", "two"], [1, 5]),  # blank samples skipped
        (b"a||b||c", "||", ["a", "b", "c"], [1, 1, 1]),
        (b"no separator here", "@@", ["no separator here"], [1]),
    ],
)
def test_text_split_on_a_separator(
    data: bytes, separator: str, expected: list[str], lines: list[int]
) -> None:
    found = samples("s.txt", data, separator=separator)
    assert texts(found, USER) == expected
    assert [s.line for s in found] == lines


def test_separator_split_across_decoding_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(token_upload, "_CHUNK_BYTES", 5)
    found = samples("s.txt", b"first sample<SEP>second<SEP>third one", separator="<SEP>")
    assert texts(found, USER) == ["first sample", "second", "third one"]


def test_long_text_is_emitted_in_parts_that_join_to_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(token_upload, "_CHUNK_BYTES", 64)
    monkeypatch.setattr(token_parsers, "_PART_CHARS", 50)
    text = "The quick brown fox jumps over the lazy dog. " * 40
    found = samples("long.txt", (text + "\n===\nshort").encode(), separator="\n===\n")
    parts = [s for s in found if s.continues]
    assert len(parts) > 3
    joined = "".join(s.texts[0] for s in found[: len(parts) + 1])
    assert joined == text
    assert not found[-1].continues and found[-1].texts == ("short",)


# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------


def test_csv_columns_guessed_and_chosen() -> None:
    data = b'id,prompt,completion\n1,"Hello, world","Hi"\n2,"multi\nline",x\n\n3,,\n'
    found = samples("d.csv", data)
    assert texts(found, USER) == ["Hello, world", "multi\nline", ""]
    assert texts(found, OUTPUT) == ["Hi", "x", ""]
    assert [s.line for s in found] == [2, 3, 6]
    chosen = samples("d.csv", data, input_column="ID", output_column=None)
    assert texts(chosen, USER) == ["1", "2", "3"]


def test_tsv_and_bom_header() -> None:
    data = codecs.BOM_UTF8 + b"input\toutput\nq1\ta1\n"
    found = samples("d.tsv", data)
    assert texts(found, USER) == ["q1"] and texts(found, OUTPUT) == ["a1"]


def test_csv_fields_larger_than_the_csv_module_default() -> None:
    big = "word " * 40_000  # 200 KB, over csv's default 128 KiB field limit
    found = samples("big.csv", f'prompt\n"{big}"\n'.encode())
    assert texts(found, USER) == [big]


# ---------------------------------------------------------------------------------------------
# JSONL / JSON rows
# ---------------------------------------------------------------------------------------------


def test_jsonl_row_kinds() -> None:
    rows = [
        {"prompt": "p1", "completion": "c1"},
        {"input": "i2", "output": "o2"},
        {"prompt": "p3"},
        "bare text",
    ]
    data = ("\n".join(json.dumps(r) for r in rows) + "\n\n").encode()
    found = samples("r.jsonl", data)
    assert texts(found, USER) == ["p1", "i2", "p3", "bare text"]
    assert texts(found, OUTPUT) == ["c1", "o2", "", ""]
    assert [s.line for s in found] == [1, 2, 3, 4]


def test_jsonl_with_crlf_and_chosen_keys() -> None:
    data = b'{"q": "a", "r": "b"}\r\n{"q": "c", "r": "d"}\r\n'
    found = samples("r.jsonl", data, input_column="q", output_column="r")
    assert texts(found, USER) == ["a", "c"] and texts(found, OUTPUT) == ["b", "d"]


def test_json_array_and_single_object() -> None:
    data = (
        b'[\n {"prompt": "a", "completion": "b"},\n\n {"messages": [{"role": "user", "content": "c"}]}\n]\n'
    )
    found = samples("a.json", data)
    assert texts(found, USER)[0] == "a"
    assert [s.line for s in found] == [2, 4]
    assert found[1].chat
    one = samples("one.json", b'{"messages": [{"role": "user", "content": "hi"}]}')
    assert len(one) == 1 and one[0].chat


def test_empty_json_array_has_no_samples() -> None:
    assert "no samples found" in error_of("e.json", b" [ ] ")


# ---------------------------------------------------------------------------------------------
# Chat framing (openai-cookbook How_to_count_tokens_with_tiktoken.ipynb)
# ---------------------------------------------------------------------------------------------


def test_chat_buckets_and_overhead() -> None:
    chat = {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi", "name": "ann"},
            {"role": "assistant", "content": "Earlier reply"},
            {
                "role": "user",
                "content": [{"type": "text", "text": "Part one"}, {"type": "text", "text": "two"}],
            },
            {"role": "assistant", "content": "Final answer"},
        ]
    }
    (s,) = samples("c.jsonl", json.dumps(chat).encode())
    assert s.chat
    by_bucket = {b: [t for t, bb in zip(s.texts, s.buckets, strict=True) if bb == b] for b in range(4)}
    assert by_bucket[SYSTEM] == ["system", "Be brief."]
    assert by_bucket[USER] == ["user", "Hi", "ann", "assistant", "Earlier reply", "user", "Part one", "two"]
    assert by_bucket[OUTPUT] == ["Final answer"]
    assert by_bucket[TRAINING_EXTRA] == ["assistant"]
    # 3 per message (+1 per name); 3 for the reply priming in the input.
    assert s.overhead == (3, 3 + 1 + 3 + 3 + 3, 0, 3)


def test_chat_without_a_final_reply_is_all_input() -> None:
    (s,) = samples("c.jsonl", b'{"messages": [{"role": "user", "content": "q"}]}')
    assert OUTPUT not in s.buckets and TRAINING_EXTRA not in s.buckets
    assert s.overhead == (0, 6, 0, 0)


def test_tool_calls_count_as_text() -> None:
    chat = {
        "messages": [
            {"role": "user", "content": "weather?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Oslo"}'}}
                ],
            },
            {"role": "tool", "content": "sunny", "tool_call_id": "1"},
            {"role": "assistant", "content": "It is sunny."},
        ]
    }
    (s,) = samples("c.jsonl", json.dumps(chat).encode())
    assert "get_weather" in s.texts and '{"city":"Oslo"}' in s.texts


# ---------------------------------------------------------------------------------------------
# Line iteration
# ---------------------------------------------------------------------------------------------


def test_iter_lines_joins_lines_across_chunks() -> None:
    chunks = ["ab", "c\nde", "f\n", "g"]
    assert list(iter_lines(chunks)) == [(1, "abc"), (2, "def"), (3, "g")]
    assert list(iter_lines(chunks, keepends=True)) == [(1, "abc\n"), (2, "def\n"), (3, "g")]
