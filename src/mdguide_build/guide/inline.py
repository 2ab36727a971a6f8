"""mdguide's inline markup: small enough to write by hand, too small to inject.

    *Good medical practice*            emphasis (titles the guide sets in italics)
    **bold words**                     strong emphasis
    [King's Fund][kings-fund-x]        a linked phrase pointing at a resource
    [^kings-fund-x]                    that resource's footnote marker
    \\*  \\[  \\]  \\\\                 a literal *, [, ] or backslash

Everything else is text.  There is no syntax for HTML, LaTeX, raw URLs or
attributes, so nothing an editor types can become markup in an output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ESCAPABLE = "\\*[]^_"
# Every character that can start markup; anything else is text.
_PLAIN_RUN = re.compile(r"[^\\*\[\]]+")


@dataclass(frozen=True)
class Plain:
    text: str


@dataclass(frozen=True)
class Emph:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Strong:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class ResourceLink:
    children: tuple[Inline, ...]
    resource: str
    offset: int  # where the reference starts in the text, for diagnostics


@dataclass(frozen=True)
class NoteRef:
    resource: str
    offset: int


Inline = Plain | Emph | Strong | ResourceLink | NoteRef


class MarkupError(ValueError):
    """Malformed inline markup; ``offset`` is the character index in the text."""

    def __init__(self, message: str, hint: str, offset: int):
        super().__init__(message)
        self.message, self.hint, self.offset = message, hint, offset


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def sequence(self, closer: str | None, opened_at: int) -> tuple[Inline, ...]:
        out: list[Inline] = []
        buffer: list[str] = []

        def flush() -> None:
            if buffer:
                out.append(Plain("".join(buffer)))
                buffer.clear()

        text = self.text
        end = len(text)
        while self.pos < end:
            # Most of a text is words: take the run up to the next marker character at once.
            run = _PLAIN_RUN.match(text, self.pos)
            if run:
                buffer.append(run.group())
                self.pos = run.end()
                continue
            char = text[self.pos]
            if char == "\\":
                if self.pos + 1 < end and text[self.pos + 1] in _ESCAPABLE:
                    buffer.append(text[self.pos + 1])
                    self.pos += 2
                else:
                    buffer.append(char)
                    self.pos += 1
            elif text.startswith("**", self.pos):
                if closer == "**":
                    self.pos += 2
                    flush()
                    return tuple(out)
                flush()
                out.append(Strong(self.nested("**")))
            elif char == "*":
                if closer == "*":
                    self.pos += 1
                    flush()
                    return tuple(out)
                flush()
                out.append(Emph(self.nested("*")))
            elif text.startswith("[^", self.pos):
                flush()
                out.append(self.note_ref())
            elif char == "[":
                flush()
                out.append(self.link())
            else:  # "]"
                if closer == "]":
                    self.pos += 1
                    flush()
                    return tuple(out)
                raise MarkupError(
                    "']' without a matching '['",
                    "write \\] for a literal bracket, or [link text][resource-id] for a link",
                    self.pos,
                )
        if closer is not None:
            names = {"*": "emphasis '*'", "**": "bold '**'", "]": "link text '['"}
            raise MarkupError(
                f"{names[closer]} opened at character {opened_at + 1} is never closed",
                f"close it with '{closer}', or write \\{closer[0]} for a literal character",
                opened_at,
            )
        flush()
        return tuple(out)

    def nested(self, marker: str) -> tuple[Inline, ...]:
        opened_at = self.pos
        self.pos += len(marker)
        children = self.sequence(marker, opened_at)
        if not children:
            raise MarkupError(
                f"empty '{marker}{marker}'",
                f"put words between the markers, or write \\{marker[0]} for a literal asterisk",
                opened_at,
            )
        return children

    def reference_id(self, start: int, form: str) -> str:
        match = _ID.match(self.text, self.pos)
        end = match.end() if match else self.pos
        if not match or not self.text.startswith("]", end):
            raise MarkupError(
                f"malformed reference; expected {form}",
                "a resource id is lower-case letters, digits and hyphens, e.g. kings-fund-programmes",
                start,
            )
        self.pos = end + 1
        return match.group()

    def note_ref(self) -> NoteRef:
        start = self.pos
        self.pos += 2
        return NoteRef(self.reference_id(start, "[^resource-id]"), start)

    def link(self) -> ResourceLink:
        start = self.pos
        self.pos += 1
        children = self.sequence("]", start)
        if not self.text.startswith("[", self.pos):
            raise MarkupError(
                "link text in [...] must be followed by [resource-id]",
                "write [link text][resource-id], or \\[ for a literal bracket",
                start,
            )
        self.pos += 1
        resource = self.reference_id(start, "[link text][resource-id]")
        if not children:
            raise MarkupError(
                "a link needs words between the brackets", "write [link text][resource-id]", start
            )
        return ResourceLink(children, resource, start)


@lru_cache(maxsize=65536)
def parse(text: str) -> tuple[Inline, ...]:
    """Parse one text field; raise MarkupError on malformed markup."""
    return _Parser(text).sequence(None, 0)


def walk(nodes: tuple[Inline, ...]):
    """Every node, depth first, in reading order."""
    for node in nodes:
        yield node
        if isinstance(node, (Emph, Strong, ResourceLink)):
            yield from walk(node.children)


def plain_text(nodes: tuple[Inline, ...]) -> str:
    """The words a reader sees, without markup or footnote markers."""
    return "".join(n.text for n in walk(nodes) if isinstance(n, Plain))


def references(nodes: tuple[Inline, ...]) -> list[ResourceLink | NoteRef]:
    return [n for n in walk(nodes) if isinstance(n, (ResourceLink, NoteRef))]


# An HTML tag has no space after '<' ("a < b > c" is prose, "<b>" is not).
_TAG_LIKE = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|\bon[a-z]+\s*=|javascript:", re.IGNORECASE)


@lru_cache(maxsize=65536)  # every check of the content asks it of every text again
def looks_like_markup(text: str) -> re.Match | None:
    """HTML-like text: harmless (it is escaped) but almost certainly a mistake."""
    return _TAG_LIKE.search(text)
