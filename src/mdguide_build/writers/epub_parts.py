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

What does carry from chapter to chapter is a link to an identifier: pandoc
resolves it to the file of the chapter that holds it, which a part may not
have.  A book with such a link is made in one run.  (Pictures, whose media
files pandoc numbers through the book, would be another; the typed AST has
none.)  tests/test_epub_parts.py compares the two ways, byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

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
PART_CHARS = 4_000_000
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
        """Whether the book has no link to an identifier (see the module's docstring), and every
        chapter begins at a heading of its own top level (a part can only begin at one)."""
        # As pandoc JSON, a link's target is an array whose first item is a string beginning with
        # '#' (in text, a '"' is escaped); a false alarm only makes the book in one run.
        # A top-level heading is a block that begins with its tag; one found further in is nested.
        return not any(b'["#' in block or block.find(_CHAPTER_HEADING, 1) >= 0 for block in self.blocks)


def book(source: BookSource, convert: Callable[[str], bytes], spec: Finish) -> bytes:
    """The finished EPUB of ``source``: ``convert`` (pandoc JSON to pandoc's EPUB) run once, or on parts at once."""
    if not source.worth_parts() or not source.parts_match_whole:
        return finish(unzipped(convert(source.whole())), spec)
    with parts.converting(source.size) as pool:
        books = list(pool.map(lambda span: convert(source.with_meta(span)), source.parts(PART_CHARS)))
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
        renamed = {}
        for item in items:
            old = item.get("href", "")
            number = int(_CHAPTER.fullmatch(old.rpartition("/")[2]).group(1))
            new = f"{old.rpartition('/')[0]}/ch{number + offset:03d}.xhtml".lstrip("/")
            renamed[old] = new
            data = part.files[part.book.path(old)]
            old_name, new_name = old.rpartition("/")[2], new.rpartition("/")[2]
            # pandoc titles a chapter after its file name; the finish titles it after its heading
            self.files[self.book.path(new)] = data.replace(
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
            for name in ("id", "idref"):
                if element.get(name):
                    element.set(name, _chapter_renamed(element.get(name), offset))
            if element.get("href"):
                element.set("href", renamed[element.get("href")])
        _insert_after(self.chapters()[-1], items)
        _insert_after(self.book.opf.xpath("//opf:spine/opf:itemref", namespaces=NS)[-1], refs)
        self._add_contents(part, offset)
        self._add_ncx(part, offset)

    def _add_contents(self, part: _Lists, offset: int) -> None:
        toc = "//x:nav[@epub:type='toc']/x:ol"
        ours = one(self.nav, toc, "contents list", self.nav_path)
        theirs = one(part.nav, toc, "contents list", part.nav_path)
        _number_on(theirs, len(ours.xpath(".//x:li", namespaces=NS)), offset, "href")
        _insert_after(ours[-1], list(theirs))

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
    """Number on the list ids (``toc-li-N``) under ``root`` by ``ids``, and its links' chapter files by ``chapters``."""
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
