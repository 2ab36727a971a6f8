"""Accessible PDF of the standard edition: tagged PDF/UA-1, A4, en-GB, titled, bookmarked.

That it holds the whole guide in reading order, every note included, is
checked with every other output's in test_readback_alignment.py; that two
builds are byte-identical, in test_build.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from expected import Guide, pdf_heading_tags, pdf_headings
from mdguide_build.build import build
from mdguide_build.pandoc import ast as pa
from mdguide_build.writers import pdf as print_pdf
from readback import link_targets, outline_titles, pdfua_part, squeeze, structure_headings, xmp_title
from validators import pdfinfo, pdftotext


@pytest.fixture(scope="module")
def pdf(guide_outputs) -> Path:
    return guide_outputs.one("pdf", ".pdf")


def test_tagged_a4_with_language_and_title(pdf, content):
    info = pdfinfo(pdf)
    assert info["Tagged"] is True
    assert info["Title"] == content.guide.title
    assert info["Page size"] == "595.276 x 841.89 pts (A4)"
    assert info["CreationDate"].endswith("2017 UTC")  # from the content, not the clock
    root = PdfReader(pdf).trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    # Readers show the title, not the file name.
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert pdfua_part(xmp) == "1"
    assert xmp_title(xmp) == content.guide.title


def test_bookmarks_and_structure_follow_the_headings(pdf):
    expected = pdf_headings(Guide())
    assert len(expected) > 50
    assert outline_titles(pdf) == expected
    assert structure_headings(pdf) == pdf_heading_tags(expected)


def test_links_are_live(pdf, content):
    assert {r.url for r in content.resources.resources} <= link_targets(pdf)


def test_typst_reads_no_file_and_fetches_nothing(tmp_path):
    """The writer's Typst sees an empty project folder: no file to read, no address to fetch."""
    for source, read in (
        (b'#read("/etc/passwd")', "/etc/passwd"),
        (b'#image("https://example.org/x.png")', "https:/example.org/x.png"),
    ):
        with pytest.raises(
            print_pdf.PdfError, match=rf"^Typst: file not found \(searched at .*{re.escape(read)}\)"
        ):
            print_pdf.compile_pdf(source)


def test_templates_import_and_read_nothing():
    """Typst would download an imported @preview package: no template imports, includes or reads."""
    for template in (print_pdf.GUIDE_TEMPLATE, print_pdf.HANDOUT_TEMPLATE, print_pdf.LOOK_TEMPLATE):
        code = template.read_text(encoding="utf-8")
        assert not re.search(
            r"#\s*(import|include)\b|\b(read|image|json|csv|yaml|toml|xml|cbor|plugin)\(", code
        ), template


def test_typst_warnings_and_errors_fail_the_build(tmp_path):
    with pytest.raises(
        print_pdf.PdfError, match=r"^Typst: unknown font family: no such font \(hint: check the "
    ):
        print_pdf.compile_pdf(b'#set document(title: [t])\n#set text(font: "No Such Font")\nx')
    with pytest.raises(print_pdf.PdfError, match=r"^Typst: PDF/UA-1 error: missing document title"):
        print_pdf.write_pdf(
            pa.Document([pa.Para(pa.text("x"))], {"lang": pa.MetaString("en-GB")}),
            tmp_path / "x.pdf",
            template=print_pdf.LOOK_TEMPLATE,
            look=print_pdf.STANDARD,
            date=(2017, 6, 1),
        )
    assert list(tmp_path.iterdir()) == []  # no partial file left behind


INJECTED = (
    r'#import "@preview/cetz:0.3.0": \* #read("/etc/passwd") $x^2$ @foreword <x> '
    r"#set text(fill: red) // not a comment #{1+1} \* = not a heading"
)


def test_content_is_printed_literally_never_run_as_typst(content_copy, edit_content, tmp_path):
    """Typst markup typed into the content is printed as text, in the body and in the metadata."""
    edit_content(
        "foreword.json", lambda v: v["paragraphs"].__setitem__(0, f"Plain words. {INJECTED} More words.")
    )
    subtitle = 'A guide #read("/etc/passwd") $y$ @x <y>'
    edit_content("guide.json", lambda v: v.update(subtitle=subtitle))
    (pdf,) = build(content_copy, tmp_path / "out", ["pdf"]).paths()
    printed = pdftotext(pdf)
    expected = INJECTED.replace(r"\*", "*")  # the inline markup's own escape: a literal *
    assert squeeze(f"Plain words. {expected} More words.") in squeeze(printed)
    assert squeeze(subtitle) in squeeze(printed)
    assert pdfinfo(pdf)["Subject"] == subtitle
    assert "root:" not in printed  # /etc/passwd was not read
