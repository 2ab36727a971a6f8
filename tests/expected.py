"""What each output must carry, in reading order, worked out from content/ alone.

This is the tests' own reader of the content's JSON.  It imports nothing from
``mdguide_build``: an expectation computed by the code under test would agree
with that code's mistakes.  It knows the content's small inline markup (see
docs/editing.md) well enough to take out the words, the notes and the links,
and it knows how each output is laid out (the ``Layout`` of each format): where
its contents list, its notes and its title block go.  The numbers a builder
computes (sections, figures, notes) are worked out here again from the order of
the content.

``guide_units(guide, layout)`` is the whole guide as a list of ``Unit``s, and
``handout_units(guide, role, layout)`` one role's handout; ``alignment.py``
holds them against the words read back from an output.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SOURCE = ROOT / "source" / "the-medical-directors-role-2017.txt"

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


# --- the inline markup ---------------------------------------------------------------------------

# \x (a literal), [^id] (a note), ][id] (the end of a link's words), * or ** (emphasis), [ (a link opens).
_MARKUP = re.compile(r"\\(.)|\[\^([a-z0-9-]+)\]|\]\[([a-z0-9-]+)\]|\*|\[|(.)", re.DOTALL)


@dataclass(frozen=True)
class Marked:
    """A marked-up text: its pieces of words, with a note or a link's end between them."""

    # words, or ("note", resource id), or ("link", resource id, the link's words) where a link ends
    pieces: tuple[str | tuple[str, ...], ...]

    @classmethod
    def parse(cls, text: str) -> Marked:
        pieces: list[str | tuple[str, ...]] = []
        words: list[str] = []
        seen: list[str] = []  # every character of words so far, to find a link's own words
        opened = 0

        def flush() -> None:
            if words:
                pieces.append("".join(words))
                words.clear()

        for match in _MARKUP.finditer(text):
            literal, note, link, char = match.groups()
            if literal is not None or char is not None:
                words.append(literal if literal is not None else char)
                seen.append(words[-1])
            elif match.group() == "[":
                opened = len(seen)
            elif note or link:
                flush()
                pieces.append(("note", note) if note else ("link", link, "".join(seen[opened:])))
        flush()
        return cls(tuple(pieces))

    @property
    def words(self) -> str:
        return "".join(p for p in self.pieces if isinstance(p, str))

    @property
    def notes(self) -> list[str]:
        return [p[1] for p in self.pieces if isinstance(p, tuple) and p[0] == "note"]

    @property
    def links(self) -> list[str]:
        return [p[1] for p in self.pieces if isinstance(p, tuple) and p[0] == "link"]


def words(text: str) -> str:
    """The words of a marked-up text, as a reader sees them."""
    return Marked.parse(text).words


# --- the 2017 source text ---------------------------------------------------------------------------

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
# Source lines that are the publishers' logos, not the guide's running text (source/README.md).
LOGO_LINES = {"Faculty of", "**Medical Leadership", "and Management**", "Improvement"}


def source_lines(source: Path = SOURCE) -> list[tuple[int, str]]:
    """(line number, text) of every line of the 2017 guide's running text, in its order: not the
    PDF's own contents list (outputs make their own), not the footnotes' address lines, not blank."""
    lines = source.read_text(encoding="utf-8").split("\n")
    contents = range(lines.index("Contents"), lines.index("Foreword"))
    return [
        (number + 1, raw.strip())
        for number, raw in enumerate(lines)
        if number not in contents and raw.strip() and raw.strip()[0] not in SUPERSCRIPTS
    ]


def source_units(source: Path = SOURCE) -> list[Unit]:
    """The 2017 guide's running text as units, one a line, in its order: the logos left out, and
    the footnote numbers (outputs number their notes afresh; Word's are not text)."""
    return [
        Unit(
            "2017 line",
            re.sub(rf"\[([^\]]+)\]\([^)]*\)|[{SUPERSCRIPTS}]+", r"\1", text),
            f"source line {number}",
        )
        for number, text in source_lines(source)
        if text not in LOGO_LINES
    ]


# --- the content ---------------------------------------------------------------------------------


class Guide:
    """content/ as plain JSON, with the few facts the layouts need worked out from it."""

    def __init__(self, content: Path = CONTENT):
        self.root = content

        def read(relpath: str):
            return json.loads((content / relpath).read_text(encoding="utf-8"))

        self.guide = read("guide.json")
        self.foreword = read("foreword.json")
        self.section_files = list(self.guide["sections"])
        self.sections = [read(relpath) for relpath in self.section_files]
        self.spec = read("person-specification.json")
        self.figures = {f["id"]: f for f in read("figures.json")["figures"]}
        self.resources = {r["id"]: r for r in read("resources.json")["resources"]}
        self.back = read("back-matter.json")
        self.roles = read("roles.json")
        self.numbers: dict[str, int] = {}
        for section in self.sections:
            if section["numbered"]:
                self.numbers[section["id"]] = len(self.numbers) + 1
        self.figure_numbers: dict[str, int] = {}
        for section in self.sections:
            for block in all_blocks(section):
                if block["type"] == "figure":
                    self.figure_numbers.setdefault(block["figure"], len(self.figure_numbers) + 1)

    @property
    def title(self) -> str:
        return self.guide["title"]

    def url(self, resource: str) -> str:
        return self.resources[resource]["url"]

    def section_title(self, section: dict) -> str:
        number = self.numbers.get(section["id"])
        return f"{number}. {section['title']}" if number else section["title"]

    def edition(self) -> str:
        edition = self.guide["edition"]
        return f"Edition {edition['version']}, {human_date(edition['date'])}"

    def contact_heading(self) -> str:
        return self.back["contact_heading"].rstrip(":")


def human_date(iso: str) -> str:
    """'2017-06' -> 'June 2017', as the guide writes dates."""
    year, month, *day = iso.split("-")
    return " ".join([*(str(int(d)) for d in day), MONTHS[int(month) - 1], year])


def all_blocks(node: dict):
    """Every block of a section or subsection, its subsections' included, in reading order."""
    yield from node.get("blocks", [])
    for child in node.get("subsections", []):
        yield from all_blocks(child)


# --- what an output holds -------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """One thing an output must print: a heading, a paragraph, a quote, a note..."""

    kind: str
    text: str
    where: str  # the content file and JSON pointer it comes from, for the failure message

    def __str__(self) -> str:
        return f"{self.kind} at {self.where}: {self.text[:70]!r}"


@dataclass(frozen=True)
class Layout:
    """How one output arranges the guide.

    ``notes``: where the notes' addresses are printed: ``"end"`` (after the
    guide), ``"chapter"`` (after each top-level part), ``"float"`` (at the foot
    of a page, anywhere: held apart and checked in order on their own), or
    ``"apart"`` (in another stream, e.g. Word's footnotes part).
    ``spell_out``: on paper, a link's address is printed after its words in
    brackets unless a note of the same paragraph gives it.
    ``contents``: how deep the contents list goes (0: none).
    """

    name: str
    front: str  # the title block's layout: "web", "epub", "docx", "print", "text"
    contents: int
    notes: str
    spell_out: bool = False
    # The plain text's layout, for screen readers (braille too): headings numbered as in the contents
    # ("3.2 Courses and tools"), a figure's description and a case study between marks that name
    # them, and each note titled with the words that link its resource.
    plain: bool = False
    footer: bool = False  # the HTML page's footer repeats the title, edition and statements


LAYOUTS = {
    "html": Layout("html", "web", contents=2, notes="end", footer=True),
    "epub": Layout("epub", "epub", contents=3, notes="chapter"),
    "docx": Layout("docx", "docx", contents=2, notes="apart"),
    "pdf": Layout("pdf", "print", contents=2, notes="float", spell_out=True),
    "large-print-pdf": Layout("large-print-pdf", "print", contents=2, notes="float", spell_out=True),
    "large-print-docx": Layout("large-print-docx", "docx", contents=2, notes="apart", spell_out=True),
    "txt": Layout("txt", "text", contents=2, notes="chapter", spell_out=True, plain=True),
    "brf": Layout("brf", "text", contents=2, notes="chapter", spell_out=True, plain=True),
}


@dataclass
class Expected:
    """An output's units in reading order, and the notes it holds apart (``Layout.notes``)."""

    units: list[Unit] = field(default_factory=list)
    apart: list[Unit] = field(default_factory=list)


class _Writer:
    """Walks the content in reading order and writes the units one output must show."""

    def __init__(self, guide: Guide, layout: Layout, allowed: set[str] | None = None):
        self.guide, self.layout = guide, layout
        self.out = Expected()
        self.pending: list[Unit] = []  # notes cited since the last place they are printed
        self.allowed = allowed  # handouts: only these resources are cited
        self.section: int | None = None  # the number of the section being written, if it has one
        self.counters: list[int] = []  # the numbers of the headings below it (plain text)

    # one text ----------------------------------------------------------------------------------

    def add(self, kind: str, text: str, where: str) -> None:
        if text.strip():
            self.out.units.append(Unit(kind, text, where))

    def marked(self, kind: str, text: str, where: str, cites: tuple[str, ...] = (), prefix: str = "") -> None:
        """A marked-up text: its words (with addresses spelled out on paper), then its notes."""
        marked = Marked.parse(text)
        notes = [r for r in [*marked.notes, *cites] if self._allowed(r)]
        noted = {self.guide.url(r) for r in notes}
        printed = [prefix]
        titles: list[str] = []  # each note's title (plain text): the linked words before it
        links: list[tuple[str, str]] = []  # (words, address) of the links since the last note
        for piece in [*marked.pieces, *(("note", r) for r in cites)]:
            if isinstance(piece, str):
                printed.append(piece)
            elif piece[0] == "link" and self._allowed(piece[1]):
                links.append((piece[2], self.guide.url(piece[1])))
                if self.layout.spell_out and self.guide.url(piece[1]) not in noted:
                    printed.append(f" ({self.guide.url(piece[1])})")
            elif piece[0] == "note" and self._allowed(piece[1]):
                url = self.guide.url(piece[1])
                titles.append(" and ".join(dict.fromkeys(w for w, u in links if u == url)))
                links = []
        self.add(kind, "".join(printed), where)
        for resource, title in zip(notes, titles, strict=True):
            self.cite(resource, where, title)

    def _allowed(self, resource: str) -> bool:
        return self.allowed is None or resource in self.allowed

    def cite(self, resource: str, where: str, title: str = "") -> None:
        entry = self.guide.resources[resource]
        text = entry["url"]  # as the guide printed it, always; then what became of it (editorial)
        if self.layout.plain:  # titled by the linked words before it, else by the resource's first
            title = title or next(iter(entry.get("link_texts") or []), "")
            text = f"{title}: {text}" if title else text
        if entry.get("current_url"):
            text += f" Editorial note: This resource has moved; it is now at {entry['current_url']}"
            if entry.get("archived_url"):
                text += f" Archived copy of the page the guide cited: {entry['archived_url']}"
        elif entry.get("status") == "dead" and entry.get("archived_url"):
            text += f" Editorial note: This address no longer works. Archived copy: {entry['archived_url']}"
        note = Unit("note", text, f"{where} (note citing {resource})")
        if self.layout.notes in ("float", "apart"):
            self.out.apart.append(note)
        else:
            self.pending.append(note)

    def flush_notes(self) -> None:
        self.out.units.extend(self.pending)
        self.pending = []

    # the guide's parts -------------------------------------------------------------------------

    def heading(self, title: str, where: str, level: int) -> None:
        """A heading below a section: numbered in plain text under a numbered section ("1.2 The board")."""
        if self.layout.plain and self.section is not None:
            self.counters = (self.counters + [0] * level)[: level - 1]
            self.counters[-1] += 1
            title = ".".join(str(n) for n in (self.section, *self.counters)) + " " + title
        self.add("heading", title, where)

    def blocks(self, node: dict, file: str, pointer: str, level: int) -> None:
        blocks = node.get("blocks", [])
        for i, block in enumerate(blocks):
            self.block(block, file, f"{pointer}/blocks/{i}", level)
        for i, child in enumerate(node.get("subsections", [])):
            where = f"{pointer}/subsections/{i}"
            self.heading(child["title"], f"{file} {where}/title", level)
            self.edition_mark(child, f"{file} {where}")
            self.blocks(child, file, where, level + 1)

    def edition_mark(self, part: dict, where: str) -> None:
        """A part a later edition added or revised is labelled so, in words, before it."""
        since, revised = part.get("since"), part.get("revised")
        if since and revised:
            self.add("edition mark", f"New in {since}; revised in {revised}", where)
        elif since or revised:
            self.add("edition mark", f"New in {since}" if since else f"Revised in {revised}", where)

    def block(self, block: dict, file: str, where: str, level: int) -> None:
        at = f"{file} {where}"
        kind = block["type"]
        self.edition_mark(block, at)
        if kind == "paragraph":
            self.marked("paragraph", block["text"], at)
        elif kind == "list":
            for i, item in enumerate(block["items"]):
                self.marked("item", item, f"{at}/items/{i}")
        elif kind == "pull-quote":
            self.pull_quote(block, at)
        elif kind == "case-study":
            person = block["person"]
            if self.layout.plain:  # its name is in the marks around it
                self.add("mark", f"Start of case study: {person['name']}", f"{at}/person/name")
            else:
                self.add("heading", person["name"], f"{at}/person/name")
            self.add("person", f"{person['title']}, {person['organisation']}", f"{at}/person")
            for i, text in enumerate(block["paragraphs"]):
                self.marked("case study", text, f"{at}/paragraphs/{i}")
            if self.layout.plain:
                self.add("mark", f"End of case study: {person['name']}", f"{at} (its end)")
        elif kind == "figure":
            self.figure(block["figure"], at)
        elif kind == "person-specification":
            self.person_specification(level)
        elif kind == "editorial-note":
            self.marked("editorial", block["text"], at, prefix="Editorial note: ")
        elif kind == "extraction-gap":
            self.marked(
                "editorial", block["note"], at, cites=tuple(block.get("cites", [])), prefix="Editorial note: "
            )
        else:
            raise AssertionError(
                f"{at}: a block of type {kind!r} is new to the tests; say where outputs print it"
            )

    def pull_quote(self, block: dict, at: str) -> None:
        for i, quote in enumerate(block["quotes"]):
            self.marked("quote", quote["text"], f"{at}/quotes/{i}")
        self.add("attribution", attribution(block["attribution"]), f"{at}/attribution")

    def figure(self, figure_id: str, at: str) -> None:
        figure = self.guide.figures[figure_id]
        where = f"figures.json #{figure_id}"
        number = self.guide.figure_numbers[figure_id]
        caption = f"Figure {number}: {figure['caption']}"
        if self.layout.plain:  # the description between marks that name the figure
            self.add(
                "mark", f"Start of figure {number} description: {figure['caption']}", f"{where} (at {at})"
            )
        description = figure["description"]
        self.marked("description", description["lead"], f"{where}/description/lead")
        for i, item in enumerate(description["items"]):
            self.marked("description", item, f"{where}/description/items/{i}")
        note = " ".join(filter(None, [figure.get("image_note"), FIGURE_BASIS[description["basis"]]]))
        self.add("editorial", f"Editorial note: {note}", f"{where}/image_note, /description/basis")
        if self.layout.plain:
            self.add("mark", f"End of figure {number} description", f"{where} (its end)")
        else:
            self.add("caption", caption, f"{where} (placed at {at})")

    def person_specification(self, level: int) -> None:
        for g, group in enumerate(self.guide.spec["groups"]):
            where = f"person-specification.json /groups/{g}"
            self.heading(group["title"], f"{where}/title", level)
            self.marked("paragraph", group["lead"], f"{where}/lead")
            for c, criterion in enumerate(group["criteria"]):
                self.edition_mark(criterion, f"{where}/criteria/{c}")
                self.marked("criterion", criterion["text"], f"{where}/criteria/{c}/text")
                for q, question in enumerate(criterion.get("questions", [])):
                    self.marked("question", question, f"{where}/criteria/{c}/questions/{q}")

    def contents(self) -> None:
        if not self.layout.contents:
            return
        self.add("contents", "Contents", "(the contents list's title)")
        numbers = {s["id"]: self.guide.numbers.get(s["id"]) for s in self.guide.sections}
        section, counter = None, 0
        for level, text, target in contents(self.guide, self.layout.contents):
            if level == 1:
                section, counter = numbers.get(target), 0
            elif self.layout.plain and section is not None:
                counter += 1
                text = f"{section}.{counter} {text}"
            self.add("contents", text, f"contents entry for #{target}")


CHANGES_HEADING = "Changes in this edition"
# What a figure description's "basis" (figures.json) tells the reader, in the figure's editorial note.
FIGURE_BASIS = {
    "guide-text": "This description lists what the guide's text says the figure shows.",
    "reconstructed": "This description is reconstructed from the guide's text and is incomplete.",
    "original": "This description is taken from the original figure.",
}


def attribution(value: dict) -> str:
    return ", ".join(value[key] for key in ("role", "place", "organisation") if value.get(key))


def _front(w: _Writer) -> None:
    g = w.guide.guide
    title, subtitle, edition = g["title"], g["subtitle"], w.guide.edition()
    front = w.layout.front
    if front in ("web", "epub"):
        w.add("title", " and ".join(g["publishers"]), "guide.json /publishers")
    if front == "text":
        w.add("title", title, "guide.json /title")
        w.add("title", subtitle, "guide.json /subtitle")
        for i, publisher in enumerate(g["publishers"]):
            w.add("title", publisher, f"guide.json /publishers/{i}")
    elif front == "print":
        for i, publisher in enumerate(g["publishers"]):
            w.add("title", publisher, f"guide.json /publishers/{i}")
    if front != "text":
        w.add("title", title, "guide.json /title")
        w.add("title", subtitle, "guide.json /subtitle")
    if front == "docx":
        for i, publisher in enumerate(g["publishers"]):
            w.add("title", publisher, f"guide.json /publishers/{i}")
        w.add("title", human_date(g["published"]), "guide.json /published")
    else:
        w.add("title", edition, "guide.json /edition")
    if front in ("print", "text"):
        w.add("title", g["statements"]["living_document"], "guide.json /statements/living_document")


def guide_units(guide: Guide, layout: Layout) -> Expected:
    """Everything ``layout``'s output prints, in reading order."""
    w = _Writer(guide, layout)
    chapter = layout.notes == "chapter"
    _front(w)
    w.contents()
    foreword = guide.foreword
    w.add("heading", foreword["title"], "foreword.json /title")
    for i, text in enumerate(foreword["paragraphs"]):
        w.marked("paragraph", text, f"foreword.json /paragraphs/{i}")
    for i, person in enumerate(foreword["signatories"]):
        for key in ("name", "title", "organisation"):
            w.add("signatory", person[key], f"foreword.json /signatories/{i}/{key}")
    if chapter:
        w.flush_notes()
    for file, section in zip(guide.section_files, guide.sections):
        w.add("heading", guide.section_title(section), f"{file} /title")
        w.section, w.counters = guide.numbers.get(section["id"]), []
        w.edition_mark(section, file)
        w.blocks(section, file, "", 2)
        if chapter:
            w.flush_notes()
    back = guide.back
    w.section = None
    w.add("heading", guide.contact_heading(), "back-matter.json /contact_heading")
    for i, contact in enumerate(back["contacts"]):
        where = f"back-matter.json /contacts/{i}"
        w.add("contact", contact["organisation"], f"{where}/organisation")
        for j, line in enumerate(contact["address"]):
            w.add("contact", line, f"{where}/address/{j}")
        for key in ("phone", "email", "website"):
            w.add("contact", contact[key], f"{where}/{key}")
    for i, text in enumerate(back["about"]):
        w.marked("paragraph", text, f"back-matter.json /about/{i}")
    w.marked("paragraph", back["social"], "back-matter.json /social")
    w.add("paragraph", guide.guide["statements"]["other_formats"], "guide.json /statements/other_formats")
    if chapter:
        w.flush_notes()
    _changes(w)
    w.flush_notes()
    if layout.footer:
        g = guide.guide
        w.add("footer", f"{g['title']}: {guide.edition()}", "guide.json /title, /edition (footer)")
        w.add("footer", " and ".join(g["publishers"]), "guide.json /publishers (footer)")
        w.add("footer", g["statements"]["living_document"], "guide.json /statements/living_document (footer)")
        w.add("footer", g["statements"]["other_formats"], "guide.json /statements/other_formats (footer)")
    return w.out


def _changes(w: _Writer) -> None:
    g = w.guide.guide
    w.add("heading", CHANGES_HEADING, "(the changes page)")
    for n, edition in enumerate([g["edition"], *g.get("history", [])]):
        label = f"Edition {edition['version']}, {human_date(edition['date'])}" + (
            " (this edition)" if n == 0 else ""
        )
        w.add("heading", label, f"guide.json edition {edition['version']}")
        w.add(
            "paragraph",
            edition.get("note") or "No change note was recorded.",
            f"guide.json edition {edition['version']} /note",
        )
    if g.get("reviewed"):
        last, due = human_date(g["reviewed"]["last"]), human_date(g["reviewed"]["next"])
        w.add("paragraph", f"Last reviewed {last}; next review due {due}.", "guide.json /reviewed")


# --- headings and contents ------------------------------------------------------------------------


def headings(guide: Guide) -> list[tuple[int, str]]:
    """(level, text) of every heading of the guide, in order: sections at 1, each subsection one deeper,
    a case study's or a criteria group's heading one below the part it sits in; never deeper than 6."""
    out: list[tuple[int, str]] = [(1, guide.foreword["title"])]

    def walk(node: dict, level: int) -> None:
        for block in node.get("blocks", []):
            if block["type"] == "case-study":
                out.append((min(level + 1, 6), block["person"]["name"]))
            elif block["type"] == "person-specification":
                out.extend((min(level + 1, 6), group["title"]) for group in guide.spec["groups"])
        for child in node.get("subsections", []):
            out.append((min(level + 1, 6), child["title"]))
            walk(child, level + 1)

    for section in guide.sections:
        out.append((1, guide.section_title(section)))
        walk(section, 1)
    out.append((1, guide.contact_heading()))
    out.append((1, CHANGES_HEADING))
    for n, edition in enumerate([guide.guide["edition"], *guide.guide.get("history", [])]):
        label = f"Edition {edition['version']}, {human_date(edition['date'])}"
        out.append((2, label + (" (this edition)" if n == 0 else "")))
    return out


def pdf_headings(guide: Guide) -> list[tuple[int, str]]:
    """A PDF's headings (bookmarks): the title page's title, "Contents", then the guide's one level down."""
    return [(1, guide.title), (2, "Contents"), *((level + 1, text) for level, text in headings(guide))]


def pdf_heading_tags(headings: list[tuple[int, str]]) -> list[str]:
    """The structure tags of a PDF's ``headings`` (``pdf_headings``), in order: H1 to H6, since tagged PDF
    has no deeper heading tag (a heading at level 7 is an H6)."""
    return [f"H{min(level, 6)}" for level, _ in headings]


def contents(guide: Guide, depth: int) -> list[tuple[int, str, str]]:
    """(level, text, target id) of the contents list ``depth`` levels deep: the foreword, the sections and
    their subsections (by their ids in content/), the contacts and the changes page."""
    out = [(1, guide.foreword["title"], "foreword")]

    def walk(node: dict, level: int) -> None:
        if level > depth:
            return
        for child in node.get("subsections", []):
            out.append((level, child["title"], child["id"]))
            walk(child, level + 1)

    for section in guide.sections:
        out.append((1, guide.section_title(section), section["id"]))
        walk(section, 2)
    out.append((1, guide.contact_heading(), "contact-us"))
    out.append((1, CHANGES_HEADING, "changes-in-this-edition"))
    return out


# --- handouts ----------------------------------------------------------------------------------------


# What a handout's foot names, besides the web page: the guide's other formats.
OTHER_FORMATS = "e-book (EPUB), Word, PDF, large print, plain text and braille"
_TOKENS = re.compile(r"\\(.)|\[\^[a-z0-9-]+\]|\]\[[a-z0-9-]+\]|\*\*|\*|\[|(.)", re.DOTALL)
_SENTENCE_END = re.compile(r"[.?!][’”\"')]*(?=\s|$)")


def whole_sentences(text: str) -> str:
    """A paragraph an extraction gap cut short, as a handout quotes it (marked-up, cut): up to the end of
    its last whole sentence in its own plain words (not in emphasis or a link), with the notes that
    follow that end straight away. Without a sentence end, the whole text."""
    items: list[list] = []  # [kind, raw start, raw end, plain words, raw end after each word character]
    stack: list[str] = []
    in_link = False
    for match in _TOKENS.finditer(text):
        token, literal, char = match.group(), match.group(1), match.group(2)
        top = not stack and not in_link
        if literal is not None or char is not None:
            kind = "plain" if top else "other"
            if items and items[-1][0] == kind == "plain":
                items[-1][2] = match.end()
            else:
                items.append([kind, match.start(), match.end(), "", []])
            if kind == "plain":
                items[-1][3] += literal if literal is not None else char
                items[-1][4].append(match.end())
            continue
        if token.startswith("[^"):
            items.append(["note" if top else "other", match.start(), match.end(), "", []])
        elif token in ("*", "**"):
            stack.pop() if stack and stack[-1] == token else stack.append(token)
            items.append(["other", match.start(), match.end(), "", []])
        elif token == "[":
            in_link = True
            items.append(["other", match.start(), match.end(), "", []])
        else:  # "][id]": the link closes
            in_link = False
            items.append(["other", match.start(), match.end(), "", []])
    for n in range(len(items) - 1, -1, -1):
        kind, _, _, words, ends_at = items[n]
        ends = list(_SENTENCE_END.finditer(words)) if kind == "plain" else []
        if not ends:
            continue
        cut = ends_at[ends[-1].end() - 1]
        kept = text[:cut]
        if ends[-1].end() == len(words.rstrip()):
            for after in items[n + 1 :]:
                if after[0] != "note":
                    break
                kept += text[after[1] : after[2]]
        return kept
    return text


def where_to_get(guide: Guide) -> str:
    """A handout's foot: where the full guide and its other formats are."""
    g = guide.guide
    url = g.get("published_url")
    if not url:
        return (
            f"For the full guide, {g['title']}, and its other formats ({OTHER_FORMATS}), ask "
            + " or ".join(g["publishers"])
            + "."
        )
    folder = urljoin(url, ".")
    return (
        f"Read the full guide, {g['title']}, at {url}. Its other formats – {OTHER_FORMATS} – are published "
        f"beside it, at {folder}."
    )


HANDOUT_LAYOUTS = {
    "html": Layout("handout-html", "web", contents=0, notes="end"),
    "pdf": Layout("handout-pdf", "print", contents=0, notes="end", spell_out=True),
    "docx": Layout("handout-docx", "docx", contents=0, notes="apart"),
}


def _serves(node: dict, role: str) -> bool:
    tag = node.get("handout")
    return bool(tag) and not tag.get("general") and role in tag.get("roles", [])


@dataclass
class Picked:
    """One role's items, found from the tags in the content, grouped as a handout prints them."""

    quotes: list[tuple[dict, str]] = field(default_factory=list)
    # (block, where, the extraction gap after it or None, the subsection it stands in or None)
    reflections: list[tuple[dict, str, dict | None, dict | None]] = field(default_factory=list)
    actions: dict[str, list[tuple[dict, str, dict | None, dict | None]]] = field(default_factory=dict)
    criteria: list[tuple[int, int]] = field(default_factory=list)  # (group, criterion) indexes
    parts: list[tuple[dict, dict | None]] = field(
        default_factory=list
    )  # "read more": section, top subsection


def pick(guide: Guide, role: str) -> Picked:
    picked = Picked()
    sources = guide.roles.get("sources", {})

    def walk(node: dict, section: dict, path: tuple[dict, ...], file: str, pointer: str) -> None:
        blocks = node.get("blocks", [])
        for i, block in enumerate(blocks):
            where = f"{file} {pointer}/blocks/{i}"
            if block["type"] == "person-specification":
                for g, group in enumerate(guide.spec["groups"]):
                    for c, criterion in enumerate(group["criteria"]):
                        if _serves(criterion, role):
                            picked.criteria.append((g, c))
                            hold(section, path)
                continue
            if not _serves(block, role):
                continue
            hold(section, path)
            if block["type"] == "pull-quote":
                picked.quotes.append((block, where))
                continue
            following = blocks[i + 1] if i + 1 < len(blocks) else None
            gap = following if following and following["type"] == "extraction-gap" else None
            tag = block["handout"]
            ids = {section["id"], *(p["id"] for p in path)}
            asks = block["type"] == "paragraph" and "?" in words(block["text"])
            kind = tag.get("kind") or (
                "action"
                if ids & set(sources.get("action", []))
                else "reflection"
                if asks and ids & set(sources.get("reflection", []))
                else None
            )
            item = (block, where, gap, path[-1] if path else None)
            if kind == "action" and tag.get("theme"):
                picked.actions.setdefault(tag["theme"], []).append(item)
            elif kind == "reflection":
                picked.reflections.append(item)
        for i, child in enumerate(node.get("subsections", [])):
            walk(child, section, (*path, child), file, f"{pointer}/subsections/{i}")

    def hold(section: dict, path: tuple[dict, ...]) -> None:
        part = (section, path[0] if path else None)
        if not any(s is part[0] and t is part[1] for s, t in picked.parts):
            picked.parts.append(part)

    for file, section in zip(guide.section_files, guide.sections):
        walk(section, section, (), file, "")
    return picked


def quoted(block: dict, gap: dict | None) -> str:
    """A paragraph's text as a handout quotes it: cut to whole sentences where a gap follows it."""
    return whole_sentences(block["text"]) if gap is not None else block["text"]


def handout_resources(guide: Guide, picked: Picked) -> set[str]:
    texts = [q["text"] for block, _ in picked.quotes for q in block["quotes"]]
    cited: list[str] = []
    for block, _, gap, _ in [*picked.reflections, *(x for items in picked.actions.values() for x in items)]:
        texts += [quoted(block, gap)] if block["type"] == "paragraph" else block["items"]
    for g, c in picked.criteria:
        criterion = guide.spec["groups"][g]["criteria"][c]
        texts += [criterion["text"], *criterion.get("questions", [])]
    for text in texts:
        marked = Marked.parse(text)
        cited += marked.notes + marked.links
    return set(cited)


def handout_units(guide: Guide, role_id: str, layout: Layout) -> Expected:
    """Everything ``role_id``'s handout prints in ``layout``, in reading order."""
    role = next(r for r in guide.roles["roles"] if r["id"] == role_id)
    words_ = guide.roles["editorial"]
    headings = words_["headings"]
    picked = pick(guide, role_id)
    w = _Writer(guide, layout, allowed=handout_resources(guide, picked))
    g = guide.guide
    series = words_["series_title"]
    guide_line = f"{g['title']}: {g['subtitle']}"
    if layout.front == "docx":
        w.add(
            "title",
            f"{series}: {role['editorial_name']}",
            "roles.json /editorial/series_title, editorial_name",
        )
        w.add("title", guide_line, "guide.json /title, /subtitle")
        for i, publisher in enumerate(g["publishers"]):
            w.add("title", publisher, f"guide.json /publishers/{i}")
        w.add("title", guide.edition(), "guide.json /edition")
    else:
        w.add("title", series, "roles.json /editorial/series_title")
        w.add("title", role["editorial_name"], f"roles.json #{role_id} /editorial_name")
        w.add("title", guide_line, "guide.json /title, /subtitle")
    w.add("heading", headings["for_whom"], "roles.json /editorial/headings/for_whom")
    w.add(
        "editorial",
        f"Editorial note: {role['editorial_description']} {words_['notice']}",
        f"roles.json #{role_id} /editorial_description",
    )
    if picked.quotes:
        w.add("heading", headings["quotes"], "roles.json /editorial/headings/quotes")
        for block, where in picked.quotes:
            w.pull_quote(block, where)

    def in_context(items: list, under: str = "") -> None:
        """Each passage under the heading it stands under in the guide (once for a run of them), unless
        the handout's own heading is already that; a paragraph cut by a gap only to its last sentence."""
        heading = None
        for block, where, gap, here in items:
            if here is not None and here is not heading and here["title"] != under:
                w.add("heading", here["title"], f"{where} (the heading it stands under)")
            heading = here
            if block["type"] == "paragraph":
                w.marked("paragraph", quoted(block, gap), where)
            else:
                file, pointer = where.split(" ", 1)
                w.block(block, file, pointer, 4)

    w.add("heading", headings["reflection"], "roles.json /editorial/headings/reflection")
    in_context(picked.reflections)
    w.add("heading", headings["actions"], "roles.json /editorial/headings/actions")
    for theme in guide.roles["themes"]:
        if theme["id"] not in picked.actions:
            continue
        w.add("heading", theme["editorial_name"], f"roles.json theme {theme['id']}")
        in_context(picked.actions[theme["id"]], theme["editorial_name"])
    w.add("heading", headings["checklist"], "roles.json /editorial/headings/checklist")
    intro = role.get("editorial_checklist_intro") or words_["checklist_intro"]
    w.add("editorial", f"Editorial note: {intro}", "roles.json (checklist introduction)")
    groups: dict[int, list[int]] = {}
    for gi, ci in picked.criteria:
        groups.setdefault(gi, []).append(ci)
    for gi in sorted(groups):
        group = guide.spec["groups"][gi]
        where = f"person-specification.json /groups/{gi}"
        w.add("heading", group["title"], f"{where}/title")
        w.marked("paragraph", group["lead"], f"{where}/lead")
        for ci in groups[gi]:
            criterion = group["criteria"][ci]
            w.marked("criterion", criterion["text"], f"{where}/criteria/{ci}/text")
            for q, question in enumerate(criterion.get("questions", [])):
                w.marked("question", question, f"{where}/criteria/{ci}/questions/{q}")
    w.add("heading", headings["read_more"], "roles.json /editorial/headings/read_more")
    for section, sub in picked.parts:
        text = guide.section_title(section) + (f" – {sub['title']}" if sub else "")
        w.add("pointer", text, f"read more: {section['id']}" + (f" / {sub['id']}" if sub else ""))
    if layout.front == "docx":  # the Word document ends saying where the guide is
        w.add("footer", where_to_get(guide), "guide.json /published_url (where to get the guide)")
    w.flush_notes()
    if layout.front != "docx":
        w.add(
            "footer", f"{guide_line}. {guide.edition()}.", "guide.json /title, /subtitle, /edition (footer)"
        )
        w.add("footer", " and ".join(g["publishers"]), "guide.json /publishers (footer)")
        w.add("footer", where_to_get(guide), "guide.json /published_url (footer)")
        w.add("footer", g["statements"]["living_document"], "guide.json /statements/living_document (footer)")
        w.add("footer", g["statements"]["other_formats"], "guide.json /statements/other_formats (footer)")
    return w.out
