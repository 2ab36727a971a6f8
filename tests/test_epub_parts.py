"""A large guide's EPUB, converted by pandoc in parts at once, is the book one pandoc run makes.

The build converts the book in parts only from ~8.6 M bytes of pandoc JSON
(about 26 copies of the guide), too slow for the suite, so these tests lower
the thresholds to split the guide itself into parts; tests/test_epub.py checks
the book made whole (EPUBCheck, Ace, the 2017 text).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mdguide_build.build import build
from mdguide_build.pandoc import ast as pa
from mdguide_build.pandoc import runner
from mdguide_build.writers import epub_parts
from mdguide_build.writers.epub import EpubPackageError, Finish, finish, pack, unzipped

BOOK = "the-medical-directors-role.epub"


def built_book(content: Path, out: Path) -> bytes:
    return (build(content, out, ["epub"], force=True).out_dir / BOOK).read_bytes()


def in_parts(monkeypatch, part_chars: int) -> None:
    monkeypatch.setattr(epub_parts, "PARTS_FROM", 0)
    monkeypatch.setattr(epub_parts, "PART_CHARS", part_chars)
    monkeypatch.setattr(epub_parts, "PANDOC_BYTES_PER_PART", 1)  # as many at once as there are cores


def chapters(book: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        return sorted(name for name in archive.namelist() if re.search(r"/ch\d+\.xhtml$", name))


@pytest.mark.parametrize("part_chars", [1, 40_000, 10_000_000])
def test_the_book_made_in_parts_is_the_book_made_whole(
    content_copy, tmp_path, monkeypatch, conversions, part_chars
):
    whole = built_book(content_copy, tmp_path / "whole")
    assert len(conversions) == 1  # the guide is far below the size for parts

    in_parts(monkeypatch, part_chars)
    conversions.clear()
    book = built_book(content_copy, tmp_path / "parts")

    if part_chars == 1:  # a part for each chapter: each begins at a top-level heading
        assert len(conversions) == len(chapters(whole)) > 5
        assert all(re.search(r'"blocks":\[\{"t":"Header","c":\[1,', part) for part in conversions[1:])
    else:  # chapters joined up to the size, or the whole book in one part
        assert (len(conversions) > 1) == (part_chars == 40_000)
    assert all('"meta":{}' not in part for part in conversions)  # every part has the book's metadata
    assert book == whole


def two_chapters(*extra: pa.Inline, second: str = "Two") -> pa.Document:
    """Two chapters, the second headed ``second`` and with ``extra`` after its text."""

    def chapter(title: str, *inlines: pa.Inline) -> list[pa.Block]:
        heading = pa.Header(1, pa.text(title), pa.Attr(identifier=title.lower() or "untitled"))
        return [heading, pa.Para([*pa.text("Text."), *inlines])]

    meta = {"title": pa.MetaString("T"), "lang": pa.MetaString("en-GB"), "identifier": pa.MetaString("urn:x")}
    return pa.Document([*chapter("One"), *chapter(second, *extra)], meta)


def convert(document: str) -> bytes:
    return runner.convert(document, "epub3", extra_args=["--split-level=1", "--toc"])


@pytest.mark.parametrize(
    "extra, made_in_parts",
    [
        ((), True),
        ((pa.Link(pa.text("back to One"), "#one"),), False),  # pandoc resolves it to ch001.xhtml#one
        ((pa.Link(pa.text("a site"), "https://example.org/#one"),), True),
        (tuple(pa.text('text that reads ["#one"]')), True),
    ],
)
def test_a_book_that_links_to_an_identifier_is_made_in_one_run(
    monkeypatch, conversions, extra, made_in_parts
):
    source = epub_parts.BookSource.of(two_chapters(*extra))
    whole = finish(unzipped(convert(source.whole())), SPEC)
    in_parts(monkeypatch, 1)
    conversions.clear()
    book = epub_parts.book(source, convert, SPEC)
    assert len(conversions) == (2 if made_in_parts else 1)
    assert book == whole
    if not made_in_parts:  # what a part without chapter One could not have known
        with zipfile.ZipFile(io.BytesIO(book)) as archive:
            assert b'href="ch001.xhtml#one"' in archive.read("EPUB/text/ch002.xhtml")


def test_a_chapter_that_begins_inside_a_division_makes_the_book_in_one_run(monkeypatch, conversions):
    """A part can only begin at a top-level block: a level-1 heading inside a division begins no part."""
    one, two, three = (two_chapters(second=title) for title in ("Two", "Three", "Four"))
    wrapped = pa.Div(list(two.blocks[2:]), pa.Attr("wrap"))  # chapter Three, in a division
    nested = pa.Document([*one.blocks, wrapped, *three.blocks[2:]], one.meta)  # then chapter Four
    source = epub_parts.BookSource.of(nested)
    whole = finish(unzipped(convert(source.whole())), SPEC)
    in_parts(monkeypatch, 1)
    conversions.clear()
    assert epub_parts.book(source, convert, SPEC) == whole
    assert len(conversions) == 1


def chapters_with(*blocks: pa.Block, named: bool = False) -> pa.Document:
    """Chapters One and Two, each with ``blocks`` after its heading (their identifiers made unique if ``named``)."""
    book = two_chapters()
    one, two = book.blocks[0], book.blocks[2]

    def own(block: pa.Block, chapter: str) -> pa.Block:
        if named and isinstance(block, pa.Header):
            return pa.Header(block.level, block.content, pa.Attr(f"{chapter}-summary"))
        return block

    return pa.Document(
        [one, *(own(b, "one") for b in blocks), two, *(own(b, "two") for b in blocks)], book.meta
    )


SUMMARY = pa.Header(2, pa.text("Summary"))  # no identifier: pandoc makes "summary", then "summary-1"
CASE_STUDY = pa.Div(  # a case study's shape: a named section division opened by a heading without one
    [pa.Header(4, pa.text("Dr A"), pa.Attr("", ["unnumbered", "unlisted"])), pa.Para(pa.text("Story."))],
    pa.Attr("case-study", ["section", "case-study"]),
)


@pytest.mark.parametrize(
    "book, made_in_parts",
    [
        (chapters_with(SUMMARY), False),
        (chapters_with(SUMMARY, named=True), True),
        (chapters_with(pa.Div([SUMMARY], pa.Attr("", ["box"]))), False),
        (pa.Document([*two_chapters().blocks, pa.Header(1, pa.text("One"))], two_chapters().meta), False),
        (
            pa.Document(
                [*two_chapters().blocks, *two_chapters(second="One").blocks[2:]], two_chapters().meta
            ),
            False,
        ),
        (chapters_with(CASE_STUDY), True),
    ],
    ids=["unnamed", "named", "unnamed in a division", "unnamed chapter", "chapter named twice", "case study"],
)
def test_a_heading_pandoc_must_name_makes_the_book_in_one_run(monkeypatch, conversions, book, made_in_parts):
    source = epub_parts.BookSource.of(book)
    whole = finish(unzipped(convert(source.whole())), SPEC)
    in_parts(monkeypatch, 1)
    conversions.clear()
    assert epub_parts.book(source, convert, SPEC) == whole
    assert (len(conversions) > 1) == made_in_parts


def test_a_first_part_with_nothing_in_the_contents_is_joined(monkeypatch, conversions):
    """Its chapters all unlisted, the first part's contents list is empty: the next part's entries begin it."""
    book = two_chapters()
    unlisted = pa.Header(1, pa.text("One"), pa.Attr("one", ["unlisted"]))
    source = epub_parts.BookSource.of(pa.Document([unlisted, *book.blocks[1:]], book.meta))
    whole = finish(unzipped(convert(source.whole())), SPEC)
    in_parts(monkeypatch, 1)
    conversions.clear()
    assert epub_parts.book(source, convert, SPEC) == whole
    assert len(conversions) == 2


def test_a_chapter_whose_heading_has_no_words_keeps_the_title_of_its_place_in_the_book(monkeypatch):
    """The finish titles a chapter after its heading; with no words there, pandoc's title (its file) stays."""
    source = epub_parts.BookSource.of(two_chapters(second=""))
    whole = finish(unzipped(convert(source.whole())), SPEC)
    in_parts(monkeypatch, 1)
    book = epub_parts.book(source, convert, SPEC)
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        assert b"<title>ch002.xhtml</title>" in archive.read("EPUB/text/ch002.xhtml")
    assert book == whole


SPEC = Finish(
    stylesheet=b"body {}",
    modified=datetime(2017, 6, 1, tzinfo=UTC),
    publishers=("P",),
    subtitle="S",
    conforms_to="EPUB Accessibility 1.1 - WCAG 2.2 Level AA",
    certified_by="C",
    bodymatter_label="Start",
)


def test_a_part_whose_chapter_is_not_in_its_spine_is_refused_with_a_message():
    """Should pandoc's EPUB change shape, the join says so instead of making a book that lists a chapter nowhere."""
    source = epub_parts.BookSource.of(two_chapters())
    first, second = (convert(source.with_meta(span)) for span in source.parts(1))
    files = unzipped(second)
    files["EPUB/content.opf"] = re.sub(rb'\s*<itemref idref="ch001_xhtml" />', b"", files["EPUB/content.opf"])
    with pytest.raises(EpubPackageError, match=r"\['text/ch001.xhtml'\] are not in the spine"):
        epub_parts.joined([first, pack(files, SPEC.modified)])


def test_once_a_part_fails_no_part_not_yet_begun_begins(monkeypatch):
    """Ctrl+C stops the running pandocs too: the book then fails at once, instead of a freed thread
    beginning the next part (measured at 50 copies: 2.3 s from Ctrl+C to the end, now 0.07 s)."""
    book = two_chapters()
    chapters = [pa.Header(1, pa.text(f"Chapter {n}"), pa.Attr(f"c{n}")) for n in range(3, 9)]
    source = epub_parts.BookSource.of(pa.Document([*book.blocks, *chapters], book.meta))
    begun: list[int] = []

    def convert_failing_second(part: str) -> bytes:
        begun.append(len(begun) + 1)
        if len(begun) == 2:
            raise runner.PandocError("pandoc failed converting to epub3 (exit 130): interrupted", to="epub3")
        return convert(part)

    in_parts(monkeypatch, 1)
    monkeypatch.setattr(epub_parts.parts.os, "cpu_count", lambda: 2)
    with pytest.raises(runner.PandocError, match="interrupted"):
        epub_parts.book(source, convert_failing_second, SPEC)
    assert len(source.parts(1)) == 8 and begun == [1, 2]
