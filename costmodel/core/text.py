"""User text: one refusal rule for control characters and lone surrogates, and one escaper per medium.

The rule (docs/SCENARIO.md, "Input ceilings"): text a person typed or uploaded and that the tool
shows back (names, ids, descriptions, file names, catalog fields) may not hold a control character
(C0 but tab, line feed and carriage return; DEL; C1) or a lone surrogate. Loaders refuse it with
``file:line: field: message`` (:func:`check_text`); nothing is silently dropped. On top of that
every medium has one escaper, used wherever user text lands there, so that text is shown inert
even if a future loader forgets the rule:

- terminal: :func:`for_terminal` and :func:`terminal_safe_output` (ESC, BEL and friends as ``\\x1b``);
- markdown (``st.markdown``): :func:`for_markdown` (every markup character backslash-escaped);
- HTML (the report): :func:`for_html`;
- Plotly titles, annotations and hover text: :func:`for_plotly` (tags and ``%{...}`` placeholders inert).
"""

from __future__ import annotations

import contextlib
import html
import re
import sys
import unicodedata
from collections.abc import Iterator
from typing import TextIO

from costmodel.core.errors import InputError

UNSAFE_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
"""Characters refused in user text: C0 controls but tab/LF/CR, DEL, C1 controls, lone surrogates."""

_UNSAFE_OR_NEWLINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
"""Bidirectional embeddings, overrides and isolates: escaped on every output (they reorder what is seen)."""

_AUTOLINK = re.compile(r"(?i)([a-z0-9](?=\\:\\/)|\bwww(?=\\\.)|[a-z0-9_.+\-\\](?=@))(\\:|\\\.|@)")
"""Where the markdown renderer would start an autolink in escaped text: a scheme's colon, ``www.``, an ``@``."""

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:/=\"'&^])")

_CHAR_NAMES = {0x07: "BEL", 0x08: "BS", 0x1B: "ESC", 0x7F: "DEL", 0x9B: "CSI", 0x0C: "FF", 0x0B: "VT"}


def describe_char(ch: str) -> str:
    """A character for messages: its code point, and its name when it is a known control.

    >>> describe_char("\\x1b"), describe_char("\\ud800")
    ('control character U+001B (ESC)', 'lone surrogate U+D800 (half of a UTF-16 pair)')
    """
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        return f"lone surrogate U+{code:04X} (half of a UTF-16 pair)"
    name = _CHAR_NAMES.get(code)
    return f"control character U+{code:04X}" + (f" ({name})" if name else "")


def first_unsafe(text: str, *, allow_newlines: bool = True) -> tuple[int, str] | None:
    """(index, character) of the first refused character in ``text``, or None when it is clean.

    >>> first_unsafe("ok\\tname\\n"), first_unsafe("a\\x07b"), first_unsafe("a\\nb", allow_newlines=False)
    (None, (1, '\\x07'), (1, '\\n'))
    """
    match = (UNSAFE_CHARS if allow_newlines else _UNSAFE_OR_NEWLINE).search(text)
    return None if match is None else (match.start(), match.group())


def text_problem(text: str, *, allow_newlines: bool = True) -> str | None:
    """The message for a refused character in ``text`` (None when clean); the loaders' one rule.

    >>> text_problem("Q3 \\x1b]0;pwned\\x07")[:54]
    'contains control character U+001B (ESC) at character 4'
    """
    found = first_unsafe(text, allow_newlines=allow_newlines)
    if found is None:
        return None
    index, ch = found
    return (
        f"contains {describe_char(ch)} at character {index + 1}; remove it "
        "(control characters and lone surrogates are not allowed in text)"
    )


def check_text(
    text: str, *, source: str, field: str, line: int | None = None, allow_newlines: bool = True
) -> str:
    """``text`` unchanged, or InputError ``source:line: field: contains ...`` for a refused character.

    >>> check_text("fine", source="x.yaml", field="name")
    'fine'
    """
    problem = text_problem(text, allow_newlines=allow_newlines)
    if problem is not None:
        raise InputError.single(source, field, problem, line)
    return text


def _visible(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` with refused characters written as visible escapes (``\\x1b``, ``\\ud800``).

    >>> visible("a\\x1b[2Jb\\ud800")
    'a\\\\x1b[2Jb\\\\ud800'
    """
    pattern = UNSAFE_CHARS if keep_newlines else _UNSAFE_OR_NEWLINE
    return pattern.sub(lambda m: _visible(m.group()), text)


def for_terminal(text: str) -> str:
    """Text for a terminal: no escape sequence, bell or surrogate reaches it (tab and newlines stay).

    Bidirectional overrides (U+202A-U+202E, U+2066-U+2069) are escaped too: they reorder what the
    reader sees ("Trojan Source", CVE-2021-42574).

    >>> for_terminal("name\\x1b]0;title\\x07 \\u202e")
    'name\\\\x1b]0;title\\\\x07 \\\\u202e'
    """
    return _BIDI.sub(lambda m: _visible(m.group()), visible(text))


def for_markdown(text: str) -> str:
    """User text for markdown (``st.markdown``, captions), shown verbatim: every markdown, directive
    and HTML character is backslash-escaped, so no link, image, colour or LaTeX can be injected;
    control characters and surrogates become visible escapes and newlines become spaces.

    >>> print(for_markdown("![x](https://t.invalid/p.png) :red[y] $5").replace("\u2060", ""))
    \\!\\[x\\]\\(https\\:\\/\\/t\\.invalid\\/p\\.png\\) \\:red\\[y\\] \\$5
    """
    flat = for_terminal(text).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", flat)
    # The renderer autolinks "https://x.y", "www.x.y" and "a@b.c" even when escaped: an invisible
    # WORD JOINER (U+2060) inside each such pattern breaks it without changing what is seen.
    return _AUTOLINK.sub(lambda m: m.group(1) + "\u2060" + m.group(2), escaped)


def for_html(text: str) -> str:
    """User text for HTML (element content or a quoted attribute): ``& < > " '`` escaped, controls visible.

    >>> for_html('<img src=x onerror="alert(1)">\\x07')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;\\\\x07'
    """
    return html.escape(for_terminal(text), quote=True)


def for_plotly(text: str) -> str:
    """User text for a Plotly title, annotation, axis label, trace name or hover template.

    Plotly renders a subset of HTML in these strings (``<a href>``, ``<img>`` is dropped but ``<a>``
    makes a live link in the SVG) and substitutes ``%{...}`` in hover templates; both are made
    inert: ``& < >`` become entities (Plotly shows them as the characters) and ``%`` becomes
    ``&#37;``, which the template step leaves alone.

    >>> for_plotly('<a href="https://evil.invalid">x</a> %{x}')
    '&lt;a href="https://evil.invalid"&gt;x&lt;/a&gt; &#37;{x}'
    """
    flat = _BIDI.sub(lambda m: _visible(m.group()), visible(text, keep_newlines=False))
    escaped = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("%", "&#37;")


def normalized(text: str) -> str:
    """NFC form of ``text`` (what compare-by-name code should use).

    >>> normalized("e\\u0301") == "\\u00e9"
    True
    """
    return unicodedata.normalize("NFC", text)


class _SafeStream:
    """A text stream wrapper that writes :func:`for_terminal` of everything it is given."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(for_terminal(text))
        return len(text)

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


@contextlib.contextmanager
def terminal_safe_output() -> Iterator[None]:
    """While active, ``sys.stdout`` and ``sys.stderr`` escape control characters and surrogates.

    The command line runs every subcommand inside this, so no scenario name, file name or catalog
    field can set the terminal title, clear the screen or crash the encoder, whichever print
    statement writes it.
    """
    saved = sys.stdout, sys.stderr
    sys.stdout = _SafeStream(saved[0])
    sys.stderr = _SafeStream(saved[1])
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
