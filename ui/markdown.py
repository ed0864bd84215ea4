"""User text made safe for ``st.markdown``: escaping, so names and file names are shown verbatim.

Pure text functions (no streamlit): :func:`md` for our own sentences with dollar amounts,
:func:`md_literal` for anything a user typed or uploaded, :func:`error_markdown` for error boxes.
"""

from __future__ import annotations

from costmodel.core.text import for_markdown, visible


def md_literal(text: str) -> str:
    """User text (names, file names) for st.markdown/st.caption, shown verbatim: every markdown,
    directive and HTML character is backslash-escaped, so no link, image or colour can be injected
    (the one markdown escaper, :func:`costmodel.core.text.for_markdown`).

    >>> print(md_literal("![x](https://t.invalid/p.png) :red[y] $5").replace("\u2060", ""))
    \\!\\[x\\]\\(https\\:\\/\\/t\\.invalid\\/p\\.png\\) \\:red\\[y\\] \\$5
    """
    return for_markdown(text)


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
    safe = visible(detail).replace("```", "'''")  # a surrogate would crash the message encoder
    body = f"```text\n{safe}\n```" if safe else ""
    return "\n\n".join(part for part in (md_literal(title), body) if part)
