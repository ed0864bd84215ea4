"""Static checks of the page scripts that AppTest cannot see."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_no_bare_strings_that_streamlit_magic_would_render(path: Path) -> None:
    """Streamlit renders a bare string statement in a page script (except the module docstring) as text."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    stray = [
        node.lineno
        for node in tree.body[1:]
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    ]
    assert not stray, f"{path.name}: bare string statements at lines {stray} would be shown on the page"
