"""User text made safe for ``st.markdown``: escaping, so names and file names are shown verbatim.

Pure text functions (no streamlit): :func:`md` for our own sentences with dollar amounts,
:func:`md_literal` for anything a user typed or uploaded, :func:`error_markdown` for error boxes.
"""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_literal(text: str) -> str:
    """User text (names, file names) for st.markdown/st.caption, shown verbatim: every markdown,
    directive and HTML character is backslash-escaped, so no link, image or colour can be injected.

    >>> print(md_literal("![x](https://t.invalid/p.png) :red[y] $5"))
    \\!\\[x\\]\\(https\\:\\/\\/t\\.invalid\\/p\\.png\\) \\:red\\[y\\] \\$5
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("/", "\\/")


def md(text: str) -> str:
    """Text for st.markdown with dollar signs escaped (markdown would read ``$...$`` as LaTeX).

    >>> md("$5 and $6")
    '\\\\$5 and \\\\$6'
    """
    return text.replace("$", "\\$")


def error_markdown(detail: str, *, title: str = "") -> str:
    """Markdown for an error box: the problem lines go in a code block and the title is escaped, so
    user-supplied text (file names, values) is never rendered as markdown.

    >>> error_markdown("x.yaml:3: name: ![img](http://e/x.png)", title="Bad file")
    'Bad file\\n\\n```text\\nx.yaml:3: name: ![img](http://e/x.png)\\n```'
    """
    safe = detail.replace("```", "'''")
    body = f"```text\n{safe}\n```" if safe else ""
    return "\n\n".join(part for part in (md_literal(title), body) if part)
