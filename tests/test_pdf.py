"""Accessible PDF of the standard edition: tagged PDF/UA-1, A4, en-GB, titled, bookmarked, complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import CONTENT
from mdguide_build.build import build
from mdguide_build.writers import pdf as print_pdf
from readback import (
    ast_headings,
    expected_pieces,
    link_targets,
    missing,
    outline_titles,
    squeeze,
    structure_headings,
    urls,
)
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
    assert 'pdfuaid:part="1"' in xmp
    assert f">{content.guide.title}<" in xmp


def test_every_text_and_address_is_there(pdf, content):
    printed = pdftotext(pdf)
    assert missing(expected_pieces(content), printed, urls(content)) == []
    assert [u for u in urls(content) if squeeze(u) not in squeeze(printed)] == []


def test_links_are_live(pdf, content):
    assert set(urls(content)) <= link_targets(pdf)


def test_bookmarks_and_structure_follow_the_headings(pdf, content):
    headings = ast_headings(content)
    assert outline_titles(pdf) == headings
    assert structure_headings(pdf) == [f"H{min(level, 6)}" for level, _ in headings]


def test_reading_order_follows_the_guide(pdf, content):
    printed = squeeze(pdftotext(pdf))
    body = printed[printed.index(squeeze("We both remember")) :]  # after the contents list
    titles = [squeeze(s.title) for s in content.sections]
    positions = [body.index(t) for t in titles]
    assert positions == sorted(positions)


def test_rebuilds_are_byte_identical(pdf, tmp_path):
    again = build(CONTENT, tmp_path, ["pdf"], force=True).paths()
    assert again[0].read_bytes() == pdf.read_bytes()


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
