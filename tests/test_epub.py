"""The EPUB: EPUBCheck and DAISY Ace pass it clean, its metadata is complete and
true, its zip is packed as OCF requires, and two builds are byte-identical.

EPUBCheck and Ace run once per module (Ace starts its own Chromium).
"""

from __future__ import annotations

import io
import posixpath
import struct
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest
from lxml import etree

import validators
from expected import Guide, attribution
from mdguide_build.build import build
from mdguide_build.builders.base import BuildOptions
from mdguide_build.builders.epub import CSS, EpubDateError
from mdguide_build.guide import models as m
from mdguide_build.guide.texts import iter_blocks
from mdguide_build.writers.epub import EpubPackageError, Finish, finish, pack, unzipped

ROOT = Path(__file__).resolve().parent.parent
MDGUIDE = Path(sys.executable).parent / "mdguide"
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


class Book:
    """An EPUB opened for reading: its zip, package document and spine documents."""

    def __init__(self, path: Path):
        self.path = path
        self.bytes = path.read_bytes()
        self.zip = zipfile.ZipFile(io.BytesIO(self.bytes))
        container = self.xml("META-INF/container.xml")
        self.opf_path = container.xpath("//c:rootfile/@full-path", namespaces=NS)[0]
        self.opf = self.xml(self.opf_path)
        base = posixpath.dirname(self.opf_path)
        self.manifest = {
            item.get("id"): item for item in self.opf.xpath("//opf:manifest/opf:item", namespaces=NS)
        }
        self.href = {
            id_: posixpath.join(base, unquote(item.get("href"))) for id_, item in self.manifest.items()
        }
        self.spine = [
            self.href[ref] for ref in self.opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=NS)
        ]
        nav_id = self.opf.xpath("//opf:item[contains(@properties, 'nav')]/@id", namespaces=NS)[0]
        self.nav_path = self.href[nav_id]

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.zip.read(name))

    def documents(self) -> dict[str, etree._Element]:
        return {path: self.xml(path) for path in self.spine}

    def meta(self, prop: str) -> list[str]:
        return [e.text for e in self.opf.xpath(f"//opf:metadata/opf:meta[@property='{prop}']", namespaces=NS)]

    def dc(self, name: str) -> list[str]:
        return [e.text for e in self.opf.xpath(f"//opf:metadata/dc:{name}", namespaces=NS)]

    def text(self) -> str:
        """Every word of the spine, whitespace collapsed."""
        words = []
        for root in self.documents().values():
            words.append(" ".join(root.xpath("//x:body//text()", namespaces=NS)))
        return " ".join(" ".join(words).split())


def words(text: str) -> str:
    return " ".join(text.split())


def text_of(element: etree._Element) -> str:
    return words("".join(element.itertext()))


@pytest.fixture(scope="module")
def epub(guide_outputs) -> Path:
    return guide_outputs.one("epub", ".epub")


@pytest.fixture(scope="module")
def book(epub) -> Book:
    return Book(epub)


@pytest.fixture(scope="module")
def epubcheck_messages(epub) -> list[dict]:
    return validators.epubcheck(epub, usage=True)


@pytest.fixture(scope="module")
def ace_result(epub, tmp_path_factory) -> dict:
    return validators.ace(epub, tmp_path_factory.mktemp("ace"))


# --- the publishing world's checkers ---------------------------------------------------


@pytest.mark.slow
def test_epubcheck_reports_no_errors_warnings_or_usage_messages(epubcheck_messages):
    listed = "\n".join(
        f"{m['severity']} {m['id']} {m['location']}: {m['message']}" for m in epubcheck_messages
    )
    assert epubcheck_messages == [], f"EPUBCheck ({validators.versions()['epubcheck']}):\n{listed}"


@pytest.mark.slow
def test_ace_passes_with_no_violations(ace_result):
    listed = "\n".join(
        f"{v['impact']} {v['rule']} {v['file']}: {v['description']}" for v in ace_result["violations"]
    )
    assert ace_result["violations"] == [], listed
    assert ace_result["outcome"] == "pass"
    # Ace reads the conformance metadata too: the two properties pandoc cannot write are there.
    present = ace_result["report"]["a11y-metadata"]["present"]
    assert {"dcterms:conformsTo", "a11y:certifiedBy", "schema:accessibilitySummary"} <= set(present)


# --- package metadata --------------------------------------------------------------------


def test_identity_title_language_publishers_and_dates(book, content):
    guide = content.guide
    unique = book.opf.get("unique-identifier")
    assert book.opf.xpath(f"//dc:identifier[@id='{unique}']/text()", namespaces=NS) == [guide.identifier]
    assert book.dc("language") == ["en-GB"] == [guide.language]
    assert book.opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-GB"
    assert book.dc("title") == [guide.title, guide.subtitle]
    title_types = {
        e.get("refines"): e.text for e in book.opf.xpath("//opf:meta[@property='title-type']", namespaces=NS)
    }
    ids = book.opf.xpath("//dc:title/@id", namespaces=NS)
    assert [title_types[f"#{i}"] for i in ids] == ["main", "subtitle"]
    assert book.dc("creator") == list(guide.publishers)
    assert book.dc("publisher") == list(guide.publishers)
    assert book.dc("date") == [guide.edition.date]
    year, month = guide.edition.date.split("-")[:2]
    assert book.meta("dcterms:modified") == [f"{year}-{month}-01T00:00:00Z"]


def test_accessibility_metadata_is_complete_and_from_the_content(book, content):
    a11y = content.guide.accessibility
    assert book.meta("schema:accessMode") == a11y.access_modes
    assert book.meta("schema:accessModeSufficient") == a11y.access_mode_sufficient
    assert book.meta("schema:accessibilityFeature") == a11y.features
    assert book.meta("schema:accessibilityHazard") == a11y.hazards
    assert book.meta("schema:accessibilitySummary") == [a11y.summary]
    assert book.meta("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    # Who checked the claim: this project, with its own tests (not the publishers of 2017).
    assert book.meta("a11y:certifiedBy") == ["mdguide project (self-assessed with EPUBCheck and DAISY Ace)"]


def test_claimed_accessibility_features_are_present(book):
    """Claims that need something in the book: a table of contents, page numbers."""
    features = set(book.meta("schema:accessibilityFeature"))
    nav = book.xml(book.nav_path)
    has_page_list = bool(nav.xpath("//x:nav[@epub:type='page-list']", namespaces=NS))
    if {"pageNavigation", "printPageNumbers"} & features:
        assert has_page_list, "page navigation claimed, but the nav has no page-list"
    if "tableOfContents" in features:
        assert nav.xpath("//x:nav[@epub:type='toc']//x:a", namespaces=NS)
    if "structuralNavigation" in features:
        assert all(root.xpath("//x:h1", namespaces=NS) for root in book.documents().values())


# --- zip -----------------------------------------------------------------------------


def test_zip_is_packed_as_ocf_requires(book):
    infos = book.zip.infolist()
    first = infos[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    # The classic check: the media type sits at byte 38, readable without unzipping.
    assert book.bytes[30:38] == b"mimetype" and book.bytes[38:58] == b"application/epub+zip"
    for info in infos[1:]:
        assert info.compress_type == zipfile.ZIP_DEFLATED, info.filename
    for info in infos:
        assert info.extra == b"", info.filename
        # The local header's extra-field length too (central and local headers can differ).
        header = book.bytes[info.header_offset : info.header_offset + 30]
        assert header[:4] == b"PK\x03\x04"
        assert struct.unpack("<H", header[28:30])[0] == 0, info.filename
        assert info.date_time == (2017, 6, 1, 0, 0, 0), info.filename
    assert len({i.filename for i in infos}) == len(infos)
    assert book.zip.testzip() is None


# --- structure -------------------------------------------------------------------------


def test_one_file_per_top_level_section_in_reading_order(book, content):
    chapters = [p for p in book.spine if p != book.nav_path and not p.endswith("title_page.xhtml")]
    first_ids = []
    for path in chapters:
        root = book.xml(path)
        # One section of the guide, then (perhaps) the chapter's footnotes.
        sections = root.xpath("/x:html/x:body/x:section[not(@epub:type='footnotes')]", namespaces=NS)
        assert len(sections) == 1, f"{path}: {len(sections)} top-level sections"
        assert len(root.xpath("/x:html/x:body/*", namespaces=NS)) == 1 + len(
            root.xpath("/x:html/x:body/x:section[@epub:type='footnotes']", namespaces=NS)
        ), path
        assert len(sections[0].xpath("x:h1", namespaces=NS)) == 1, path
        first_ids.append(sections[0].get("id"))
        assert root.findtext(
            "{http://www.w3.org/1999/xhtml}head/{http://www.w3.org/1999/xhtml}title"
        ) == text_of(sections[0].xpath("x:h1", namespaces=NS)[0]), f"{path}: <title> is not its heading"
    # The guide's top-level parts, by the ids content/ gives them, then the contacts and the changes page.
    assert first_ids == [
        "foreword",
        *[s["id"] for s in Guide().sections],
        "contact-us",
        "changes-in-this-edition",
    ]


def test_title_page_and_contents_come_first(book, content):
    title_page, nav = book.spine[:2]
    assert nav == book.nav_path
    page = book.xml(title_page)
    assert page.xpath("//x:section[@epub:type='titlepage']", namespaces=NS)
    assert text_of(page.xpath("//x:h1", namespaces=NS)[0]) == content.guide.title
    assert content.guide.subtitle in text_of(page)
    assert all(p in text_of(page) for p in content.guide.publishers)


def test_nav_has_deep_contents_and_landmarks(book, content):
    nav = book.xml(book.nav_path)
    nav_dir = posixpath.dirname(book.nav_path)
    toc = nav.xpath("//x:nav[@epub:type='toc']", namespaces=NS)[0]
    assert text_of(toc.xpath("x:h1", namespaces=NS)[0]) == "Contents"
    assert toc.xpath("x:ol/x:li/x:ol/x:li/x:ol/x:li", namespaces=NS), "contents should reach level 3"
    # Every contents entry lands on an element that exists.
    for href in toc.xpath(".//x:a/@href", namespaces=NS):
        path, _, fragment = href.partition("#")
        target = book.xml(posixpath.normpath(posixpath.join(nav_dir, path)))
        assert target.xpath(f"//*[@id='{fragment}']"), href

    landmarks = {
        a.get(EPUB_TYPE): a.get("href")
        for a in nav.xpath("//x:nav[@epub:type='landmarks']//x:a", namespaces=NS)
    }
    assert {"toc", "bodymatter", "titlepage"} <= set(landmarks)
    assert landmarks["toc"] == "#toc"
    body_start = book.xml(posixpath.join(nav_dir, landmarks["bodymatter"]))
    assert body_start.find("{http://www.w3.org/1999/xhtml}body").get(EPUB_TYPE) == "bodymatter"
    assert body_start.xpath("/x:html/x:body/x:section/@id", namespaces=NS)[0] == content.sections[0].id
    foreword = book.xml(book.spine[2])
    assert foreword.xpath("//x:section[@id='foreword']/@role", namespaces=NS) == ["doc-foreword"]
    assert foreword.find("{http://www.w3.org/1999/xhtml}body").get(EPUB_TYPE) == "frontmatter"


def test_same_semantic_structure_as_the_html(book, content):
    docs = book.documents()

    def one(xpath: str) -> etree._Element:
        found = [e for root in docs.values() for e in root.xpath(xpath, namespaces=NS)]
        assert len(found) == 1, f"{xpath}: {len(found)} matches"
        return found[0]

    for section in content.sections:
        for _, block in iter_blocks(section):
            if isinstance(block, m.PullQuote):
                figure = one(f"//x:figure[@id='{block.id}']")
                assert len(figure.xpath("x:blockquote", namespaces=NS)) == len(block.quotes)
                caption = figure.xpath("x:figcaption", namespaces=NS)
                assert [text_of(c) for c in caption] == [attribution(block.attribution.model_dump())]
            elif isinstance(block, m.CaseStudy):
                region = one(f"//x:section[@id='{block.id}']")
                label = one(f"//*[@id='{region.get('aria-labelledby')}']")
                assert text_of(label) == block.person.name
                assert label.getparent().tag in {f"{{{NS['x']}}}h{n}" for n in range(2, 7)}
                assert label.getparent().getparent() is region
            elif isinstance(block, m.FigureRef):
                figure = one(f"//x:figure[@id='{block.figure}']")
                assert text_of(figure.xpath("x:figcaption", namespaces=NS)[0]).startswith("Figure ")
                assert figure.xpath(".//x:div[@class='figure-description']/x:p", namespaces=NS)
    criteria = [c for g in content.person_specification.groups for c in g.criteria]
    for criterion in criteria:
        item = one(f"//x:div[@id='{criterion.id}']").getparent()
        assert item.tag == f"{{{NS['x']}}}li"
        questions = item.xpath("x:div[@class='prompting-questions']//x:li", namespaces=NS)
        assert len(questions) == len(criterion.questions)


def test_every_resource_url_is_in_the_text_and_notes_link_both_ways(book, content):
    text = book.text()
    for resource in content.resources.resources:
        assert resource.url in text, resource.id
    numbers = []
    for path, root in book.documents().items():
        for ref in root.xpath("//x:a[@role='doc-noteref']", namespaces=NS):
            n = int(ref.text)
            numbers.append(n)
            assert ref.get("aria-label") == f"Note {n}"
            note = root.xpath(f"//x:aside[@id='{ref.get('href')[1:]}']", namespaces=NS)
            assert len(note) == 1, f"{path}: {ref.get('href')} has no note"
            back = note[0].xpath(".//x:a[@role='doc-backlink']", namespaces=NS)
            assert [b.get("href") for b in back] == [f"#{ref.get('id')}"]
            assert text_of(back[0]) == f"Back to reference {n}"
            assert text_of(note[0]).startswith(f"{n}. http")
    # Numbered through the book in reading order, as in the other formats.
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) >= len(content.resources.resources)


def test_stylesheet_is_ours_and_linked_from_every_document(book):
    sheets = [book.href[i] for i, item in book.manifest.items() if item.get("media-type") == "text/css"]
    assert len(sheets) == 1
    assert book.zip.read(sheets[0]) == CSS.read_bytes()
    for path, root in book.documents().items():
        links = root.xpath("//x:link[@rel='stylesheet']/@href", namespaces=NS)
        assert [posixpath.normpath(posixpath.join(posixpath.dirname(path), h)) for h in links] == sheets, path
        assert not root.xpath("//x:style", namespaces=NS), path


# --- reproducible ----------------------------------------------------------------------


def test_source_date_epoch_dates_the_book_and_its_zip(tmp_path):
    epoch = 1_700_000_000  # 2023-11-14T22:13:20Z
    report = build(ROOT / "content", tmp_path / "out", ["epub"], BuildOptions(source_date_epoch=epoch))
    dated = Book(report.paths()[0])
    assert dated.meta("dcterms:modified") == ["2023-11-14T22:13:20Z"]
    assert {i.date_time for i in dated.zip.infolist()} == {(2023, 11, 14, 22, 13, 20)}


def test_pack_is_deterministic_and_refuses_a_book_without_mimetype():
    files = {"b.txt": b"b", "mimetype": b"application/epub+zip", "META-INF/container.xml": b"<c/>"}
    when = datetime(1970, 1, 1, tzinfo=UTC)  # before zip time began: clamped to 1980
    packed = pack(files, when)
    assert packed == pack(dict(reversed(files.items())), when)
    archive = zipfile.ZipFile(io.BytesIO(packed))
    assert archive.namelist() == ["mimetype", "META-INF/container.xml", "b.txt"]
    assert archive.infolist()[0].date_time == (1980, 1, 1, 0, 0, 0)
    with pytest.raises(EpubPackageError, match="no 'mimetype' file"):
        pack({"b.txt": b"b"}, when)


def test_finish_refuses_what_is_not_an_epub():
    spec = Finish(
        stylesheet=b"",
        modified=datetime(2017, 6, 1, tzinfo=UTC),
        publishers=("P",),
        subtitle="S",
        conforms_to="C",
        certified_by="B",
        bodymatter_label="L",
    )
    with pytest.raises(EpubPackageError, match="not a readable zip"):
        finish(unzipped(b"not a zip"), spec)


# --- safe ------------------------------------------------------------------------------


def test_script_in_content_stays_text(tmp_path, content_copy, edit_content):
    attack = '<script>alert(1)</script> <img src=x onerror="alert(2)"> javascript:alert(3)'

    def attacked_intro(data: dict) -> None:
        next(b for b in data["blocks"] if b["type"] == "paragraph")["text"] = f"Before {attack} after."
        data["title"] = f"Introduction {attack}"

    edit_content("sections/0-introduction.json", attacked_intro)

    report = build(content_copy, tmp_path / "out", ["epub"])
    attacked = Book(report.paths()[0])
    xhtml = {name: attacked.zip.read(name) for name in attacked.zip.namelist() if name.endswith(".xhtml")}
    assert any(b"&lt;script&gt;alert(1)&lt;/script&gt;" in data for data in xhtml.values())
    for name in xhtml:
        root = attacked.xml(name)
        assert not root.xpath("//*[local-name()='script']"), name
        assert not root.xpath("//@*[starts-with(translate(local-name(), 'ON', 'on'), 'on')]"), name
        assert not [
            h for h in root.xpath("//@href | //@src") if h.strip().lower().startswith("javascript:")
        ], name
    assert f"Before {attack} after." in attacked.text()
    intro = next(
        root
        for root in attacked.documents().values()
        if root.xpath("//x:section[@id='introduction']", namespaces=NS)
    )
    assert (
        intro.findtext("{http://www.w3.org/1999/xhtml}head/{http://www.w3.org/1999/xhtml}title")
        == f"Introduction {attack}"
    )


def test_source_date_epoch_beyond_what_a_zip_can_date_is_refused(tmp_path):
    with pytest.raises(
        EpubDateError, match=r"SOURCE_DATE_EPOCH=99999999999 is after 2107-12-31, the last date"
    ):
        build(ROOT / "content", tmp_path / "out", ["epub"], BuildOptions(source_date_epoch=99_999_999_999))
    assert not (tmp_path / "out").exists()
