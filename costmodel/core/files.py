"""Reading input files: regular files only, size checked while reading (bounded reads).

Every file the tool reads from a path (scenarios, catalogs, eval results, token samples) goes
through :func:`read_regular`. It opens without blocking, so a FIFO (named pipe) is refused at once
instead of waiting forever for a writer; it refuses anything that is not a regular file (a FIFO, a
device such as ``/dev/zero`` or ``/dev/stdin``, a directory, a socket); and it reads at most
``max_bytes + 1`` bytes, so a file that grows while it is read, or a special file that reports a
size of 0, can never be read whole into memory.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

from costmodel.core.errors import InputError

READ_CHUNK_BYTES = 1 << 20
"""Bytes read per call (1 MiB)."""

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


def file_kind(mode: int) -> str:
    """What a non-regular file is, for messages (``a FIFO (named pipe)``, ``a character device``, ...).

    >>> file_kind(stat.S_IFIFO), file_kind(stat.S_IFCHR)
    ('a FIFO (named pipe)', 'a character device')
    """
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def _default_too_big(size: int, max_bytes: int) -> str:
    return f"file is {size:,} bytes; the limit is {max_bytes:,} bytes"


def read_regular(
    path: str | Path,
    *,
    max_bytes: int,
    source: str | None = None,
    too_big: Callable[[int, int], str] = _default_too_big,
) -> bytes:
    """The bytes of the regular file at ``path``, or InputError ``source: <file>: ...``.

    Refused: a missing or unreadable file (``cannot read: ...``), anything but a regular file, and
    a file over ``max_bytes``: from its size up front, and again while reading (a file that grows
    or misreports its size is never read past ``max_bytes + 1``). ``too_big(size, max_bytes)``
    words the size message (``size`` is at least ``max_bytes + 1``).

    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile(suffix=".yaml") as fh:
    ...     _ = fh.write(b"a: 1\\n"); fh.flush()
    ...     read_regular(fh.name, max_bytes=100)
    b'a: 1\\n'
    >>> read_regular("/dev/zero", max_bytes=100, source="zero")
    Traceback (most recent call last):
    costmodel.core.errors.InputError: zero: <file>: cannot read a character device; give a regular file
    """
    shown = source if source is not None else str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a FIFO with no writer, opened without blocking on some systems
            raise InputError.single(
                shown, "<file>", "cannot read a FIFO (named pipe); give a regular file"
            ) from None
        raise InputError.single(shown, "<file>", f"cannot read: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InputError.single(shown, "<file>", f"cannot read {file_kind(mode)}; give a regular file")
        size = os.fstat(fd).st_size
        if size > max_bytes:
            raise InputError.single(shown, "<file>", too_big(size, max_bytes))
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(READ_CHUNK_BYTES, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise InputError.single(shown, "<file>", too_big(total, max_bytes))
        return b"".join(chunks)
    except OSError as exc:
        raise InputError.single(shown, "<file>", f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
