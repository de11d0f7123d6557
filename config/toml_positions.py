"""Line numbers for every key of a TOML document.

`tomllib` gives values but forgets where they came from, and a policy error without a line
number sends the reader hunting. tree-sitter's TOML grammar keeps positions, so we index each
key path (as pydantic reports error locations: strings for keys, ints for array items) to the
1-based line where it is written.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from functools import cache
from typing import Any

import tree_sitter_toml
from tree_sitter import Language, Node, Parser

Path = tuple[str | int, ...]


@cache
def _parser() -> Parser:
    return Parser(Language(tree_sitter_toml.language()))


def key_lines(source: str) -> dict[Path, int]:
    """Map every key path of `source` to its line; tables map to their header line."""
    tree = _parser().parse(source.encode())
    lines: dict[Path, int] = {}
    array_counts: dict[Path, int] = {}
    for node in tree.root_node.named_children:
        if node.type == "pair":
            _index_pair(node, (), lines)
        elif node.type in ("table", "table_array_element"):
            header: Path = _decode_key(_key_node(node))
            if node.type == "table_array_element":
                index = array_counts.get(header, 0)
                array_counts[header] = index + 1
                header = (*header, index)
            for end in range(1, len(header) + 1):
                lines.setdefault(header[:end], node.start_point.row + 1)
            for child in node.named_children:
                if child.type == "pair":
                    _index_pair(child, header, lines)
    return lines


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """The line of `path`, or of its nearest written ancestor (a missing key lives in its table)."""
    for end in range(len(path), 0, -1):
        line = lines.get(path[:end])
        if line is not None:
            return line
    return None


def _index_pair(pair: Node, prefix: Path, lines: dict[Path, int]) -> None:
    path = prefix + _decode_key(_key_node(pair))
    lines.setdefault(path, pair.start_point.row + 1)
    value = pair.named_children[-1]
    _index_value(value, path, lines)


def _index_value(value: Node, path: Path, lines: dict[Path, int]) -> None:
    if value.type == "inline_table":
        for child in value.named_children:
            if child.type == "pair":
                _index_pair(child, path, lines)
    elif value.type == "array":
        for index, item in enumerate(_array_items(value)):
            lines.setdefault((*path, index), item.start_point.row + 1)
            _index_value(item, (*path, index), lines)


def _array_items(array: Node) -> Iterator[Node]:
    return (child for child in array.named_children if child.type != "comment")


def _key_node(node: Node) -> Node:
    for child in node.named_children:
        if child.type in ("bare_key", "quoted_key", "dotted_key"):
            return child
    raise ValueError(f"TOML node without a key at line {node.start_point.row + 1}")


def _decode_key(key: Node) -> tuple[str, ...]:
    """Decode a (dotted, quoted) key with tomllib itself, so escapes follow the TOML spec."""
    text = (key.text or b"").decode()
    decoded: Any = tomllib.loads(f"{text} = 0")
    path: list[str] = []
    while isinstance(decoded, dict):
        (name, decoded), *_ = decoded.items()
        path.append(name)
    return tuple(path)
