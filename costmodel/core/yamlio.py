"""The YAML adapter: safe, bounded loading that remembers line numbers, and plain dumping.

Only ``yaml.SafeLoader`` is used. On top of it this module rejects what safe loading still lets
through: duplicate keys (YAML keeps the last one silently), alias bombs (expanded size is
bounded), absurd nesting, oversized files and text that is not UTF-8.
"""

from __future__ import annotations

from typing import Any

import yaml

from costmodel.core.errors import InputError

MAX_YAML_BYTES = 2_000_000
"""Largest YAML document accepted (bytes). Scenarios are a few KB; catalogs a few tens of KB."""

MAX_YAML_NODES = 200_000
"""Largest number of nodes after alias expansion: stops "billion laughs" documents."""

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


class _Loader(yaml.SafeLoader):
    """SafeLoader that builds YMap/YList with line numbers and refuses duplicate keys."""

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
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> YList:
    result = YList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


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
    size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
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
