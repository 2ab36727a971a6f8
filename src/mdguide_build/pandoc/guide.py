"""The guide as a pandoc AST: pure functions from the content model, no I/O.

Every output format is written by pandoc from the document built here, so the
text, numbering and structure are the same in all of them.  Numbers are
computed, never typed: section numbers from the order in guide.json, figure
numbers from the order figures are placed, footnote numbers by pandoc from the
order resources are cited.

Two flavours differ only where the formats' idioms differ: ``"web"`` (HTML and
EPUB: figures, sections, landmarks) and ``"docx"`` (Word paragraph styles via
pandoc's ``custom-style`` attribute, which the DOCX writer maps to styles).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from mdguide_build.guide import inline
from mdguide_build.guide import models as m
from mdguide_build.guide.content import Content
from mdguide_build.guide.labels import attribution_text, edition_label, edition_mark, human_date, review_line
from mdguide_build.guide.numbering import figure_numbers, section_numbers
from mdguide_build.pandoc import ast as pa

Flavour = Literal["web", "docx"]
# `mdguide review export` anchors each text field: anchor(owner, path, inlines) -> inlines (see Context.anchor).
AnchorHook = Callable[[object, tuple[str | int, ...], list[pa.Inline]], list[pa.Inline]]

# DOCX paragraph styles; their look is defined in the reference document (writers/reference_docx.py).
STYLE_PULL_QUOTE = "Pull Quote"
STYLE_ATTRIBUTION = "Attribution"
STYLE_CASE_STUDY = "Case Study"
STYLE_CASE_STUDY_PERSON = "Case Study Person"
STYLE_CRITERION = "Criterion"
STYLE_PROMPTING_QUESTION = "Prompting Question"
STYLE_FIGURE_DESCRIPTION = "Figure Description"
STYLE_EDITORIAL = "Editorial Note"
DOCX_STYLES = (
    STYLE_PULL_QUOTE,
    STYLE_ATTRIBUTION,
    STYLE_CASE_STUDY,
    STYLE_CASE_STUDY_PERSON,
    STYLE_CRITERION,
    STYLE_PROMPTING_QUESTION,
    STYLE_FIGURE_DESCRIPTION,
    STYLE_EDITORIAL,
)


def resource_note(resource: m.Resource) -> pa.Note:
    """A footnote giving the resource's address as the guide printed it, visible and linked.

    Where the resource has moved, or is dead with an archived copy, an
    editorial line says so after the printed address (``note_lines``).
    """
    words: list[pa.Inline] = []
    for line in note_lines(resource):
        words += [pa.LineBreak(), *line] if words else line
    return pa.Note([pa.Para(words)])


def note_lines(resource: m.Resource) -> list[list[pa.Inline]]:
    """The lines of a resource's note: the printed address, then what became of it (editorial).

    The printed address is kept, as the guide printed it.  A resource with a
    ``current_url`` has moved: "Editorial note: This resource has moved; it is
    now at <current_url>."  A dead one offers its archived copy.
    """
    lines = [[pa.Link([pa.Str(resource.url)], resource.url, attr=pa.Attr(classes=["url"]))]]
    if resource.current_url:
        words = [
            *pa.text("This resource has moved; it is now at"),
            pa.Space(),
            pa.Link(
                [pa.Str(resource.current_url)], resource.current_url, attr=pa.Attr(classes=["url", "current"])
            ),
        ]
        if resource.archived_url:
            words += [
                pa.Space(),
                *pa.text("Archived copy of the page the guide cited:"),
                pa.Space(),
                _archived(resource),
            ]
        lines.append(_editorial_inline(words, "moved"))
    elif resource.status == "dead" and resource.archived_url:
        lines.append(archived_copy(resource.archived_url))
    return lines


def _archived(resource: m.Resource) -> pa.Link:
    url = resource.archived_url or ""
    return pa.Link([pa.Str(url)], url, attr=pa.Attr(classes=["url", "archived"]))


def _editorial_inline(words: list[pa.Inline], kind: str) -> list[pa.Inline]:
    """Words in a note that are not the guide's own, labelled "Editorial note:"."""
    label = pa.Strong([pa.Str("Editorial"), pa.Space(), pa.Str("note:")])
    return [pa.Span([label, pa.Space(), *words], pa.Attr(classes=["editorial-inline", kind]))]


def archived_copy(archived_url: str) -> list[pa.Inline]:
    """'Editorial note: this address no longer works. Archived copy: <url>' (not the guide's words)."""
    link = pa.Link([pa.Str(archived_url)], archived_url, attr=pa.Attr(classes=["url", "archived"]))
    words = [*pa.text("This address no longer works. Archived copy:"), pa.Space(), link]
    return _editorial_inline(words, "archived-copy")


@dataclass
class Context:
    """What rendering needs besides the node at hand."""

    content: Content
    flavour: Flavour
    urls: dict[str, str] = field(init=False)
    figure_numbers: dict[str, int] = field(init=False)
    # Only these resources may appear (handouts filter); None means all.
    allowed_resources: frozenset[str] | None = None
    # Makes the note citing a resource: a pandoc footnote by default; the HTML
    # page numbers its own endnotes so each back link can say where it goes.
    note: Callable[[m.Resource], pa.Inline] = resource_note
    # Only for the live editor's page (tools/editor), never an output: each part an editor can
    # change carries the file and JSON pointer it comes from, data-edit="sections/4-x.json#/blocks/2".
    source_map: bool = False
    # `mdguide review export`: wraps the words of one text field in an anchor, called as
    # anchor(owner, path, inlines) where ``owner`` is the model holding the field and
    # ``path`` its name (and index, in a list), e.g. (paragraph, ("text",)) or (lst, ("items", 2)).
    anchor: AnchorHook | None = None

    def __post_init__(self) -> None:
        self.resources = {r.id: r for r in self.content.resources.resources}
        self.urls = {r.id: r.url for r in self.content.resources.resources}
        self.figure_numbers = figure_numbers(self.content)

    def cite(self, resource: str) -> pa.Inline:
        """The note citing ``resource``: its printed address, and where it is now (``note_lines``)."""
        return self.note(self.resources[resource])

    def styled(self, style: str, blocks: list[pa.Block], attr: pa.Attr | None = None) -> pa.Block:
        """Blocks in a DOCX paragraph style (or a classed div on the web)."""
        if self.flavour == "docx":
            return pa.Div(blocks, pa.Attr(attributes=[("custom-style", style)]))
        return pa.Div(blocks, attr or pa.Attr())

    def source(self, relpath: str, pointer: str) -> list[tuple[str, str]]:
        """The attribute naming where a part comes from, on the editor's page only."""
        return [("data-edit", f"{relpath}#{pointer}")] if self.source_map else []

    def located(self, blocks: list[pa.Block], relpath: str, pointer: str) -> list[pa.Block]:
        """``blocks`` in a division naming where they come from, on the editor's page only."""
        if not self.source_map:
            return blocks
        return [
            pa.Div(blocks, pa.Attr(classes=["mdguide-editable"], attributes=self.source(relpath, pointer)))
        ]

    def field(self, owner: object, *path: str | int, markup: bool = True) -> list[pa.Inline]:
        """The words of one text field of ``owner``: ``field(node, "text")``, ``field(node, "items", 2)``.

        ``markup=False`` for fields that hold plain text (titles).  Every text an
        editor can change goes through here, so the review export can anchor it.
        """
        value = getattr(owner, str(path[0]))
        for key in path[1:]:
            value = value[key]
        words = marked(value, self) if markup else plain(value)
        return self.anchor(owner, path, words) if self.anchor else words

    def item(self, inlines: list[pa.Inline]) -> pa.Block:
        """A list item's text: Word applies a custom style to a Para, not to a tight list's Plain."""
        return pa.Para(inlines) if self.flavour == "docx" else pa.Plain(inlines)


# --- inlines ---------------------------------------------------------------------------


def inlines(nodes: tuple[inline.Inline, ...], ctx: Context) -> list[pa.Inline]:
    out: list[pa.Inline] = []
    for node in nodes:
        if isinstance(node, inline.Plain):
            out.extend(pa.text(node.text))
        elif isinstance(node, inline.Emph):
            # Emphasis in the guide marks titles; large print turns it bold (its builder's job).
            out.append(pa.Emph(inlines(node.children, ctx)))
        elif isinstance(node, inline.Strong):
            out.append(pa.Strong(inlines(node.children, ctx)))
        elif isinstance(node, inline.ResourceLink):
            children = inlines(node.children, ctx)
            if ctx.allowed_resources is None or node.resource in ctx.allowed_resources:
                out.append(pa.Link(children, ctx.urls[node.resource], attr=pa.Attr(classes=["resource"])))
            else:
                out.extend(children)
        elif isinstance(node, inline.NoteRef) and (
            ctx.allowed_resources is None or node.resource in ctx.allowed_resources
        ):
            out.append(ctx.cite(node.resource))
    return out


def marked(text: str, ctx: Context) -> list[pa.Inline]:
    """Inlines for one text field in mdguide's markup (validated by the loader)."""
    return inlines(inline.parse(text), ctx)


def plain(text: str) -> list[pa.Inline]:
    """Inlines for a field that holds no markup (titles, captions, names)."""
    return pa.text(text)


# --- blocks ----------------------------------------------------------------------------


def pull_quote(block: m.PullQuote, ctx: Context) -> list[pa.Block]:
    quotes = []
    for quote in block.quotes:
        words = [pa.Str("“"), *ctx.field(quote, "text"), pa.Str("”")]
        quotes.append([pa.Strong(words)] if quote.bold else words)
    attribution = plain(attribution_text(block.attribution))
    if ctx.flavour == "docx":
        return [
            ctx.styled(STYLE_PULL_QUOTE, [pa.Para(q) for q in quotes]),
            ctx.styled(STYLE_ATTRIBUTION, [pa.Para(attribution)]),
        ]
    return [
        pa.Figure(
            caption=[pa.Plain(attribution)],
            blocks=[pa.BlockQuote([pa.Para(q)]) for q in quotes],
            attr=pa.Attr(identifier=block.id, classes=["pull-quote"]),
        )
    ]


def case_study(block: m.CaseStudy, ctx: Context, level: int) -> list[pa.Block]:
    person = block.person
    heading_id = f"{block.id}-heading"
    heading = pa.Header(
        min(level, 6), plain(person.name), pa.Attr(identifier=heading_id, classes=["unnumbered", "unlisted"])
    )
    role = pa.Para(plain(f"{person.title}, {person.organisation}"))
    paragraphs = [pa.Para(ctx.field(block, "paragraphs", i)) for i in range(len(block.paragraphs))]
    if ctx.flavour == "docx":
        return [
            heading,
            ctx.styled(STYLE_CASE_STUDY_PERSON, [role]),
            ctx.styled(STYLE_CASE_STUDY, paragraphs),
        ]
    # A <section> labelled by its heading is a 'region' landmark that readers can jump to.
    # The label's id sits on a span inside the heading: pandoc's section divs move a
    # heading's own id onto a new <section>, which would make the whole case study its label.
    heading = pa.Header(
        min(level, 6),
        [pa.Span(plain(person.name), pa.Attr(identifier=heading_id))],
        pa.Attr(classes=["unnumbered", "unlisted"]),
    )
    return [
        pa.Div(
            [heading, pa.Div([role], pa.Attr(classes=["case-study-person"])), *paragraphs],
            pa.Attr(
                identifier=block.id,
                classes=["section", "case-study"],
                attributes=[("aria-labelledby", heading_id)],
            ),
        )
    ]


def editorial(label_and_text: list[pa.Inline], ctx: Context, extra_class: str | None = None) -> pa.Block:
    """Text that is not the guide's own, always labelled as editorial."""
    para = pa.Para(
        [pa.Strong([pa.Str("Editorial"), pa.Space(), pa.Str("note:")]), pa.Space(), *label_and_text]
    )
    classes = ["editorial"] + ([extra_class] if extra_class else [])
    return ctx.styled(STYLE_EDITORIAL, [para], pa.Attr(classes=classes))


def figure(block: m.FigureRef, ctx: Context) -> list[pa.Block]:
    fig = next(f for f in ctx.content.figures.figures if f.id == block.figure)
    number = ctx.figure_numbers[fig.id]
    caption = [pa.Str("Figure"), pa.Space(), pa.Str(f"{number}:"), pa.Space(), *plain(fig.caption)]
    words = fig.description
    description: list[pa.Block] = [pa.Para(ctx.field(words, "lead"))]
    if fig.description.items:
        description.append(
            pa.BulletList([[ctx.item(ctx.field(words, "items", i))] for i in range(len(words.items))])
        )
    basis = {
        "guide-text": "This description lists what the guide's text says the figure shows.",
        "reconstructed": "This description is reconstructed from the guide's text and is incomplete.",
        "original": "This description is taken from the original figure.",
    }[fig.description.basis]
    note = " ".join(filter(None, [fig.image_note, basis]))
    if ctx.flavour == "docx":
        return [
            ctx.styled(STYLE_FIGURE_DESCRIPTION, description),
            editorial(plain(note), ctx),
            pa.Div([pa.Para(caption)], pa.Attr(attributes=[("custom-style", "Image Caption")])),
        ]
    body = pa.Div([*description, editorial(plain(note), ctx)], pa.Attr(classes=["figure-description"]))
    return [
        pa.Figure(
            caption=[pa.Plain(caption)], blocks=[body], attr=pa.Attr(identifier=fig.id, classes=["figure"])
        )
    ]


def prompting_questions(criterion: m.Criterion, ctx: Context) -> list[pa.Block]:
    """A criterion's prompting questions as a styled list (none if it has none)."""
    if not criterion.questions:
        return []
    questions = pa.BulletList(
        [[ctx.item(ctx.field(criterion, "questions", i))] for i in range(len(criterion.questions))]
    )
    return [ctx.styled(STYLE_PROMPTING_QUESTION, [questions], pa.Attr(classes=["prompting-questions"]))]


def person_specification(ctx: Context, level: int) -> list[pa.Block]:
    out: list[pa.Block] = []
    for g, group in enumerate(ctx.content.person_specification.groups):
        out.append(
            pa.Header(min(level, 6), ctx.field(group, "title", markup=False), pa.Attr(identifier=group.id))
        )
        out.extend(
            ctx.located([pa.Para(ctx.field(group, "lead"))], "person-specification.json", f"/groups/{g}")
        )
        items = []
        for c, criterion in enumerate(group.criteria):
            where = ctx.source("person-specification.json", f"/groups/{g}/criteria/{c}")
            item: list[pa.Block] = with_edition_mark(
                criterion,
                [
                    ctx.styled(
                        STYLE_CRITERION,
                        [pa.Para(ctx.field(criterion, "text"))],
                        pa.Attr(identifier=criterion.id, classes=["criterion"], attributes=where),
                    )
                ],
                ctx,
            )
            item.extend(prompting_questions(criterion, ctx))
            items.append(item)
        out.append(pa.BulletList(items))
    return [pa.Div(out, pa.Attr(identifier="person-specification", classes=["person-specification"]))]


def with_edition_mark(part: object, blocks: list[pa.Block], ctx: Context) -> list[pa.Block]:
    """A part that a later edition added or revised, labelled "New in 1.1" before it (as text).

    On the web the label and the part share a classed division, so the page can
    set the whole part apart; the label itself says it in words.
    """
    label = edition_mark(part)
    if label is None:
        return blocks
    mark = pa.Para([pa.Span([pa.Strong(plain(label))], pa.Attr(classes=["edition-mark"]))])
    if ctx.flavour == "docx":
        return [ctx.styled(STYLE_EDITORIAL, [mark]), *blocks]
    return [pa.Div([mark, *blocks], pa.Attr(classes=["edition-marked"]))]


def block(node: object, ctx: Context, level: int) -> list[pa.Block]:
    """``level`` is the heading level a heading inside this block would take."""
    return with_edition_mark(node, _block(node, ctx, level), ctx)


def _block(node: object, ctx: Context, level: int) -> list[pa.Block]:
    if isinstance(node, m.Paragraph):
        return [pa.Para(ctx.field(node, "text"))]
    if isinstance(node, m.BulletList):
        return [pa.BulletList([[pa.Plain(ctx.field(node, "items", i))] for i in range(len(node.items))])]
    if isinstance(node, m.PullQuote):
        return pull_quote(node, ctx)
    if isinstance(node, m.CaseStudy):
        return case_study(node, ctx, level)
    if isinstance(node, m.FigureRef):
        return figure(node, ctx)
    if isinstance(node, m.PersonSpecificationRef):
        return person_specification(ctx, level)
    if isinstance(node, m.EditorialNote):
        return [editorial(ctx.field(node, "text"), ctx)]
    if isinstance(node, m.ExtractionGap):
        notes = [
            ctx.cite(i) for i in node.cites if ctx.allowed_resources is None or i in ctx.allowed_resources
        ]
        return [editorial([*ctx.field(node, "note"), *notes], ctx, "extraction-gap")]
    raise TypeError(f"no rendering for {type(node).__name__}")  # a new block type needs a case here


def subsection(
    node: m.Subsection, ctx: Context, level: int, relpath: str = "", at: str = ""
) -> list[pa.Block]:
    out: list[pa.Block] = [
        pa.Header(min(level, 6), ctx.field(node, "title", markup=False), pa.Attr(identifier=node.id))
    ]
    out += with_edition_mark(node, [], ctx)
    for i, child in enumerate(node.blocks):
        out.extend(ctx.located(block(child, ctx, level + 1), relpath, f"{at}/blocks/{i}"))
    for i, child in enumerate(node.subsections):
        out.extend(subsection(child, ctx, level + 1, relpath, f"{at}/subsections/{i}"))
    return out


def section_heading(section: m.SectionFile, number: int | None, ctx: Context) -> pa.Header:
    words = ctx.field(section, "title", markup=False)
    if number is not None:
        words = [pa.Span([pa.Str(f"{number}.")], pa.Attr(classes=["section-number"])), pa.Space(), *words]
    return pa.Header(1, words, pa.Attr(identifier=section.id))


def section(node: m.SectionFile, ctx: Context, number: int | None, relpath: str = "") -> list[pa.Block]:
    out: list[pa.Block] = [section_heading(node, number, ctx), *with_edition_mark(node, [], ctx)]
    for i, child in enumerate(node.blocks):
        out.extend(ctx.located(block(child, ctx, 2), relpath, f"/blocks/{i}"))
    for i, child in enumerate(node.subsections):
        out.extend(subsection(child, ctx, 2, relpath, f"/subsections/{i}"))
    return out


def foreword(ctx: Context) -> list[pa.Block]:
    fw = ctx.content.foreword
    out: list[pa.Block] = [pa.Header(1, plain(fw.title), pa.Attr(identifier="foreword"))]
    for i in range(len(fw.paragraphs)):
        out.extend(
            ctx.located([pa.Para(ctx.field(fw, "paragraphs", i))], "foreword.json", f"/paragraphs/{i}")
        )
    signatories = []
    for person in fw.signatories:
        lines = [person.name, person.title, person.organisation]
        inl: list[pa.Inline] = []
        for i, line in enumerate(lines):
            if i:
                inl.append(pa.LineBreak())
            inl.extend([pa.Strong(plain(line))] if i == 0 else plain(line))
        signatories.append(pa.Para(inl))
    out.append(pa.Div(signatories, pa.Attr(classes=["signatories"])))
    return out


def back_matter(ctx: Context) -> list[pa.Block]:
    bm, guide = ctx.content.back_matter, ctx.content.guide
    out: list[pa.Block] = [
        pa.Header(1, plain(bm.contact_heading.rstrip(":")), pa.Attr(identifier="contact-us"))
    ]
    for contact in bm.contacts:
        # The organisation is a label, not a heading: a heading would put the
        # paragraphs after the contacts (about FMLM, social media, other
        # formats) under the last organisation in the outline.
        out.append(pa.Para([pa.Strong(plain(contact.organisation))]))
        address: list[pa.Inline] = []
        for i, line in enumerate(contact.address):
            if i:
                address.append(pa.LineBreak())
            address.extend(plain(line))
        out.append(pa.Para(address))
        out.append(pa.Para(plain(contact.phone)))
        out.append(
            pa.Para(
                [
                    pa.Link([pa.Str(contact.email)], f"mailto:{contact.email}"),
                    pa.LineBreak(),
                    pa.Link([pa.Str(contact.website)], f"https://{contact.website}"),
                ]
            )
        )
    for i in range(len(bm.about)):
        out.extend(ctx.located([pa.Para(ctx.field(bm, "about", i))], "back-matter.json", f"/about/{i}"))
    out.extend(ctx.located([pa.Para(ctx.field(bm, "social"))], "back-matter.json", "/social"))
    out.append(pa.Para(plain(guide.statements.other_formats)))
    return out


def metadata(content: Content, *, date: str | None = None) -> dict[str, pa.MetaValue]:
    guide = content.guide
    edition = guide.edition
    return {
        "title": pa.MetaInlines(plain(guide.title)),
        "subtitle": pa.MetaInlines(plain(guide.subtitle)),
        "author": pa.MetaList([pa.MetaInlines(plain(p)) for p in guide.publishers]),
        "publisher": pa.MetaInlines(plain(" and ".join(guide.publishers))),
        "date": pa.MetaString(date or edition.date),
        "date-human": pa.MetaInlines(plain(human_date(guide.published))),
        "edition": pa.MetaInlines(plain(edition_label(edition))),
        "edition-version": pa.MetaString(edition.version),
        "edition-date": pa.MetaString(edition.date),
        **({"reviewed": pa.MetaInlines(plain(review_line(guide.reviewed)))} if guide.reviewed else {}),
        "lang": pa.MetaString(guide.language),
        "identifier": pa.MetaString(guide.identifier),
        "description": pa.MetaInlines(plain(guide.subtitle)),
        "subject": pa.MetaInlines(plain("Medical leadership")),
        "other-formats": pa.MetaInlines(plain(guide.statements.other_formats)),
        "living-document": pa.MetaInlines(plain(guide.statements.living_document)),
        "accessibilitySummary": pa.MetaString(guide.accessibility.summary),
        "accessModes": pa.MetaList([pa.MetaString(x) for x in guide.accessibility.access_modes]),
        "accessModeSufficient": pa.MetaList(
            [pa.MetaString(x) for x in guide.accessibility.access_mode_sufficient]
        ),
        "accessibilityFeatures": pa.MetaList([pa.MetaString(x) for x in guide.accessibility.features]),
        "accessibilityHazards": pa.MetaList([pa.MetaString(x) for x in guide.accessibility.hazards]),
    }


def guide_blocks(ctx: Context) -> list[pa.Block]:
    numbers = section_numbers(ctx.content)
    out = foreword(ctx)
    # A valid guide's section files are its guide.json list, in order (the loader refuses gaps and repeats).
    relpaths = ctx.content.guide.sections if ctx.source_map else [""] * len(ctx.content.sections)
    for relpath, node in zip(relpaths, ctx.content.sections, strict=True):
        out.extend(section(node, ctx, numbers.get(node.id), relpath))
    out.extend(back_matter(ctx))
    out.extend(changes_page(ctx))
    return out


def guide_document(
    content: Content,
    flavour: Flavour,
    extra_meta: Callable[[Content], dict[str, pa.MetaValue]] | None = None,
    anchor: AnchorHook | None = None,
) -> pa.Document:
    """The whole guide, ready for pandoc (``anchor``: see ``Context.anchor``)."""
    ctx = Context(content, flavour, anchor=anchor)
    meta = metadata(content)
    if extra_meta:
        meta.update(extra_meta(content))
    return pa.Document(guide_blocks(ctx), meta)


# --- editions ----------------------------------------------------------------------------

CHANGES_ID = "changes-in-this-edition"


def changes_page(ctx: Context) -> list[pa.Block]:
    """ "Changes in this edition": the editions and their public change notes, newest first.

    None of it is the guide's own text, so it opens with an editorial label and
    sits in an ``editorial`` division.
    """
    guide = ctx.content.guide
    heading = pa.Header(
        1, plain("Changes in this edition"), pa.Attr(identifier=CHANGES_ID, classes=["unnumbered"])
    )
    out: list[pa.Block] = [
        editorial(
            plain(
                "This page is not part of the guide's text. It lists the guide's editions, "
                "newest first, with what changed in each."
            ),
            ctx,
        ),
    ]
    for n, edition in enumerate([guide.edition, *guide.history]):
        label = edition_label(edition) + (" (this edition)" if n == 0 else "")
        out.append(
            pa.Header(
                2,
                plain(label),
                pa.Attr(
                    identifier=f"edition-{edition.version.replace('.', '-')}",
                    classes=["unnumbered", "unlisted"],
                ),
            )
        )
        note = pa.Para(plain(edition.note) if edition.note else plain("No change note was recorded."))
        out.extend(ctx.located([note], "guide.json", "/edition") if n == 0 else [note])
    if guide.reviewed:
        out.append(pa.Para(plain(review_line(guide.reviewed))))
    if ctx.flavour == "docx":
        return [heading, *out]
    return [heading, pa.Div(out, pa.Attr(classes=["changes"]))]
