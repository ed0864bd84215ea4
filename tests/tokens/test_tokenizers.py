"""The tiktoken adapter: verified offline vocabularies, exact ids, exact chunked counting."""

from __future__ import annotations

import dataclasses
import gzip
import itertools
import socket

import pytest
import tiktoken
from hypothesis import given
from hypothesis import strategies as st
from tiktoken_ext import openai_public

from costmodel.core.errors import InputError
from costmodel.tokens import tokenizers
from costmodel.tokens.tokenizers import (
    ENCODING_NAMES,
    VOCABS,
    VocabError,
    count_many,
    count_tokens,
    encode_ordinary,
    get_encoding,
    last_safe_cut,
    split_points,
)

# cl100k_base ids: openai-cookbook examples/How_to_count_tokens_with_tiktoken.ipynb (sections 3 and 5).
# o200k_base "hello world": 2 tokens (issue 4; OpenAI's tokenizer page shows "hello" + " world").
KNOWN_IDS = [
    ("o200k_base", "hello world", [24912, 2375]),
    ("cl100k_base", "hello world", [15339, 1917]),
    ("cl100k_base", "tiktoken is great!", [83, 1609, 5963, 374, 2294, 0]),
    ("cl100k_base", "antidisestablishmentarianism", [519, 85342, 34500, 479, 8997, 2191]),
    ("cl100k_base", "2 + 2 = 4", [17, 489, 220, 17, 284, 220, 19]),
    ("cl100k_base", "お誕生日おめでとう", [33334, 45918, 243, 21990, 9080, 33334, 62004, 16556, 78699]),
]


@pytest.mark.parametrize(("name", "text", "ids"), KNOWN_IDS)
def test_known_token_ids(name: str, text: str, ids: list[int]) -> None:
    assert encode_ordinary(name, text) == ids
    assert count_tokens(name, text) == len(ids)


@pytest.mark.parametrize("name", ENCODING_NAMES)
def test_encoding_matches_tiktokens_own_definition(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Build the encoding with tiktoken_ext.openai_public's constructor, feeding it our verified ranks.

    The constructor is tiktoken's own definition of the regex, the special tokens and the expected
    vocabulary hash; only its download step is replaced, so this is tiktoken's encoding, offline.
    """
    ours = get_encoding(name)
    seen: dict[str, str | None] = {}

    def fake_load(url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        seen["hash"] = expected_hash
        return ours._mergeable_ranks

    monkeypatch.setattr(openai_public, "load_tiktoken_bpe", fake_load)
    spec = openai_public.ENCODING_CONSTRUCTORS[name]()
    assert seen["hash"] == VOCABS[name].sha256
    assert spec["pat_str"] == ours._pat_str
    assert spec["special_tokens"] == ours._special_tokens
    theirs = tiktoken.Encoding(
        name,
        pat_str=spec["pat_str"],
        mergeable_ranks=spec["mergeable_ranks"],
        special_tokens=spec["special_tokens"],
    )
    samples = [
        "hello world",
        "Straße naïve 日本語 😀 ",
        "def f(x):\n    return x**2  # ok\n\n",
        "1234567 <|endoftext|>",
    ]
    for text in samples:
        assert ours.encode_ordinary(text) == theirs.encode_ordinary(text)
        assert count_tokens(name, text) == len(theirs.encode_ordinary(text))


@pytest.mark.parametrize("name", ENCODING_NAMES)
def test_vocabulary_sizes(name: str) -> None:
    # tiktoken: o200k_base has 199,998 mergeable ranks, cl100k_base 100,256 (max special id + 1 = n_vocab).
    enc = get_encoding(name)
    assert len(enc._mergeable_ranks) == {"o200k_base": 199998, "cl100k_base": 100256}[name]
    assert enc.n_vocab == max(VOCABS[name].special_tokens.values()) + 1


def test_encodings_are_cached_per_process() -> None:
    assert get_encoding("o200k_base") is get_encoding("o200k_base")


def test_building_an_encoding_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(tokenizers, "_ENCODINGS", {})
    assert encode_ordinary("cl100k_base", "hello world") == [15339, 1917]


@pytest.mark.parametrize(
    ("text", "o200k", "cl100k"),
    [
        # Special-token text counts as ordinary text (never as one special token).
        ("<|endoftext|>", 7, 7),
        ("<|fim_prefix|><|endofprompt|>", None, None),
        ("", 0, 0),
    ],
)
def test_special_token_text_is_ordinary(text: str, o200k: int | None, cl100k: int | None) -> None:
    for name, expected in (("o200k_base", o200k), ("cl100k_base", cl100k)):
        ids = encode_ordinary(name, text)
        assert not any(get_encoding(name).is_special_token(i) for i in ids)
        assert count_tokens(name, text) == len(ids)
        if expected is not None:
            assert len(ids) == expected


def test_wrong_hash_names_the_file_and_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = dataclasses.replace(VOCABS["cl100k_base"], sha256="0" * 64)
    monkeypatch.setitem(VOCABS, "cl100k_base", spec)
    with pytest.raises(VocabError) as err:
        tokenizers.read_vocab_bytes("cl100k_base")
    message = str(err.value)
    assert "cl100k_base.tiktoken.gz" in message
    assert "expected " + "0" * 64 in message
    assert "pip install --force-reinstall 'bpe-openai==0.1.4'" in message
    assert isinstance(err.value, InputError)


def test_missing_file_names_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = dataclasses.replace(VOCABS["o200k_base"], filename="missing.tiktoken.gz")
    monkeypatch.setitem(VOCABS, "o200k_base", spec)
    with pytest.raises(VocabError, match=r"missing\.tiktoken\.gz.*not found.*bpe-openai==0\.1\.4"):
        tokenizers.read_vocab_bytes("o200k_base")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"not gzip at all", "not valid gzip"),
        (gzip.compress(b"IQ== 0\n"), "sha256 of the decompressed vocabulary is"),
    ],
)
def test_corrupt_file_is_refused(monkeypatch: pytest.MonkeyPatch, payload: bytes, message: str) -> None:
    class FakePath:
        def read_bytes(self) -> bytes:
            return payload

    monkeypatch.setattr(tokenizers, "vocab_location", lambda name: FakePath())
    with pytest.raises(VocabError, match=message):
        tokenizers.read_vocab_bytes("o200k_base")


def test_vocab_files_come_from_the_pinned_distribution() -> None:
    path = tokenizers.vocab_location("o200k_base")
    assert path.as_posix().endswith("bpe_openai/data/o200k_base.tiktoken.gz")
    assert path.is_file()


def test_malformed_rank_line_is_reported() -> None:
    with pytest.raises(VocabError, match="line 2 is not 'base64 rank'"):
        tokenizers.parse_ranks(b"IQ== 0\n!!! x\n", name="o200k_base")


def test_unknown_encoding() -> None:
    with pytest.raises(InputError, match="unknown encoding 'p50k_base'"):
        get_encoding("p50k_base")


# ---------------------------------------------------------------------------------------------
# Exact counting of long texts cut into pieces
# ---------------------------------------------------------------------------------------------

SPECIAL_PIECES = [
    "é",
    "ß",
    "日",
    "本",
    "😀",
    "\u0301",
    "\u00a0",
    "'s",
    "'ll",
    "<|endoftext|>",
    "    ",
    "\n\n\n",
    "abc123",
]
ALPHABET = st.sampled_from([*"aAbZz  \n\n\r\t.,;:'\"!?-_/()[]{}<>=+*0123456789", *SPECIAL_PIECES])
TEXTS = st.lists(ALPHABET, max_size=200).map("".join)


@given(text=TEXTS, piece=st.integers(min_value=1, max_value=24))
def test_pieces_add_up_to_the_whole_count(text: str, piece: int) -> None:
    for name in ENCODING_NAMES:
        whole = len(get_encoding(name).encode_ordinary(text))
        assert int(count_many(name, [text], piece_chars=piece, n_threads=1)[0]) == whole


@given(text=TEXTS)
def test_any_safe_cut_preserves_the_count(text: str) -> None:
    cut = last_safe_cut(text)
    if cut is None:
        return
    for name in ENCODING_NAMES:
        enc = get_encoding(name)
        assert len(enc.encode_ordinary(text[:cut])) + len(enc.encode_ordinary(text[cut:])) == len(
            enc.encode_ordinary(text)
        )


def test_split_points_cover_the_text() -> None:
    text = "word " * 1000
    points = split_points(text, 100)
    assert points[0] == 0 and points[-1] == len(text)
    assert all(b > a for a, b in itertools.pairwise(points))
    assert len(points) > 10
    assert split_points("1234567890" * 50, 10) == [0, 500]  # no letter: no cut


def test_threaded_counts_equal_sequential_counts() -> None:
    texts = [f"Sample {i}: " + "the price of tokens, 42 times. " * (i % 50) for i in range(3000)]
    texts.append("long " * 200_000)  # split into pieces and spread over threads
    expected = [len(get_encoding("o200k_base").encode_ordinary(t)) for t in texts]
    assert count_many("o200k_base", texts, n_threads=2, piece_chars=10_000).tolist() == expected
    assert count_many("o200k_base", texts, n_threads=1).tolist() == expected
