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

from expected import Guide, pdf_headings
from mdguide_build.writers import pdf as print_pdf
from readback import link_targets, outline_titles, structure_headings
from validators import pdfinfo


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
    assert 'pdfuaid:part="1"' in xmp
    assert f">{content.guide.title}<" in xmp


def test_bookmarks_and_structure_follow_the_headings(pdf):
    expected = pdf_headings(Guide())
    assert len(expected) > 50
    assert outline_titles(pdf) == expected
    assert structure_headings(pdf) == [f"H{min(level, 6)}" for level, _ in expected]


def test_links_are_live(pdf, content):
    assert {r.url for r in content.resources.resources} <= link_targets(pdf)


def test_nothing_is_fetched(tmp_path):
    html = (
        '<html lang="en-GB"><head><title>t</title></head><body><p>x</p>'
        '<img src="https://example.org/x.png" alt="x"></body></html>'
    )
    with pytest.raises(
        print_pdf.PdfError, match=r"asked for 'https://example.org/x.png', but nothing may be fetched"
    ):
        print_pdf.write_pdf(html, tmp_path / "x.pdf", "test")
    assert list(tmp_path.iterdir()) == []  # no partial file left behind


def test_weasyprint_warnings_fail_the_build(tmp_path):
    html = (
        '<html lang="en-GB"><head><title>t</title><style>p { colour: red }</style></head>'
        "<body><p>x</p></body></html>"
    )
    warning = "WeasyPrint: Ignored `colour: red ` at 1:5, unknown property."
    with pytest.raises(print_pdf.PdfError, match=re.escape(warning)):
        print_pdf.write_pdf(html, tmp_path / "x.pdf", "test")
    assert list(tmp_path.iterdir()) == []
