"""A large guide's EPUB from pandoc's EPUBs of its parts: the book one pandoc run over the whole makes.

With ``--split-level=1`` pandoc makes a chapter file of each top-level
section and renders each chapter on its own.  So the EPUBs of parts that each
begin at a top-level heading hold the very chapter files of the whole book,
numbered from ``ch001.xhtml`` in each (and titled after that name), with
the same package, navigation and NCX documents listing only their own
chapters.  The whole book is then the first part's EPUB with each later
part's chapters numbered on after it and added to the package's manifest and
spine, the contents list and the NCX, with the ids of those lists
(``toc-li-N``, ``navPoint-N``) numbered on as well.  The parts' own title
pages and documents are dropped.

Two things do carry from chapter to chapter, and a book with either is made
in one run (``BookSource.parts_match_whole``):

* a link to an identifier: pandoc resolves it to the file of the chapter that
  holds it, which a part may not have;
* a heading without an identifier, or with one an earlier heading has:
  pandoc makes one from its words, unique through the book ("summary", then
  "summary-1"), so a part would repeat one an earlier part made.  A heading
  that opens a named section division (a case study's) is left without one,
  and is no hindrance.

(Pictures, whose media files pandoc numbers through the book, would be a third;
the typed AST has none.)  tests/test_epub_parts.py compares the two ways,
byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import orjson
from lxml import etree

from mdguide_build.pandoc import ast as pa
from mdguide_build.writers import parts
from mdguide_build.writers.epub import (
    NS,
    Book,
    EpubPackageError,
    Finish,
    finish,
    one,
    parse,
    serialise,
    unzipped,
)
from mdguide_build.writers.parts import Blocks

# pandoc's EPUB writer costs more per run than its HTML writer, so a book's parts are larger than a
# page's. Measured on the EPUB of 50 copies of the guide (15.6 M of JSON, 2 cores): 6.0-6.9 s in one
# run; in parts of 1 M 4.8 s, of 4 M 3.6 s (~250 MiB each), of 8 M 3.8 s.
# A part of 4 M takes 218-251 MiB, so parts begin where two fit in the memory one run over the
# whole book would take (~44 bytes per byte of JSON): from ~11.9 M, about 36 copies of the guide.
PART_CHARS = 4_000_000
PANDOC_BYTES_PER_PART = 250 * 2**20
PARTS_FROM = 2 * PANDOC_BYTES_PER_PART // parts.PANDOC_BYTES_PER_CHAR
_UNNAMED_HEADING = re.compile(rb'\{"t":"Header","c":\[\d,\["",')  # as pandoc JSON
_HEADING_IDENTIFIER = re.compile(rb'\{"t":"Header","c":\[\d,\["((?:[^"\\]|\\.)+)",')
_CHAPTER_HEADING = b'{"t":"Header","c":[1,'  # as pandoc JSON
_CHAPTER = re.compile(r"ch(\d{3,})\.xhtml")
_NUMBERED = re.compile(r"(toc-li-|navPoint-)(\d+)")


class BookSource(Blocks):
    """The EPUB's document as pandoc JSON, to convert whole or in parts that each begin a chapter."""

    @classmethod
    def of(cls, document: pa.Document) -> BookSource:
        return cls.from_document(document, lambda block: isinstance(block, pa.Header) and block.level == 1)

    @property
    def parts_match_whole(self) -> bool:
        """Whether nothing carries from chapter to chapter (see the module's docstring), and every
        chapter begins at a heading of its own top level (a part can only begin at one)."""
        # As pandoc JSON, a link's target is an array whose first item is a string beginning with
        # '#' (in text, a '"' is escaped); a false alarm only makes the book in one run.  A
        # top-level heading is a block that begins with its tag; one found further in is nested.
        identifiers = [name for block in self.blocks for name in _HEADING_IDENTIFIER.findall(block)]
        return len(set(identifiers)) == len(identifiers) and not any(
            b'["#' in block or block.find(_CHAPTER_HEADING, 1) >= 0 or not _headings_named(block)
            for block in self.blocks
        )


def _headings_named(block: bytes) -> bool:
    """Whether every heading in ``block`` has an identifier, or opens a section division that has one."""
    return not _UNNAMED_HEADING.search(block) or _named(orjson.loads(block))


def _named(node: object, opens_named_section: bool = False) -> bool:
    if isinstance(node, list):
        return all(_named(item) for item in node)
    if not isinstance(node, dict):
        return True
    if node.get("t") == "Header":
        return bool(node["c"][1][0]) or opens_named_section
    if node.get("t") == "Div":
        (identifier, classes, _), blocks = node["c"]
        named_section = bool(identifier) and "section" in classes
        return all(_named(block, named_section and i == 0) for i, block in enumerate(blocks))
    return _named(node.get("c"))


def book(source: BookSource, convert: Callable[[str], bytes], spec: Finish) -> bytes:
    """The finished EPUB of ``source``: ``convert`` (pandoc JSON to pandoc's EPUB) run once, or on parts at once."""
    if source.size < PARTS_FROM or not source.parts_match_whole:
        return finish(unzipped(convert(source.whole())), spec)
    with parts.converting(source.size, PANDOC_BYTES_PER_PART) as conversions:
        books = list(conversions.map(lambda span: convert(source.with_meta(span)), source.parts(PART_CHARS)))
    return finish(joined(books), spec)


def joined(books: Sequence[bytes]) -> dict[str, bytes]:
    """The files of the whole book, from pandoc's EPUBs of its parts in reading order."""
    files = unzipped(books[0])
    whole = _Lists(files)
    for epub in books[1:]:
        whole.add(_Lists(unzipped(epub)))
    whole.store()
    return files


class _Lists:
    """A book's files, with its package, contents list and NCX parsed: where chapters are listed."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.book = Book(files)
        self.nav_path = self.book.nav_path()
        self.nav = parse(files[self.nav_path], self.nav_path)
        self.ncx_path = self.book.ncx_path()
        self.ncx = parse(files[self.ncx_path], self.ncx_path)

    def chapters(self) -> list[etree._Element]:
        """The manifest's items for chapter files, in order."""
        items = self.book.opf.xpath("/opf:package/opf:manifest/opf:item", namespaces=NS)
        return [item for item in items if _CHAPTER.fullmatch(item.get("href", "").rpartition("/")[2])]

    def add(self, part: _Lists) -> None:
        """Put ``part``'s chapters after this book's, numbered on."""
        offset = len(self.chapters())
        items = part.chapters()
        for item in items:
            old = item.get("href", "")
            new = _chapter_renamed(old, offset)
            old_name, new_name = old.rpartition("/")[2], new.rpartition("/")[2]
            # pandoc titles a chapter after its file name; the finish titles it after its heading
            self.files[self.book.path(new)] = part.files[part.book.path(old)].replace(
                f"<title>{old_name}</title>".encode(), f"<title>{new_name}</title>".encode(), 1
            )
        spine = {
            ref.get("idref"): ref for ref in part.book.opf.xpath("//opf:spine/opf:itemref", namespaces=NS)
        }
        missing = [item.get("href") for item in items if item.get("id") not in spine]
        if missing:
            raise EpubPackageError(
                f"{part.book.opf_path}: chapters {missing} are not in the spine "
                "(hint: pandoc's EPUB changed shape; check the pandoc version)"
            )
        refs = [spine[item.get("id")] for item in items]
        for element in (*items, *refs):
            for name in ("id", "idref", "href"):
                if element.get(name):
                    element.set(name, _chapter_renamed(element.get(name), offset))
        _insert_after(self.chapters()[-1], items)
        _insert_after(self.book.opf.xpath("//opf:spine/opf:itemref", namespaces=NS)[-1], refs)
        self._add_contents(part, offset)
        self._add_ncx(part, offset)

    def _add_contents(self, part: _Lists, offset: int) -> None:
        toc = "//x:nav[@epub:type='toc']/x:ol"
        ours = one(self.nav, toc, "contents list", self.nav_path)
        theirs = one(part.nav, toc, "contents list", part.nav_path)
        _number_on(theirs, len(ours.xpath(".//x:li", namespaces=NS)), offset, "href")
        if len(ours):
            _insert_after(ours[-1], list(theirs))
        else:  # every chapter so far is unlisted
            ours.extend(theirs)

    def _add_ncx(self, part: _Lists, offset: int) -> None:
        ours = one(self.ncx, "/n:ncx/n:navMap", "navMap", self.ncx_path)
        theirs = one(part.ncx, "/n:ncx/n:navMap", "navMap", part.ncx_path)
        title_page, *points = theirs  # the part's own title page is not the book's
        _number_on(theirs, len(ours.xpath(".//n:navPoint", namespaces=NS)) - 1, offset, "src")
        _insert_after(ours[-1], points, between=title_page.tail)

    def store(self) -> None:
        self.files[self.book.opf_path] = serialise(self.book.opf)
        self.files[self.nav_path] = serialise(self.nav)
        self.files[self.ncx_path] = serialise(self.ncx)


def _chapter_renamed(name: str, offset: int) -> str:
    """``ch001.xhtml`` (or ``ch001_xhtml``, a manifest id, or with ``#fragment``) numbered on by ``offset``."""
    match = re.match(r"(.*?\bch)(\d{3,})([._]xhtml.*)", name)
    if not match:
        raise EpubPackageError(f"{name!r} does not name a chapter file (hint: pandoc's EPUB changed shape)")
    return f"{match.group(1)}{int(match.group(2)) + offset:03d}{match.group(3)}"


def _number_on(root: etree._Element, ids: int, chapters: int, link: str) -> None:
    """Number on the list ids under ``root`` (``toc-li-N``, ``navPoint-N``) by ``ids``, and the chapter files its links name by ``chapters``."""
    for element in root.iter(etree.Element):
        if _NUMBERED.fullmatch(element.get("id", "")):
            prefix, number = _NUMBERED.fullmatch(element.get("id")).groups()
            element.set("id", f"{prefix}{int(number) + ids}")
        if element.get(link) and _CHAPTER.search(element.get(link)):
            element.set(link, _chapter_renamed(element.get(link), chapters))


def _insert_after(anchor: etree._Element, elements: list[etree._Element], between: str | None = None) -> None:
    """Put ``elements`` after ``anchor``, spaced as pandoc spaces siblings (each on a line of its own, or not)."""
    if between is None:
        previous = anchor.getprevious()
        between = previous.tail if previous is not None else anchor.getparent().text
    for element in elements:
        closing = anchor.tail
        anchor.addnext(element)
        anchor.tail, element.tail = between, closing
        anchor = element
