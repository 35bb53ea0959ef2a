"""Load the spec's YAML into a tree of nodes that remember their line and column.

PyYAML's plain loaders forget positions and silently keep the last of two
duplicate keys; here every node keeps its position and duplicate keys, merge
keys, non-string keys and tags on lists or mappings (`!!set`, `!foo`) are errors.
"""

import bisect
import datetime
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

import yaml

from .errors import Position, SpecError, SpecErrors


@dataclass
class Node:
    """A YAML node: `kind` is "map", "list" or "scalar"."""

    kind: str
    pos: Position
    value: Any = None                     # scalar: the Python value
    items: List["Node"] = field(default_factory=list)                 # list
    entries: Dict[str, Tuple[Position, "Node"]] = field(default_factory=dict)  # map

    def describe(self) -> str:
        """The type of this node as a user would name it."""
        if self.kind == "map":
            return "a mapping"
        if self.kind == "list":
            return "a list"
        return describe_scalar(self.value)


def describe_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {'true' if value else 'false'}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"number {value}"
    if isinstance(value, str):
        return f"string '{value}'"
    if isinstance(value, datetime.date):  # YAML 1.1 reads 2024-01-31 as a date
        return f"date {value.isoformat()}"
    return type(value).__name__


class _Lines:
    """Positions as editors, grep and compilers count them: a line ends at
    '\n' only. PyYAML's marks also break lines at '\r', U+0085, U+2028 and
    U+2029, so after one of those its line numbers point at the wrong line;
    positions are therefore taken from the mark's character index."""

    def __init__(self, text: str, file: str = ""):
        self.starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        self.file = file

    def at(self, offset: int) -> Position:
        line = bisect.bisect_right(self.starts, offset)
        return Position(line, offset - self.starts[line - 1] + 1, self.file)

    def of(self, mark) -> Position:
        return self.at(mark.index)


class _MarkLines:
    """Positions straight from the marks, for text the fast path accepts
    (printable ASCII, tabs and newlines): there every line ends at '\n' and a
    character is a column, so the marks' line and column are already right."""

    def __init__(self, file: str = ""):
        self.file = file

    def of(self, mark) -> Position:
        return Position(mark.line + 1, mark.column + 1, self.file)


# YAML anchors and aliases let a small file expand exponentially ("billion
# laughs"); the real spec has a few ten thousand nodes.
NODE_LIMIT = 2_000_000


INT_TAG = "tag:yaml.org,2002:int"
STR_TAG = "tag:yaml.org,2002:str"
PLAIN_COLLECTION_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def _expanded_size(root: yaml.Node, lines: _Lines) -> int:
    """How many nodes the tree has once every alias is expanded, counted without
    expanding (each distinct node once), so an anchor bomb costs nothing to refuse;
    raises SpecErrors for an alias inside the node it names (a cycle)."""
    sizes: Dict[int, int] = {}
    open_nodes = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise SpecErrors([SpecError(lines.of(node.start_mark),
                                        "a YAML alias refers to a node that contains it (a recursive structure)")])
        open_nodes.add(key)
        children = [v for _, v in node.value] if isinstance(node, yaml.MappingNode) else \
            node.value if isinstance(node, yaml.SequenceNode) else []
        total = 1 + sum(size(child) for child in children)
        open_nodes.discard(key)
        sizes[key] = total
        return total

    return size(root)


class _Builder:
    def __init__(self, loader: yaml.SafeLoader, lines: _Lines):
        self.loader = loader
        self.lines = lines
        self.errors: List[SpecError] = []

    def build(self, node: yaml.Node) -> Node:
        pos = self.lines.of(node.start_mark)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in PLAIN_COLLECTION_TAGS:
            kind = "mapping" if isinstance(node, yaml.MappingNode) else "list"
            tag = node.tag.replace("tag:yaml.org,2002:", "!!", 1)
            self.errors.append(SpecError(pos, f"bad value: the YAML tag '{tag}' on a {kind} is not supported"))
        if isinstance(node, yaml.MappingNode):
            out = Node("map", pos)
            for key_node, value_node in node.value:
                key_pos = self.lines.of(key_node.start_mark)
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.errors.append(SpecError(key_pos, "YAML merge keys ('<<') are not supported; write the keys out"))
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    self.errors.append(SpecError(key_pos, "a key must be a plain string, not a mapping or list"))
                    continue
                key = key_node.value if key_node.tag == STR_TAG else self.loader.construct_object(key_node)
                if not isinstance(key, str):
                    self.errors.append(SpecError(key_pos, f"a key must be a string, not {describe_scalar(key)}"))
                    continue
                if key in out.entries:
                    first = out.entries[key][0]
                    self.errors.append(SpecError(
                        key_pos, f"duplicate key '{key}' (first at line {first.line}); YAML would keep only the last"))
                    continue
                out.entries[key] = (key_pos, self.build(value_node))
            return out
        if isinstance(node, yaml.SequenceNode):
            return Node("list", pos, items=[self.build(item) for item in node.value])
        if node.tag == STR_TAG:  # most of the spec: no constructor needed
            return Node("scalar", pos, value=node.value)
        try:
            value = self.loader.construct_object(node)
        except yaml.constructor.ConstructorError as exc:
            self.errors.append(SpecError(pos, f"bad value: {exc.problem}"))
            value = node.value  # the text as written: no second, misleading "not null" error
        except ValueError as exc:  # e.g. an impossible timestamp
            self.errors.append(SpecError(pos, f"bad value: {exc}"))
            value = node.value
        if node.tag == INT_TAG and isinstance(value, int):
            value = self.yaml11_int(node, pos, value)
        return Node("scalar", pos, value=value)

    def yaml11_int(self, node: yaml.ScalarNode, pos: Position, value: int) -> Any:
        """YAML 1.1 reads `7:4` as base 60 (424) and `010` as octal (8): a bit
        range without quotes would silently become another bit (`1:3` is bit 63)."""
        text = node.value.replace("_", "")
        if ":" in text:
            self.errors.append(SpecError(pos, f"bad value: YAML 1.1 reads {node.value} as the base-60 number {value}; "
                                              f"quote a bit range (\"{node.value}\")"))
            return node.value  # the text as written: no second error about the number
        if re.fullmatch(r"[-+]?0[0-7]+", text):
            self.errors.append(SpecError(pos, f"bad value: YAML 1.1 reads {node.value} as the octal number {value}; "
                                              f"drop the leading zero, or write hex as 0x{abs(value):X}"))
        return value


def _reader_error(text: str, exc: "yaml.reader.ReaderError", file: str) -> SpecError:
    ch = exc.character
    return SpecError(_Lines(text, file).at(exc.position),
                     f"YAML syntax error: character {f'U+{ch:04X}' if isinstance(ch, int) else repr(ch)} is not allowed")


# libyaml (PyYAML's C parser) composes the same node tree about ten times faster
# than the pure-Python parser, with the same marks. It is used for text made of
# printable ASCII, tabs and newlines only, where both parsers agree; anything
# else, and every text the C parser refuses, goes through the Python parser,
# whose messages the error corpus pins down.
_FAST_TEXT = re.compile(r"[\t\n\x20-\x7e]*\Z")
_C_LOADER = getattr(yaml, "CSafeLoader", None)


def _compose_fast(text: str):
    """(loader, root) from libyaml, or None when the Python parser must do it."""
    if _C_LOADER is None or not _FAST_TEXT.match(text):
        return None
    loader = _C_LOADER(text)
    try:
        return loader, loader.get_single_node()
    except yaml.YAMLError:
        loader.dispose()
        return None


def load(data: bytes, file: str = "") -> Tuple[Node, List[SpecError]]:
    """Parse `data` into a node tree plus the non-fatal YAML-level errors
    (duplicate keys, ...); raise SpecErrors when there is no tree at all.
    `file` goes into every position (empty: the caller names the file)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8", errors="replace")
        raise SpecErrors([SpecError(_Lines(good, file).at(len(good)), "the file is not valid UTF-8")])
    fast = _compose_fast(text)
    if fast is not None:
        loader, root = fast
        try:
            return _tree(_MarkLines(file), file, loader, root)
        finally:
            loader.dispose()
    try:
        loader = yaml.SafeLoader(text)  # the reader rejects control characters here already
    except yaml.reader.ReaderError as exc:
        raise SpecErrors([_reader_error(text, exc, file)])
    try:
        try:
            root: Optional[yaml.Node] = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            pos = _Lines(text, file).of(mark) if mark else Position(1, 1, file)
            problem = exc.problem or exc.context or "syntax error"
            if exc.context and exc.problem:
                problem = f"{exc.context}: {exc.problem}"
            raise SpecErrors([SpecError(pos, f"YAML syntax error: {problem}")])
        except yaml.reader.ReaderError as exc:
            raise SpecErrors([_reader_error(text, exc, file)])
        except yaml.YAMLError as exc:
            raise SpecErrors([SpecError(Position(1, 1, file), f"YAML error: {exc}")])
        except RecursionError:
            raise SpecErrors([SpecError(Position(1, 1, file), "YAML nesting is too deep")])
        return _tree(_Lines(text, file), file, loader, root)
    finally:
        loader.dispose()


def _tree(lines, file: str, loader, root: Optional[yaml.Node]) -> Tuple[Node, List[SpecError]]:
    """The positioned node tree of a composed document; `lines` turns marks into positions."""
    if root is None:
        raise SpecErrors([SpecError(Position(1, 1, file), "the spec is empty: expected a mapping with the key 'msrs'")])
    builder = _Builder(loader, lines)
    try:
        if _expanded_size(root, lines) > NODE_LIMIT:
            raise SpecErrors([SpecError(Position(1, 1, file), f"the spec expands to more than {NODE_LIMIT} YAML nodes "
                                                        "(anchors and aliases nested too deeply?)")])
        tree = builder.build(root)
    except RecursionError:
        raise SpecErrors([SpecError(Position(1, 1, file), "YAML nesting is too deep")])
    return tree, builder.errors
