"""One JSON row or chat as a Sample: the texts to count and the bucket each one's tokens go to.

Chat messages are framed as OpenAI's token-counting recipe does: every message costs 3 tokens
plus its role and content (plus 1 and the name when it has a ``name``), and every reply is primed
with 3 more tokens (openai-cookbook ``examples/How_to_count_tokens_with_tiktoken.ipynb``, models
since gpt-3.5-turbo-0613; the fine-tuning data check ``examples/Chat_finetuning_data_prep.ipynb``
counts training examples the same way and calls it an estimate). Tool calls are counted as the
text of their function name and JSON arguments; their exact framing is not published.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from costmodel.core.schema import Collector, suggest

# Chat framing (openai-cookbook How_to_count_tokens_with_tiktoken.ipynb, models since gpt-3.5-turbo-0613).
TOKENS_PER_MESSAGE: Final = 3
TOKENS_PER_NAME: Final = 1
TOKENS_PER_REPLY_PRIMING: Final = 3
CHAT_ROLES: Final = ("system", "developer", "user", "assistant", "tool", "function")
SYSTEM_ROLES: Final = ("system", "developer")

# Buckets a text's tokens go to (see Sample).
SYSTEM, USER, OUTPUT, TRAINING_EXTRA = 0, 1, 2, 3
N_BUCKETS: Final = 4


@dataclass(frozen=True, slots=True, kw_only=True)
class Sample:
    """The texts of one sample and the bucket each one's tokens belong to.

    Buckets: SYSTEM (system prompt, part of the input), USER (the rest of the input), OUTPUT (the
    reply), TRAINING_EXTRA (framing of the reply message: billed in training, not in a request).
    ``overhead`` adds fixed tokens per bucket (chat framing). ``continues`` means the next Sample
    is more text of the same sample (a long text emitted in parts).
    """

    texts: tuple[str, ...]
    buckets: tuple[int, ...]
    overhead: tuple[int, int, int, int] = (0, 0, 0, 0)
    line: int | None = None
    continues: bool = False
    chat: bool = False


def _text_field(row: Mapping[str, Any], key: str, *, line: int, col: Collector, path: str) -> str | None:
    value = row[key]
    if not isinstance(value, str):
        col.add(line, f"{path}{key}", f"expected text, got {_kind(value)}")
        return None
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def row_sample(
    row: Any, *, line: int, input_key: str | None, output_key: str | None, col: Collector, path: str = ""
) -> Sample | None:
    """One JSON row as a Sample, or None with the problems recorded in ``col``.

    ``input_key``/``output_key`` choose the keys; otherwise the row is a chat (``messages``), a
    ``prompt``/``completion`` or an ``input``/``output`` pair, or a bare text.
    """
    if isinstance(row, str):
        return Sample(texts=(row,), buckets=(USER,), line=line)
    if not isinstance(row, Mapping):
        col.add(line, path or "<row>", f"expected an object or a text, got {_kind(row)}")
        return None
    prefix = f"{path}." if path else ""
    if input_key is not None:
        pairs = [(input_key, output_key)]
    elif "messages" in row:
        return chat_sample(row["messages"], line=line, col=col, path=f"{prefix}messages")
    else:
        pairs = [("prompt", "completion"), ("input", "output")]
    for in_key, out_key in pairs:
        if in_key not in row:
            continue
        texts = [_text_field(row, in_key, line=line, col=col, path=prefix)]
        buckets = [USER]
        if out_key is not None and out_key in row:
            texts.append(_text_field(row, out_key, line=line, col=col, path=prefix))
            buckets.append(OUTPUT)
        elif output_key is not None:
            col.add(line, f"{prefix}{out_key}", f"key {out_key!r} not found{suggest(str(out_key), row)}")
            return None
        if any(t is None for t in texts):
            return None
        return Sample(texts=tuple(t for t in texts if t is not None), buckets=tuple(buckets), line=line)
    keys = ", ".join(map(str, list(row)[:8])) or "none"
    if input_key is not None:
        col.add(line, f"{prefix}{input_key}", f"key not found{suggest(input_key, row)}; keys: {keys}")
    else:
        col.add(
            line,
            path or "<row>",
            f"expected 'messages', 'prompt'/'completion' or 'input'/'output' (or choose a key); keys: {keys}",
        )
    return None


def _content_texts(message: Mapping[str, Any], *, line: int, col: Collector, path: str) -> list[str] | None:
    content = message.get("content")
    texts: list[str] = []
    if isinstance(content, str):
        if content:
            texts.append(content)
    elif isinstance(content, list):
        for k, part in enumerate(content):
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, Mapping) and part.get("type") in ("text", "input_text", "output_text"):
                value = part.get("text")
                if not isinstance(value, str):
                    col.add(line, f"{path}.content[{k}].text", f"expected text, got {_kind(value)}")
                    return None
                texts.append(value)
            else:
                kind = part.get("type") if isinstance(part, Mapping) else _kind(part)
                col.add(line, f"{path}.content[{k}]", f"only text parts can be counted, got {kind!r}")
                return None
    elif content is not None:
        col.add(line, f"{path}.content", f"expected text or a list of text parts, got {_kind(content)}")
        return None
    # Tool calls: the function name and JSON arguments are counted as text (framing unknown).
    calls = message.get("tool_calls")
    if isinstance(calls, list):
        for call in calls:
            fn = call.get("function") if isinstance(call, Mapping) else None
            if isinstance(fn, Mapping):
                texts.extend(v for v in (fn.get("name"), fn.get("arguments")) if isinstance(v, str))
    fn = message.get("function_call")
    if isinstance(fn, Mapping):
        texts.extend(v for v in (fn.get("name"), fn.get("arguments")) if isinstance(v, str))
    if not any(t.strip() for t in texts):
        col.add(line, f"{path}.content", "message has no content (empty or missing text)")
        return None
    return texts


def chat_sample(messages: Any, *, line: int, col: Collector, path: str = "messages") -> Sample | None:
    """A chat (``[{role, content, name?}, ...]``) as a Sample with OpenAI's per-message framing.

    The last message, when it is the assistant's, is the output; its framing is TRAINING_EXTRA.
    System/developer messages go to SYSTEM; everything else (and the reply priming) to USER.
    """
    if not isinstance(messages, list) or not messages:
        col.add(line, path, "expected a non-empty list of messages")
        return None
    texts: list[str] = []
    buckets: list[int] = []
    overhead = [0, 0, 0, 0]
    ok = True
    last = messages[-1]
    has_reply = isinstance(last, Mapping) and last.get("role") == "assistant"
    for j, message in enumerate(messages):
        where = f"{path}[{j}]"
        if not isinstance(message, Mapping):
            col.add(line, where, f"expected an object with role and content, got {_kind(message)}")
            ok = False
            continue
        role = message.get("role")
        if role not in CHAT_ROLES:
            shown = "missing" if role is None else repr(role)
            col.add(line, f"{where}.role", f"expected one of {', '.join(CHAT_ROLES)}, got {shown}")
            ok = False
            continue
        contents = _content_texts(message, line=line, col=col, path=where)
        if contents is None:
            ok = False
            continue
        is_reply = has_reply and j == len(messages) - 1
        bucket = SYSTEM if role in SYSTEM_ROLES else OUTPUT if is_reply else USER
        frame = TRAINING_EXTRA if is_reply else bucket
        overhead[frame] += TOKENS_PER_MESSAGE
        texts.append(str(role))
        buckets.append(frame)
        texts.extend(contents)
        buckets.extend([bucket] * len(contents))
        name = message.get("name")
        if isinstance(name, str) and name:
            overhead[frame] += TOKENS_PER_NAME
            texts.append(name)
            buckets.append(frame)
    if not ok:
        return None
    overhead[USER] += TOKENS_PER_REPLY_PRIMING
    return Sample(
        texts=tuple(texts),
        buckets=tuple(buckets),
        overhead=(overhead[0], overhead[1], overhead[2], overhead[3]),
        line=line,
        chat=True,
    )
