"""A large guide's web page, converted by pandoc in parts at once, is the page one pandoc run makes.

The build converts the page in parts only from ~8.6 M bytes of pandoc JSON
(about 26 copies of the guide), too slow for the suite, so these tests lower
the thresholds to split the guide itself into parts; tests/test_html.py checks
the page made whole against the 2017 text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mdguide_build.build import build
from mdguide_build.writers import html_page
from mdguide_build.writers import parts as sizes

PAGE = "the-medical-directors-role.html"


def built_page(content: Path, out: Path) -> bytes:
    return (build(content, out, ["html"], force=True).out_dir / PAGE).read_bytes()


@pytest.mark.parametrize("part_chars", [1, 40_000, 10_000_000])
def test_the_page_made_in_parts_is_the_page_made_whole(
    content_copy, tmp_path, monkeypatch, conversions, part_chars
):
    whole = built_page(content_copy, tmp_path / "whole")
    assert len(conversions) == 1  # the guide is far below the size for parts

    monkeypatch.setattr(sizes, "PARTS_FROM", 0)
    monkeypatch.setattr(sizes, "PART_CHARS", part_chars)
    monkeypatch.setattr(sizes, "PANDOC_BYTES_PER_PART", 1)  # as many at once as there are cores
    conversions.clear()
    in_parts = built_page(content_copy, tmp_path / "parts")

    frames = [source for source in conversions if '"meta":{}' not in source]
    parts = [source for source in conversions if '"meta":{}' in source]
    assert len(frames) == 1 and '"t":"Para"' not in frames[0]  # the frame: metadata and headings
    if part_chars == 1:  # a part for each piece: each begins at a heading of the top two levels
        assert len(parts) > 10
        assert all(re.search(r'"blocks":\[\{"t":"Header","c":\[[12],', part) for part in parts)
    else:  # pieces joined up to the size, or the whole body in one part
        assert (len(parts) > 1) == (part_chars == 40_000)
    assert in_parts == whole


def test_a_page_that_fails_stops_its_parts_at_once(content, tmp_path, monkeypatch, conversions):
    from mdguide_build.builders.html import guide_page

    source = html_page.PageSource.of(guide_page(content))
    monkeypatch.setattr(sizes, "PARTS_FROM", 0)
    monkeypatch.setattr(sizes, "PART_CHARS", 1)
    monkeypatch.setattr(sizes, "PANDOC_BYTES_PER_PART", 2**60)  # one at a time
    monkeypatch.setattr(html_page, "MAIN_OPEN", b"<main class='not-in-the-template'>")  # the frame fails
    with pytest.raises(html_page.PageError, match="HTML template"):
        html_page.write_page(source, tmp_path / PAGE)
    parts = [s for s in conversions if '"meta":{}' in s]
    assert len(source.parts(1)) > 10 and len(parts) <= 2  # at most the one or two running when it failed


def test_a_first_part_that_renders_as_nothing_adds_no_line(tmp_path, monkeypatch):
    from mdguide_build.pandoc import ast as pa

    heading = pa.Header(1, pa.text("Foreword"), pa.Attr(identifier="foreword"))
    document = pa.Document([pa.Plain([]), heading, pa.Para(pa.text("Text."))], {"title": pa.MetaString("T")})
    source = html_page.PageSource.of(document)
    whole = html_page.convert_page(source.whole())
    assert b'<main id="main" tabindex="-1">\n<h2 id="foreword">' in whole  # pandoc leaves the empty block out

    monkeypatch.setattr(sizes, "PARTS_FROM", 0)
    monkeypatch.setattr(sizes, "PART_CHARS", 1)
    html_page.write_page(source, tmp_path / PAGE)
    assert (tmp_path / PAGE).read_bytes() == whole


def test_a_page_with_pandoc_footnotes_is_made_whole_by_the_build_and_the_preview(tmp_path, monkeypatch):
    """pandoc numbers footnotes on from block to block: in parts, each part's would start again at 1."""
    from mdguide_build.pandoc import ast as pa
    from mdguide_build.tools.preview_page import IncrementalPage

    def section(title: str, note: str) -> list[pa.Block]:
        return [
            pa.Header(1, pa.text(title), pa.Attr(identifier=title.lower())),
            pa.Para([*pa.text("See"), pa.Note([pa.Para(pa.text(note))])]),
        ]

    document = pa.Document(
        [*section("One", "First note."), *section("Two", "Second note.")], {"title": pa.MetaString("T")}
    )
    whole = html_page.convert_page(document.to_json_text())
    assert b'id="fnref1"' in whole and b'id="fnref2"' in whole  # numbered on: 1, then 2

    monkeypatch.setattr(sizes, "PARTS_FROM", 0)
    monkeypatch.setattr(sizes, "PART_CHARS", 1)
    html_page.write_page(html_page.PageSource.of(document), tmp_path / PAGE)
    assert (tmp_path / PAGE).read_bytes() == whole
    assert IncrementalPage().page(document) == whole
