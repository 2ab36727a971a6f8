"""The Word document: Word's own structure, named styles, real footnotes, and nothing lost.

Everything is read back with independent tools: python-docx (styles,
paragraphs, properties), lxml on the package parts (footnotes, fields,
relationships), pandoc's DOCX reader, and LibreOffice, which converts the file
to PDF for pdftotext.  What each must hold comes from content/ (expected.py).
The package's own text is aligned with the guide in test_readback_alignment.py,
and rebuilds are compared in test_build.py.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from lxml import etree

from alignment import align
from expected import LAYOUTS, Guide, all_blocks, attribution, contents, guide_units, headings, words
from mdguide_build.build import build
from mdguide_build.builders.base import BuildOptions
from mdguide_build.pandoc.runner import pandoc_path
from mdguide_build.writers.reference_docx import reference_docx
from readback import pdf_text
from validators import pdfinfo, soffice_to_pdf

ROOT = Path(__file__).resolve().parent.parent
MDGUIDE = Path(sys.executable).parent / "mdguide"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# The paragraph styles the guide's parts are set in, by the names a Word user sees.
STYLES = (
    "Pull Quote",
    "Attribution",
    "Case Study",
    "Case Study Person",
    "Criterion",
    "Prompting Question",
    "Figure Description",
    "Editorial Note",
)


# --- helpers --------------------------------------------------------------------------------------


def part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(name))


def relationship_targets(path: Path, rels: str) -> dict[str, str]:
    return {r.get("Id"): r.get("Target") for r in part(path, rels).iter(f"{RELS}Relationship")}


def resolved(styles: etree._Element, style_id: str, path: str) -> etree._Element | None:
    """The first element at ``path`` (e.g. 'w:rPr/w:i') along a style's basedOn chain."""
    by_id = {s.get(f"{W}styleId"): s for s in styles.iter(f"{W}style")}
    seen = set()
    while style_id and style_id not in seen:
        seen.add(style_id)
        style = by_id[style_id]
        found = style.find(path.replace("w:", W))
        if found is not None:
            return found
        based = style.find(f"{W}basedOn")
        style_id = based.get(f"{W}val") if based is not None else None
    return None


def luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def docx_path(guide_outputs) -> Path:
    return guide_outputs.one("docx", ".docx")


@pytest.fixture(scope="module")
def word(docx_path):
    return docx.Document(str(docx_path))


@pytest.fixture(scope="module")
def guide() -> Guide:
    return Guide()


@pytest.fixture(scope="module")
def pdf(docx_path, tmp_path_factory) -> Path:
    """The DOCX as LibreOffice prints it (one conversion for the module)."""
    return soffice_to_pdf(docx_path, tmp_path_factory.mktemp("docx-pdf"))


# --- structure ------------------------------------------------------------------------------------


def test_headings_use_words_own_styles_so_the_navigation_pane_shows_the_outline(word, guide, docx_path):
    in_word = [
        (int(p.style.name.removeprefix("Heading ")), p.text)
        for p in word.paragraphs
        if p.style.name.startswith("Heading ")
    ]
    assert in_word == headings(guide)
    assert {level for level, _ in in_word} == {1, 2, 3, 4, 5}
    styles = part(docx_path, "word/styles.xml")
    for level in range(1, 7):
        style = next(s for s in styles.iter(f"{W}style") if s.get(f"{W}styleId") == f"Heading{level}")
        assert (
            style.find(f"{W}name").get(f"{W}val") == f"heading {level}"
        )  # Word's built-in, not a look-alike
        assert style.find(f"{W}pPr/{W}outlineLvl").get(f"{W}val") == str(level - 1)


def test_named_styles_are_defined_in_the_reference_document(docx_path):
    styles = {s.get(f"{W}styleId"): s for s in part(docx_path, "word/styles.xml").iter(f"{W}style")}
    for name in STYLES:
        style = styles[name.replace(" ", "")]
        assert style.find(f"{W}name").get(f"{W}val") == name
        # Defined by us (pandoc adds a bare 'based on Body Text' style for names it does not know).
        assert style.find(f"{W}pPr") is not None or style.find(f"{W}rPr") is not None, name
    pull_quote = styles["PullQuote"]
    assert int(pull_quote.find(f"{W}rPr/{W}sz").get(f"{W}val")) > 24  # larger than the 12 pt text
    assert int(pull_quote.find(f"{W}pPr/{W}ind").get(f"{W}left")) > 0
    assert pull_quote.find(f"{W}pPr/{W}pBdr/{W}left").get(f"{W}val") == "single"
    assert styles["CaseStudy"].find(f"{W}pPr/{W}shd") is not None


def test_named_styles_hold_the_guides_quotes_case_studies_criteria_and_questions(word, guide):
    paragraphs: dict[str, list[str]] = {}
    for p in word.paragraphs:
        paragraphs.setdefault(p.style.name, []).append(p.text)
    blocks = [b for s in guide.sections for b in all_blocks(s)]
    pull_quotes = [b for b in blocks if b["type"] == "pull-quote"]
    quotes = [q["text"] for b in pull_quotes for q in b["quotes"]]
    case_studies = [b for b in blocks if b["type"] == "case-study"]
    criteria = [c for g in guide.spec["groups"] for c in g["criteria"]]
    figures = sorted(guide.figures.values(), key=lambda f: guide.figure_numbers[f["id"]])

    assert paragraphs["Pull Quote"] == [f"“{words(q)}”" for q in quotes]
    assert len(quotes) == 20
    assert paragraphs["Attribution"] == [attribution(b["attribution"]) for b in pull_quotes]
    assert paragraphs["Case Study Person"] == [
        f"{c['person']['title']}, {c['person']['organisation']}" for c in case_studies
    ]
    assert len(case_studies) == 3
    assert paragraphs["Case Study"] == [words(p) for c in case_studies for p in c["paragraphs"]]
    assert paragraphs["Criterion"] == [words(c["text"]) for c in criteria]
    assert len(criteria) == 22
    assert paragraphs["Prompting Question"] == [words(q) for c in criteria for q in c.get("questions", [])]
    assert len(paragraphs["Prompting Question"]) == 13
    assert paragraphs["Figure Description"] == [
        words(t) for f in figures for t in (f["description"]["lead"], *f["description"]["items"])
    ]
    # Editorial notes and extraction gaps, each figure's note on its description, and the changes page's.
    notes = [b for b in blocks if b["type"] in ("editorial-note", "extraction-gap")]
    assert len(paragraphs["Editorial Note"]) == len(notes) + len(figures) + 1
    assert all(text.startswith("Editorial note:") for text in paragraphs["Editorial Note"])


def test_figure_descriptions_are_text_with_numbered_captions(word, guide, docx_path):
    captions = [p.text for p in word.paragraphs if p.style.name == "Image Caption"]
    numbers = guide.figure_numbers  # in the order figures are placed
    by_number = sorted(guide.figures.values(), key=lambda f: numbers[f["id"]])
    assert captions == [f"Figure {numbers[f['id']]}: {f['caption']}" for f in by_number]
    assert len(captions) == 3
    with zipfile.ZipFile(docx_path) as archive:  # the descriptions are the figures: no picture parts
        assert [n for n in archive.namelist() if n.startswith("word/media/")] == []


def test_footnotes_are_real_word_footnotes_with_every_resource_url(docx_path, content):
    notes = [
        n for n in part(docx_path, "word/footnotes.xml").iter(f"{W}footnote") if n.get(f"{W}type") is None
    ]
    targets = relationship_targets(docx_path, "word/_rels/footnotes.xml.rels")
    urls = []
    for note in notes:
        links = note.findall(f".//{W}hyperlink")
        assert len(links) == 1
        url = targets[links[0].get(f"{R}id")]
        assert "".join(t.text for t in links[0].iter(f"{W}t")) == url  # the full address is visible
        urls.append(url)
    resources = [r.url for r in content.resources.resources]
    assert len(notes) == len(resources) == 40
    assert sorted(urls) == sorted(resources)
    body = part(docx_path, "word/document.xml")
    references = [r.get(f"{W}id") for r in body.iter(f"{W}footnoteReference")]
    assert references == [n.get(f"{W}id") for n in notes]


def test_contents_lists_sections_and_subsections_linked_to_their_headings(docx_path, guide):
    body = part(docx_path, "word/document.xml")
    entries = []
    for p in body.iter(f"{W}p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        if (
            style is not None
            and style.get(f"{W}val").startswith("TOC")
            and style.get(f"{W}val") != "TOCHeading"
        ):
            link = p.find(f"{W}hyperlink")
            entries.append(
                (
                    int(style.get(f"{W}val")[3:]),
                    "".join(t.text for t in p.iter(f"{W}t")),
                    link.get(f"{W}anchor"),
                )
            )
    assert entries == contents(guide, 2)
    assert len(entries) >= 15
    bookmarks = {b.get(f"{W}name") for b in body.iter(f"{W}bookmarkStart")}
    assert {anchor for _, _, anchor in entries} <= bookmarks
    instructions = [t.text.strip() for t in body.iter(f"{W}instrText")]
    assert instructions == ['TOC \\o "1-2" \\h \\z \\u']


def test_document_properties_title_subject_authors_and_language(word, content, docx_path):
    core = word.core_properties
    assert core.title == content.guide.title == "The medical director's role"
    assert core.subject == "Medical leadership"
    assert (
        core.author
        == "; ".join(content.guide.publishers)
        == ("NHS Improvement; Faculty of Medical Leadership and Management")
    )
    assert core.language == "en-GB"
    assert core.created == datetime(2017, 6, 1, tzinfo=UTC)  # the guide's publication, not 1970
    assert core.modified == datetime(2017, 6, 1, tzinfo=UTC)
    styles = part(docx_path, "word/styles.xml")
    assert styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang").get(f"{W}val") == "en-GB"
    assert part(docx_path, "word/settings.xml").find(f"{W}themeFontLang").get(f"{W}val") == "en-GB"


def test_looks_accessible_arial_12pt_no_italics_and_enough_contrast(docx_path):
    styles = part(docx_path, "word/styles.xml")
    defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    assert defaults.find(f"{W}rFonts").get(f"{W}ascii") == "Arial"
    assert defaults.find(f"{W}sz").get(f"{W}val") == "24"
    assert not [f for f in styles.iter(f"{W}rFonts") if any("theme" in k.lower() for k in f.attrib)]
    body = part(docx_path, "word/document.xml")
    used = {s.get(f"{W}val") for s in body.iter(f"{W}pStyle", f"{W}rStyle")}
    assert {"PullQuote", "Heading4", "ImageCaption", "Hyperlink"} <= used
    for style_id in used:
        italic = resolved(styles, style_id, "w:rPr/w:i")
        assert italic is None or italic.get(f"{W}val") in ("0", "false"), style_id
    for style in styles.iter(f"{W}style"):
        fill = style.find(f"{W}pPr/{W}shd")
        background = fill.get(f"{W}fill") if fill is not None else "FFFFFF"
        for colour in style.iter(f"{W}color"):
            if colour.get(f"{W}val") != "auto":
                assert contrast(colour.get(f"{W}val"), background) >= 4.5, style.get(f"{W}styleId")
    link = next(s for s in styles.iter(f"{W}style") if s.get(f"{W}styleId") == "Hyperlink")
    assert link.find(f"{W}rPr/{W}u").get(f"{W}val") == "single"  # not colour alone


# --- nothing lost ---------------------------------------------------------------------------------


def read_back(path: Path, to: str) -> str:
    done = subprocess.run(
        [pandoc_path(), "--from=docx", f"--to={to}", "--wrap=none", str(path)],
        capture_output=True,
        timeout=60,
        check=True,
        env={"PATH": os.defpath, "LC_ALL": "C.UTF-8"},
    )
    return done.stdout.decode("utf-8")


def test_pandoc_reads_back_every_text_of_the_guide(docx_path, content, guide):
    meta = json.loads(read_back(docx_path, "json"))["meta"]
    assert [pa_text_json(meta[key]["c"]) for key in ("title", "subtitle")] == [
        content.guide.title,
        content.guide.subtitle,
    ]
    assert [pa_text_json(a["c"]) for a in meta["author"]["c"]] == content.guide.publishers
    # pandoc keeps the title block as metadata, and gathers the footnotes at the end.
    expected = guide_units(guide, LAYOUTS["docx"])
    body = [u for u in expected.units if u.kind != "title"]
    assert align(body, read_back(docx_path, "plain"), apart=expected.apart).problems() == []


def pa_text_json(inlines: list) -> str:
    return "".join(i["c"] if i["t"] == "Str" else " " for i in inlines)


@pytest.mark.slow
def test_libreoffice_opens_it_and_prints_every_text_and_url(pdf, content, guide):
    info = pdfinfo(pdf)
    assert info["Pages"] >= 20
    assert "A4" in info["Page size"]
    assert info["Title"] == content.guide.title
    assert info["Author"] == "; ".join(content.guide.publishers)
    # Every unit in order; the footnotes at the foot of LibreOffice's pages, in order.
    expected = guide_units(guide, LAYOUTS["docx"])
    assert align(expected.units, pdf_text(pdf), apart=expected.apart).problems() == []


@pytest.mark.slow
def test_libreoffice_shows_the_contents_on_page_two(pdf, guide):
    page_two = " ".join(
        subprocess.run(
            ["pdftotext", "-f", "2", "-l", "2", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert page_two.startswith("Contents")
    assert [text for _, text, _ in contents(guide, 2) if text not in page_two] == []


# --- reproducible ---------------------------------------------------------------------------------


def test_source_date_epoch_dates_the_document_and_its_zip(tmp_path):
    out = tmp_path / "out"
    build(ROOT / "content", out, ["docx"], BuildOptions(source_date_epoch=1700000000))
    path = out / "the-medical-directors-role.docx"
    core = docx.Document(str(path)).core_properties
    assert (core.created, core.modified) == (
        datetime(2017, 6, 1, tzinfo=UTC),
        datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC),
    )
    with zipfile.ZipFile(path) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2023, 11, 14, 22, 13, 20)}
        assert archive.namelist()[0] == "[Content_Types].xml"


def test_reference_document_is_the_same_bytes_in_a_fresh_process():
    code = "import sys; from mdguide_build.writers.reference_docx import reference_docx; sys.stdout.buffer.write(reference_docx())"
    fresh = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        check=True,
        env={**os.environ, "TZ": "Asia/Kolkata"},
    ).stdout
    assert fresh == reference_docx()
    styles = docx.Document(io.BytesIO(fresh)).styles
    assert {s.name for s in styles} >= set(STYLES)


# --- safe -----------------------------------------------------------------------------------------


def test_script_handlers_and_javascript_urls_stay_plain_text(tmp_path, content_copy, edit_content):
    hostile = "<script>alert(1)</script> <img src=x onerror=alert(2)> javascript:alert(3) "

    def attacked(data: dict) -> None:
        paragraph = next(b for b in data["blocks"] if b["type"] == "paragraph")
        paragraph["text"] = hostile + paragraph["text"]

    edit_content("sections/0-introduction.json", attacked)
    out = tmp_path / "out"
    build(content_copy, out, ["docx"])
    path = out / "the-medical-directors-role.docx"

    assert any(p.text.startswith(hostile.strip()) for p in docx.Document(str(path)).paragraphs)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in parts["word/document.xml"]
    assert not [n for n, xml in parts.items() if re.search(r"<script|<img", xml, re.IGNORECASE)]
    targets = [t for n in parts if n.endswith(".rels") for t in relationship_targets(path, n).values()]
    assert targets and not [
        t for t in targets if t.strip().lower().startswith(("javascript:", "data:", "vbscript:"))
    ]
    body = part(path, "word/document.xml")
    assert [t.text.split()[0] for t in body.iter(f"{W}instrText")] == ["TOC"]  # no HYPERLINK fields
    assert not [a for a in body.iter(f"{W}hyperlink") if "javascript" in (a.get(f"{W}anchor") or "").lower()]
