"""The one YAML reader for everything users give the tool: bounded size, depth, aliases, keys and numbers."""

from __future__ import annotations

import math
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .notes import InputError, yaml_error

SafeLoader: type = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader

MAX_DOCUMENT_CHARS = 2_000_000
MAX_DEPTH = 50
MAX_EVENTS = 2_000_000
# Lexicons share token-pattern pieces through anchors; this bounds what the aliases expand to.
MAX_EXPANDED_NODES = 2_000_000
MAX_INT_DIGITS = 15

_FLOAT = "tag:yaml.org,2002:float"
_INT = "tag:yaml.org,2002:int"
_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_KIND = {_INT: "a number", _FLOAT: "a number", "tag:yaml.org,2002:bool": "true/false", _TIMESTAMP: "a date",
         "tag:yaml.org,2002:null": "empty"}


def load(text: str, source: str, *, first_line: int = 1, what: str = "file", aliases: bool = False,
         loader: type | None = None, max_chars: int = MAX_DOCUMENT_CHARS) -> Any:
    """Parse one YAML document with every bound checked first; raise InputError naming the file, line and key.

    aliases=False refuses anchors and aliases outright (notes, profiles, role maps); aliases=True bounds what
    they expand to (lexicons).
    """
    if len(text) > max_chars:
        raise InputError(source, f"{what} is {len(text)} characters, over the YAML limit of {max_chars}")
    cls = loader or SafeLoader
    _scan_events(text, source, first_line, what, aliases, cls)
    instance = cls(text)
    try:
        node = instance.get_single_node()
        if node is None:
            return None
        if aliases:
            _check_expansion(node, source, first_line, what)
        _check_nodes(instance, node, source, first_line)
        data = instance.construct_document(node)
        return data if aliases else _ordered(data)
    except yaml.YAMLError as exc:
        raise yaml_error(exc, source, first_line) from None
    except (ValueError, OverflowError, TypeError, RecursionError) as exc:  # a constructor refusing a value
        raise InputError(source, f"invalid YAML value: {' '.join(str(exc).split())[:120]}") from None
    finally:
        instance.dispose()


def _scan_events(text: str, source: str, first_line: int, what: str, aliases: bool, cls: type) -> None:
    """Walk the parser's events (nothing is built yet): refuse deep nesting, anchors, too many events."""
    depth = 0
    try:
        for count, event in enumerate(yaml.parse(text, Loader=cls)):
            line = event.start_mark.line + first_line if event.start_mark else None
            if not aliases and (isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None)):
                raise InputError(source, f"YAML anchors and aliases (& and *) are not allowed in a {what}", line)
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise InputError(source, f"YAML nested deeper than {MAX_DEPTH} levels", line)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            if count > MAX_EVENTS:
                raise InputError(source, f"YAML {what} has too many values", line)
    except yaml.YAMLError as exc:
        error = yaml_error(exc, source, first_line)
        if "nesting depth" in error.reason:  # libyaml's own limit, deeper than ours
            raise InputError(source, f"YAML nested deeper than {MAX_DEPTH} levels", error.line) from None
        raise error from None


def _check_expansion(root: Node, source: str, first_line: int, what: str) -> None:
    """Refuse aliases that expand past the bound (billion laughs) or refer to themselves."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise InputError(source, f"YAML alias refers to itself in this {what}", node.start_mark.line + first_line)
        active.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        active.discard(key)
        if total > MAX_EXPANDED_NODES:
            raise InputError(source, f"YAML aliases expand to more than {MAX_EXPANDED_NODES} values",
                             node.start_mark.line + first_line)
        sizes[key] = total
        return total

    size(root)


def _check_nodes(instance: Any, root: Node, source: str, first_line: int) -> None:
    """Keys must be text; numbers finite and of sane length; dates real. Errors name the key and line."""
    seen: set[int] = set()
    stack: list[tuple[Node, str | None]] = [(root, None)]
    while stack:
        node, key = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        line = node.start_mark.line + first_line
        where = f"'{key}': " if key else ""
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode) or key_node.tag != _STR:
                    shown = (f"key {key_node.value[:40]!r} is {_KIND.get(key_node.tag, 'a tagged value')}"
                             if isinstance(key_node, ScalarNode) else "a key is a list or mapping")
                    raise InputError(source, f"{shown}; keys must be text (quote it)",
                                     key_node.start_mark.line + first_line)
                stack.append((value_node, key_node.value))
        elif isinstance(node, SequenceNode):
            stack.extend((child, key) for child in node.value)
        elif node.tag in (_INT, _FLOAT, _TIMESTAMP):
            if node.tag == _INT and sum(c.isdigit() for c in node.value) > MAX_INT_DIGITS:
                raise InputError(source, f"{where}number {node.value[:20]!r}... is too long", line)
            try:
                value = instance.construct_object(node, deep=True)
            except (ValueError, OverflowError, TypeError, yaml.YAMLError):
                kind = "date/time" if node.tag == _TIMESTAMP else "number"
                raise InputError(source, f"{where}{node.value[:40]!r} is not a valid {kind}", line) from None
            if isinstance(value, float) and not math.isfinite(value):
                raise InputError(source, f"{where}{node.value[:40]!r} is not a finite number", line)


def _ordered(value: Any) -> Any:
    """A YAML set (!!set) as a sorted list, so the same document always gives the same report."""
    if isinstance(value, dict):
        return {k: _ordered(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_ordered(v) for v in value), key=repr)
    return value
