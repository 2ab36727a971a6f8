"""The "what to do next" handouts: roles as data, the checks on them, and the three formats.

The leak tests work out what each role may see straight from the tags in the
content, not through ``mdguide_build.handouts``, so a selection bug cannot hide
behind itself.  That each handout holds its role's items in order, in all
three formats, is checked in test_readback_alignment.py.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document as WordDocument
from lxml import etree
from lxml import html as lxml_html
from pypdf import PdfReader

from conftest import edit_json
from mdguide_build.build import BuildError, build
from mdguide_build.builders.base import BuildOptions
from mdguide_build.cli import main
from mdguide_build.guide import inline
from mdguide_build.guide import models as m
from mdguide_build.guide.handouts import select
from mdguide_build.guide.texts import iter_subsections, marked_texts
from mdguide_build.validate.loader import load_content, read_content
from readback import pdfua_part
from validators import pdfinfo, pdftotext, vnu

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NOTES_HEADING = "Notes"


# --- what a role may see, from the tags alone -------------------------------------------


def _plain(text: str) -> str:
    return inline.plain_text(inline.parse(text))


def _tagged(node, role: str) -> bool:
    tag = getattr(node, "handout", None)
    return tag is not None and not tag.general and role in tag.roles


class Expected:
    """What ``role``'s handout may hold, worked out from the content's tags."""

    def __init__(self, content, role: str):
        self.role = next(r for r in content.roles.roles if r.id == role)
        self.texts: list[str] = []  # marked-up texts of the included items
        self.themes: set[str] = set()
        self.parts: set[str] = set()  # "read more" targets: the top parts holding an included item
        self.holding: set[str] = set()  # every section and subsection holding an included item
        self.groups: list[m.CriteriaGroup] = []
        self.criteria: list[m.Criterion] = []
        self.has_quotes = False
        self.context: set[str] = set()  # the guide's headings over the passages, kept with them
        for section in content.sections:
            self._walk(content, section, section, ())
        words = content.roles.editorial
        self.headings = {
            words.headings.for_whom,
            words.headings.reflection,
            words.headings.actions,
            words.headings.checklist,
            words.headings.read_more,
            NOTES_HEADING,
            *(t.editorial_name for t in content.roles.themes if t.id in self.themes),
            *(g.title for g in self.groups),
            *self.context,
        }
        if self.has_quotes:
            self.headings.add(words.headings.quotes)
        references = [ref for t in self.texts for ref in inline.references(inline.parse(t))]
        notes = [ref.resource for ref in references if isinstance(ref, inline.NoteRef)]
        self.citations = len(notes)  # each makes a numbered note
        urls = {r.id: r.url for r in content.resources.resources}
        self.urls = {urls[r] for r in notes} | {urls[ref.resource] for ref in references}
        self.excluded_urls = {
            u for u in urls.values() if u not in self.urls and not any(u in kept for kept in self.urls)
        }
        self.editorial = [
            self.role.editorial_name,
            self.role.editorial_description,
            words.notice,
            self.role.editorial_checklist_intro or words.checklist_intro,
            words.series_title,
            *self.headings,
        ]
        included = {norm(_plain(t)) for t in self.texts}
        mine = " ".join(included | {norm(x) for x in self.editorial})
        # Every other text of the guide, unless it is part of what the handout rightly holds.
        everything = {
            norm(_plain(text)) for source in content.files for _, text in marked_texts(source.model)
        }
        self.excluded = sorted(t for t in everything - included if t not in mine)
        titles = [(s.id, s.title) for s in content.sections]
        titles += [(sub.id, sub.title) for s in content.sections for _, sub in iter_subsections(s)]
        self.excluded_titles = {title for ident, title in titles if ident not in self.holding}

    def _walk(self, content, node, section, path) -> None:
        blocks = list(node.blocks)
        for i, block in enumerate(blocks):
            if isinstance(block, m.PersonSpecificationRef):
                for group in content.person_specification.groups:
                    picked = [c for c in group.criteria if _tagged(c, self.role.id)]
                    if picked:
                        self.groups.append(group)
                        self.texts.append(group.lead)
                        self._holds(section, path)
                    for criterion in picked:
                        self.criteria.append(criterion)
                        self.texts.extend([criterion.text, *criterion.questions])
                continue
            if not _tagged(block, self.role.id):
                continue
            self._holds(section, path)
            if isinstance(block, m.PullQuote):
                self.has_quotes = True
                self.texts.extend(q.text for q in block.quotes)
                continue
            if path:  # a passage lifted out of a subsection keeps that subsection's heading
                self.context.add(path[-1].title)
            following = blocks[i + 1] if i + 1 < len(blocks) else None
            if isinstance(following, m.ExtractionGap):
                # The paragraph's end was lost in 2017: a handout quotes its whole sentences only.
                self.texts.append(whole_sentences(block.text))
            else:
                self.texts.extend([block.text] if isinstance(block, m.Paragraph) else block.items)
            if block.handout.kind == "action":
                self.themes.add(block.handout.theme)
        for child in node.subsections:
            self._walk(content, child, section, (*path, child))

    def _holds(self, section, path) -> None:
        self.parts.add(path[0].id if path else section.id)
        self.holding.update({section.id, *(sub.id for sub in path)})


# A sentence's end in marked-up text: its stop, closing quotes, and the notes right after it.
SENTENCE_END = re.compile(r"[.?!][’”\"')]*(?:\[\^[a-z0-9-]+\])*(?=\s|$)")


def whole_sentences(text: str) -> str:
    """A marked-up text up to the end of its last whole sentence (its notes included)."""
    ends = list(SENTENCE_END.finditer(text))
    return text[: ends[-1].end()] if ends else text


def norm(text: str) -> str:
    """How the three formats compare: no whitespace, no digits (note numbers sit inside the
    text), no hyphens (pdftotext joins a word broken at a hyphen), no addresses printed
    after links on paper."""
    text = re.sub(r"\(https?://[^()\s]*\)", "", text)
    return re.sub(r"[\s\d-]+", "", text)


# --- reading the three formats back -----------------------------------------------------


class HtmlHandout:
    def __init__(self, path: Path):
        self.tree = lxml_html.parse(str(path)).getroot()
        main_ = self.tree.find(".//main")
        body = lxml_html.fromstring(lxml_html.tostring(main_))
        for ref in body.xpath('//a[contains(@class, "note-ref")]'):
            ref.drop_tree()
        self.text = body.text_content()
        self.full_text = self.tree.text_content()
        self.headings = [h.text_content().strip() for h in main_.xpath(".//h2|.//h3|.//h4|.//h5|.//h6")]
        self.title = self.tree.findtext(".//h1").strip()
        self.links = [a.get("href") for a in self.tree.xpath("//a[@href]")]
        self.notes = self.tree.xpath('//*[@role="doc-endnotes"]//ol/li')


class DocxHandout:
    def __init__(self, path: Path):
        document = WordDocument(str(path))
        self.paragraphs = document.paragraphs
        self.text = "\n".join(p.text for p in document.paragraphs)
        self.headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
        self.title = next(p.text for p in document.paragraphs if p.style.name == "Title")
        with zipfile.ZipFile(path) as archive:
            footnotes = etree.fromstring(archive.read("word/footnotes.xml"))
            rels = etree.fromstring(archive.read("word/_rels/document.xml.rels"))
            self.styles = archive.read("word/styles.xml")
        self.footnotes = [f for f in footnotes.iter(f"{W}footnote") if f.get(f"{W}type") is None]
        self.footnote_text = "\n".join("".join(t.text or "" for t in f.iter(f"{W}t")) for f in self.footnotes)
        self.links = [r.get("Target") for r in rels if r.get("Type", "").endswith("/hyperlink")]
        self.core = document.core_properties


class PdfHandout:
    def __init__(self, path: Path):
        self.info = pdfinfo(path)
        # -layout keeps a hyphen at the end of a line (plain pdftotext joins "mastering-" and
        # "professional"); the page numbers in the margin are not the handout's text.
        # Note references are printed as "[3]" or as a raised "3", depending on the style.
        text = re.sub(r"(?m)^\s*\d+ ?/ ?\d+\s*$", "", pdftotext(path, layout=True))
        self.text = re.sub(r"\[(\d+)\]", r"\1", text)
        self.reader = PdfReader(str(path))
        annotations = [a.get_object() for page in self.reader.pages for a in page.get("/Annots", [])]
        self.links = [a["/A"]["/URI"] for a in annotations if "/A" in a and "/URI" in a["/A"]]


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def handouts(guide_outputs) -> Path:
    paths = guide_outputs("handouts")
    return paths[0].parent


# The guide's web address a test gives guide.json: the real content leaves published_url out until
# the publisher says where the guide will be, and the handouts must be right both with and without it.
EXAMPLE_ADDRESS = "https://example.org/guides/the-medical-directors-role.html"
ADDRESSES = pytest.mark.parametrize("address", [None, EXAMPLE_ADDRESS], ids=["no-address", "address"])


def published_url(content_dir: Path) -> str | None:
    return json.loads((content_dir / "guide.json").read_text(encoding="utf-8")).get("published_url")


@pytest.fixture(scope="module")
def handouts_for(handouts, tmp_path_factory) -> Callable[[str | None], Path]:
    """handouts_for(url) -> every role's handouts, built from a copy of content/ whose guide.json gives
    ``url`` as its published_url (None: gives none).  The session's build of the real content serves
    for whatever the real guide.json gives."""
    from conftest import CONTENT, ROOT

    built = {published_url(CONTENT): handouts}

    def give(url: str | None):
        def change(guide: dict) -> None:
            guide.pop("published_url", None)
            if url is not None:
                guide["published_url"] = url

        return change

    def get(url: str | None) -> Path:
        if url not in built:
            root = tmp_path_factory.mktemp("handouts-with-address" if url else "handouts-without-address")
            shutil.copytree(CONTENT, root / "content")
            shutil.copytree(ROOT / "schema", root / "schema")
            edit_json(root / "content" / "guide.json", give(url))
            build(root / "content", root / "out", ["handouts"])
            built[url] = root / "out" / "handouts"
        return built[url]

    return get


def formats_folder(address: str) -> str:
    """Where the guide's other formats are: the folder of its web page (the outputs are published together)."""
    return address.rsplit("/", 1)[0] + "/"


def guide_links(address: str | None, parts: set[str]) -> tuple[set[str], set[str]]:
    """The links to the guide a handout built with this published_url may hold: "Read more" links to
    ``parts``, and the foot's (the guide, and the folder of its other formats).  None without one."""
    if address is None:
        return set(), set()
    return {f"{address}#{part}" for part in parts}, {address, formats_folder(address)}


def role_ids() -> list[str]:
    from conftest import CONTENT

    loaded, _ = load_content(CONTENT, "content")
    return [r.id for r in sorted(loaded.roles.roles, key=lambda r: r.order)]


ROLES = role_ids()


# --- the outputs ----------------------------------------------------------------------------


def test_every_role_gets_three_files_and_the_index_lists_them(handouts, content):
    index = HtmlHandout(handouts / "index.html")
    for role in content.roles.roles:
        for suffix in ("html", "docx", "pdf"):
            assert (handouts / f"{role.id}.{suffix}").stat().st_size > 5000
            assert f"{role.id}.{suffix}" in index.links
        assert role.editorial_name in index.headings
        assert norm(role.editorial_description) in norm(index.text)
        for basis in role.basis:
            assert norm(basis.text) in norm(index.text)
    assert index.full_text.count("Editorial note:") == len(content.roles.roles) + 1


@pytest.mark.slow
def test_html_handouts_pass_vnu(handouts):
    pages = sorted(handouts.glob("*.html"))
    assert len(pages) == len(ROLES) + 1
    assert vnu(pages) == []


@pytest.mark.parametrize("page", [*ROLES, "index"])
def test_html_handouts_pass_axe(handouts, browser, page):
    violations = browser.axe(handouts / f"{page}.html")
    assert [(v["id"], [n["html"] for n in v["nodes"]]) for v in violations] == []


@pytest.mark.parametrize("role", ROLES)
def test_checklist_is_native_labelled_checkboxes(handouts, content, role):
    page = HtmlHandout(handouts / f"{role}.html")
    boxes = page.tree.xpath('//input[@type="checkbox"]')
    expected = Expected(content, role)
    assert [b.get("id") for b in boxes] == [f"check-{c.id}" for c in expected.criteria]
    for box, criterion in zip(boxes, expected.criteria):
        assert box.get("disabled") is None
        label = page.tree.xpath(f'//label[@for="{box.get("id")}"]')
        assert [norm(x.text_content()) for x in label] == [norm(_plain(criterion.text))]
    assert not page.tree.xpath("//script")


def test_checkboxes_tick_without_javascript(handouts, browser):
    page = browser.page(handouts / "recruiter.html", java_script_enabled=False)
    try:
        box = "#check-ps-experience-strategic-development"
        assert not page.is_checked(box)
        page.click(f'label[for="{box[1:]}"]')
        assert page.is_checked(box)
    finally:
        page.context.close()


@pytest.mark.parametrize("role", ROLES)
def test_pdf_is_tagged_a4_and_at_most_four_pages(handouts, content, role):
    pdf = PdfHandout(handouts / f"{role}.pdf")
    name = next(r.editorial_name for r in content.roles.roles if r.id == role)
    assert pdf.info["Pages"] <= 4
    assert pdf.info["Tagged"] is True
    assert pdf.info["Page size"].endswith("(A4)")
    assert pdf.info["Title"] == f"{content.roles.editorial.series_title}: {name} – {content.guide.title}"
    catalog = pdf.reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog and catalog["/Lang"] == "en-GB"
    assert pdfua_part(pdf.reader.xmp_metadata.stream.get_data().decode()) == "1"


@pytest.mark.parametrize("role", ROLES)
def test_nothing_leaks_into_a_handout(handouts, content, role):
    """No text, heading, address or link of an item not tagged for the role, in any format."""
    expected = Expected(content, role)
    html = HtmlHandout(handouts / f"{role}.html")
    docx = DocxHandout(handouts / f"{role}.docx")
    pdf = PdfHandout(handouts / f"{role}.pdf")
    for name, text in (("html", html.full_text), ("docx", docx.text + docx.footnote_text), ("pdf", pdf.text)):
        flat = norm(text)
        leaked = [t[:80] for t in expected.excluded if t and t in flat]
        assert leaked == [], f"{name}: text of items not tagged for {role}"
        bare = re.sub(r"\s", "", text)
        assert [u for u in expected.excluded_urls if u in bare] == [], f"{name}: addresses of other items"
    for headings in (html.headings, docx.headings):
        assert set(headings) <= expected.headings
        assert not set(headings) & expected.excluded_titles


@ADDRESSES
@pytest.mark.parametrize("role", ROLES)
def test_a_handout_links_only_to_its_notes_and_the_guides_own_address(handouts_for, content, role, address):
    """Links go to the role's resources and, only when guide.json gives one, the guide's address:
    without it, no format names or links an address for the guide."""
    folder = handouts_for(address)
    expected = Expected(content, role)
    html = HtmlHandout(folder / f"{role}.html")
    docx = DocxHandout(folder / f"{role}.docx")
    pdf = PdfHandout(folder / f"{role}.pdf")
    read_more, foot = guide_links(address, expected.parts)
    notes = {f"#note-{n}" for n in range(1, expected.citations + 1)}
    notes |= {f"#note-ref-{n}" for n in range(1, expected.citations + 1)}
    assert set(html.links) - notes <= expected.urls | read_more | foot | {"#main"}
    assert set(docx.links) <= expected.urls | read_more | foot
    assert set(pdf.links) <= expected.urls | foot  # on paper "Read more" is words; the foot has the address
    if address is None:
        for text in (html.full_text, docx.text, pdf.text):
            assert f"{content.guide.slug}.html" not in re.sub(r"\s", "", text)
    else:
        assert {h for h in html.links if h.startswith(f"{address}#")} == read_more
        assert {h for h in docx.links if h.startswith(f"{address}#")} == read_more


@pytest.mark.parametrize("role", ROLES)
def test_resource_notes_are_numbered_within_the_handout(handouts, content, role):
    expected = Expected(content, role)
    html = HtmlHandout(handouts / f"{role}.html")
    assert len(html.notes) == expected.citations
    assert [a.text_content() for a in html.tree.xpath('//a[contains(@class, "note-ref")]')] == [
        str(n) for n in range(1, expected.citations + 1)
    ]
    docx = DocxHandout(handouts / f"{role}.docx")
    assert len(docx.footnotes) == expected.citations
    assert {u for u in expected.urls} == {u for u in expected.urls if u in docx.footnote_text}


def test_read_more_links_reach_the_guides_sections(handouts_for, guide_outputs, content):
    guide = lxml_html.parse(str(guide_outputs.one("html", ".html"))).getroot()
    ids = set(guide.xpath("//@id"))
    for role in ROLES:
        page = HtmlHandout(handouts_for(EXAMPLE_ADDRESS) / f"{role}.html")
        targets = [h.split("#", 1)[1] for h in page.links if h.startswith(f"{EXAMPLE_ADDRESS}#")]
        assert targets and set(targets) <= ids
        # Every "Read more" link is absolute: a handout emailed or printed alone still leads there.
        assert [h for h in page.links if not h.startswith(("https://", "http://", "#"))] == []


@ADDRESSES
def test_read_more_names_the_parts_and_links_them_only_to_a_given_address(handouts_for, content, address):
    titles = {s.id: s.title for s in content.sections}
    titles |= {sub.id: sub.title for s in content.sections for sub in s.subsections}
    for role in ROLES:
        expected = Expected(content, role)
        page = HtmlHandout(handouts_for(address) / f"{role}.html")
        heading = page.tree.xpath(f'//h2[normalize-space()="{content.roles.editorial.headings.read_more}"]')
        items = heading[0].xpath("following-sibling::ul[1]/li")
        words = [" ".join(li.text_content().split()) for li in items]
        named = {part for part in expected.parts if any(w.endswith(titles[part]) for w in words)}
        assert len(words) == len(expected.parts) and named == expected.parts, role
        links = [[a.get("href") for a in li.xpath(".//a")] for li in items]
        if address is None:  # plain words: there is no address to send a reader to
            assert links == [[] for _ in items], role
        else:
            assert all(len(found) == 1 for found in links), role
            assert {found[0] for found in links} == guide_links(address, expected.parts)[0], role


def test_docx_handouts_use_the_main_documents_styles(handouts, guide_outputs):
    with zipfile.ZipFile(guide_outputs.one("docx", ".docx")) as archive:
        main_styles = etree.fromstring(archive.read("word/styles.xml"))
    names = {s.find(f"{W}name").get(f"{W}val"): etree.tostring(s) for s in main_styles.iter(f"{W}style")}
    for role in ROLES:
        docx = DocxHandout(handouts / f"{role}.docx")
        mine = {
            s.find(f"{W}name").get(f"{W}val"): etree.tostring(s)
            for s in etree.fromstring(docx.styles).iter(f"{W}style")
        }
        assert mine == names
        used = {p.style.name for p in docx.paragraphs}
        assert {"Title", "Heading 2", "Editorial Note", "Criterion"} <= used
        assert docx.core.language == "en-GB"


def test_builds_are_byte_identical(handouts, content, tmp_path):
    from conftest import CONTENT

    build(CONTENT, tmp_path, ["handouts"], BuildOptions(roles=("recruiter",)))
    for name in ("index.html", "recruiter.html", "recruiter.docx", "recruiter.pdf"):
        assert (tmp_path / "handouts" / name).read_bytes() == (handouts / name).read_bytes(), name


# --- roles are data -----------------------------------------------------------------------


def _node(value: dict, pointer: str):
    for part in pointer.strip("/").split("/"):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def _tag_for(role: str, pointer: str):
    return lambda value: _node(value, pointer)["handout"]["roles"].append(role)


PREPARE = "sections/3-how-do-i-prepare.json"
WHY = "sections/1-why-become-a-medical-director.json"
MEDICAL_EDUCATION = "/subsections/2/subsections/3/blocks/0"  # "Medical education often falls ..."
FEEDBACK_360 = "/subsections/1/subsections/0/blocks/0"  # "A powerful tool ... 360 feedback tools"
LEARNING_AT_HOME = "/subsections/0/blocks/0"  # pull quote
ATTRACTS_YOU = "/blocks/2"  # "What attracts you to the role? ..."


@pytest.mark.slow
def test_an_editor_adds_renames_and_retires_roles_by_editing_data_alone(content_copy, tmp_path):
    new = "clinical-tutor"
    # What the content says before (W322 while guide.json gives no published_url): the edits add nothing.
    before = [d.format() for d in read_content(content_copy, "content")[1]]

    def roles(value):
        value["roles"].append(
            {
                "id": new,
                "order": 7,
                "editorial_name": "Clinical tutor",
                "editorial_description": "For clinical tutors (a role added by a test).",
                "basis": [
                    {
                        "at": "medical-education",
                        "text": "Medical education often falls under the medical director's remit",
                    }
                ],
            }
        )
        next(r for r in value["roles"] if r["id"] == "consultant")["editorial_name"] = "Consultant"  # renamed
        value["roles"] = [r for r in value["roles"] if r["id"] != "recruiter"]  # retired

    edit_json(content_copy / "roles.json", roles)
    for path in content_copy.rglob("*.json"):  # retiring a role takes it out of the tags too

        def untag(value):
            stack = [value]
            while stack:
                node = stack.pop()
                if isinstance(node, dict):
                    tag = node.get("handout")
                    if isinstance(tag, dict) and "recruiter" in tag.get("roles", []):
                        tag["roles"].remove("recruiter")
                        if not tag["roles"]:
                            node["handout"] = {"general": True}
                    stack.extend(node.values())
                elif isinstance(node, list):
                    stack.extend(node)

        edit_json(path, untag)
    edit_json(content_copy / PREPARE, _tag_for(new, MEDICAL_EDUCATION))
    edit_json(content_copy / PREPARE, _tag_for(new, FEEDBACK_360))
    edit_json(content_copy / PREPARE, _tag_for(new, LEARNING_AT_HOME))
    edit_json(content_copy / WHY, _tag_for(new, ATTRACTS_YOU))
    edit_json(content_copy / "person-specification.json", _tag_for(new, "/groups/0/criteria/1"))

    loaded, diagnostics = read_content(content_copy, "content")
    assert [d.format() for d in diagnostics] == before
    assert select(loaded, new).counts() == {
        "reflections": 1,
        "actions": 2,
        "themes": 2,
        "quotes": 1,
        "criteria": 1,
        "resources": 2,
        "pointers": 5,
    }
    out = tmp_path / "out"
    report = build(content_copy, out, ["handouts"], BuildOptions(roles=(new, "consultant")))
    assert {f"handouts/{new}.{x}" for x in ("html", "docx", "pdf")} <= set(report.built)
    page = HtmlHandout(out / "handouts" / f"{new}.html")
    assert page.title == "Clinical tutor"
    assert page.headings[:2] == ["Who this handout is for", "In their own words"]
    assert {"Understanding yourself", "Medical education", "Experience"} <= set(page.headings)
    assert HtmlHandout(out / "handouts" / "consultant.html").title == "Consultant"
    index = HtmlHandout(out / "handouts" / "index.html")
    assert index.headings[0] == "Consultant" and index.headings[-1] == "Clinical tutor"
    assert not [h for h in index.headings if "recruiting" in h]
    assert PdfHandout(out / "handouts" / f"{new}.pdf").info["Pages"] <= 2
    assert DocxHandout(out / "handouts" / f"{new}.docx").title == "What to do next: Clinical tutor"


@pytest.mark.slow
def test_a_handout_is_rebuilt_only_when_what_it_quotes_changes(content_copy, tmp_path):
    out = tmp_path / "out"
    options = BuildOptions(roles=("consultant", "recruiter"))
    build(content_copy, out, ["handouts"], options)
    # A paragraph deliberately in no handout: nothing to rebuild.
    edit_json(
        content_copy / PREPARE,
        lambda v: v["blocks"].__setitem__(1, {**v["blocks"][1], "text": v["blocks"][1]["text"] + " Edited."}),
    )
    assert build(content_copy, out, ["handouts"], options).built == []
    # A pull quote only the recruiter's handout holds: only its three files.
    path = content_copy / "sections" / "2-skills-and-experience.json"
    edit_json(path, lambda v: v["blocks"][0]["quotes"][0].__setitem__("text", "It’s all about people"))
    report = build(content_copy, out, ["handouts"], options)
    assert sorted(report.built) == [
        "handouts/recruiter.docx",
        "handouts/recruiter.html",
        "handouts/recruiter.pdf",
    ]
    # Building one role later does not rebuild it (--role chooses files, not their contents).
    assert build(content_copy, out, ["handouts"], BuildOptions(roles=("consultant",))).built == []


@pytest.mark.slow
def test_a_handout_longer_than_four_pages_fails_the_build(content_copy, tmp_path):
    def tag_everything(value):
        stack = [value]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                tag = node.get("handout")
                if isinstance(tag, dict) and tag.get("kind") == "action" and "recruiter" not in tag["roles"]:
                    tag["roles"].append("recruiter")
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)

    for path in (content_copy / "sections").glob("*.json"):
        edit_json(path, tag_everything)
    out = tmp_path / "out"
    with pytest.raises(
        BuildError,
        match=r"handouts/recruiter\.pdf: [5-9] pages, more than the 4 a handout may have "
        r"\(hint: tag fewer items for this role in content/\)",
    ):
        build(content_copy, out, ["handouts"], BuildOptions(roles=("recruiter",)))
    assert not (out / "handouts" / "recruiter.html").exists()


def test_build_refuses_an_unknown_role(content_copy, tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "build",
            "--content",
            str(content_copy),
            "--out",
            str(tmp_path),
            "--format",
            "handouts",
            "--role",
            "consultnt",
            "-q",
        ],
    )
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        "Error: unknown role 'consultnt' (hint: did you mean 'consultant'? the roles in "
        f"{content_copy.as_posix()}/roles.json are consultant, senior-medical-leader, "
        "associate-medical-director, medical-educator, new-medical-director, recruiter)"
    )


# --- mdguide validate: one test per diagnostic, with its exact line -------------------------


def _at(path: Path, pointer: str) -> str:
    """'content/FILE:LINE:COLUMN' of the value at ``pointer`` in a content file."""
    from mdguide_build.validate import jsonpos

    root = next(parent for parent in path.parents if parent.name == "content")
    line, column = jsonpos.parse(path.read_text(encoding="utf-8")).positions[pointer]
    return f"content/{path.relative_to(root).as_posix()}:{line}:{column}"


def _lines(content_copy: Path, code: str) -> list[str]:
    _, diagnostics = read_content(content_copy, "content")
    return [d.format() for d in diagnostics if d.code == code]


def test_e320_a_tag_names_an_unknown_role(content_copy):
    path = content_copy / "sections" / "0-introduction.json"
    edit_json(path, lambda v: v["blocks"][0]["handout"]["roles"].__setitem__(0, "consultnt"))
    assert _lines(content_copy, "E320") == [
        f"{_at(path, '/blocks/0/handout/roles/0')}: E320 Introduction › pull quote 1 › handout tag › role 1: unknown role 'consultnt' "
        "(hint: did you mean 'consultant'? ids are listed in content/roles.json)"
    ]


def test_e321_an_action_names_an_unknown_theme(content_copy):
    path = content_copy / PREPARE
    edit_json(path, lambda v: _node(v, MEDICAL_EDUCATION)["handout"].__setitem__("theme", "medical-eduction"))
    at = f"{MEDICAL_EDUCATION}/handout/theme"
    assert _lines(content_copy, "E321") == [
        f"{_at(path, at)}: E321 Section 3 › Development opportunities › Medical education › paragraph 1 › "
        "handout tag › theme: unknown theme 'medical-eduction' "
        "(hint: did you mean 'medical-education'? ids are listed in content/roles.json)"
    ]


def test_e322_a_role_that_gets_nothing(content_copy):
    path = content_copy / "roles.json"
    edit_json(
        path,
        lambda v: v["roles"].append(
            {
                "id": "trainee",
                "order": 9,
                "editorial_name": "Trainee",
                "editorial_description": "For trainees.",
                "basis": [
                    {"at": "introduction", "text": "This guide informs aspiring senior medical leaders"}
                ],
            }
        ),
    )
    where = _at(path, "/roles/6")
    assert _lines(content_copy, "E322") == [  # one place: sorted by message
        f"{where}: E322 Roles › role 'trainee': role 'trainee' gets no checklist criteria "
        '(hint: tag person-specification criteria with "handout": {"roles": ["trainee"]})',
        f"{where}: E322 Roles › role 'trainee': role 'trainee' gets no development actions "
        '(hint: tag a development opportunity or course with "handout": {"roles": ["trainee"], '
        '"kind": "action", "theme": ...})',
        f"{where}: E322 Roles › role 'trainee': role 'trainee' gets no reflection questions "
        '(hint: tag a paragraph of self-reflection questions with "handout": {"roles": ["trainee"], '
        '"kind": "reflection"})',
        f"{where}: E322 Roles › role 'trainee': role 'trainee' gets no resources "
        "(hint: tag for it a development action that cites a resource)",
    ]


def test_e323_an_item_with_no_role(content_copy):
    path = content_copy / PREPARE
    edit_json(path, lambda v: _node(v, MEDICAL_EDUCATION).pop("handout"))
    edit_json(path, lambda v: _node(v, LEARNING_AT_HOME)["handout"].__setitem__("roles", []))
    assert _lines(content_copy, "E323") == [
        f"{_at(path, LEARNING_AT_HOME + '/handout')}: E323 Section 3 › Use resources around you › pull quote 1 › "
        "handout tag: "
        'this pull quote is not tagged for any role (hint: name the roles it serves in "roles", '
        'or set "general": true if it serves no one role)',
        f"{_at(path, MEDICAL_EDUCATION)}: E323 Section 3 › Development opportunities › Medical education › "
        "paragraph 1: this development action is not tagged "
        'for any role (hint: add "handout": {"roles": [...]} naming the roles it serves, '
        'or {"general": true} if it serves no one role)',
    ]


def test_e324_a_tag_that_is_incomplete_or_contradicts_itself(content_copy):
    prepare, why = content_copy / PREPARE, content_copy / WHY
    edit_json(prepare, lambda v: _node(v, MEDICAL_EDUCATION)["handout"].__setitem__("general", True))
    edit_json(prepare, lambda v: _node(v, FEEDBACK_360)["handout"].pop("theme"))
    edit_json(why, lambda v: _node(v, ATTRACTS_YOU)["handout"].__setitem__("theme", "board-experience"))
    # A passage outside the handouts' sources that says neither reflection nor action.
    board = "/subsections/1/blocks/0"
    edit_json(why, lambda v: _node(v, board).__setitem__("handout", {"roles": ["consultant"]}))
    assert _lines(content_copy, "E324") == [
        f"{_at(why, ATTRACTS_YOU + '/handout/theme')}: E324 Section 1 › paragraph 2 › handout tag › theme: "
        'only development actions have a theme (hint: remove "theme", or make it "kind": "action")',
        f"{_at(why, board + '/handout')}: E324 Section 1 › The board › paragraph 1 › handout tag: a passage for a handout needs a kind "
        '(hint: add "kind": "reflection" (self-reflection questions) or "kind": "action")',
        f"{_at(prepare, FEEDBACK_360 + '/handout')}: E324 Section 3 › Courses and tools › 360 feedback › "
        "paragraph 1 › handout tag: "
        'a development action needs a theme (hint: add "theme": one of the theme ids in content/roles.json)',
        f"{_at(prepare, MEDICAL_EDUCATION + '/handout/general')}: E324 Section 3 › Development opportunities › "
        "Medical education › paragraph 1 › handout tag › general: "
        "marked general but also tagged for roles (hint: a general item goes into no handout: "
        'remove "general" or the roles)',
    ]


def test_e325_ids_and_orders_used_twice_in_roles_json(content_copy):
    path = content_copy / "roles.json"

    def twice(value):
        value["roles"][1]["id"] = "consultant"
        value["roles"][2]["order"] = 1
        value["themes"][1]["id"] = "understanding-yourself"

    edit_json(path, twice)
    assert _lines(content_copy, "E325") == [
        f"{_at(path, '/themes/1/id')}: E325 Roles › theme 'understanding-yourself': theme id "
        f"'understanding-yourself' is used twice: here and at {_at(path, '/themes/0/id')} "
        "(Roles › theme 'understanding-yourself') (hint: give each theme its own)",
        f"{_at(path, '/roles/1/id')}: E325 Roles › role 'consultant': role id 'consultant' is used twice: "
        f"here and at {_at(path, '/roles/0/id')} (Roles › role 'consultant') (hint: give each role its own)",
        f"{_at(path, '/roles/2/order')}: E325 Roles › role 'associate-medical-director' › order: order 1 is used "
        f"twice: here and at {_at(path, '/roles/0/order')} (Roles › role 'consultant' › order) "
        "(hint: give each order its own)",
    ]


def test_e326_a_basis_that_is_not_the_guides_words(content_copy):
    path = content_copy / "roles.json"
    edit_json(
        path,
        lambda v: v["roles"][0]["basis"][0].__setitem__(
            "text", "A medical director's role is right for everyone."
        ),
    )
    assert _lines(content_copy, "E326") == [
        f"{_at(path, '/roles/0/basis/0/text')}: E326 Roles › role 'consultant' › basis passage 1: role 'consultant': these words are "
        "not in 'what-the-role-involves' (hint: copy them exactly from that part of the guide, "
        "quotation marks and apostrophes included)"
    ]


def test_e327_roles_json_names_a_missing_part_of_the_guide(content_copy):
    path = content_copy / "roles.json"

    def missing(value):
        value["sources"]["action"] = ["how-do-i-prepar"]
        value["roles"][0]["basis"][0]["at"] = "what-the-role-involve"

    edit_json(path, missing)
    assert _lines(content_copy, "E327") == [
        f"{_at(path, '/sources/action/0')}: E327 Roles › sources › action section 1: unknown section or subsection "
        "'how-do-i-prepar' (hint: did you mean 'how-do-i-prepare'? ids are listed in content/sections/)",
        f"{_at(path, '/roles/0/basis/0/at')}: E327 Roles › role 'consultant' › basis passage 1 › at: unknown part of the guide "
        "'what-the-role-involve' (hint: did you mean 'what-the-role-involves'? ids are listed in the sections' "
        "files (a section, subsection, case study, pull quote or criterion id))",
    ]


def test_w320_a_theme_no_action_uses(content_copy):
    path = content_copy / "roles.json"
    edit_json(path, lambda v: v["themes"].append({"id": "digital", "editorial_name": "Digital"}))
    loaded, diagnostics = read_content(content_copy, "content")
    assert loaded is not None  # a warning does not stop a build
    assert [d.format() for d in diagnostics if d.code == "W320"] == [
        f"{_at(path, '/themes/11')}: W320 Roles › theme 'digital': theme 'digital' has no development actions "
        "(hint: tag actions with it, or delete it)"
    ]


def test_the_real_content_has_no_role_problems_but_w322_until_its_address_is_known(content):
    """Only W322 while guide.json gives no published_url: the publisher has not said where the guide
    will be, and an invented address would send every handout's reader nowhere."""
    from conftest import CONTENT
    from mdguide_build.validate.role_checks import check_roles

    expected = []
    if published_url(CONTENT) is None:
        expected.append(
            "content/guide.json:1:1: W322 no published_url: a handout read on its own cannot link to the "
            'full guide (hint: add "published_url": the address the guide\'s web page is published at, '
            "e.g. https://example.org/guide/the-medical-directors-role.html)"
        )
    assert [d.format() for d in check_roles(content)] == expected


# --- a handout stands alone -----------------------------------------------------------------


def _extraction_scars(content) -> list[str]:
    """The 2017 extraction's notes, and the words of each sentence a gap cut short, from the content."""
    scars = []
    for section in content.sections:
        for node in [section, *(sub for _, sub in iter_subsections(section))]:
            for before, block in zip(node.blocks, node.blocks[1:]):
                if isinstance(block, m.ExtractionGap):
                    scars.append(_plain(block.note))
                    cut_short = re.split(r"(?<=[.?!])\s+", _plain(before.text))[-1]
                    scars.append(cut_short)
    return scars


@pytest.mark.parametrize("role", ROLES)
def test_no_extraction_artefact_appears_in_a_handout(handouts, content, role):
    scars = _extraction_scars(content)
    assert len(scars) == 2 and "did not survive extraction" in scars[0]
    for text in (
        HtmlHandout(handouts / f"{role}.html").full_text,
        DocxHandout(handouts / f"{role}.docx").text,
        PdfHandout(handouts / f"{role}.pdf").text,
    ):
        flat = norm(text)
        assert [s for s in scars if norm(s) in flat] == []


@pytest.mark.parametrize("role", ROLES)
def test_each_passage_keeps_the_heading_it_stands_under_in_the_guide(handouts, content, role):
    """A passage lifted out of a subsection ("A powerful tool…") comes under its heading ("360 feedback")."""
    themes = {t.id: t.editorial_name for t in content.roles.themes}
    wanted = {}  # the passage's first words -> the heading it must come under
    for section in content.sections:
        for _, sub in iter_subsections(section):
            for block in sub.blocks:
                if isinstance(block, (m.Paragraph, m.BulletList)) and _tagged(block, role):
                    text = block.text if isinstance(block, m.Paragraph) else block.items[0]
                    theme = themes.get(block.handout.theme)
                    wanted[norm(_plain(text))[:40]] = {sub.title} | ({theme} if theme == sub.title else set())
    main_ = HtmlHandout(handouts / f"{role}.html").tree.find(".//main")
    heading, found = None, 0
    for element in main_.iter("h2", "h3", "h4", "h5", "p", "li"):
        if element.tag.startswith("h"):
            heading = element.text_content().strip()
            continue
        key = norm(element.text_content())[:40]
        if key in wanted:
            assert heading in wanted.pop(key), (key, heading)
            found += 1
    assert found and wanted == {}
    if role == "consultant":  # the example in the issue
        assert "360 feedback" in HtmlHandout(handouts / f"{role}.html").headings


@ADDRESSES
@pytest.mark.parametrize("role", ROLES)
def test_the_foot_says_where_the_full_guide_and_its_other_formats_are(handouts_for, role, address):
    from conftest import CONTENT

    guide = json.loads((CONTENT / "guide.json").read_text(encoding="utf-8"))
    html = HtmlHandout(handouts_for(address) / f"{role}.html")
    docx = DocxHandout(handouts_for(address) / f"{role}.docx")
    paper = re.sub(r"\s", "", PdfHandout(handouts_for(address) / f"{role}.pdf").text)
    foot = html.tree.xpath('//footer//p[@class="full-guide"]')[0]
    words = " ".join(foot.text_content().split())
    assert "other formats" in words and "braille" in words and "large print" in words
    if address is None:  # no address to give: it says whom to ask
        starts = f"For the full guide, {guide['title']}, and its other formats ("
        ends = f"), ask {' or '.join(guide['publishers'])}."
        assert foot.xpath(".//a") == []
        for said in (words, docx.paragraphs[-1].text):
            assert said.startswith(starts) and said.endswith(ends)
        assert re.sub(r"\s", "", starts) in paper and re.sub(r"\s", "", ends) in paper
        return
    published, folder = address, formats_folder(address)
    assert [a.get("href") for a in foot.xpath(".//a")] == [published, folder]
    assert words.startswith(f"Read the full guide, {guide['title']}, at {published}. ")
    assert docx.paragraphs[-1].text.startswith(f"Read the full guide, {guide['title']}, at {published}. ")
    assert {published, folder} <= set(docx.links)
    assert published in paper and folder in paper  # printed in full on paper


def test_whole_sentences_stop_at_the_last_full_stop_and_keep_its_notes():
    from mdguide_build.guide.handouts import whole_sentences

    def cut(text: str) -> str:
        nodes = whole_sentences(inline.parse(text))
        return "".join(
            n.text
            if isinstance(n, inline.Plain)
            else f"[^{n.resource}]"
            if isinstance(n, inline.NoteRef)
            else "L"
            for n in nodes
        )

    assert cut("One. Two “three.”[^a] Four and [five][b]") == "One. Two “three.”[^a]"
    assert cut("Is it? Yes.[^a][^b] Then") == "Is it? Yes.[^a][^b]"
    assert cut("No stop at all") == "No stop at all"
    assert cut("e.g. this") == "e.g."  # an abbreviation ends a sentence too: the cut is conservative


def test_handouts_md_describes_the_parts_as_the_handouts_print_them(handouts, content):
    """The doc's list of parts uses the headings the handouts print, and says where the basis is."""
    doc = (Path(__file__).resolve().parent.parent / "docs" / "handouts.md").read_text(encoding="utf-8")
    parts = doc[doc.index("## What goes into a handout") : doc.index("## Choose what goes into a handout")]
    headings = content.roles.editorial.headings
    named = re.findall(r"^\d\. \*\*(.+?)\*\*", parts, re.M)
    assert named == [
        headings.for_whom,
        headings.quotes,
        headings.reflection,
        headings.actions,
        headings.checklist,
        headings.read_more,
    ]
    consultant = HtmlHandout(handouts / "consultant.html")
    assert named == [h for h in consultant.headings if h in named]  # in the handout's order
    assert "it is shown under the role in\n`handouts/index.html`" in parts
    index = " ".join(lxml_html.parse(str(handouts / "index.html")).getroot().text_content().split())
    for role in content.roles.roles:
        page = " ".join(HtmlHandout(handouts / f"{role.id}.html").full_text.split())
        for basis in role.basis:
            assert basis.text in index
            if basis.text not in " ".join(_plain(t) for t in Expected(content, role.id).texts):
                assert basis.text not in page  # only where the handout quotes that passage anyway
