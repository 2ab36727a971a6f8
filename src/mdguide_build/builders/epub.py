"""EPUB 3: the guide as an accessible e-book (EPUB Accessibility 1.1, WCAG 2.2 AA).

pandoc writes the book from the "web" flavour of the guide's AST, so it has
the HTML page's structure: pull quotes as figure + blockquote + figcaption,
case studies as sections labelled by their headings, figures with their text
descriptions.  One file per top-level section (Foreword, Introduction, the
four numbered sections, Contact us), a title page, and a navigation document
with the contents three levels deep and landmarks.  The foreword is marked
``epub:type="foreword"`` so pandoc files it as front matter.

``epub_package`` then does what pandoc cannot under ``--sandbox`` (our
stylesheet, the modification date, the EPUB Accessibility 1.1 conformance
claim) and zips the book again, byte-for-byte reproducibly.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

from mdguide_build.builders.base import ASSETS, Builder, BuildOptions, Output
from mdguide_build.errors import MdguideError
from mdguide_build.guide.content import Content
from mdguide_build.pandoc import ast as pa
from mdguide_build.pandoc import runner as pandoc
from mdguide_build.pandoc.guide import guide_document, plain
from mdguide_build.writers.epub import Finish
from mdguide_build.writers.epub_parts import BookSource, book

TEMPLATE = ASSETS / "epub" / "template.xhtml"
CSS = ASSETS / "epub" / "guide.css"

# The last moment a zip entry's MS-DOS date can hold: 2107-12-31 23:59:58 UTC.
LATEST = 4354819198

CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
# Who checked the claim above. Not the publishers of 2017: they never saw this
# edition. The claim rests on this project's own tests (EPUBCheck and DAISY Ace
# in tests/test_epub.py, axe-core on the same markup in the HTML), so say so.
CERTIFIED_BY = "mdguide project (self-assessed with EPUBCheck and DAISY Ace)"

# Interface words the reading system shows beside the guide's own.
CONTENTS_TITLE = "Contents"
BODYMATTER_LABEL = "Start of the guide"

# Chapters that are front matter, by the identifier to_pandoc gives their heading:
# pandoc files a chapter whose heading has epub:type "foreword" under front matter,
# and Ace wants the DPUB-ARIA role that matches the epub:type beside it.
FRONT_MATTER = {"foreword": (("epub:type", "foreword"), ("role", "doc-foreword"))}


def epub_document(content: Content) -> pa.Document:
    """The guide's "web" AST, with the contents titled and the foreword marked as front matter."""
    document = guide_document(
        content, "web", extra_meta=lambda _: {"toc-title": pa.MetaInlines(plain(CONTENTS_TITLE))}
    )
    return dataclasses.replace(document, blocks=[_typed(block) for block in document.blocks])


def _typed(block: pa.Block) -> pa.Block:
    if isinstance(block, pa.Header) and block.level == 1 and block.attr.identifier in FRONT_MATTER:
        attr = block.attr
        return dataclasses.replace(
            block,
            attr=pa.Attr(attr.identifier, attr.classes, [*attr.attributes, *FRONT_MATTER[attr.identifier]]),
        )
    return block


class EpubDateError(MdguideError):
    """SOURCE_DATE_EPOCH names a moment an EPUB cannot carry."""


def modified(content: Content, options: BuildOptions) -> datetime:
    """When the book was last changed: SOURCE_DATE_EPOCH if given, else the edition's date."""
    if options.source_date_epoch is not None:
        when = datetime.fromtimestamp(min(options.source_date_epoch, LATEST), UTC)
        if options.source_date_epoch > LATEST:
            raise EpubDateError(
                f"SOURCE_DATE_EPOCH={options.source_date_epoch} is after {when:%Y-%m-%d}, the last date "
                "a zip file (hence an EPUB) can carry (hint: unset it to date the book from the content)"
            )
        return when
    year, month, *day = (int(part) for part in content.guide.edition.date.split("-"))
    return datetime(year, month, day[0] if day else 1, tzinfo=UTC)


class EpubBuilder(Builder):
    name = "epub"
    summary = "EPUB 3 e-book (EPUB Accessibility 1.1, WCAG 2.2 AA): for e-readers, phones and screen readers."
    assets = (TEMPLATE, CSS)

    def outputs(self, content: Content) -> list[Output]:
        source = BookSource.of(epub_document(content))
        guide = content.guide
        spec = Finish(
            stylesheet=CSS.read_bytes(),
            modified=modified(content, self.options),
            publishers=tuple(guide.publishers),
            subtitle=guide.subtitle,
            conforms_to=CONFORMS_TO,
            certified_by=CERTIFIED_BY,
            bodymatter_label=BODYMATTER_LABEL,
        )

        def write(path: Path) -> None:
            path.write_bytes(book(source, _convert, spec))

        fingerprint = self.fingerprint(pa.document_json((), source.meta), *source.blocks, repr(spec))
        return [Output(f"{guide.slug}.epub", fingerprint, write)]


def _convert(document: str) -> bytes:
    """pandoc's EPUB of ``document``: a chapter file for each top-level section."""
    return pandoc.convert(
        document, "epub3", extra_args=[f"--template={TEMPLATE}", "--split-level=1", "--toc", "--toc-depth=3"]
    )
