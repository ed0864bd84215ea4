"""The example scenarios shipped inside the package (``costmodel/examples/*.yaml``), by file or by name.

They are package data, so an installed wheel has them too, and a scenario argument that names no
existing file but matches a bundled example's name is that example: ``breakeven run fintech-support``
works from any directory. The checkout's ``examples/`` is a symlink to the same folder.
"""

from __future__ import annotations

from pathlib import Path

from costmodel.core.errors import InputError

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
"""Folder of the bundled example scenarios (inside the installed ``costmodel`` package)."""
SAMPLES_DIR = EXAMPLES_DIR / "samples"
"""Folder of the bundled sample prompt files (``breakeven tokens`` input)."""
DEFAULT_EXAMPLE_NAME = "fintech-support"
"""The example the app starts with."""
EXAMPLE_SUFFIX = ".yaml"


def example_paths() -> list[Path]:
    """Bundled example scenario files, sorted by file name.

    >>> [p.name for p in example_paths()][:2]
    ['classification-at-scale.yaml', 'contract-extraction-cascade.yaml']
    """
    return sorted(EXAMPLES_DIR.glob(f"*{EXAMPLE_SUFFIX}"))


def example_names() -> list[str]:
    """Names of the bundled examples (file names without ``.yaml``), sorted.

    >>> "fintech-support" in example_names()
    True
    """
    return [p.stem for p in example_paths()]


def example_path(name: str) -> Path:
    """The file of the bundled example ``name`` (``fintech-support`` or ``fintech-support.yaml``).

    Raises:
        InputError: no bundled example has that name; the message lists the bundled ones.

    >>> example_path("fintech-support").name
    'fintech-support.yaml'
    >>> example_path("nope")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    costmodel.core.errors.InputError: nope: <file>: no such file, nor a bundled example of that name (bundled examples: ...)
    """
    stem = name.removesuffix(EXAMPLE_SUFFIX)
    path = EXAMPLES_DIR / f"{stem}{EXAMPLE_SUFFIX}"
    if not stem or not _is_bare_name(name) or not path.is_file():
        bundled = ", ".join(example_names()) or "none"
        raise InputError.single(
            name, "<file>", f"no such file, nor a bundled example of that name (bundled examples: {bundled})"
        )
    return path


def resolve_scenario_path(argument: str | Path) -> Path:
    """The file a scenario argument means: the path as given if it exists, else the bundled example of that name.

    A bare name (no folder part) that is neither an existing file nor a bundled example is an
    :class:`InputError` listing the bundled examples. Any other argument is returned unchanged, so
    reading it reports a missing file or folder as before.

    >>> resolve_scenario_path("fintech-support") == EXAMPLES_DIR / "fintech-support.yaml"
    True
    >>> str(resolve_scenario_path("no/such/file.yaml"))
    'no/such/file.yaml'
    """
    path = Path(argument)
    if path.exists() or not _is_bare_name(str(argument)):
        return path
    return example_path(str(argument))


def _is_bare_name(text: str) -> bool:
    """True for a name without a folder part (``fintech-support``), false for ``examples/x.yaml`` or ``.``."""
    return bool(text) and Path(text).name == text and text not in (".", "..")
