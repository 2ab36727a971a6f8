"""Anchors: which text of ``content/`` each part of a review DOCX holds.

Every text an editor can change (the marked-up texts ``texts.marked_texts``
lists, and the titles of sections, subsections and criteria groups) is put
inside a bookmark named ``mdg_<n>`` in the review DOCX.  Word and LibreOffice
keep bookmarks through ordinary editing and do not show them.  The document's
custom properties map each name to the text's file and JSON pointer, with a
digest of the text as exported, so an import can tell whether ``content/``
has changed under it since.  Custom properties, not bookmark names, hold the
places because Word allows a bookmark name only 40 letters, digits and
underscores.

The properties also say which edition and role were exported, and a digest of
the whole list, written by ``review_properties`` and checked by ``ReviewInfo.parse``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from mdguide_build.errors import MdguideError
from mdguide_build.guide import models as m
from mdguide_build.guide.content import Content
from mdguide_build.guide.labels import edition_label
from mdguide_build.guide.texts import iter_subsections, marked_texts
from mdguide_build.pandoc import ast as pa
from mdguide_build.pandoc.guide import AnchorHook

PREFIX = "mdg_"
NAME = re.compile(r"mdg_([1-9][0-9]{0,5})")
# Custom document properties (pandoc writes every metadata key it does not know into docProps/custom.xml).
KEY_FORMAT = "mdguide-review"  # marks a review export; its value is the format's version
KEY_EDITION = "mdguide-review-edition"  # "1.0"
KEY_EDITION_DATE = "mdguide-review-edition-date"  # "2017-06"
KEY_ROLE = "mdguide-review-role"  # a role id, or "guide" for the whole guide
KEY_DIGEST = "mdguide-review-digest"  # sha256 of every anchor's place and text
FORMAT = "1"
WHOLE_GUIDE = "guide"


class ReviewFormatError(MdguideError):
    """The document was not exported by `mdguide review export`, or its anchors are damaged."""


@dataclass(frozen=True)
class Anchor:
    """One text of content/: where it is, and its words as exported."""

    name: str  # the bookmark's name, "mdg_12"
    relpath: str  # "sections/4-conclusion.json"
    pointer: str  # "/blocks/3/text"
    text: str
    markup: bool  # False for titles, which hold plain text

    @property
    def digest(self) -> str:
        return _digest(self.text)[:16]

    @property
    def place(self) -> str:
        return f"{self.relpath}#{self.pointer}"

    def property_value(self) -> str:
        return f"{self.place} {self.digest}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _titles(model: m.ContentFile) -> Iterator[tuple[str, str]]:
    """The titles a reader sees as headings: (pointer, title)."""
    if isinstance(model, m.SectionFile):
        yield "/title", model.title
        for at, subsection in iter_subsections(model):
            yield f"{at}/title", subsection.title
    elif isinstance(model, m.PersonSpecificationFile):
        for g, group in enumerate(model.groups):
            yield f"/groups/{g}/title", group.title


def anchors(content: Content) -> list[Anchor]:
    """Every text an editor can change, in the order of content's files, numbered from 1."""
    found: list[tuple[str, str, str, bool]] = []
    for source in content.files:
        located = [(p, t, False) for p, t in _titles(source.model)] + [
            (p, t, True) for p, t in marked_texts(source.model)
        ]
        found.extend((source.relpath, pointer, text, markup) for pointer, text, markup in located)
    return [
        Anchor(f"{PREFIX}{n}", relpath, pointer, text, markup)
        for n, (relpath, pointer, text, markup) in enumerate(found, start=1)
    ]


def resolve(model: BaseModel, pointer: str) -> tuple[BaseModel, tuple[str | int, ...]]:
    """The model holding the field at ``pointer``, and the field's path in it.

    ``"/blocks/3/items/2"`` -> (the list block, ("items", 2)).  Field names are
    the JSON keys (only ``$schema`` has an alias, and it holds no text).
    """
    owner, path, node = model, [], model
    for segment in pointer.split("/")[1:]:
        if isinstance(node, BaseModel):
            node = getattr(node, segment)
            path.append(segment)
        else:
            node = node[int(segment)]
            path.append(int(segment))
        if isinstance(node, BaseModel):
            owner, path = node, []
    return owner, tuple(path)


def anchor_hook(content: Content, found: list[Anchor]) -> AnchorHook:
    """The ``Context.anchor`` that wraps each text's words in a Span named after its anchor.

    pandoc's DOCX writer makes a Span's identifier a bookmark around its runs.
    A text shown twice (a figure placed twice) is anchored only where it first
    appears; edits to the other copy are reported, not applied.
    """
    models = {source.relpath: source.model for source in content.files}
    # Keyed by the owner's id(): content holds every owner, so the ids stay theirs while it lives.
    names: dict[tuple[int, tuple[str | int, ...]], str] = {}
    for anchor in found:
        owner, path = resolve(models[anchor.relpath], anchor.pointer)
        names[(id(owner), path)] = anchor.name
    used: set[str] = set()

    def hook(owner: object, path: tuple[str | int, ...], inlines: list[pa.Inline]) -> list[pa.Inline]:
        name = names.get((id(owner), path))
        if name is None or name in used:
            return inlines
        used.add(name)
        return [pa.Span(inlines, pa.Attr(identifier=name))]

    return hook


def digest(found: list[Anchor], edition: m.Edition, role: str) -> str:
    """One digest of what was exported: the edition, the role and every anchor's place and text."""
    h = hashlib.sha256(f"{FORMAT}\0{edition.version}\0{edition.date}\0{role}".encode())
    for anchor in found:
        h.update(f"\0{anchor.name}\0{anchor.place}\0{anchor.text}".encode())
    return h.hexdigest()


def review_properties(content: Content, found: list[Anchor], role: str) -> dict[str, pa.MetaValue]:
    """The metadata pandoc writes into the DOCX's custom properties."""
    edition = content.guide.edition
    meta: dict[str, pa.MetaValue] = {
        KEY_FORMAT: pa.MetaString(FORMAT),
        KEY_EDITION: pa.MetaString(edition.version),
        KEY_EDITION_DATE: pa.MetaString(edition.date),
        KEY_ROLE: pa.MetaString(role),
        KEY_DIGEST: pa.MetaString(digest(found, edition, role)),
    }
    meta.update((anchor.name, pa.MetaString(anchor.property_value())) for anchor in found)
    return meta


@dataclass(frozen=True)
class Exported:
    """An anchor as the DOCX's properties describe it."""

    name: str
    relpath: str
    pointer: str
    digest: str

    @property
    def place(self) -> str:
        return f"{self.relpath}#{self.pointer}"


@dataclass(frozen=True)
class ReviewInfo:
    """What a review DOCX says about itself: edition, role, digest and anchors."""

    edition: str
    edition_date: str
    role: str
    digest: str
    anchors: dict[str, Exported]

    @classmethod
    def parse(cls, properties: dict[str, str], source: str) -> ReviewInfo:
        """From the document's custom properties; ``source`` names the file in messages."""
        if properties.get(KEY_FORMAT) is None:
            raise ReviewFormatError(
                f"{source}: this document was not exported by `mdguide review export` (it has no "
                f"'{KEY_FORMAT}' document property) (hint: export the guide with `mdguide review export "
                "OUT.docx`, send that to the reviewers, and import what they send back)"
            )
        if properties[KEY_FORMAT] != FORMAT:
            raise ReviewFormatError(
                f"{source}: this review document has format {properties[KEY_FORMAT]!r}; this mdguide reads "
                f"format {FORMAT!r} (hint: import it with the mdguide version that exported it)"
            )
        missing = [
            key for key in (KEY_EDITION, KEY_EDITION_DATE, KEY_ROLE, KEY_DIGEST) if key not in properties
        ]
        if missing:
            raise ReviewFormatError(
                f"{source}: the document properties {', '.join(missing)} are missing: the "
                "document's anchors are damaged (hint: export it again and send that)"
            )
        found: dict[str, Exported] = {}
        for key, value in properties.items():
            if not key.startswith(PREFIX):
                continue
            match = re.fullmatch(r"([^#\s]+)#(/\S*) ([0-9a-f]{16})", value)
            if not NAME.fullmatch(key) or not match:
                raise ReviewFormatError(
                    f"{source}: the document property {key!r} = {value!r} is not an mdguide "
                    "anchor: the document's anchors are damaged (hint: export it again)"
                )
            found[key] = Exported(key, match.group(1), match.group(2), match.group(3))
        if not found:
            raise ReviewFormatError(
                f"{source}: the document lists no anchors: they are damaged "
                "(hint: export it again and send that)"
            )
        return cls(
            properties[KEY_EDITION],
            properties[KEY_EDITION_DATE],
            properties[KEY_ROLE],
            properties[KEY_DIGEST],
            found,
        )

    def check_edition(self, content: Content, source: str) -> None:
        """Refuse a document exported from another edition than content/'s, saying which."""
        edition = content.guide.edition
        if (self.edition, self.edition_date) != (edition.version, edition.date):
            exported = (
                edition_label(m.Edition(version=self.edition, date=self.edition_date))
                if _valid_edition(self.edition, self.edition_date)
                else f"edition {self.edition!r}"
            )
            raise ReviewFormatError(
                f"{source} was exported from {exported[0].lower() + exported[1:]}, but content/ holds "
                f"{edition_label(edition)[0].lower() + edition_label(edition)[1:]} (hint: export the current "
                "edition for review, or import this document into a checkout of the edition it came from)"
            )


def _valid_edition(version: str, date: str) -> bool:
    try:
        m.Edition(version=version, date=date)
    except ValueError:
        return False
    return True
