"""Braille-ready file: UEB grade 2, 40 cells x 25 lines, numbered pages, addresses exact.

That the braille and its print preview hold the whole guide in reading order
(back-translated by liblouis) is checked in test_readback_alignment.py; that
rebuilds are byte-identical, in test_build.py.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from mdguide_build.build import build
from mdguide_build.errors import ContentError
from mdguide_build.writers import braille
from mdguide_build.writers.plain_text import Run
from readback import brf_pages
from validators import lou_back_translate, lou_translate

UNCONTRACTED = "en-us-brf.dis,en-ueb-g1.ctb"
# Braille ASCII: the 64 cells are space and the printable characters 0x21-0x5F.
BRAILLE_ASCII = re.compile(r"[\x20-\x5f]*")


@pytest.fixture(scope="module")
def brf(guide_outputs) -> Path:
    return guide_outputs.one("brf", ".brf")


@pytest.fixture(scope="module")
def pages(brf) -> list[list[str]]:
    return brf_pages(brf)


def squeeze(text: str) -> str:
    """Without whitespace: an address longer than a line is divided between lines."""
    return "".join(text.split())


def urls(content) -> list[str]:
    return [r.url for r in content.resources.resources]


def body_lines(pages: list[list[str]]) -> list[str]:
    """Every line of text, without the page number lines."""
    return [line for page in pages for line in page[1:]]


def test_pages_are_40_cells_by_25_lines_and_numbered(pages):
    assert len(pages) > 40
    for number, page in enumerate(pages, start=1):
        assert 2 <= len(page) <= 25, number
        assert all(len(line) <= 40 and BRAILLE_ASCII.fullmatch(line) for line in page), number
        assert all(line == line.rstrip() for line in page), number
        # The braille page number, right-aligned, alone on the first line.
        assert page[0] == lou_translate(str(number)).strip().rjust(40), number
        assert page[1].strip(), number  # no blank line at the top of a page


def test_top_level_headings_start_a_page_centred(pages, content):
    numbered = [s for s in content.sections if s.numbered]
    titles = [content.foreword.title] + [
        f"{numbered.index(s) + 1}. {s.title}" if s.numbered else s.title for s in content.sections
    ]
    firsts = [page[1] for page in pages]
    for title in titles:
        braille = lou_translate(title).strip()
        line = next((f for f in firsts if braille.startswith(f.strip())), None)
        assert line is not None, title
        margin = len(line) - len(line.lstrip())
        assert abs(margin - (40 - len(line.strip())) // 2) <= 1, title
        assert margin >= 2, title


def test_every_address_is_there_uncontracted(pages, content):
    text = "".join("".join(line.split()) for line in body_lines(pages))
    translations = [lou_translate(u, UNCONTRACTED).strip() for u in urls(content)]
    absent = [u for u, b in zip(urls(content), translations) if b not in text]
    assert absent == []


def test_the_preview_is_the_print_text_with_page_marks_40_characters_a_line(guide_outputs, pages, content):
    preview = guide_outputs.one("brf", "-brf-preview.txt").read_bytes().decode("utf-8")
    assert preview.startswith("Editorial note: this file is not part of")
    # Addresses longer than a line are divided, as in the braille: whole once the lines are joined.
    assert [u for u in urls(content) if squeeze(u) not in squeeze(preview)] == []
    lines = preview.split("\n")
    assert max(len(line) for line in lines) == 40  # as the braille lines: 40 cells
    marks = [int(n) for n in re.findall(r"^--- braille page (\d+) ---$", preview, re.MULTILINE)]
    late = [int(n) for n in re.findall(r"^--- braille page (\d+) began above ---$", preview, re.MULTILINE)]
    assert sorted(marks + late) == list(range(1, len(pages) + 1))


def test_emphasis_and_addresses_in_braille():
    url = "https://www.gov.uk/government/publications"
    italic = braille.line_braille((Run("Read "), Run("Good medical practice", italic=True), Run(" today.")))
    assert ".7" in italic and ".'" in italic  # UEB italic passage: opened and closed
    assert braille.line_braille((Run(url, literal=True),)) == lou_translate(url, UNCONTRACTED).strip()
    assert (
        braille.line_braille((Run(url),)) != lou_translate(url, UNCONTRACTED).strip()
    )  # contracted otherwise


def test_untranslatable_text_fails_clearly_and_keeps_the_previous_braille(
    tmp_path, content_copy, edit_content
):
    """validate refuses a character braille has no sign for (E503), so the build stops before the BRF."""
    out = tmp_path / "out"
    before = {p.name: p.read_bytes() for p in build(content_copy, out, ["brf"]).paths()}
    edit_content("foreword.json", lambda v: v["paragraphs"].__setitem__(0, v["paragraphs"][0] + " ☃"))
    with pytest.raises(ContentError) as refused:
        build(content_copy, out, ["brf"])
    assert [(d.code, d.message) for d in refused.value.diagnostics] == [
        ("E503", "'☃' U+2603 SNOWMAN: the PDF's font has no glyph for it, or braille has no sign for it")
    ]
    assert {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")} == before


def test_the_braille_writer_still_refuses_what_liblouis_cannot_translate():
    """Defence in depth behind validate: the writer never writes liblouis's '\\x…' placeholders."""
    with pytest.raises(
        braille.BrailleError, match=re.escape("no braille for '☃' (U+2603) in en-us-brf.dis,en-ueb-g2.ctb")
    ):
        braille.check_characters("A snowman: ☃")


def test_what_docs_formats_md_says_of_the_brf_is_true(brf, pages):
    """Each fact docs/formats.md gives the person at the embosser, checked on the real file."""
    doc = (Path(__file__).resolve().parent.parent / "docs" / "formats.md").read_text(encoding="utf-8")
    section = doc[doc.index("### What the braille file is") :]
    section = " ".join(section[: section.index("\n## ")].split())
    data = brf.read_bytes()
    text = data.decode("ascii")
    cells = int(re.search(r"(\d+) cells a line at most", section).group(1))
    lines = int(re.search(r"(\d+) lines a page at most", section).group(1))
    assert max(len(line) for page in pages for line in page) == cells == braille.CELLS
    assert max(len(page) for page in pages) == lines == braille.LINES
    assert "North American braille ASCII" in section and "from space to underscore" in section
    assert re.fullmatch(r"[\x20-\x5f\r\n\f]*", text)  # the 64 cells, and the line and page ends only
    assert "every page is numbered, from 1 on the title page" in section
    assert [page[0].strip() for page in pages] == [
        lou_translate(str(n)).strip() for n in range(1, len(pages) + 1)
    ]
    assert "every line ends with a carriage return and a line feed (CR LF)" in section
    assert text.count("\n") == text.count("\r\n") == text.count("\r")
    assert "Every page, the last one too, ends with a form feed (FF)" in section
    assert (
        text.count("\f") == len(pages) and text.endswith("\r\n\f") and "\f" not in text.replace("\r\n\f", "")
    )
    assert "nothing before the first page" in section and text.startswith(" ")
    assert "The title page, the contents and each section start a new page" in section
    assert lou_back_translate(pages[1][1].strip()).strip() == "Contents"
    # The page count the doc tells staff to take is the number of pages.
    assert "grep -c $'\\f'" in section
    counted = subprocess.run(["grep", "-c", "\f", str(brf)], capture_output=True, text=True, check=True)
    assert int(counted.stdout) == len(pages)
