"""Large print (UKAAF / RNIB clear print): DOCX in Word's own styles and a tagged PDF.

Each is checked for no size below the body size and for no italics,
underlining or capitals; the PDF also for tagging, language, title and
bookmarks.  That both hold the whole guide in reading order is checked in
test_readback_alignment.py; that rebuilds are byte-identical, in test_build.py.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from pypdf import PdfReader

from conftest import CONTENT
from expected import Guide, pdf_heading_tags, pdf_headings
from mdguide_build.build import build
from mdguide_build.builders.base import BuildOptions
from mdguide_build.builders.large_print import LargePrintDocxBuilder
from mdguide_build.cli import main
from mdguide_build.pandoc import ast as pa
from mdguide_build.pandoc.rewrite import emphasis_to_strong, spell_out_urls
from readback import link_targets, outline_titles, pdf_text_sizes, structure_headings
from validators import pdfinfo

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
BODY = 18
TEXT_PARTS = ("word/document.xml", "word/footnotes.xml")


@pytest.fixture(scope="module")
def docx(guide_outputs) -> Path:
    return guide_outputs.one("large-print-docx", "-large-print-18pt.docx")


@pytest.fixture(scope="module")
def pdf(guide_outputs) -> Path:
    return guide_outputs.one("large-print-pdf", "-large-print-18pt.pdf")


def part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(name))


def xml_parts(path: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as archive:
        return {
            n: etree.fromstring(archive.read(n))
            for n in archive.namelist()
            if n.startswith("word/") and n.endswith(".xml")
        }


def style(styles: etree._Element, style_id: str) -> etree._Element:
    found = styles.find(f"{W}style[@{W}styleId='{style_id}']")
    assert found is not None, style_id
    return found


def half_points(element: etree._Element) -> int | None:
    size = element.find(f"{W}rPr/{W}sz")
    return None if size is None else int(size.get(f"{W}val"))


# --- the point size ---------------------------------------------------------------


def test_the_cli_refuses_less_than_16_point(tmp_path):
    result = CliRunner().invoke(
        main, ["build", "--out", str(tmp_path / "out"), "--format", "large-print-pdf", "--point-size", "14"]
    )
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Invalid value for --point-size: large print must be at least 16 pt (RNIB clear print guidance)"
    )
    assert not (tmp_path / "out").exists()


def test_the_library_refuses_less_than_16_point_too(content):
    from mdguide_build.builders.large_print import LargePrintError

    with pytest.raises(LargePrintError, match=r"^large print must be at least 16 pt, not 12 \(hint: "):
        LargePrintDocxBuilder(BuildOptions(point_size=12)).outputs(content)


@pytest.mark.slow
def test_a_larger_size_on_request(tmp_path):
    report = build(CONTENT, tmp_path, ["large-print-docx", "large-print-pdf"], BuildOptions(point_size=24))
    names = sorted(p.name for p in report.paths())
    assert names == [f"the-medical-directors-role-large-print-24pt.{suffix}" for suffix in ("docx", "pdf")]
    defaults = part(tmp_path / names[0], "word/styles.xml").find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}sz")
    assert defaults.get(f"{W}val") == "48"
    sizes = pdf_text_sizes(tmp_path / names[1], slice(0, 8))
    assert min(sizes) == 24 and max(sizes, key=sizes.get) == 24


# --- DOCX -------------------------------------------------------------------------


def test_docx_uses_no_size_below_the_body(docx):
    parts = xml_parts(docx)
    defaults = parts["word/styles.xml"].find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    assert defaults.find(f"{W}sz").get(f"{W}val") == str(2 * BODY)
    small = [
        (name, element.get(f"{W}val"))
        for name, root in parts.items()
        for element in root.iter(f"{W}sz", f"{W}szCs")
        if int(element.get(f"{W}val")) < 2 * BODY
    ]
    assert small == []


def test_docx_headings_are_larger_still(docx):
    styles = part(docx, "word/styles.xml")
    sizes = [half_points(style(styles, f"Heading{n}")) for n in range(1, 7)]
    assert all(size > 2 * BODY for size in sizes), sizes
    assert sizes == sorted(sizes, reverse=True)


def test_docx_has_no_italics_underlining_or_capitals(docx):
    banned = [f"{W}{tag}" for tag in ("i", "iCs", "caps", "smallCaps", "vertAlign")]
    found = [(name, element.tag) for name, root in xml_parts(docx).items() for element in root.iter(*banned)]
    found += [
        (name, "u")
        for name, root in xml_parts(docx).items()
        for element in root.iter(f"{W}u")
        if element.get(f"{W}val") != "none"
    ]
    assert found == []


def test_docx_note_numbers_are_full_size_and_bold(docx):
    styles = part(docx, "word/styles.xml")
    reference = style(styles, "FootnoteReference").find(f"{W}rPr")
    assert reference.find(f"{W}b") is not None
    assert reference.find(f"{W}vertAlign") is None  # not a small superscript
    assert int(reference.find(f"{W}position").get(f"{W}val")) > 0  # raised a little instead
    assert half_points(style(styles, "FootnoteText")) in (None, 2 * BODY)


def test_docx_is_left_aligned_with_line_spacing_one_and_a_half_on_a4(docx):
    parts = xml_parts(docx)
    jc = [
        (name, element.get(f"{W}val"))
        for name in ("word/styles.xml", *TEXT_PARTS)
        for element in parts[name].iter(f"{W}jc")
        if element.get(f"{W}val") not in ("left", "start")
    ]
    assert jc == []
    spacing = style(parts["word/styles.xml"], "Normal").find(f"{W}pPr/{W}spacing")
    assert (spacing.get(f"{W}line"), spacing.get(f"{W}lineRule")) == ("360", "auto")
    lines = {element.get(f"{W}line") for element in parts["word/styles.xml"].iter(f"{W}spacing")} - {None}
    assert lines == {"360"}
    size = parts["word/document.xml"].find(f".//{W}sectPr/{W}pgSz")
    assert (size.get(f"{W}w"), size.get(f"{W}h")) == ("11906", "16838")


def test_docx_is_styled_in_words_own_styles(docx, content):
    body = part(docx, "word/document.xml")
    styled = {}
    for paragraph in body.iter(f"{W}p"):
        name = paragraph.find(f"{W}pPr/{W}pStyle")
        styled["".join(t.text or "" for t in paragraph.iter(f"{W}t"))] = (
            None if name is None else name.get(f"{W}val")
        )
    assert styled[content.foreword.title] == "Heading1"
    assert styled[content.guide.title] == "Title"
    numbered = [s for s in content.sections if s.numbered]
    assert styled[f"1. {numbered[0].title}"] == "Heading1"
    assert styled[numbered[0].subsections[0].title] == "Heading2"


def test_pdf_is_tagged_with_language_title_and_bookmarks(pdf, content):
    info = pdfinfo(pdf)
    assert info["Tagged"] is True
    assert info["Title"] == content.guide.title
    assert info["Page size"] == "595.276 x 841.89 pts (A4)"
    assert PdfReader(pdf).trailer["/Root"]["/Lang"] == "en-GB"
    headings = pdf_headings(Guide())
    assert outline_titles(pdf) == headings
    assert structure_headings(pdf) == pdf_heading_tags(headings)
    assert {r.url for r in content.resources.resources} <= link_targets(pdf)


def test_pdf_uses_no_size_below_the_body(pdf):
    sizes = pdf_text_sizes(pdf)
    assert min(sizes) == BODY  # page numbers, notes and note numbers included
    assert max(sizes, key=sizes.get) == BODY
    assert sum(sizes.values()) > 50_000  # really the whole guide


def test_pdf_has_no_italic_fonts(pdf):
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    names = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert names and not [n for n in names if re.search(r"Italic|Oblique", n, re.IGNORECASE)]


def test_emphasis_becomes_bold():
    document = pa.Document(
        [
            pa.Para(
                [
                    pa.Emph(pa.text("Good medical practice")),
                    pa.Space(),
                    pa.Strong([pa.Emph(pa.text("nested"))]),
                ]
            )
        ]
    )
    assert emphasis_to_strong(document).blocks == (
        pa.Para(
            [
                pa.Strong(pa.text("Good medical practice")),
                pa.Space(),
                pa.Strong([pa.Strong(pa.text("nested"))]),
            ]
        ),
    )


def test_addresses_are_spelled_out_unless_a_note_gives_them():
    url, other = "https://example.org/a", "https://example.org/b"
    linked = pa.Link(pa.text("A"), url, attr=pa.Attr(classes=["resource"]))
    noted = pa.Link(pa.text("B"), other, attr=pa.Attr(classes=["resource"]))
    note = pa.Note([pa.Para([pa.Link([pa.Str(other)], other, attr=pa.Attr(classes=["url"]))])])
    document = pa.Document([pa.Para([linked, pa.Space(), noted, pa.Str("."), note])])
    assert spell_out_urls(document).blocks == (
        pa.Para(
            [
                linked,
                pa.Space(),
                pa.Str("("),
                pa.Link([pa.Str(url)], url, attr=pa.Attr(classes=["url"])),
                pa.Str(")"),
                pa.Space(),
                noted,
                pa.Str("."),
                note,
            ]
        ),
    )
