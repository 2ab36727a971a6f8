"""Editions in the outputs: the "Changes in this edition" page, review dates, archived copies of dead links."""

from __future__ import annotations

import re
import shutil
import zipfile

import pytest
from lxml import etree
from lxml import html as lxml_html

import edition_1_1
from conftest import CONTENT, edit_json
from mdguide_build.build import build
from mdguide_build.pandoc.guide import metadata
from mdguide_build.validate.loader import ContentError, load_content
from validators import lou_back_translate, pdftotext

ARCHIVED = "https://web.archive.org/web/2017/https://www.good-governance.org.uk/role-of-the-medical-director"
DEAD = "ggi-role-of-the-medical-director"


@pytest.fixture
def second_edition(content_copy):
    """A copy of the content as a second edition: history, review dates and a dead link with an archived copy."""

    def guide(d):
        d["history"] = [d["edition"]]
        d["edition"] = {
            "version": "1.1",
            "date": "2025-03",
            "note": "Addresses of resources that have moved are updated.",
        }
        d["reviewed"] = {"last": "2025-03", "next": "2026-03"}

    def resources(d):
        dead = next(r for r in d["resources"] if r["id"] == DEAD)
        dead.update(status="dead", checked="2025-03-01", archived_url=ARCHIVED)

    edit_json(content_copy / "guide.json", guide)
    edit_json(content_copy / "resources.json", resources)
    return content_copy


def text(element) -> str:
    return " ".join(element.text_content().split())


def test_html_has_the_changes_page_and_the_archived_copy(second_edition, tmp_path):
    page = build(second_edition, tmp_path / "out", ["html"]).paths()[0]
    tree = lxml_html.parse(str(page)).getroot()
    heading = tree.get_element_by_id("changes-in-this-edition")
    assert text(heading) == "Changes in this edition"
    assert tree.xpath("//nav[@id='contents']//a[@href='#changes-in-this-edition']")
    changes = heading.getnext()
    assert [text(h) for h in changes.xpath(".//h3")] == [
        "Edition 1.1, March 2025 (this edition)",
        "Edition 1.0, June 2017",
    ]
    paragraphs = [text(p) for p in changes.xpath(".//p")]
    assert paragraphs[0].startswith("Editorial note: This page is not part of the guide's text.")
    assert paragraphs[1:] == [
        "Addresses of resources that have moved are updated.",
        "First edition, published by NHS Improvement and the Faculty of Medical Leadership and Management.",
        "Last reviewed March 2025; next review due March 2026.",
    ]
    assert "Edition 1.1, March 2025" in text(tree.xpath("//header")[0])
    archived = tree.xpath(f"//a[@href='{ARCHIVED}']")
    assert len(archived) == 1
    [note] = archived[0].xpath("ancestor::*[@id][1]")  # the endnote holding it
    assert "Editorial note: This address no longer works. Archived copy: " + ARCHIVED in text(note)
    assert note.xpath(".//a[@class='url']")[0].get("href").startswith("https://www.good-governance.org.uk/")


def test_epub_and_docx_carry_them_too(second_edition, tmp_path):
    report = build(second_edition, tmp_path / "out", ["epub", "docx"])
    epub = next(p for p in report.paths() if p.suffix == ".epub")
    docx = next(p for p in report.paths() if p.suffix == ".docx")
    with zipfile.ZipFile(epub) as book:
        pages = {name: book.read(name).decode("utf-8") for name in book.namelist() if name.endswith(".xhtml")}
    changes = [name for name, page in pages.items() if 'id="changes-in-this-edition"' in page]
    assert len(changes) == 1
    assert "Edition 1.1, March 2025 (this edition)" in pages[changes[0]]
    assert any(
        "#changes-in-this-edition" in page for name, page in pages.items() if name.endswith("nav.xhtml")
    )
    assert sum(ARCHIVED in page for page in pages.values()) == 1
    with zipfile.ZipFile(docx) as word:
        notes = etree.fromstring(word.read("word/footnotes.xml"))
        body = etree.fromstring(word.read("word/document.xml"))
    words = "".join(notes.itertext())
    assert "Editorial note: This address no longer works. Archived copy: " + ARCHIVED in words
    assert "Changes in this edition" in "".join(body.itertext())


def test_the_real_guide_lists_its_first_edition(guide_outputs):
    page = guide_outputs.one("html", ".html")
    tree = lxml_html.parse(str(page)).getroot()
    changes = tree.get_element_by_id("changes-in-this-edition").getnext()
    assert [text(h) for h in changes.xpath(".//h3")] == ["Edition 1.0, June 2017 (this edition)"]
    assert "Archived copy" not in text(tree)  # no link is recorded dead yet


def test_handouts_leave_the_changes_page_out(guide_outputs):
    pages = [p for p in guide_outputs("handouts") if p.suffix == ".html"]
    assert pages
    for page in pages:
        assert "Changes in this edition" not in page.read_text(encoding="utf-8")


def test_metadata_carries_the_edition(second_edition):
    content, _ = load_content(second_edition)
    meta = {key: value.to_json() for key, value in metadata(content).items()}
    assert meta["edition-version"] == {"t": "MetaString", "c": "1.1"}
    assert meta["edition-date"] == {"t": "MetaString", "c": "2025-03"}
    assert "reviewed" in meta and "edition" in meta


def test_a_next_review_before_the_last_is_an_error(content_copy):
    edit_json(
        content_copy / "guide.json", lambda d: d.update(reviewed={"last": "2025-03", "next": "2024-03"})
    )
    with pytest.raises(ContentError) as error:
        load_content(content_copy, "content")
    [problem] = error.value.diagnostics
    assert problem.file == "content/guide.json" and problem.code == "E204" and problem.line > 1
    assert "the next review (2024-03) is before the last one (2025-03)" in problem.message


def test_an_archived_copy_must_be_a_web_address(content_copy):
    edit_json(
        content_copy / "resources.json",
        lambda d: d["resources"][0].update(archived_url="javascript:alert(1)"),
    )
    with pytest.raises(ContentError) as error:
        load_content(content_copy, "content")
    assert [d.code for d in error.value.diagnostics] == ["E206"]


# --- a realistic edition 1.1: a moved link and text new in 1.1 (tests/edition_1_1.py) -----------

MOVED_NOTE = "Editorial note: This resource has moved; it is now at " + edition_1_1.MOVED_TO
EVERY_FORMAT = [
    "html",
    "epub",
    "docx",
    "pdf",
    "large-print-pdf",
    "large-print-docx",
    "txt",
    "brf",
    "handouts",
]


@pytest.fixture(scope="module")
def edition_outputs(tmp_path_factory) -> dict[str, list]:
    """Edition 1.1 built in every format, once for this module: format -> its files."""
    root = tmp_path_factory.mktemp("edition-1.1")
    shutil.copytree(CONTENT, root / "content")
    shutil.copytree(CONTENT.parent / "schema", root / "schema")
    edition_1_1.make(root / "content")
    return {fmt: build(root / "content", root / "out", [fmt]).paths() for fmt in EVERY_FORMAT}


def squeezed(text: str) -> str:
    """Text without spaces, line breaks or hyphens, which page layout adds inside long addresses."""
    return re.sub(r"[\s\-]", "", text)


def docx_notes(path) -> str:
    with zipfile.ZipFile(path) as word:
        return " ".join(etree.fromstring(word.read("word/footnotes.xml")).itertext())


def epub_text(path) -> str:
    with zipfile.ZipFile(path) as book:
        pages = [book.read(n) for n in sorted(book.namelist()) if n.endswith(".xhtml")]
    return " ".join(" ".join(etree.fromstring(page).itertext()) for page in pages)


def output_text(path) -> str:
    """What a reader of this file reads, as text, read back by independent tools."""
    if path.suffix == ".html":
        return lxml_html.parse(str(path)).getroot().text_content()
    if path.suffix == ".epub":
        return epub_text(path)
    if path.suffix == ".docx":
        return docx_notes(path)
    if path.suffix == ".pdf":
        return pdftotext(path)
    if path.suffix == ".brf":
        # Back-translated braille spells ":" as "cc" in addresses and keeps a sign it cannot place
        # (a capital in a run of words: "\\45/,"); pages are numbered in the margin.
        back = lou_back_translate(path.read_text(encoding="ascii")).replace("cc//", "://")
        return re.sub(r"\n +\d+\n", "\n", back).replace("\\45/,", "")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", EVERY_FORMAT)
def test_a_moved_link_shows_where_it_is_now_and_keeps_the_printed_address(edition_outputs, fmt):
    files = [p for p in edition_outputs[fmt] if p.suffix != ".txt" or fmt == "txt"]
    if fmt == "handouts":  # the handouts of the readers whose passages cite it
        files = [p for p in files if p.stem in ("consultant", "medical-educator") and p.suffix != ".html"] + [
            p for p in files if p.name == "new-medical-director.html"
        ]
    assert files
    for path in files:
        text = squeezed(output_text(path))
        assert squeezed(edition_1_1.MOVED_FROM) in text, path.name
        assert squeezed(MOVED_NOTE) in text, path.name
        # The printed address comes first, then the editorial note, once (one citation).
        assert text.index(squeezed(edition_1_1.MOVED_FROM)) < text.index(squeezed(MOVED_NOTE)), path.name
        assert text.count(squeezed(MOVED_NOTE)) == 1, path.name


def test_new_text_is_marked_new_in_1_1_in_the_html(edition_outputs, browser):
    [page] = edition_outputs["html"]
    tree = lxml_html.parse(str(page)).getroot()
    marks = tree.xpath("//*[contains(@class, 'edition-marked')]")
    assert [text(m.xpath("./p[1]")[0]) for m in marks] == ["New in 1.1", "New in 1.1"]
    case_study, paragraph = marks
    assert (
        case_study.xpath(".//section[@id='case-study-amira-hassan']//h4")[0].text_content()
        == "Dr Amira Hassan"
    )
    assert text(paragraph.xpath("./p[2]")[0]).startswith("Building resilience in the NHS workforce is a free")
    # Nothing of the 2017 text is marked.
    assert (
        len(tree.xpath("//*[contains(@class, 'edition-mark')][not(contains(@class, 'edition-marked'))]")) == 2
    )
    violations = browser.axe(page)
    assert violations == [], [f"{v['id']}: {v['help']}" for v in violations]


def test_new_text_is_marked_in_the_plain_text_and_word(edition_outputs):
    [txt] = edition_outputs["txt"]
    lines = [line.strip() for line in txt.read_text(encoding="utf-8").splitlines()]
    at = lines.index("New in 1.1")
    assert (
        lines[at + 2].startswith("Building resilience in the NHS workforce")
        or "Dr Amira Hassan" in lines[at + 2]
    )
    assert lines.count("New in 1.1") == 2
    docx = next(p for p in edition_outputs["docx"] if p.suffix == ".docx")
    with zipfile.ZipFile(docx) as word:
        body = " ".join(etree.fromstring(word.read("word/document.xml")).itertext())
    assert body.count("New in 1.1") == 2
