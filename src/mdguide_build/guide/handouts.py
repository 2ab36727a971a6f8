"""What each reader's "what to do next" handout holds: pure selection, no I/O.

The handouts quote the guide; they add nothing to it but their own labelled
words from ``content/roles.json``.  An *item* is a piece of the guide a
handout can quote, tagged in the content with the roles it serves:

* ``reflection`` - a paragraph of self-reflection questions;
* ``action`` - a development opportunity or course (a paragraph or list),
  grouped in the handout under its theme;
* ``quote`` - a pull quote;
* ``criterion`` - a person-specification criterion, with its prompting
  questions: the handout's self-assessment checklist.

``items`` finds every item, tagged or not, in reading order (``role_checks``
uses it to report untagged ones); ``select`` picks one role's.  A role gets an
item only when the item's tag names it: nothing is inherited from a heading,
so nothing untagged can leak into a handout.

A handout is read on its own, so it carries none of the 2017 extraction's
scars: where the end of a paragraph was lost (an extraction gap follows it),
the handout quotes the paragraph's whole sentences only, and neither the
gap's note nor the sentence it cut short.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from mdguide_build.errors import MdguideError
from mdguide_build.guide import inline
from mdguide_build.guide import models as m
from mdguide_build.guide.content import Content
from mdguide_build.guide.hints import did_you_mean
from mdguide_build.guide.numbering import section_numbers
from mdguide_build.guide.texts import block_texts

Kind = Literal["reflection", "action", "quote", "criterion"]


class UnknownRole(MdguideError):
    """``--role`` named a role that content/roles.json does not define."""


@dataclass(frozen=True)
class Place:
    """Where an item sits: its section, the subsections down to it, its file and JSON pointer."""

    section: m.SectionFile
    path: tuple[m.Subsection, ...]
    relpath: str
    pointer: str

    def ids(self) -> set[str]:
        return {self.section.id, *(sub.id for sub in self.path)}


@dataclass(frozen=True)
class Item:
    # From the tag, or for an untagged passage from the source it stands in; None for a
    # passage tagged outside the sources without a kind (role_checks reports it).
    kind: Kind | None
    node: m.Paragraph | m.BulletList | m.PullQuote | m.Criterion
    place: Place
    # An extraction gap right after a paragraph: the paragraph's last sentence is cut short.
    gap: m.ExtractionGap | None = None

    @property
    def tag(self) -> m.HandoutTag | None:
        return self.node.handout

    def serves(self, role: str) -> bool:
        return self.tag is not None and not self.tag.general and role in self.tag.roles

    def texts(self) -> list[str]:
        """The item's marked-up texts, as the guide has them."""
        return block_texts(self.node)

    def quoted(self) -> list[tuple[inline.Inline, ...]]:
        """The markup of each text the handout prints: a paragraph before a gap up to its last full stop."""
        parsed = [_parsed(text) for text in self.texts()]
        if self.gap is not None and isinstance(self.node, m.Paragraph):
            return [whole_sentences(parsed[0])]
        return parsed

    def resources(self) -> list[str]:
        """Ids of the resources the handout cites for it, in order (an id may repeat)."""
        return [ref.resource for nodes in self.quoted() for ref in inline.references(nodes)]


@dataclass(frozen=True)
class Pointer:
    """A "read more" pointer: a top-level part of the guide, or one subsection of it."""

    anchor: str  # the id of its heading in the guide's HTML
    section: m.SectionFile
    number: int | None
    subsection: m.Subsection | None


@dataclass(frozen=True)
class Handout:
    role: m.Role
    reflections: tuple[Item, ...]
    actions: tuple[tuple[m.Theme, tuple[Item, ...]], ...]
    quotes: tuple[Item, ...]
    checklist: tuple[tuple[m.CriteriaGroup, tuple[m.Criterion, ...]], ...]
    read_more: tuple[Pointer, ...]
    resources: frozenset[str] = field(default_factory=frozenset)

    def counts(self) -> dict[str, int]:
        return {
            "reflections": len(self.reflections),
            "actions": sum(len(items) for _, items in self.actions),
            "themes": len(self.actions),
            "quotes": len(self.quotes),
            "criteria": sum(len(criteria) for _, criteria in self.checklist),
            "resources": len(self.resources),
            "pointers": len(self.read_more),
        }


# --- finding items -----------------------------------------------------------------------


def _parsed(text: str) -> tuple[inline.Inline, ...]:
    """The text's markup; a malformed text (reported by the loader as E401) counts as plain words."""
    try:
        return inline.parse(text)
    except inline.MarkupError:
        return (inline.Plain(text),)


# The end of a sentence: a full stop, question or exclamation mark, and any closing quotes
# or brackets, before a space or the end of the text.
_SENTENCE_END = re.compile(r"[.?!][’”\"')]*(?=\s|$)")


def whole_sentences(nodes: tuple[inline.Inline, ...]) -> tuple[inline.Inline, ...]:
    """``nodes`` up to the end of their last whole sentence, with the notes that follow it.

    Only sentence ends in the plain text between links count; with none, the
    nodes are returned as they are.
    """
    for i in range(len(nodes) - 1, -1, -1):
        node = nodes[i]
        if not isinstance(node, inline.Plain):
            continue
        ends = list(_SENTENCE_END.finditer(node.text))
        if not ends:
            continue
        kept = (*nodes[:i], inline.Plain(node.text[: ends[-1].end()]))
        notes = []
        if ends[-1].end() == len(node.text.rstrip()):
            for after in nodes[i + 1 :]:
                if not isinstance(after, inline.NoteRef):
                    break
                notes.append(after)
        return (*kept, *notes)
    return nodes


def plain(text: str) -> str:
    """The words of a marked-up text, as a reader sees them."""
    return inline.plain_text(_parsed(text))


def _asks(paragraph: m.Paragraph) -> bool:
    return "?" in plain(paragraph.text)


def _passage_kind(node: m.Paragraph | m.BulletList, place: Place, sources: m.HandoutSources) -> Kind | None:
    """What an untagged passage is a candidate for, from where it stands."""
    ids = place.ids()
    if ids & set(sources.action):
        return "action"
    if isinstance(node, m.Paragraph) and ids & set(sources.reflection) and _asks(node):
        return "reflection"
    return None


def _walk(
    content: Content,
    node: m.SectionFile | m.Subsection,
    section: m.SectionFile,
    path: tuple[m.Subsection, ...],
    relpath: str,
    base: str,
) -> Iterator[Item]:
    sources = content.roles.sources
    blocks = list(node.blocks)
    for i, block in enumerate(blocks):
        place = Place(section, path, relpath, f"{base}/blocks/{i}")
        if isinstance(block, m.PullQuote):
            yield Item("quote", block, place)
        elif isinstance(block, (m.Paragraph, m.BulletList)):
            candidate = _passage_kind(block, place, sources)
            if block.handout is None and candidate is None:
                continue
            kind = block.handout.kind if block.handout and block.handout.kind else candidate
            following = blocks[i + 1] if i + 1 < len(blocks) else None
            gap = following if isinstance(following, m.ExtractionGap) else None
            yield Item(kind, block, place, gap=gap)
        elif isinstance(block, m.PersonSpecificationRef):
            spec_file = next(f for f in content.files if f.kind == "person-specification")
            for g, group in enumerate(content.person_specification.groups):
                for c, criterion in enumerate(group.criteria):
                    where = Place(section, path, spec_file.relpath, f"/groups/{g}/criteria/{c}")
                    yield Item("criterion", criterion, where)
    for i, child in enumerate(node.subsections):
        yield from _walk(content, child, section, (*path, child), relpath, f"{base}/subsections/{i}")


def items(content: Content) -> list[Item]:
    """Every item a handout could hold, tagged or not, in the guide's reading order."""
    found: list[Item] = []
    for section, source in zip(content.sections, _section_files(content)):
        found.extend(_walk(content, section, section, (), source, ""))
    return found


def _section_files(content: Content) -> list[str]:
    return [f.relpath for f in content.files if f.kind == "section"]


# --- one role's handout ------------------------------------------------------------------


def roles_in_order(content: Content) -> list[m.Role]:
    return sorted(content.roles.roles, key=lambda role: role.order)


def find_role(content: Content, role_id: str) -> m.Role:
    for role in content.roles.roles:
        if role.id == role_id:
            return role
    known = [role.id for role in roles_in_order(content)]
    guess = did_you_mean(role_id, known)
    raise UnknownRole(
        f"unknown role '{role_id}' (hint: {guess}the roles in {content.file('roles.json').display} "
        f"are {', '.join(known)})"
    )


def _pointer(item: Item, numbers: dict[str, int]) -> Pointer:
    top = item.place.path[0] if item.place.path else None
    section = item.place.section
    return Pointer(top.id if top else section.id, section, numbers.get(section.id), top)


def select(content: Content, role_id: str) -> Handout:
    """The items ``role_id``'s handout holds, grouped as the handout prints them."""
    role = find_role(content, role_id)
    chosen = [item for item in items(content) if item.serves(role.id)]
    by_theme: dict[str, list[Item]] = {}
    for item in chosen:
        if item.kind == "action" and item.tag.theme:
            by_theme.setdefault(item.tag.theme, []).append(item)
    actions = tuple(
        (theme, tuple(by_theme[theme.id])) for theme in content.roles.themes if theme.id in by_theme
    )
    criteria = {item.node.id for item in chosen if item.kind == "criterion"}
    checklist = []
    for group in content.person_specification.groups:
        picked = tuple(c for c in group.criteria if c.id in criteria)
        if picked:
            checklist.append((group, picked))
    numbers = section_numbers(content)
    pointers: dict[str, Pointer] = {}
    for item in chosen:
        pointer = _pointer(item, numbers)
        pointers.setdefault(pointer.anchor, pointer)
    return Handout(
        role=role,
        reflections=tuple(item for item in chosen if item.kind == "reflection"),
        actions=actions,
        quotes=tuple(item for item in chosen if item.kind == "quote"),
        checklist=tuple(checklist),
        read_more=tuple(pointers.values()),
        resources=frozenset(r for item in chosen for r in item.resources()),
    )
