""" "What to do next" handouts: for each reader role an HTML page, a Word document and an A4 PDF.

Each handout is built from ``handouts.select``: only the items tagged for its
role, quoted through the same ``to_pandoc`` functions as the guide, so the
words and the resources' notes are the guide's own.  The handouts' own words
(title, headings, who it is for) come from content/roles.json and are shown
as editorial.

* **HTML** (``handouts/<role>.html``): the guide's page style, one file, no
  script.  pandoc's AST has no form controls, so after pandoc the checklist's
  marked items become native ``<input type="checkbox">`` + ``<label>`` pairs,
  and the "read more" links are pointed at the guide's page (the AST allows
  no relative links): an lxml transform of pandoc's tree, never string
  templating.
* **PDF** (``handouts/<role>.pdf``): the guide's PDF writer (``writers.pdf``,
  tagged PDF/UA-1, A4) from the web page's document made for paper
  (``paper_document``): boxes to tick, no links paper cannot follow, and
  addresses printed in full; at most ``MAX_PAGES`` pages, or the build fails.
* **DOCX** (``handouts/<role>.docx``): the Word flavour of the same handout,
  styled by the main DOCX's reference document, with real footnotes.
* ``handouts/index.html`` lists every role with links to its three files.

Each file is one ``Output`` whose fingerprint covers only what that file is
made of, so editing a part of the guide a handout does not quote leaves that
handout alone.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from mdguide_build.builders.base import ASSETS, Builder, Output
from mdguide_build.builders.docx import convert_with_reference, document_dates, finish
from mdguide_build.builders.html import CSS, Endnotes
from mdguide_build.errors import MdguideError
from mdguide_build.guide import handouts as ho
from mdguide_build.guide import models as m
from mdguide_build.guide.content import Content
from mdguide_build.guide.labels import attribution_text, edition_label
from mdguide_build.guide.texts import iter_blocks, iter_subsections
from mdguide_build.pandoc import ast as pa
from mdguide_build.pandoc import runner as pandoc
from mdguide_build.pandoc.guide import (
    STYLE_CRITERION,
    STYLE_PROMPTING_QUESTION,
    Context,
    block,
    editorial,
    marked,
    metadata,
    plain,
    pull_quote,
)
from mdguide_build.pandoc.rewrite import map_blocks, map_inlines, spell_out_urls, walk_inlines
from mdguide_build.writers import pdf as print_pdf
from mdguide_build.writers.reference_docx import reference_docx

TEMPLATE = ASSETS / "html" / "handout.html"
HANDOUT_CSS = ASSETS / "html" / "handout.css"
FOLDER = "handouts"
MAX_PAGES = 4
CHECKBOX = "☐"  # U+2610 BALLOT BOX: the checklist's box in Word and on paper
# Headings from Heading 2 (the main DOCX's Heading 1 starts a new page, and a handout is short);
# no code, so none of pandoc's highlighting styles, as in the main DOCX.
DOCX_ARGS = ("--shift-heading-level-by=1", "--syntax-highlighting=none")


class HandoutError(MdguideError):
    """A handout could not be made as promised (too long, or it tried to fetch something)."""


# --- the handout as a pandoc AST -----------------------------------------------------------


def _checklist(handout: ho.Handout, ctx: Context, intro: str) -> list[pa.Block]:
    out: list[pa.Block] = [editorial(plain(intro), ctx)]
    for group, criteria in handout.checklist:
        out.append(pa.Header(2, plain(group.title), pa.Attr(identifier=group.id)))
        out.append(pa.Para(marked(group.lead, ctx)))
        entries = []
        for criterion in criteria:
            if ctx.flavour == "docx":
                entry = [
                    ctx.styled(
                        STYLE_CRITERION,
                        [pa.Para([pa.Str(CHECKBOX), pa.Space(), *marked(criterion.text, ctx)])],
                    )
                ]
            else:  # finish_html turns this div into a checkbox and its label
                entry = [
                    pa.Div(
                        [pa.Plain(marked(criterion.text, ctx))],
                        pa.Attr(identifier=f"check-{criterion.id}", classes=["check-item"]),
                    )
                ]
            if criterion.questions:
                questions = pa.BulletList([[ctx.item(marked(q, ctx))] for q in criterion.questions])
                entry.append(
                    ctx.styled(
                        STYLE_PROMPTING_QUESTION, [questions], pa.Attr(classes=["prompting-questions"])
                    )
                )
            entries.append(entry)
        out.append(pa.Div([pa.BulletList(entries)], pa.Attr(classes=["checklist"])))
    return out


def _pointer_words(pointer: ho.Pointer) -> list[pa.Inline]:
    words = plain(pointer.section.title)
    if pointer.number is not None:
        words = [pa.Str(f"{pointer.number}."), pa.Space(), *words]
    if pointer.subsection is not None:
        words += [pa.Space(), pa.Str("–"), pa.Space(), *plain(pointer.subsection.title)]
    return words


def _read_more(handout: ho.Handout, ctx: Context) -> list[pa.Block]:
    items = []
    for pointer in handout.read_more:
        words = _pointer_words(pointer)
        if ctx.flavour == "docx":  # a Word file travels alone: name the part, do not link it
            items.append([ctx.item(words)])
        else:  # finish_html points it at the guide's page
            items.append(
                [pa.Plain([pa.Link(words, f"#{pointer.anchor}", attr=pa.Attr(classes=["guide-link"]))])]
            )
    return [pa.BulletList(items)]


def handout_blocks(content: Content, handout: ho.Handout, ctx: Context) -> list[pa.Block]:
    """The body of one role's handout (headings from level 1: the page title is the role)."""
    words = content.roles.editorial
    headings = words.headings
    role = handout.role

    def part(ident: str, title: str) -> pa.Header:
        return pa.Header(1, plain(title), pa.Attr(identifier=ident))

    out: list[pa.Block] = [
        part("for-whom", headings.for_whom),
        editorial([*plain(role.editorial_description), pa.Space(), *plain(words.notice)], ctx),
    ]
    if handout.quotes:
        out.append(part("quotes", headings.quotes))
        for item in handout.quotes:
            out.extend(pull_quote(item.node, ctx))
    out.append(part("why-and-what-next", headings.reflection))
    for item in handout.reflections:
        out.extend(block(item.node, ctx, 2))
    out.append(part("what-to-do-next", headings.actions))
    for theme, items in handout.actions:
        out.append(pa.Header(2, plain(theme.editorial_name), pa.Attr(identifier=f"theme-{theme.id}")))
        for item in items:
            out.extend(block(item.node, ctx, 3))
            if item.gap is not None:
                out.extend(block(item.gap, ctx, 3))
    out.append(part("checklist", headings.checklist))
    out.extend(_checklist(handout, ctx, role.editorial_checklist_intro or words.checklist_intro))
    out.append(part("read-more", headings.read_more))
    out.extend(_read_more(handout, ctx))
    return out


def _meta(content: Content, title: str, description: str, series: str | None) -> dict[str, pa.MetaValue]:
    guide = content.guide
    meta = metadata(content)
    keep = (
        "author",
        "publisher",
        "date",
        "lang",
        "identifier",
        "subject",
        "living-document",
        "other-formats",
    )
    return {
        **{key: meta[key] for key in keep if key in meta},
        "title": pa.MetaInlines(plain(title)),
        "description": pa.MetaInlines(plain(description)),
        **({"series": pa.MetaInlines(plain(series))} if series else {}),
        "guide-title": pa.MetaInlines(plain(guide.title)),
        "guide-subtitle": pa.MetaInlines(plain(guide.subtitle)),
        "edition": pa.MetaInlines(plain(edition_label(guide.edition))),
    }


def web_document(content: Content, handout: ho.Handout) -> pa.Document:
    """The handout's web page (and, made for paper, its PDF)."""
    return _web_document(content, handout)[0]


def _web_document(content: Content, handout: ho.Handout) -> tuple[pa.Document, Endnotes]:
    notes = Endnotes()
    ctx = Context(content, "web", allowed_resources=handout.resources, note=notes.cite)
    blocks = [*handout_blocks(content, handout, ctx), *notes.blocks()]
    series = content.roles.editorial.series_title
    role = handout.role
    meta = _meta(content, role.editorial_name, role.editorial_description, series)
    meta["pagetitle"] = pa.MetaString(f"{series}: {role.editorial_name} – {content.guide.title}")
    return pa.Document(blocks, meta), notes


# Paper's own look for the handout's blocks (see print_pdf.BLOCK_STYLES).
PAPER_STYLES = {
    **print_pdf.BLOCK_STYLES,
    "check-item": {"text:weight": '"bold"', "below": "0.35em"},
    "check-entry": {
        "width": "100%",
        "stroke": "(top: rule)",
        "inset": "(y: 0.35em)",
        "above": "0pt",
        "below": "0pt",
    },
}
# A note's number in the text, raised and smaller, as a superscript (the AST has none).
_RAISED = (("typst:text:baseline", "-0.3em"), ("typst:text:size", "0.75em"))


def paper_document(content: Content, handout: ho.Handout) -> pa.Document:
    """The handout's web page made for paper: boxes to tick, no links that paper cannot
    follow ("read more" names the part; no "back to reference"), and a linked phrase's
    address printed after it unless its note in the same passage gives it."""
    document, notes = _web_document(content, handout)

    def noted(inlines) -> set[str]:
        refs = [n for n in walk_inlines(inlines) if isinstance(n, pa.Link) and "note-ref" in n.attr.classes]
        return {notes.urls[int(ref.url.removeprefix("#note-")) - 1] for ref in refs}

    def inlines(nodes: list[pa.Inline]) -> list[pa.Inline]:
        out: list[pa.Inline] = []
        for node in nodes:
            if isinstance(node, pa.Link) and "guide-link" in node.attr.classes:
                node = pa.Span(node.content)
            elif isinstance(node, pa.Link) and "note-ref" in node.attr.classes:
                node = pa.Span([node], pa.Attr(attributes=_RAISED))
            out.append(node)
        return out

    def blocks(block: pa.Block) -> pa.Block:
        if isinstance(block, pa.Div) and "check-item" in block.attr.classes:
            (first, *rest) = block.blocks
            block = pa.Div([pa.Plain([pa.Str(CHECKBOX), pa.Space(), *first.content]), *rest], block.attr)
        elif isinstance(block, pa.Div) and "checklist" in block.attr.classes:
            # On paper the box is the marker: each criterion between rules, without a bullet.
            (criteria,) = block.blocks
            block = pa.Div(
                [pa.Div(item, pa.Attr(classes=["check-entry"])) for item in criteria.items], block.attr
            )
        elif isinstance(block, pa.Div) and "note" in block.attr.classes:
            block = pa.Div([b for b in block.blocks if not _is_back_link(b)], block.attr)
        return block

    document = map_inlines(map_blocks(spell_out_urls(document, noted), blocks), inlines)
    return print_pdf.styled(document, PAPER_STYLES)


def _is_back_link(block: pa.Block) -> bool:
    return isinstance(block, pa.Para) and any(
        isinstance(n, pa.Link) and "note-back" in n.attr.classes for n in block.content
    )


def docx_document(content: Content, handout: ho.Handout) -> pa.Document:
    """The handout in Word's flavour: named styles, real footnotes, a title block."""
    ctx = Context(content, "docx", allowed_resources=handout.resources)
    guide = content.guide
    series = content.roles.editorial.series_title
    meta = _meta(
        content, f"{series}: {handout.role.editorial_name}", handout.role.editorial_description, series
    )
    meta["subtitle"] = pa.MetaInlines(plain(f"{guide.title}: {guide.subtitle}"))
    meta["date"] = pa.MetaInlines(plain(edition_label(guide.edition)))
    # Word's document properties: pandoc would turn any other key into a custom property.
    keep = ("title", "subtitle", "author", "date", "lang", "subject", "description")
    return pa.Document(handout_blocks(content, handout, ctx), {k: meta[k] for k in keep if k in meta})


def index_document(content: Content) -> pa.Document:
    """handouts/index.html: every role, who it is for, and links to its three files."""
    words = content.roles.editorial
    ctx = Context(content, "web")
    parts = _part_titles(content)
    out: list[pa.Block] = [editorial(plain(words.index_intro), ctx)]
    for role in ho.roles_in_order(content):
        out.append(pa.Header(1, plain(role.editorial_name), pa.Attr(identifier=role.id)))
        out.append(editorial(plain(role.editorial_description), ctx))
        links = [
            (f"{role.id}.html", "Web page (HTML)"),
            (f"{role.id}.docx", "Word document (DOCX)"),
            (f"{role.id}.pdf", "PDF to print (A4)"),
        ]
        out.append(
            pa.BulletList(
                [
                    [
                        pa.Plain(
                            [
                                pa.Link(
                                    plain(text),
                                    f"#{target}",
                                    attr=pa.Attr(
                                        classes=["sibling"],
                                        attributes=[("aria-label", f"{role.editorial_name}: {text}")],
                                    ),
                                )
                            ]
                        )
                    ]
                    for target, text in links
                ]
            )
        )
        basis = [pa.Para(plain(words.basis_label + ":"))]
        for item in role.basis:
            basis.append(
                pa.BlockQuote(
                    [
                        pa.Para(
                            [
                                pa.Str("“"),
                                *plain(item.text),
                                pa.Str("”"),
                                pa.Space(),
                                pa.Str("("),
                                *plain(parts.get(item.at, item.at)),
                                pa.Str(")"),
                            ]
                        )
                    ]
                )
            )
        out.append(pa.Div(basis, pa.Attr(classes=["basis"])))
    meta = _meta(content, words.index_title, words.index_intro, None)
    meta["pagetitle"] = pa.MetaString(f"{words.index_title} – {content.guide.title}")
    return pa.Document(out, meta)


def _part_titles(content: Content) -> dict[str, str]:
    """A readable name for each part a role's basis may quote."""
    names: dict[str, str] = {}
    for section in content.sections:
        names[section.id] = section.title
        for _, sub in iter_subsections(section):
            names[sub.id] = sub.title
        for _, node in iter_blocks(section):
            if isinstance(node, m.CaseStudy):
                names[node.id] = node.person.name
            elif isinstance(node, m.PullQuote):
                names[node.id] = attribution_text(node.attribution)
    for group in content.person_specification.groups:
        for criterion in group.criteria:
            names[criterion.id] = f"Person specification: {group.title}"
        names[group.id] = f"Person specification: {group.title}"
    return names


# --- after pandoc: checkboxes, links, print ------------------------------------------------

_ANCHOR = re.compile(r"#([a-z0-9]+(?:-[a-z0-9]+)*)")
_SIBLING = re.compile(r"#([a-z0-9]+(?:-[a-z0-9]+)*\.(?:html|docx|pdf))")


def _classed(tree, tag: str, cls: str) -> list:
    return tree.xpath(f'//{tag}[contains(concat(" ", normalize-space(@class), " "), " {cls} ")]')


def _retarget(tree, cls: str, pattern: re.Pattern, make: str) -> None:
    for link in _classed(tree, "a", cls):
        match = pattern.fullmatch(link.get("href", ""))
        if not match:
            raise HandoutError(f"unexpected {cls} link {link.get('href')!r}")
        link.set("href", make.format(match.group(1)))


def finish_html(page: bytes, guide_slug: str) -> bytes:
    """pandoc's page with native checkboxes and links to the guide's page and to sibling files."""
    tree = lxml_html.document_fromstring(page)
    for div in _classed(tree, "div", "check-item"):
        ident = div.get("id")
        box = etree.Element("input", type="checkbox", id=ident)
        label = etree.Element("label", {"for": ident})
        label.text = div.text
        label.extend(list(div))
        box.tail, label.tail = "\n", div.tail
        parent = div.getparent()
        index = parent.index(div)
        parent.remove(div)
        parent.insert(index, box)
        parent.insert(index + 1, label)
    _retarget(tree, "guide-link", _ANCHOR, f"../{guide_slug}.html#{{}}")
    _retarget(tree, "sibling", _SIBLING, "{}")
    return lxml_html.tostring(tree, doctype="<!DOCTYPE html>", encoding="utf-8")


def write_pdf(document: pa.Document | str, path: Path, name: str, date: tuple[int, int, int]) -> int:
    """The handout for paper as a tagged A4 PDF at ``path``; return its page count."""
    pdf, pages = print_pdf.compile_pdf(
        print_pdf.typst_source(document, print_pdf.HANDOUT_TEMPLATE, print_pdf.HANDOUT, date)
    )
    if pages > MAX_PAGES:
        raise HandoutError(
            f"{name}: {pages} pages, more than the {MAX_PAGES} a handout may have "
            "(hint: tag fewer items for this role in content/)"
        )
    path.write_bytes(pdf)
    return pages


def html_args() -> list[str]:
    css = CSS.read_text(encoding="utf-8") + "\n" + HANDOUT_CSS.read_text(encoding="utf-8")
    return [
        "--standalone",
        f"--template={TEMPLATE}",
        f"--variable=inline-css:{css}",
        "--shift-heading-level-by=1",
        "--wrap=none",
    ]


def render_html(document: str, guide_slug: str) -> bytes:
    return finish_html(pandoc.convert(document, "html5", extra_args=html_args()), guide_slug)


# --- the builder -------------------------------------------------------------------------------


class HandoutsBuilder(Builder):
    name = "handouts"
    summary = (
        "'What to do next' handouts, one per reader role, as web page, Word document and A4 PDF, "
        "with a list of them: for readers who want the next steps only."
    )
    assets = (TEMPLATE, CSS, HANDOUT_CSS, *print_pdf.ASSET_FILES)

    def outputs(self, content: Content) -> list[Output]:
        wanted = self.options.roles or tuple(role.id for role in ho.roles_in_order(content))
        roles = [ho.find_role(content, ident) for ident in dict.fromkeys(wanted)]
        slug = content.guide.slug
        outputs = [self._html(f"{FOLDER}/index.html", index_document(content).to_json_text(), slug)]
        for role in roles:
            handout = ho.select(content, role.id)
            web = web_document(content, handout).to_json_text()
            outputs.append(self._html(f"{FOLDER}/{role.id}.html", web, slug))
            paper = paper_document(content, handout).to_json_text()
            outputs.append(self._pdf(f"{FOLDER}/{role.id}.pdf", paper, print_pdf.edition_date(content)))
            outputs.append(self._docx(f"{FOLDER}/{role.id}.docx", content, handout))
        return outputs

    def _html(self, relpath: str, document: str, slug: str) -> Output:
        def write(path: Path) -> None:
            path.write_bytes(render_html(document, slug))

        return Output(relpath, self.fingerprint("html", document, slug, *html_args()), write)

    def _pdf(self, relpath: str, document: str, date: tuple[int, int, int]) -> Output:
        def write(path: Path) -> None:
            write_pdf(document, path, relpath, date)

        return Output(relpath, self.fingerprint("pdf", document, repr(print_pdf.HANDOUT), repr(date)), write)

    def _docx(self, relpath: str, content: Content, handout: ho.Handout) -> Output:
        document = docx_document(content, handout).to_json_text()
        reference = reference_docx(content.guide.language)
        created, modified = document_dates(content, self.options.source_date_epoch)

        def write(path: Path) -> None:
            written = convert_with_reference(document, path, reference, list(DOCX_ARGS))
            path.write_bytes(finish(written, None, created, modified))

        return Output(
            relpath,
            self.fingerprint(
                "docx", document, reference, *DOCX_ARGS, created.isoformat(), modified.isoformat()
            ),
            write,
        )

    def options_fingerprint(self) -> str:
        """No build options: ``--role`` chooses which files to build, not what is in
        them, and the rest do not touch handouts (the DOCX passes its dates in parts)."""
        return ""
