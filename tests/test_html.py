"""The accessible HTML page (builders/html.py), checked as readers and checkers meet it.

The real validators (axe-core in the session's Chromium, the Nu HTML Checker)
judge the real guide's page; structure is read back with lxml and compared
with the content, not with hard-coded strings; layout claims (reflow at 320 CSS
px, text spacing, print URLs, criteria beside their questions) are measured in
the browser.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

import validators as v
from expected import Guide, attribution
from mdguide_build.build import build
from mdguide_build.guide import inline
from mdguide_build.guide import models as m
from mdguide_build.guide.texts import iter_blocks, marked_texts
from mdguide_build.writers.html_page import CSS

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# WCAG 1.4.12 text spacing, as the usual bookmarklet applies it.
TEXT_SPACING_CSS = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""
# Elements that scroll or clip their text horizontally or vertically.
CLIPPED_JS = """() => [...document.querySelectorAll('body *')].filter(el => {
  const s = getComputedStyle(el);
  const clips = v => v === 'hidden' || v === 'clip';
  return (clips(s.overflowX) && el.scrollWidth > el.clientWidth + 1)
      || (clips(s.overflowY) && el.scrollHeight > el.clientHeight + 1);
}).map(el => el.outerHTML.slice(0, 120))"""
OVERFLOW_JS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


@pytest.fixture(scope="module")
def page(guide_outputs) -> Path:
    return guide_outputs.one("html", ".html")


@pytest.fixture(scope="module")
def tree(page):
    return lxml_html.parse(str(page)).getroot()


def _text(element) -> str:
    return " ".join(element.text_content().split())


def _blocks(content, kind):
    return [b for s in content.sections for _, b in iter_blocks(s) if isinstance(b, kind)]


def _open(browser, page, *, width: int, height: int = 800, extra_css: str | None = None):
    pg = browser.page(page, viewport=(width, height))
    if extra_css:
        pg.add_style_tag(content=extra_css)
    return pg


# --- the checkers ------------------------------------------------------------------------


def test_axe_finds_no_violations(browser, page):
    violations = browser.axe(page)
    report = [
        f"{x['id']} ({x['impact']}): {x['help']} — {[n['html'][:120] for n in x['nodes'][:3]]}"
        for x in violations
    ]
    assert violations == [], "axe-core violations:\n" + "\n".join(report)


def test_axe_checks_the_whole_rule_set(browser, page):
    """Zero violations means something: axe ran its WCAG 2.2 AA and best-practice rules on the page."""
    pg = browser.page(page)
    try:
        results = browser.run_axe(pg)
    finally:
        pg.context.close()
    passed = {rule["id"] for rule in results["passes"]}
    assert {
        "color-contrast",
        "landmark-one-main",
        "region",
        "heading-order",
        "skip-link",
        "target-size",
        "html-lang-valid",
        "link-name",
        "landmark-unique",
    } <= passed


@pytest.mark.slow
def test_nu_html_checker_finds_no_errors(page):
    errors = v.vnu(page)
    assert errors == [], json.dumps(errors, indent=1)[:4000]


# --- a self-contained, script-free page ----------------------------------------------------


def test_page_is_self_contained_and_script_free(tree, page):
    assert tree.xpath("//script | //link | //iframe | //object | //embed | //img | //*[@src]") == []
    assert [a for a in tree.xpath("//@*") if a.attrname.lower().startswith("on")] == []
    css = "\n".join(s.text for s in tree.xpath("//style"))
    assert CSS.read_text(encoding="utf-8").strip() in css
    assert not re.search(r"@import|url\(", css)
    # The only addresses are links a reader follows.
    assert not re.search(r"(?i)javascript:", page.read_text(encoding="utf-8"))


# --- landmarks, outline, contents ---------------------------------------------------------


def test_language_landmarks_and_skip_link(tree):
    assert tree.get("lang") == "en-GB"
    body = tree.body
    skip = body[0]
    assert skip.tag == "a" and skip.get("href") == "#main" and _text(skip) == "Skip to main content"
    assert tree.get_element_by_id("main").tag == "main"
    for landmark in ("header", "nav", "main", "footer"):
        assert len(tree.xpath(f"//{landmark}")) == 1, landmark
    # Every piece of content is inside a landmark: nothing but the skip link sits outside.
    loose = [
        el
        for el in body.iter()
        if not isinstance(el, lxml_html.HtmlComment)
        and el is not body
        and el is not skip
        and not el.xpath(
            "ancestor-or-self::header|ancestor-or-self::nav|ancestor-or-self::main|ancestor-or-self::footer"
        )
        and _text(el)
        and not el.xpath(".//header|.//nav|.//main|.//footer")
    ]
    assert loose == []


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(browser, page):
    pg = browser.page(page)
    try:
        pg.keyboard.press("Tab")
        focused = pg.evaluate(
            "() => [document.activeElement.textContent, document.activeElement.getBoundingClientRect().left]"
        )
        assert focused[0] == "Skip to main content" and focused[1] >= 0  # shown when focused
        pg.keyboard.press("Enter")
        assert pg.evaluate("() => document.activeElement.id") == "main"
    finally:
        pg.context.close()


def test_heading_outline_has_one_h1_and_never_skips_a_level(tree, content):
    headings = tree.xpath("//h1|//h2|//h3|//h4|//h5|//h6")
    levels = [int(h.tag[1]) for h in headings]
    assert levels[0] == 1 and levels.count(1) == 1
    assert _text(headings[0]) == content.guide.title and headings[0].xpath("ancestor::header")
    skips = [
        (_text(a), _text(b))
        for a, b, la, lb in zip(headings, headings[1:], levels, levels[1:])
        if lb > la + 1
    ]
    assert skips == []
    # The guide's own top level (foreword, sections) sits one below the page title.
    main_h2 = [_text(h) for h in tree.xpath("//main/h2")]
    assert main_h2[0] == content.foreword.title
    assert [t.split(" ", 1)[-1] for t in main_h2[1 : 1 + len(content.sections)]] == [
        s.title for s in content.sections
    ]


def test_contents_links_every_top_heading_and_every_link_resolves(tree):
    toc_targets = [a.get("href") for a in tree.xpath("//nav//a")]
    assert toc_targets and all(t.startswith("#") for t in toc_targets)
    ids = set(tree.xpath("//@id"))
    assert [t for t in toc_targets if t[1:] not in ids] == []
    listed = {t[1:] for t in toc_targets}
    assert [_text(h) for h in tree.xpath("//main/h2") if h.get("id") not in listed] == []
    # No entry without a link (a heading without an identifier would make one).
    assert [_text(li) for li in tree.xpath("//nav//li") if not li.xpath("a")] == []
    internal = {a.get("href")[1:] for a in tree.xpath("//a[starts-with(@href, '#')]")}
    assert internal - ids == set()


def test_edition_and_statements_are_visible(tree, content):
    guide = content.guide
    edition = Guide().edition()  # "Edition 1.0, June 2017", from guide.json
    assert edition in _text(tree.xpath("//header")[0])
    footer = _text(tree.xpath("//footer")[0])
    assert edition in footer
    assert f"“{guide.statements.living_document} …”" in footer  # quoted, and marked as a fragment
    assert guide.statements.other_formats in footer


# --- the guide's parts ----------------------------------------------------------------------


def test_pull_quotes_are_figures_with_blockquotes_and_attributions(tree, content):
    pull_quotes = _blocks(content, m.PullQuote)
    figures = tree.xpath("//figure[contains(@class, 'pull-quote')]")
    assert len(figures) == len(pull_quotes)
    assert len(tree.xpath("//main//blockquote")) == sum(len(b.quotes) for b in pull_quotes) == 20
    assert tree.xpath("//main//blockquote[not(parent::figure[contains(@class, 'pull-quote')])]") == []
    for figure, block in zip(figures, pull_quotes):
        assert [_text(c) for c in figure.xpath("figcaption")] == [attribution(block.attribution.model_dump())]
        assert len(figure.xpath("blockquote")) == len(block.quotes)


def test_case_studies_are_regions_labelled_by_their_own_headings(tree, content):
    studies = _blocks(content, m.CaseStudy)
    regions = tree.xpath("//section[contains(@class, 'case-study')]")
    assert len(regions) == len(studies) == 3
    for region, study in zip(regions, studies):
        label = tree.get_element_by_id(region.get("aria-labelledby"))
        heading = (
            label
            if label.tag in HEADINGS
            else label.xpath(
                "ancestor::*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6]"
            )[0]
        )
        assert heading.getparent() is region and region.index(heading) == 0
        assert _text(label) == _text(heading) == study.person.name
        assert study.person.organisation in _text(region)


def test_person_specification_lists_each_criterion_with_its_questions(tree, content):
    criteria = [c for g in content.person_specification.groups for c in g.criteria]
    items = tree.xpath("//div[contains(@class, 'person-specification')]/ul/li")
    assert len(items) == len(criteria) == 22
    questions = 0
    for item, criterion in zip(items, criteria):
        assert item.xpath("div[contains(@class, 'criterion')]")[0].get("id") == criterion.id
        shown = [_text(li) for li in item.xpath("div[contains(@class, 'prompting-questions')]/ul/li")]
        assert len(shown) == len(criterion.questions)
        questions += len(shown)
    assert questions == 13


def test_questions_sit_beside_their_criterion_on_a_wide_screen_and_below_on_a_phone(browser, page):
    layout_js = """() => [...document.querySelectorAll('.person-specification li:has(> .prompting-questions)')]
      .map(li => [li.querySelector('.criterion').getBoundingClientRect(),
                  li.querySelector('.prompting-questions').getBoundingClientRect()])
      .map(([c, q]) => ({beside: q.left >= c.right, below: q.top >= c.bottom}))"""
    for width, expected in ((1280, "beside"), (320, "below")):
        pg = _open(browser, page, width=width)
        try:
            boxes = pg.evaluate(layout_js)
        finally:
            pg.context.close()
        assert boxes and all(box[expected] for box in boxes), (width, boxes)


def test_figure_descriptions_are_visible_text(browser, page, tree, content):
    figures = tree.xpath("//figure[contains(@class, 'figure')]")
    assert len(figures) == len(content.figures.figures) == 3
    assert tree.xpath("//img") == []  # nothing hides in alt text
    pg = browser.page(page)
    try:
        shown = pg.evaluate("() => [...document.querySelectorAll('figure.figure')].map(f => f.innerText)")
    finally:
        pg.context.close()
    by_id = {f.id: f for f in content.figures.figures}
    for figure, text in zip(figures, shown):
        described = by_id[figure.get("id")]
        text = " ".join(text.split())
        assert described.caption in text
        for words in (described.description.lead, *described.description.items):
            assert inline.plain_text(inline.parse(words)) in text
        assert "Editorial note:" in text  # the description is not the guide's words


def test_notes_show_every_address_and_link_both_ways(tree, content):
    refs = tree.xpath("//a[@role='doc-noteref']")
    notes = tree.xpath("//*[@role='doc-endnotes']//li")
    assert len(refs) == len(notes)
    section = tree.xpath("//*[@role='doc-endnotes']")[0]
    assert _text(tree.get_element_by_id(section.get("aria-labelledby"))) == "Notes"
    for ref in refs:
        note = tree.get_element_by_id(ref.get("href")[1:])
        back = note.xpath(".//a[@role='doc-backlink']")
        assert len(back) == 1 and back[0].get("href") == f"#{ref.get('id')}"
        assert _text(back[0]) == f"Back to reference {_text(ref)}"
        assert ref.get("aria-label") == f"Note {_text(ref)}"
    shown = {_text(a) for a in section.xpath(".//a[contains(@class, 'url')]")}
    urls = {r.url for r in content.resources.resources}
    assert len(urls) == 40 and urls <= shown
    for a in section.xpath(".//a[contains(@class, 'url')]"):
        assert _text(a) == a.get("href")  # the full address is the visible text


def test_link_text_is_descriptive(tree, content):
    """Every link the page adds says where it goes; a vague one can only be the guide's own words.

    The guide says "Click here to contact your local area team medical
    director": the sentence gives the link its purpose (WCAG 2.4.4, in
    context), and the words stay verbatim.
    """
    vague = {"", "here", "click here", "more", "read more", "link", "this", "↩", "↩︎"}
    names = [(a.get("aria-label") or _text(a)).lower() for a in tree.xpath("//a")]
    guide_links = [
        inline.plain_text(link.children).lower()
        for file in content.files
        if file.model is not None
        for _, text in marked_texts(file.model)
        for link in inline.references(inline.parse(text))
        if isinstance(link, inline.ResourceLink)
    ]
    assert sorted(n for n in names if n in vague) == sorted(n for n in guide_links if n in vague)
    for a in tree.xpath("//a[@class='resource']"):
        if _text(a).lower() in vague:  # the sentence around it says where it goes
            assert len(_text(a.getparent()).split()) > 10


# --- zoom, phones, text spacing, print, colour ----------------------------------------------


@pytest.mark.parametrize("width", [320, 1280])
def test_reflows_without_horizontal_scrolling(browser, page, width, tmp_path):
    pg = _open(browser, page, width=width)
    try:
        scroll_width, client_width = pg.evaluate(OVERFLOW_JS)
        shot = tmp_path / f"page-{width}.png"
        pg.screenshot(path=str(shot), full_page=True)
    finally:
        pg.context.close()
    assert scroll_width <= client_width
    # A full-page screenshot grows wider than the viewport if anything sticks out.
    assert _png_size(shot)[0] == width
    print(f"screenshot at {width} px: {shot}")


@pytest.mark.parametrize("width", [320, 1280])
def test_survives_text_spacing_overrides(browser, page, width):
    pg = _open(browser, page, width=width, extra_css=TEXT_SPACING_CSS)
    try:
        applied = pg.evaluate("() => getComputedStyle(document.querySelector('main p')).wordSpacing")
        scroll_width, client_width = pg.evaluate(OVERFLOW_JS)
        clipped = pg.evaluate(CLIPPED_JS)
    finally:
        pg.context.close()
    assert applied != "0px"  # the override took effect
    assert scroll_width <= client_width
    assert clipped == []


def test_print_shows_link_addresses_and_hides_screen_furniture(browser, page):
    pg = browser.page(page)
    try:
        pg.emulate_media(media="print")
        shown = pg.evaluate("""() => [...document.querySelectorAll('main a.resource')].map(a =>
            [a.href, getComputedStyle(a, '::after').content])""")
        note_urls = pg.evaluate("""() => [...document.querySelectorAll('a.url')].map(a =>
            getComputedStyle(a, '::after').content)""")
        hidden = pg.evaluate("""() => ['.skip-link', 'nav', '.note-back'].map(s =>
            getComputedStyle(document.querySelector(s)).display)""")
    finally:
        pg.context.close()
    assert shown and all(after == f'" ({href})"' for href, after in shown), shown[:3]
    assert set(note_urls) == {"none"}  # an address shown as text is not printed twice
    assert hidden == ["none", "none", "none"]


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_text_colour_pair_in_the_stylesheet_is_at_least_4_5_to_1():
    palette = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6})", CSS.read_text(encoding="utf-8")))
    # (text, background) as the stylesheet uses them.
    pairs = [
        ("text", "white"),
        ("secondary", "white"),
        ("blue", "white"),
        ("visited", "white"),
        ("dark-blue", "white"),
        ("text", "pale"),
        ("secondary", "pale"),
        ("blue", "pale"),
        ("visited", "pale"),
        ("text", "editorial-bg"),
        ("blue", "editorial-bg"),
        ("visited", "editorial-bg"),
        ("white", "blue"),
        ("text", "focus"),
    ]
    ratios = {pair: round(_contrast(palette[pair[0]], palette[pair[1]]), 2) for pair in pairs}
    assert {pair: r for pair, r in ratios.items() if r < 4.5} == {}


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[16:24]
    return int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")


# --- safety ---------------------------------------------------------------------------------

HOSTILE = " <script>alert(1)</script> <img src=x onerror=alert(1)> javascript:alert(1)"


def test_markup_in_content_is_shown_as_text_never_run(content_copy, edit_content, tmp_path):
    def attacked(data: dict) -> None:
        next(b for b in data["blocks"] if b["type"] == "paragraph")["text"] += HOSTILE

    edit_content("sections/0-introduction.json", attacked)

    report = build(content_copy, tmp_path / "out", ["html"])
    [page] = report.paths()
    source = page.read_text(encoding="utf-8")
    tree = lxml_html.fromstring(source)

    assert tree.xpath("//script | //img | //*[@src]") == []
    assert [a.attrname for a in tree.xpath("//@*") if a.attrname.lower().startswith("on")] == []
    assert [h for h in tree.xpath("//@href") if h.strip().lower().startswith("javascript:")] == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in source
    assert "<script" not in source.lower() and "<img" not in source.lower()
    shown = [_text(p) for p in tree.xpath("//main//p") if "alert(1)" in _text(p)]
    assert len(shown) == 1 and shown[0].endswith(" ".join(HOSTILE.split()))
