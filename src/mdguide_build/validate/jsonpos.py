"""A strict JSON parser that remembers where every value and key stands.

Python's ``json`` module reports neither the line of a value nor duplicate
keys, and it accepts NaN and Infinity.  Editors need ``file:line:column`` for
every problem, so this parser records the position of each value by its JSON
Pointer, and explains the mistakes people make by hand (trailing commas,
comments, single quotes, truncation) in words rather than parser jargon.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 64
MAX_STRING = 200_000
MAX_NUMBER_CHARS = 20

_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"')
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Problem:
    """A problem found while parsing: ``code`` is a diagnostics code."""

    code: str
    message: str
    hint: str
    line: int
    column: int
    pointer: str = ""


class JsonSyntaxError(Exception):
    """The text is not JSON; parsing stopped at the first such problem."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


@dataclass
class Parsed:
    value: Any
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def escape_pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer_join(base: str, token: str | int) -> str:
    return f"{base}/{escape_pointer_token(token)}"


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.result = Parsed(value=None)

    # -- positions ------------------------------------------------------------------------
    def where(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def fail(self, message: str, hint: str, offset: int | None = None, code: str = "E102", pointer: str = ""):
        line, column = self.where(self.pos if offset is None else offset)
        raise JsonSyntaxError(Problem(code, message, hint, line, column, pointer))

    def note(self, code: str, message: str, hint: str, offset: int, pointer: str) -> None:
        line, column = self.where(offset)
        self.result.problems.append(Problem(code, message, hint, line, column, pointer))

    # -- scanning -------------------------------------------------------------------------
    def skip_ws(self) -> None:
        self.pos = _WS.match(self.text, self.pos).end()
        if self.text.startswith(("//", "/*"), self.pos) or self.text.startswith("#", self.pos):
            self.fail(
                "comments are not allowed in JSON",
                "delete the comment; put editorial notes in an 'editorial-note' block instead",
            )

    def describe_here(self) -> str:
        if self.pos >= len(self.text):
            return "the end of the file"
        char = self.text[self.pos]
        word = _WORD.match(self.text, self.pos)
        return f"'{word.group()}'" if word else f"'{char}'"

    def parse(self) -> Parsed:
        self.skip_ws()
        if self.pos >= len(self.text):
            self.fail("the file is empty", "a content file holds one JSON object: start it with '{'")
        self.result.value = self.value("", 0)
        self.skip_ws()
        if self.pos < len(self.text):
            self.fail(
                f"unexpected {self.describe_here()} after the end of the JSON value",
                "a content file holds exactly one JSON object; remove what follows its closing '}'",
            )
        return self.result

    def value(self, pointer: str, depth: int) -> Any:
        if depth > MAX_DEPTH:
            self.fail(
                f"nesting is deeper than {MAX_DEPTH} levels",
                "content files are never nested this deeply; check for runaway brackets",
                code="E105",
                pointer=pointer,
            )
        self.result.positions[pointer] = self.where(self.pos)
        text, pos = self.text, self.pos
        if pos >= len(text):
            self.fail(
                "the file ends where a value was expected",
                "the file looks truncated: restore its end from version control",
                pointer=pointer,
            )
        char = text[pos]
        if char == "{":
            return self.object(pointer, depth)
        if char == "[":
            return self.array(pointer, depth)
        if char == '"':
            return self.string(pointer)
        if char == "'":
            self.fail('strings must be in double quotes ("), not single quotes', "replace ' … ' with \" … \"")
        number = _NUMBER.match(text, pos)
        if number:
            return self.number(number, pointer)
        word = _WORD.match(text, pos)
        if word:
            self.pos = word.end()
            literal = word.group()
            if literal in ("true", "false", "null"):
                return {"true": True, "false": False, "null": None}[literal]
            if literal in ("NaN", "Infinity"):
                self.note(
                    "E104",
                    f"{literal} is not a JSON number",
                    "JSON has no NaN or Infinity: write an ordinary number, or null where the schema allows it",
                    pos,
                    pointer,
                )
                return None
            self.fail(
                f"unexpected word '{literal}'",
                "text values need double quotes; the only bare words in JSON are true, false and null",
                offset=pos,
            )
        if text.startswith("-Infinity", pos):
            self.pos = pos + len("-Infinity")
            self.note("E104", "-Infinity is not a JSON number", "write an ordinary number", pos, pointer)
            return None
        self.fail(
            f"unexpected {self.describe_here()} where a value was expected",
            "check the punctuation just before this point",
        )

    def number(self, match: re.Match, pointer: str) -> int | float:
        literal = match.group()
        self.pos = match.end()
        if len(literal) > MAX_NUMBER_CHARS:
            self.note(
                "E105",
                f"the number {literal[:12]}… is too large ({len(literal)} characters)",
                "content numbers are small whole numbers such as footnote numbers",
                match.start(),
                pointer,
            )
            return 0
        if any(c in literal for c in ".eE"):
            return float(literal)
        return int(literal)

    def string(self, pointer: str, *, key: bool = False) -> str:
        match = _STRING.match(self.text, self.pos)
        if not match:
            self.explain_bad_string()
        raw = match.group()
        if len(raw) > MAX_STRING:
            self.note(
                "E105",
                f"the text is too long ({len(raw):,} characters)",
                "split it into several paragraphs",
                self.pos,
                pointer,
            )
        self.pos = match.end()
        return json.loads(raw) if "\\" in raw else raw[1:-1]

    def explain_bad_string(self) -> None:
        start = self.pos
        i = start + 1
        while i < len(self.text):
            c = self.text[i]
            if c == '"':
                break
            if c == "\\":
                escape = self.text[i + 1 : i + 2]
                if escape == "u":
                    if not re.fullmatch(r"[0-9a-fA-F]{4}", self.text[i + 2 : i + 6]):
                        self.fail(
                            "a \\u escape needs four hexadecimal digits",
                            "write e.g. \\u2019, or type the character itself",
                            offset=i,
                        )
                    i += 6
                    continue
                if escape not in '"\\/bfnrt':
                    self.fail(
                        f"'\\{escape}' is not a JSON escape",
                        "write a backslash as \\\\ (markup escapes such as \\* need two backslashes in JSON: \\\\*)",
                        offset=i,
                    )
                i += 2
                continue
            if c == "\n":
                self.fail(
                    "the text has a line break inside it, or its closing quote is missing",
                    'keep each text on one line, and close it with "',
                    offset=i,
                )
            if ord(c) < 0x20:
                self.fail(
                    f"the text holds a control character (U+{ord(c):04X})",
                    "delete it; use \\t only if you must",
                    offset=i,
                )
            i += 1
        self.fail(
            "the text is not closed before the end of the file",
            'add the closing " — the file may be truncated',
            offset=start,
        )

    def expect_close_or_comma(self, close: str, opened_at: int, what: str) -> bool:
        """After a member: True when the container closed, False after a comma."""
        self.skip_ws()
        if self.pos >= len(self.text):
            line, column = self.where(opened_at)
            self.fail(
                f"the file ends inside the {what} opened at line {line}, column {column}",
                f"the file looks truncated: add the missing '{close}' or restore it from version control",
            )
        char = self.text[self.pos]
        if char == close:
            self.pos += 1
            return True
        if char == ",":
            comma = self.pos
            self.pos += 1
            self.skip_ws()
            if self.pos < len(self.text) and self.text[self.pos] == close:
                self.fail(
                    f"trailing comma before '{close}'", "delete the comma after the last item", offset=comma
                )
            return False
        self.fail(
            f"expected ',' or '{close}' but found {self.describe_here()}",
            "a comma is probably missing between two items",
        )
        return True  # unreachable: fail raises

    def object(self, pointer: str, depth: int) -> dict:
        opened_at = self.pos
        self.pos += 1
        result: dict[str, Any] = {}
        self.skip_ws()
        if self.pos < len(self.text) and self.text[self.pos] == "}":
            self.pos += 1
            return result
        while True:
            self.skip_ws()
            if self.pos >= len(self.text):
                line, column = self.where(opened_at)
                self.fail(
                    f"the file ends inside the object opened at line {line}, column {column}",
                    "the file looks truncated: add the missing '}' or restore it from version control",
                )
            if self.text[self.pos] != '"':
                if self.text[self.pos] == "'":
                    self.fail(
                        'names must be in double quotes ("), not single quotes', "replace ' … ' with \" … \""
                    )
                self.fail(
                    f"expected a name in double quotes but found {self.describe_here()}",
                    'write "name": value',
                )
            key_at = self.pos
            key = self.string(pointer, key=True)
            child = pointer_join(pointer, key)
            self.skip_ws()
            if self.pos >= len(self.text) or self.text[self.pos] != ":":
                self.fail(
                    f"expected ':' after \"{key}\" but found {self.describe_here()}", 'write "name": value'
                )
            self.pos += 1
            self.skip_ws()
            if key in result:
                first_line, first_column = self.result.key_positions[child]
                self.note(
                    "E103",
                    f'duplicate key "{key}" (first at line {first_line}, column {first_column})',
                    "a name may appear once in an object: delete one of them, or merge them",
                    key_at,
                    child,
                )
            else:
                self.result.key_positions[child] = self.where(key_at)
            result[key] = self.value(child, depth + 1)
            if self.expect_close_or_comma("}", opened_at, "object"):
                return result

    def array(self, pointer: str, depth: int) -> list:
        opened_at = self.pos
        self.pos += 1
        result: list[Any] = []
        self.skip_ws()
        if self.pos < len(self.text) and self.text[self.pos] == "]":
            self.pos += 1
            return result
        while True:
            self.skip_ws()
            result.append(self.value(pointer_join(pointer, len(result)), depth + 1))
            if self.expect_close_or_comma("]", opened_at, "list"):
                return result


def parse(text: str) -> Parsed:
    """Parse ``text``; raise JsonSyntaxError on the first syntax error.

    Non-fatal problems (duplicate keys, NaN, oversized values) are collected in
    ``Parsed.problems`` so that one run reports them all.
    """
    return _Parser(text).parse()


def position_of(offset: int, text: str) -> tuple[int, int]:
    """Line and column (1-based) of a character offset in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
