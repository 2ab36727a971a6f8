"""Editions in the outputs: the "Changes in this edition" page, review dates, archived copies of dead links."""

from __future__ import annotations

import zipfile

import pytest
from lxml import etree
from lxml import html as lxml_html

from conftest import edit_json
from mdguide_build.build import build
from mdguide_build.pandoc.guide import metadata
from mdguide_build.validate.loader import ContentError, load_content

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
