"""Edits to one content file's JSON, as a short list of operations (a subset of RFC 6902 JSON Patch).

    {"op": "replace", "path": "/blocks/3/text", "value": {"$runs": [...]}}
    {"op": "add",     "path": "/blocks/4", "value": {"type": "pull-quote", ...}}
    {"op": "remove",  "path": "/blocks/2"}
    {"op": "move",    "from": "/blocks/4", "path": "/blocks/1"}

A value may hold ``{"$runs": [...]}`` wherever the file holds a marked-up
text: the runs become the text (``runs.to_markup``), and stay the stored text
byte for byte when they say the same.  New objects get their keys in the
order the content models list them, so a new block reads like the others.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from functools import cache

from mdguide_build.guide import models as m
from mdguide_build.tools.editor.runs import RunsError, check_runs, to_markup

OPS = ("replace", "add", "remove", "move")
MAX_OPS = 200


class PatchError(ValueError):
    """An operation that cannot apply: ``pointer`` is where, ``hint`` what to do."""

    def __init__(self, pointer: str, message: str, hint: str = "reload the page: it may be out of date"):
        super().__init__(message)
        self.pointer, self.message, self.hint = pointer, message, hint


def tokens(pointer: object) -> list[str]:
    if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
        raise PatchError(str(pointer), f"{pointer!r} is not a JSON pointer", "a pointer starts with '/'")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]] if pointer else []


def _index(container: list, token: str, pointer: str, *, end: bool = False) -> int:
    if token == "-" and end:
        return len(container)
    if not token.isascii() or not token.isdigit() or (token != "0" and token.startswith("0")):
        raise PatchError(pointer, f"{token!r} is not a position in a list")
    index = int(token)
    if index >= len(container) + (1 if end else 0):
        raise PatchError(pointer, f"there is no item {index} at {pointer}")
    return index


def get(document: object, pointer: str) -> object:
    node = document
    for token in tokens(pointer):
        if isinstance(node, dict):
            if token not in node:
                raise PatchError(pointer, f"the file has nothing at {pointer}")
            node = node[token]
        elif isinstance(node, list):
            node = node[_index(node, token, pointer)]
        else:
            raise PatchError(pointer, f"the file has nothing at {pointer}")
    return node


def _parent(document: object, pointer: str) -> tuple[object, str]:
    parts = tokens(pointer)
    if not parts:
        raise PatchError(pointer, "an edit cannot replace a whole file", "edit one field or block at a time")
    parent_pointer = "".join("/" + t.replace("~", "~0").replace("/", "~1") for t in parts[:-1])
    return get(document, parent_pointer), parts[-1]


def apply(document: dict, operations: object) -> dict:
    """A new document with ``operations`` applied (``document`` is left as it was)."""
    if not isinstance(operations, list) or not 0 < len(operations) <= MAX_OPS:
        raise PatchError("", f"an edit is a list of 1 to {MAX_OPS} operations", "reload the page")
    result = copy.deepcopy(document)
    for operation in operations:
        if not isinstance(operation, dict) or operation.get("op") not in OPS:
            raise PatchError("", f"unknown operation {operation!r}", f"use one of {', '.join(OPS)}")
        op, pointer = operation["op"], operation.get("path")
        if op == "move":
            source = operation.get("from")
            if isinstance(source, str) and isinstance(pointer, str) and pointer.startswith(source + "/"):
                raise PatchError(pointer, "a block cannot move inside itself")
            value = _remove(result, source)
            _add(result, pointer, value)
        elif op == "remove":
            _remove(result, pointer)
        else:
            if "value" not in operation:
                raise PatchError(str(pointer), f"'{op}' needs a value")
            old = get(result, pointer) if op == "replace" else None
            value = _ordered(resolve_runs(operation["value"], old, str(pointer)), old)
            if op == "replace":
                parent, last = _parent(result, pointer)
                parent[_index(parent, last, pointer) if isinstance(parent, list) else last] = value
            else:
                _add(result, pointer, value)
    return result


def _add(document: dict, pointer: object, value: object) -> None:
    parent, last = _parent(document, pointer)
    if isinstance(parent, list):
        parent.insert(_index(parent, last, pointer, end=True), value)
    elif isinstance(parent, dict):
        if last in parent:
            raise PatchError(pointer, f"{pointer} already exists", "replace it instead")
        # The new key goes where the models list it, before the first key that follows it there.
        order = _canonical(
            next((keys for names, keys in _field_orders() if set(parent) | {last} <= names), ())
        )
        later = [
            key for key in parent if last in order and key in order and order.index(key) > order.index(last)
        ]
        items = list(parent.items())
        at = next((i for i, (key, _) in enumerate(items) if key in later), len(items))
        items.insert(at, (last, value))
        parent.clear()
        parent.update(items)
    else:
        raise PatchError(pointer, f"the file has nothing at {pointer}")


def _remove(document: dict, pointer: object) -> object:
    parent, last = _parent(document, pointer)
    if isinstance(parent, list):
        return parent.pop(_index(parent, last, pointer))
    if isinstance(parent, dict) and last in parent:
        return parent.pop(last)
    raise PatchError(str(pointer), f"the file has nothing at {pointer}")


def resolve_runs(value: object, old: object, pointer: str) -> object:
    """``value`` with every ``{"$runs": [...]}`` turned into the text it stands for."""
    if isinstance(value, dict):
        if set(value) == {"$runs"}:
            try:
                return to_markup(check_runs(value["$runs"]), old if isinstance(old, str) else None)
            except RunsError as error:
                raise PatchError(pointer, error.message, error.hint) from None
        return {
            key: resolve_runs(item, old.get(key) if isinstance(old, dict) else None, f"{pointer}/{key}")
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [
            resolve_runs(item, old[i] if isinstance(old, list) and i < len(old) else None, f"{pointer}/{i}")
            for i, item in enumerate(value)
        ]
    return value


@cache
def _field_orders() -> list[tuple[frozenset[str], tuple[str, ...]]]:
    """Every content model's keys, in the order the model (and so every file) lists them."""
    found = []

    def visit(model: type[m.Model]) -> None:
        for sub in model.__subclasses__():
            keys = tuple(info.alias or name for name, info in sub.model_fields.items())
            found.append((frozenset(keys), keys))
            visit(sub)

    visit(m.Model)
    return found


# A part's edition marks follow its first key (its type or id), as docs/editing.md writes them.
EDITION_MARKS = ("since", "revised")


def _canonical(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The models' order, edition marks moved to just after the first of the other keys."""
    rest = [key for key in keys if key not in EDITION_MARKS]
    marks = [key for key in keys if key in EDITION_MARKS]
    return tuple(rest[:1] + marks + rest[1:])


def _ordered(value: object, old: object) -> object:
    """A new object's keys (and its new objects' keys) in the models' order; old objects keep theirs."""
    if isinstance(value, list):
        olds = old if isinstance(old, list) else []
        return [_ordered(item, olds[i] if i < len(olds) else None) for i, item in enumerate(value)]
    if not isinstance(value, dict):
        return value
    olds = old if isinstance(old, dict) else {}
    items = {key: _ordered(item, olds.get(key)) for key, item in value.items()}
    if isinstance(old, dict) and list(old) == [key for key in items if key in old] and set(items) <= set(old):
        return items  # the same keys as before, or fewer: keep the file's order
    order = next((keys for names, keys in _field_orders() if set(items) <= names), None)
    if order is None:
        return items
    order = _canonical(order)
    return {key: items[key] for key in sorted(items, key=lambda k: order.index(k))}


def pointers(operations: list) -> Iterator[str]:
    """The places an edit touches (for matching diagnostics to fields)."""
    for operation in operations if isinstance(operations, list) else []:
        if isinstance(operation, dict):
            for key in ("path", "from"):
                if isinstance(operation.get(key), str):
                    yield operation[key]
