""" "What to do next" handouts as pandoc ASTs: pure functions from a role's selection, no I/O.

Each handout is built from ``guide.handouts.select``: only the items tagged
for its role, quoted through the same ``pandoc.guide`` functions as the guide,
so the words and the resources' notes are the guide's own.  The handouts' own
words (title, headings, who it is for) come from content/roles.json and are
shown as editorial.

A handout is emailed or printed on its own, so it stands alone:

* each passage keeps the heading it stands under in the guide ("360
  feedback"), the guide's own words, when it is lifted out of a subsection;
* "Read more in the full guide" links to the published guide by its full
  address (``guide.json``'s ``published_url``), in the web page and in Word;
  while guide.json gives no address (the publisher has not said where the
  guide will be), the items only name the guide's parts;
* the page's foot (and the end of the Word document) says where the full
  guide and its other formats are, or, without an address, whom to ask;
* nothing of the 2017 extraction's scars (see ``guide.handouts``).

``web_document`` is the HTML page (and the PDF's source), ``docx_document``
the Word flavour, ``index_document`` the list of every role's handouts.
"""

from __future__ import annotations

from typing import Protocol
from urllib.parse import urljoin

from mdguide_build.guide import handouts as ho
from mdguide_build.guide import models as m
from mdguide_build.guide.content import Content
from mdguide_build.guide.labels import attribution_text, edition_label
from mdguide_build.guide.texts import iter_blocks, iter_subsections
from mdguide_build.pandoc import ast as pa
from mdguide_build.pandoc.guide import (
    STYLE_CRITERION,
    AnchorHook,
    Context,
    block,
    editorial,
    inlines,
    metadata,
    plain,
    prompting_questions,
    pull_quote,
)

CHECKBOX = "☐"  # U+2610 BALLOT BOX: the checklist's box in Word and on paper
# The other formats, as the footer names them (every format but the web page the footer links).
OTHER_FORMATS = "e-book (EPUB), Word, PDF, large print, plain text and braille"


class Notes(Protocol):
    """The web page's endnotes (``builders.html.Endnotes``): a citation maker and the notes' blocks."""

    def cite(self, resource: m.Resource) -> pa.Inline: ...

    def blocks(self) -> list[pa.Block]: ...


# --- the parts of a handout --------------------------------------------------------------------


def _checklist(handout: ho.Handout, ctx: Context, intro: str) -> list[pa.Block]:
    out: list[pa.Block] = [editorial(plain(intro), ctx)]
    for group, criteria in handout.checklist:
        out.append(pa.Header(2, plain(group.title), pa.Attr(identifier=group.id)))
        out.append(pa.Para(ctx.field(group, "lead")))
        entries = []
        for criterion in criteria:
            if ctx.flavour == "docx":
                entry = [
                    ctx.styled(
                        STYLE_CRITERION,
                        [pa.Para([pa.Str(CHECKBOX), pa.Space(), *ctx.field(criterion, "text")])],
                    )
                ]
            else:  # writers.handout_html turns this div into a checkbox and its label
                entry = [
                    pa.Div(
                        [pa.Plain(ctx.field(criterion, "text"))],
                        pa.Attr(identifier=f"check-{criterion.id}", classes=["check-item"]),
                    )
                ]
            entry.extend(prompting_questions(criterion, ctx))
            entries.append(entry)
        out.append(pa.Div([pa.BulletList(entries)], pa.Attr(classes=["checklist"])))
    return out


def guide_address(content: Content, anchor: str | None = None) -> str | None:
    """The published guide's address (at ``anchor``), or None if guide.json does not give it."""
    url = content.guide.published_url
    if url is None:
        return None
    return f"{url.split('#')[0]}#{anchor}" if anchor else url


def _pointer_words(pointer: ho.Pointer) -> list[pa.Inline]:
    words = plain(pointer.section.title)
    if pointer.number is not None:
        words = [pa.Str(f"{pointer.number}."), pa.Space(), *words]
    if pointer.subsection is not None:
        words += [pa.Space(), pa.Str("–"), pa.Space(), *plain(pointer.subsection.title)]
    return words


def _read_more(content: Content, handout: ho.Handout, ctx: Context) -> list[pa.Block]:
    items = []
    for pointer in handout.read_more:
        words = _pointer_words(pointer)
        target = guide_address(content, pointer.anchor)
        if target is not None:  # print_html turns it into words on paper; the foot gives the address
            words = [pa.Link(words, target, attr=pa.Attr(classes=["guide-link"]))]
        items.append([ctx.item(words)])
    return [pa.BulletList(items)]


def where_to_get(content: Content) -> list[pa.Inline]:
    """Where the full guide and its other formats are: the handout's foot."""
    guide = content.guide
    url = guide_address(content)
    if url is None:
        publishers = " or ".join(guide.publishers)
        return plain(
            f"For the full guide, {guide.title}, and its other formats ({OTHER_FORMATS}), ask {publishers}."
        )
    folder = urljoin(url, ".")
    return [
        *plain(f"Read the full guide, {guide.title}, at"),
        pa.Space(),
        pa.Link([pa.Str(url)], url, attr=pa.Attr(classes=["url"])),
        pa.Str("."),
        pa.Space(),
        *plain(f"Its other formats – {OTHER_FORMATS} – are published beside it, at"),
        pa.Space(),
        pa.Link([pa.Str(folder)], folder, attr=pa.Attr(classes=["url"])),
        pa.Str("."),
    ]


def _in_context(items: tuple[ho.Item, ...], ctx: Context, level: int, under: str = "") -> list[pa.Block]:
    """The items, each run from one subsection under that subsection's own heading.

    A passage lifted out of the guide keeps the heading it stood under ("360
    feedback"), unless it is the heading the handout already gives (``under``).
    """
    out: list[pa.Block] = []
    heading = None
    for item in items:
        here = item.place.path[-1] if item.place.path else None
        if here is not None and here is not heading and here.title != under:
            out.append(pa.Header(level, plain(here.title), pa.Attr(classes=["context"])))
        heading = here
        out.extend(_quoted(item, ctx, level + 1))
    return out


def _quoted(item: ho.Item, ctx: Context, level: int) -> list[pa.Block]:
    """What the handout prints of an item: a paragraph as far as it survived whole, else the block."""
    if isinstance(item.node, m.Paragraph):
        return [pa.Para(inlines(item.quoted()[0], ctx))]
    return block(item.node, ctx, level)


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
    out.extend(_in_context(handout.reflections, ctx, 2))
    out.append(part("what-to-do-next", headings.actions))
    for theme, items in handout.actions:
        out.append(pa.Header(2, plain(theme.editorial_name), pa.Attr(identifier=f"theme-{theme.id}")))
        out.extend(_in_context(items, ctx, 3, theme.editorial_name))
    out.append(part("checklist", headings.checklist))
    out.extend(_checklist(handout, ctx, role.editorial_checklist_intro or words.checklist_intro))
    out.append(part("read-more", headings.read_more))
    out.extend(_read_more(content, handout, ctx))
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
        "full-guide": pa.MetaInlines(where_to_get(content)),
    }


# --- the three documents -----------------------------------------------------------------------


def web_document(content: Content, handout: ho.Handout, notes: Notes) -> pa.Document:
    """The handout's web page (also the source of its PDF), with ``notes`` as its endnotes."""
    ctx = Context(content, "web", allowed_resources=handout.resources, note=notes.cite)
    blocks = [*handout_blocks(content, handout, ctx), *notes.blocks()]
    series = content.roles.editorial.series_title
    role = handout.role
    meta = _meta(content, role.editorial_name, role.editorial_description, series)
    meta["pagetitle"] = pa.MetaString(f"{series}: {role.editorial_name} – {content.guide.title}")
    return pa.Document(blocks, meta)


def docx_document(content: Content, handout: ho.Handout, anchor: AnchorHook | None = None) -> pa.Document:
    """The handout in Word's flavour: named styles, real footnotes, a title block, and where to get the guide.

    ``anchor`` marks each editable text for `mdguide review export --role`.
    """
    ctx = Context(content, "docx", allowed_resources=handout.resources, anchor=anchor)
    guide = content.guide
    series = content.roles.editorial.series_title
    meta = _meta(
        content, f"{series}: {handout.role.editorial_name}", handout.role.editorial_description, series
    )
    meta["subtitle"] = pa.MetaInlines(plain(f"{guide.title}: {guide.subtitle}"))
    meta["date"] = pa.MetaInlines(plain(edition_label(guide.edition)))
    # Word's document properties: pandoc would turn any other key into a custom property.
    keep = ("title", "subtitle", "author", "date", "lang", "subject", "description")
    body = [*handout_blocks(content, handout, ctx), pa.Para(where_to_get(content))]
    return pa.Document(body, {k: meta[k] for k in keep if k in meta})


def index_document(content: Content) -> pa.Document:
    """handouts/index.html: every role, who it is for, where the guide speaks to them, and its three files.

    The AST allows no relative links, so a link to a sibling file is an anchor
    (``#consultant.pdf``) that ``writers.handout_html`` points at the file.
    """
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
