"""The YAML adapter: safe, bounded loading that remembers line numbers, and plain dumping.

Only ``yaml.SafeLoader`` is used. On top of it this module rejects what safe loading still lets
through: duplicate keys (YAML keeps the last one silently), alias bombs (expanded size is
bounded), absurd nesting, oversized files and text that is not UTF-8; text holding a control
character or a lone surrogate (:mod:`costmodel.core.text`, written as ``"\\e"`` or ``"\\ud800"``
escapes); integers of more than :data:`MAX_NUMBER_CHARS` characters; and the YAML 1.1 forms that
YAML 1.2 reads differently (:data:`YAML11_FORMS`), which are refused rather than reinterpreted.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from costmodel.core.errors import InputError
from costmodel.core.text import text_problem

MAX_YAML_BYTES = 2_000_000
"""Largest YAML document accepted (bytes). Scenarios are a few KB; catalogs a few tens of KB."""

MAX_YAML_NODES = 100_000
"""Largest number of nodes after alias expansion: stops "billion laughs" documents."""

MAX_WRITTEN_NODES = 25_000
"""Most values (mappings, lists, keys, scalars) a document may write out, counted while parsing so
the parse stops there: parse cost, not bytes, is what a server pays (about 20-50 microseconds a
value with PyYAML, so 25,000 values stay near a second of CPU where a 2 MB file of tiny entries
took 10-25 s). The bundled catalogs write under 5,000 each; a scenario a few hundred."""

MAX_YAML_DEPTH = 40
"""Deepest nesting accepted; real scenarios and catalogs nest fewer than 6 levels."""


class YMap(dict[str, Any]):
    """A mapping read from YAML that remembers its own line and each key's line (1-based)."""

    line: int
    key_lines: dict[str, int]


class YList(list[Any]):
    """A sequence read from YAML that remembers its own line and each item's line (1-based)."""

    line: int
    item_lines: list[int]


MAX_NUMBER_CHARS = 40
"""Longest number literal accepted: a 401-digit integer is not a cost input, and ``int()`` of
thousands of digits is slow and raises past 4,300 digits."""

YAML11_FORMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?"),
        "YAML 1.1 reads {v!r} as a base-60 number ({n}); write the number itself, or quote it for text",
    ),
    (
        re.compile(r"[-+]?0[0-7_]+"),
        "YAML 1.1 reads {v!r} as an octal number ({n}); drop the leading zero, or quote it for text",
    ),
    (
        re.compile(r"[-+]?0b[01_]+"),
        "YAML 1.1 reads {v!r} as a binary number ({n}); write it in decimal, or quote it for text",
    ),
    (
        re.compile(r"[-+]?[0-9.][0-9_.]*_[0-9_.]*([eE][-+][0-9]+)?"),
        "YAML 1.1 reads {v!r} as the number {n} but YAML 1.2 as text; write it without underscores",
    ),
    (
        re.compile(r"yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF"),
        "YAML 1.1 reads {v!r} as the boolean {n}; write true or false, or quote it for text",
    ),
)
"""Scalars whose meaning differs between YAML 1.1 (PyYAML) and YAML 1.2: refused, with the reason."""


class _FieldError(Exception):
    """A scalar refused while constructing; carries the field path and the line."""

    def __init__(self, path: str, line: int, message: str) -> None:
        self.path, self.line, self.message = path, line, message


class _Loader(yaml.SafeLoader):
    """SafeLoader that builds YMap/YList with line numbers, refuses duplicate keys and unsafe scalars."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.path: list[str | int] = []
        self.n_written = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        """Compose one node, stopping the parse once :data:`MAX_WRITTEN_NODES` values have been read."""
        self.n_written += 1
        if self.n_written > MAX_WRITTEN_NODES:
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise _TooManyValuesError(mark.line + 1)
        return super().compose_node(parent, index)

    def path_text(self) -> str:
        """The dotted field path being constructed (``strategies[0].name``), ``<yaml>`` at the top."""
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out or "<yaml>"

    def _refuse(self, node: yaml.Node, message: str) -> None:
        raise _FieldError(self.path_text(), node.start_mark.line + 1, message)

    def _check_yaml11(self, node: yaml.ScalarNode, value: Any) -> None:
        if node.style:  # quoted: text, whatever it looks like
            return
        raw = str(node.value)
        for pattern, message in YAML11_FORMS:
            if pattern.fullmatch(raw):
                self._refuse(node, message.format(v=raw, n=str(value).lower()))

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        """An integer, refusing over-long literals and the YAML 1.1-only forms."""
        if len(str(node.value)) > MAX_NUMBER_CHARS:
            self._refuse(
                node, f"a number of {len(str(node.value)):,} characters (at most {MAX_NUMBER_CHARS})"
            )
        value = int(super().construct_yaml_int(node))
        self._check_yaml11(node, value)
        return value

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        """A float, refusing over-long literals and the YAML 1.1-only forms."""
        if len(str(node.value)) > MAX_NUMBER_CHARS:
            self._refuse(
                node, f"a number of {len(str(node.value)):,} characters (at most {MAX_NUMBER_CHARS})"
            )
        value = float(super().construct_yaml_float(node))
        self._check_yaml11(node, value)
        return value

    def construct_yaml_bool(self, node: yaml.ScalarNode) -> bool:
        """A boolean: ``true``/``false`` only (``yes``, ``no``, ``on``, ``off`` are YAML 1.1)."""
        value = bool(super().construct_yaml_bool(node))
        self._check_yaml11(node, value)
        return value

    def construct_yaml_str(self, node: yaml.ScalarNode) -> str:
        """Text, refusing control characters and lone surrogates (``"\\e"``, ``"\\ud800"`` escapes)."""
        value = str(super().construct_yaml_str(node))
        problem = text_problem(value)
        if problem is not None:
            self._refuse(node, problem)
        return value

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Construct one node; a scalar PyYAML cannot convert (``2026-13-45``, ``!!int x``) becomes a marked error."""
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, KeyError, AttributeError, TypeError, OverflowError) as exc:
            # PyYAML's scalar constructors raise these bare, without the line they came from.
            shown = str(node.value) if isinstance(node, yaml.ScalarNode) else node.tag
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {shown!r} as {node.tag.rsplit(':', 1)[-1]}: {exc}", node.start_mark
            ) from None


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> YMap:
    loader.flatten_mapping(node)
    result = YMap()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            # Keys are field names or ids; a number/bool/null key is always a mistake here.
            raise yaml.constructor.ConstructorError(
                None, None, f"keys must be text, got {key!r}", key_node.start_mark
            )
        if key in result:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        loader.path.append(key)
        result[key] = loader.construct_object(value_node, deep=True)
        loader.path.pop()
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> YList:
    result = YList()
    for index, child in enumerate(node.value):
        loader.path.append(index)
        result.append(loader.construct_object(child, deep=True))
        loader.path.pop()
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_yaml_float)
_Loader.add_constructor("tag:yaml.org,2002:bool", _Loader.construct_yaml_bool)
_Loader.add_constructor("tag:yaml.org,2002:str", _Loader.construct_yaml_str)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _expanded_size(root: yaml.Node) -> int:
    """Count nodes as if every alias were expanded, without expanding (memoised on node identity)."""
    sizes: dict[int, int] = {}
    depth_of: dict[int, int] = {}

    def visit(node: yaml.Node, depth: int) -> int:
        if depth > MAX_YAML_DEPTH:
            raise _TooDeepError(node)
        key = id(node)
        if key in sizes and depth_of[key] >= depth:
            return sizes[key]
        total = 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += visit(k, depth + 1) + visit(v, depth + 1)
                if total > MAX_YAML_NODES:
                    return total
        elif isinstance(node, yaml.SequenceNode):
            for child in node.value:
                total += visit(child, depth + 1)
                if total > MAX_YAML_NODES:
                    return total
        sizes[key] = total
        depth_of[key] = depth
        return total

    return visit(root, 0)


class _TooManyValuesError(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _TooDeepError(Exception):
    def __init__(self, node: yaml.Node) -> None:
        self.node = node


def decode_text(data: bytes, *, source: str) -> str:
    """Decode bytes as UTF-8 (a leading BOM is allowed) or raise InputError naming the line.

    >>> decode_text(b"\\xef\\xbb\\xbfa: 1", source="x.yaml")
    'a: 1'
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError.single(
            source,
            "<file>",
            f"not valid UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            line,
        ) from None
    return text.removeprefix("\ufeff")


def load_yaml(data: bytes | str, *, source: str, max_bytes: int = MAX_YAML_BYTES) -> Any:
    """Parse one YAML document safely into YMap/YList/scalars, or raise InputError.

    >>> doc = load_yaml("a: 1\\nb: [x, y]\\n", source="x.yaml")
    >>> doc["b"], doc.key_lines["b"]
    (['x', 'y'], 2)
    """
    size = len(data.encode("utf-8", "surrogatepass")) if isinstance(data, str) else len(data)
    if size > max_bytes:
        raise InputError.single(source, "<file>", f"file is {size:,} bytes; the limit is {max_bytes:,} bytes")
    text = data if isinstance(data, str) else decode_text(data, source=source)
    if "\x00" in text:
        raise InputError.single(source, "<file>", "contains NUL bytes: this is not a text file")
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:  # raised up front: YAML forbids most control characters
        at_line = text.count("\n", 0, exc.position) + 1
        raise InputError.single(
            source, "<file>", f"control character U+{exc.character:04X} is not allowed in YAML text", at_line
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            if _expanded_size(node) > MAX_YAML_NODES:
                raise InputError.single(
                    source,
                    "<file>",
                    f"document expands to more than {MAX_YAML_NODES:,} nodes (alias bomb?)",
                    node.start_mark.line + 1,
                )
        except _TooDeepError as deep:
            raise InputError.single(
                source,
                "<file>",
                f"nesting deeper than {MAX_YAML_DEPTH} levels",
                deep.node.start_mark.line + 1,
            ) from None
        return loader.construct_document(node)
    except _TooManyValuesError as many:
        raise InputError.single(
            source,
            "<file>",
            f"more than {MAX_WRITTEN_NODES:,} values (keys, numbers, texts) up to here: too big to read "
            "(the bundled catalogs hold under 5,000 each); split it into several files",
            many.line,
        ) from None
    except _FieldError as refused:
        raise InputError.single(source, refused.path, refused.message, refused.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem and "could not determine a constructor" in exc.context:
            message = f"{exc.context.strip()} {exc.problem}: tags like !!python/... are not allowed"
        elif "could not determine a constructor" in str(exc):
            message = (
                f"unsupported YAML tag ({str(exc).splitlines()[0]}); tags like !!python/... are not allowed"
            )
        raise InputError.single(source, "<yaml>", message.strip(), line) from None
    except yaml.YAMLError as exc:
        raise InputError.single(source, "<yaml>", f"invalid YAML: {exc}") from None
    except RecursionError:
        raise InputError.single(source, "<file>", f"nesting deeper than {MAX_YAML_DEPTH} levels") from None
    finally:
        loader.dispose()


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)  # 200000 reads better than 200000.0; float fields accept ints
    return value


def dump_yaml(data: Any) -> str:
    """Dump plain data as block-style YAML with keys in the given order.

    >>> print(dump_yaml({"b": 1, "a": [1.5, "x"]}), end="")
    b: 1
    a:
    - 1.5
    - x
    """
    return yaml.safe_dump(_plain(data), sort_keys=False, allow_unicode=True, default_flow_style=False)
