"""Content is data in every context: quotes, apostrophes, ``<`` and ``&`` in any field stay text.

pandoc does not escape ``$variable$`` for an attribute: a ``"`` in the guide's
subtitle once ended ``<meta name="description" content="…">`` early, and the
rest of the subtitle became attributes of its own (a ``http-equiv="refresh"``
that sent the reader's browser elsewhere).  Here every field of the content
that reaches a template or a document's properties carries ``" ' < &``, and the
subtitle, a role's description and the handouts' introduction are the
meta-refresh payload itself.  Each output is then read with a real parser
(an HTML5 parser, lxml's XML parser, pypdf) and every value must come back
exactly as written, with no element or attribute the templates do not make;
the pages are also opened in Chromium, which must stay on them.
"""

from __future__ import annotations

import json
import re
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pypdf
import pytest
import tinyhtml5
from click.testing import CliRunner
from lxml import etree

from mdguide_build.cli import main
from validators import pdftotext

# HTML's and XML's special characters, then Typst's (the PDFs): a bracket that would end a
# content block, code, maths, a label, a reference, emphasis and a comment.
TAIL = "\"quoted\" 'apostrophe' <b>bold</b> & ampersand ]#[x] \\ $1 <l> @ref *star* _under_ // end"
ATTACK = '0;url=http://127.0.0.1:{port}/{path}" http-equiv="refresh'
ROLE = "recruiter"  # the shortest handout: the payloads lengthen every heading
XHTML = "{http://www.w3.org/1999/xhtml}"
DC = "{http://purl.org/dc/elements/1.1/}"
OPF = "{http://www.idpf.org/2007/opf}"
# The only attributes our templates and pandoc put on <meta>.
META_ATTRIBUTES = {"charset", "name", "content"}


class _Trap(ThreadingHTTPServer):
    """Where the payload points: any request here means a page navigated away."""

    daemon_threads = True

    def __init__(self):
        self.hits: list[str] = []
        trap = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                trap.hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture(scope="module")
def trap():
    server = _Trap()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _inject(content_dir: Path, attack: str) -> dict:
    """Write the payloads into every free-text field that reaches a template; return the values."""
    guide_file = content_dir / "guide.json"
    guide = json.loads(guide_file.read_text(encoding="utf-8"))
    guide["title"] = f"{guide['title']} {TAIL}"
    guide["subtitle"] = attack
    guide["publishers"] = [f"{p} {TAIL}" for p in guide["publishers"]]
    guide["edition"]["note"] = f"{guide['edition']['note']} {TAIL}"
    guide["accessibility"]["summary"] = f"{guide['accessibility']['summary']} {TAIL}"
    guide["accessibility"]["features"] = [*guide["accessibility"]["features"], f"feature {TAIL}"]
    guide["statements"] = {key: f"{value} {TAIL}" for key, value in guide["statements"].items()}
    guide["reviewed"] = {"last": "2025-03", "next": "2026-03"}
    guide_file.write_text(json.dumps(guide, indent=2, ensure_ascii=False), encoding="utf-8")

    roles_file = content_dir / "roles.json"
    roles = json.loads(roles_file.read_text(encoding="utf-8"))
    words = roles["editorial"]
    for key in ("series_title", "notice", "checklist_intro", "index_title", "basis_label"):
        words[key] = f"{words[key]} {TAIL}"
    words["index_intro"] = attack
    words["headings"] = {key: f"{value} {TAIL}" for key, value in words["headings"].items()}
    for theme in roles["themes"]:
        theme["editorial_name"] = f"{theme['editorial_name']} {TAIL}"
    for role in roles["roles"]:
        role["editorial_name"] = f"{role['editorial_name']} {TAIL}"
        role["editorial_description"] = attack
    roles_file.write_text(json.dumps(roles, indent=2, ensure_ascii=False), encoding="utf-8")
    return {"guide": guide, "roles": roles}


@pytest.fixture(scope="module")
def built(tmp_path_factory, trap):
    """The injected content, built through the CLI into every format that has a template or properties."""
    import shutil

    from conftest import CONTENT, ROOT

    root = tmp_path_factory.mktemp("injected")
    content_dir = root / "content"
    shutil.copytree(CONTENT, content_dir)
    shutil.copytree(ROOT / "schema", root / "schema")
    attack = ATTACK.format(port=trap.server_address[1], path="x")
    values = _inject(content_dir, attack)
    out = root / "outputs"
    formats = ["html", "epub", "docx", "pdf", "large-print-pdf", "large-print-docx", "handouts"]
    args = ["build", "--content", str(content_dir), "--out", str(out), "--role", ROLE, "-q"]
    result = CliRunner().invoke(main, [*args, *(f"--format={f}" for f in formats)])
    assert result.exit_code == 0, result.output
    return out, values, attack


def _slug(built) -> str:
    return built[1]["guide"]["slug"]


def _role(values) -> dict:
    return next(r for r in values["roles"]["roles"] if r["id"] == ROLE)


def _pages(built) -> dict[Path, tuple[str, str]]:
    """Each HTML page with the description and page title it must carry."""
    out, values, attack = built
    guide, words = values["guide"], values["roles"]["editorial"]
    role = _role(values)
    return {
        out / f"{_slug(built)}.html": (attack, guide["title"]),
        out / "handouts" / f"{ROLE}.html": (
            attack,
            f"{words['series_title']}: {role['editorial_name']} – {guide['title']}",
        ),
        out / "handouts" / "index.html": (attack, f"{words['index_title']} – {guide['title']}"),
    }


def _parse_html(path: Path):
    """The page as a browser's HTML5 parser builds it (tinyhtml5 follows the WHATWG algorithm)."""
    return tinyhtml5.parse(path.read_bytes())


def _words(element) -> str:
    """An element's text as a reader gets it (pandoc wraps long lines)."""
    return " ".join("".join(element.itertext()).split())


def test_html_pages_keep_every_value_inside_its_attribute(built):
    publishers = built[1]["guide"]["publishers"]
    for path, (description, title) in _pages(built).items():
        tree = _parse_html(path)
        metas = tree.findall(f".//{XHTML}meta")
        extra = [(m.attrib, path.name) for m in metas if set(m.attrib) - META_ATTRIBUTES]
        assert extra == [], f"attributes our templates never write: {extra}"
        named = {m.get("name"): m.get("content") for m in metas if m.get("name")}
        assert named["description"] == description, path.name
        assert named["author"] == "; ".join(publishers), path.name
        assert tree.find(f".//{XHTML}title").text == title, path.name
        # '<b>' was typed as text: no <b> element, and no element carries http-equiv.
        assert tree.findall(f".//{XHTML}b") == [], path.name
        assert [e.tag for e in tree.iter() if isinstance(e.tag, str) and "http-equiv" in e.attrib] == []


def test_html_texts_and_generated_attributes_round_trip(built):
    out, values, attack = built
    guide, words = values["guide"], values["roles"]["editorial"]
    page = _parse_html(out / f"{_slug(built)}.html")

    def text_of(cls: str) -> list[str]:
        return [_words(e) for e in page.iter(f"{XHTML}p") if cls in (e.get("class") or "").split()]

    assert text_of("subtitle") == [attack]
    assert _words(page.find(f".//{XHTML}h1")) == guide["title"]
    footer = page.find(f".//{XHTML}footer")
    assert _words(footer.find(f".//{XHTML}blockquote")) == (f"“{guide['statements']['living_document']} …”")
    index = _parse_html(out / "handouts" / "index.html")
    labels = [a.get("aria-label") for a in index.iter(f"{XHTML}a") if a.get("aria-label")]
    name = _role(values)["editorial_name"]
    assert f"{name}: Web page (HTML)" in labels
    assert any(_words(e) == words["basis_label"] + ":" for e in index.iter(f"{XHTML}p"))


def test_chromium_stays_on_each_page(built, browser, trap):
    for path in _pages(built):
        page = browser.page(path, wait_until="load")
        try:
            page.wait_for_load_state("networkidle")
            assert page.url == path.resolve().as_uri()
            live = page.evaluate(
                "() => [...document.querySelectorAll('meta')].map(m => m.getAttributeNames().join(' '))"
            )
            assert all(set(names.split()) <= META_ATTRIBUTES for names in live), live
        finally:
            page.context.close()
    assert [hit for hit in trap.hits if hit.startswith("/x")] == []


def test_the_trap_catches_a_page_that_is_not_escaped(browser, trap, tmp_path):
    """The payload is live: unescaped, as the templates once wrote it, Chromium follows it."""
    attack = ATTACK.format(port=trap.server_address[1], path="control")
    raw = tmp_path / "raw.html"
    raw.write_text(f'<!DOCTYPE html><html><head><meta name="description" content="{attack}"></head></html>')
    page = browser.page()
    try:
        with page.expect_response(lambda response: response.url.endswith("/control")):  # after the hit
            page.goto(raw.as_uri())
    finally:
        page.context.close()
    assert "/control" in trap.hits


def test_epub_package_and_pages_are_well_formed_and_exact(built):
    out, values, attack = built
    guide = values["guide"]
    with zipfile.ZipFile(out / f"{_slug(built)}.epub") as book:
        opf = etree.fromstring(book.read("EPUB/content.opf"))
        pages = {name: etree.fromstring(book.read(name)) for name in book.namelist() if name.endswith("html")}
    meta = opf.find(f"{OPF}metadata")
    assert [e.text for e in meta.findall(f"{DC}title")] == [guide["title"], attack]
    assert [e.text for e in meta.findall(f"{DC}creator")] == guide["publishers"]
    assert [e.text for e in meta.findall(f"{DC}publisher")] == guide["publishers"]
    assert meta.find(f"{DC}description").text == attack
    properties = [(e.get("property"), e.text) for e in meta.findall(f"{OPF}meta") if e.get("property")]
    assert ("schema:accessibilitySummary", guide["accessibility"]["summary"]) in properties
    assert ("schema:accessibilityFeature", f"feature {TAIL}") in properties
    title_page = next(tree for name, tree in pages.items() if "title_page" in name)
    assert _words(title_page.find(f".//{XHTML}p[@class='subtitle']")) == attack
    for name, tree in pages.items():
        assert tree.findall(f".//{XHTML}b") == [], name
        assert [e.attrib for e in tree.iter(f"{XHTML}meta") if set(e.attrib) - META_ATTRIBUTES] == [], name


def _docx_properties(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    with zipfile.ZipFile(path) as docx:
        core = etree.fromstring(docx.read("docProps/core.xml"))
        custom = etree.fromstring(docx.read("docProps/custom.xml"))
    return (
        {etree.QName(e).localname: e.text for e in core},
        {e.get("name"): "".join(e.itertext()) for e in custom},
    )


def test_word_document_properties_are_exact(built):
    out, values, attack = built
    guide, words = values["guide"], values["roles"]["editorial"]
    role = _role(values)
    publishers = "; ".join(guide["publishers"])
    for name in (f"{_slug(built)}.docx", f"{_slug(built)}-large-print-18pt.docx"):
        core, custom = _docx_properties(out / name)
        assert (core["title"], core["creator"], core["description"]) == (guide["title"], publishers, attack)
        assert custom["subtitle"] == attack
    core, custom = _docx_properties(out / "handouts" / f"{ROLE}.docx")
    assert core["title"] == f"{words['series_title']}: {role['editorial_name']}"
    assert (core["creator"], core["description"]) == (publishers, attack)
    assert custom["subtitle"] == f"{guide['title']}: {attack}"


def test_pdf_properties_are_exact(built):
    out, values, attack = built
    guide, words = values["guide"], values["roles"]["editorial"]
    role = _role(values)
    expected = {
        f"{_slug(built)}.pdf": guide["title"],
        f"{_slug(built)}-large-print-18pt.pdf": guide["title"],
        f"handouts/{ROLE}.pdf": f"{words['series_title']}: {role['editorial_name']} – {guide['title']}",
    }
    for name, title in expected.items():
        info = pypdf.PdfReader(out / name).metadata
        assert (info.title, info.subject) == (title, attack), name
        assert info.author == ", ".join(guide["publishers"]), name  # Typst joins the authors so
    # Typst's markup characters in the title are printed as they are, on the title page.
    first_page = "".join(pdftotext(out / f"{_slug(built)}.pdf").split("\f")[0].split())  # lines wrap
    assert "".join(guide["title"].split()) in first_page and "".join(attack.split()) in first_page


# Variables a template may put inside an attribute: pandoc's own "-meta" variables, which
# pandoc escapes for XML (`"` becomes &quot;), and values that cannot hold a quote at all.
ESCAPED_BY_PANDOC = {"author-meta", "description-meta", "date-meta", "title-meta"}
CANNOT_HOLD_A_QUOTE = {
    "lang": "guide.json 'language' is the literal en-GB",
    "date": "an edition's date matches DATE_PATTERN",
    "created": "guide.json 'published' matches DATE_PATTERN",
    "modified": "an edition's date matches DATE_PATTERN",
    "css": "pandoc's own stylesheet links (the EPUB's)",
    "body-type": "set by pandoc's EPUB writer",
}
_ATTRIBUTE = re.compile(r'[\w:.-]+="([^"]*)"')
_VARIABLE = re.compile(r"\$(?:for\(|if\()?([a-z][\w-]*)\)?\$")


def test_templates_put_only_escaped_values_in_attributes():
    from mdguide_build import ASSETS
    from mdguide_build.guide.models import DATE_PATTERN

    templates = [*ASSETS.glob("*/*.html"), *ASSETS.glob("*/*.xhtml")]
    assert {"template.html", "handout.html", "template.xhtml"} <= {template.name for template in templates}
    found = {
        (template.name, name)
        for template in templates
        for value in _ATTRIBUTE.findall(template.read_text(encoding="utf-8"))
        for name in _VARIABLE.findall(value)
    }
    keywords = {"endfor", "endif", "sep", "else"}
    raw = {(template, name) for template, name in found if name not in ESCAPED_BY_PANDOC | keywords}
    assert {name for _, name in raw} <= set(CANNOT_HOLD_A_QUOTE), raw
    assert ("template.html", "description-meta") in found  # the pattern does find variables
    assert re.fullmatch(DATE_PATTERN, '2017-06" x="') is None


# In the Typst templates (the PDFs) pandoc escapes a variable for Typst's markup, where the
# templates put every text; inside a string literal it would not be, so only these go there.
TYPST_STRINGS = {"lang", "region", "look-accent", "look-link", "look-editorial-fill"}
_TYPST_STRING = re.compile(r'"([^"\n]*)"')


def test_typst_templates_put_no_text_in_strings():
    from mdguide_build import ASSETS

    templates = sorted(ASSETS.glob("pdf/*.typ"))
    assert templates
    in_strings = {
        name
        for template in templates
        for line in template.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("//")
        for literal in _TYPST_STRING.findall(line)
        for name in _VARIABLE.findall(literal)
    }
    assert "lang" in in_strings and in_strings <= TYPST_STRINGS, in_strings
