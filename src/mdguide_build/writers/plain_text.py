"""The guide's pandoc document as plain text blocks, and as wrapped text.

The plain-text edition and the braille edition are both laid out from the
same list of ``TextBlock``s made here from the guide's pandoc AST (the one
every other format is written from), so the two say exactly the same.  It is
written for reading with a screen reader as much as by eye:

* a contents list follows the title: the sections and their subsections;
* a heading is a line of its own, set off by blank lines and numbered as in
  the contents ("3. How do I prepare?", "3.2 Courses and tools"): nothing
  under it (no ``=====``), which some screen readers read out;
* a figure's description and a case study are framed by clear marks, "Start
  of figure 1 description: …" … "End of figure 1 description", so a listener
  knows where the guide's running text resumes;
* lists keep their nesting; quotes are indented and followed by who said them;
* a footnote becomes a marker ``[n]`` (numbered through the whole guide, as
  in the other formats) and its text, the resource's title (the words the
  guide links to it, there or elsewhere) and address, is gathered under
  "Notes" at the end of the top-level section that cites it;
* each run of text remembers whether it was emphasised, bold or an address
  (braille shows emphasis and writes addresses uncontracted).

``render`` wraps the blocks at about 70 characters.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Literal

from mdguide_build.pandoc import ast as pa

# "contents": one entry of the contents list; "mark": where a figure's description or a case study
# starts or ends.
BlockKind = Literal["title", "heading", "paragraph", "quote", "note", "contents", "mark"]
NOTES_HEADING = "Notes"
CONTENTS_HEADING = "Contents"
CONTENTS_DEPTH = 2  # sections and their subsections
COLUMNS = 70


@dataclass(frozen=True)
class Run:
    """Words with one style; ``literal`` marks an address (URL or email) to keep exactly."""

    text: str
    italic: bool = False
    bold: bool = False
    literal: bool = False


Line = tuple[Run, ...]


@dataclass(frozen=True)
class TextBlock:
    kind: BlockKind
    lines: tuple[Line, ...]  # print lines; more than one only where the guide breaks lines (addresses)
    level: int = 0  # heading level, 1-6
    depth: int = 0  # list nesting: 0 outside lists
    label: str = ""  # "-" on an item's first block; "[3]" on a note

    def text(self) -> str:
        return "\n".join("".join(run.text for run in line) for line in self.lines)


@dataclass
class _Style:
    italic: bool = False
    bold: bool = False
    literal: bool = False


@dataclass
class _State:
    titles: dict[str, str] = field(default_factory=dict)  # a resource's address -> its title
    blocks: list[TextBlock] = field(default_factory=list)
    notes: list[TextBlock] = field(default_factory=list)  # waiting for the end of their section
    contents: list[TextBlock] = field(default_factory=list)
    note_count: int = 0
    label: str = ""  # the list label the next block takes
    section: int | None = None  # the number of the numbered section being read
    counters: list[int] = field(default_factory=list)  # its subsections' numbers, by level
    links: list[tuple[str, str]] = field(default_factory=list)  # (words, address) linked since the last note


def text_blocks(document: pa.Document, titles: dict[str, str] | None = None) -> list[TextBlock]:
    """The whole guide: its title block, contents, then the body with notes after each top-level section.

    ``titles`` names a resource by its address, for a note that follows no linked words of it.
    """
    state = _State(titles=dict(titles or {}))
    for block in document.blocks:
        if isinstance(block, pa.Header) and block.level == 1:
            _flush_notes(state)
        _block(block, state, depth=0, kind="paragraph")
    _flush_notes(state)
    contents = [TextBlock("heading", ((Run(CONTENTS_HEADING),),), level=1), *state.contents]
    return [*_title_blocks(document.meta), *contents, *state.blocks]


def render(blocks: list[TextBlock], columns: int = COLUMNS) -> str:
    """Plain text: blank lines between blocks, two before a section's heading, lists and notes indented."""
    out: list[str] = []
    previous = None
    for block in blocks:
        if out and not (block.kind == previous == "contents"):  # the contents list is one block
            out.append("")
            if block.kind == "heading" and block.level <= 2:
                out.append("")  # set top-level headings further apart
        out.extend(render_block(block, columns))
        previous = block.kind
    return "\n".join(out) + "\n"


def render_block(block: TextBlock, columns: int = COLUMNS, break_long_words: bool = False) -> list[str]:
    """One block's lines, wrapped (no blank lines around it).

    ``break_long_words``: divide a word longer than a line (an address) rather than let it run over.
    """
    if block.kind in ("title", "heading", "mark"):
        return _wrap(block, columns, "", "", break_long_words)
    if block.kind == "contents":
        indent = "  " * (block.level - 1)
        return _wrap(block, columns, indent, indent + "    ", break_long_words)
    if block.kind == "note":
        first = block.label + " "
        return _wrap(block, columns, first, " " * len(first), break_long_words)
    indent = "  " * block.depth + ("    " if block.kind == "quote" else "")
    first = indent[:-2] + block.label + " " if block.label else indent
    return _wrap(block, columns, first, indent, break_long_words)


def _wrap(block: TextBlock, columns: int, first: str, rest: str, break_long_words: bool = False) -> list[str]:
    lines: list[str] = []
    for i, line in enumerate(block.lines):
        words = "".join(run.text for run in line)
        lines.extend(
            textwrap.wrap(
                words,
                columns,
                initial_indent=first if i == 0 else rest,
                subsequent_indent=rest,
                break_long_words=break_long_words,
                break_on_hyphens=False,
            )
            or [first.rstrip()]
        )
    return lines


# --- metadata ---------------------------------------------------------------------


def _meta_text(value: pa.MetaValue | None) -> str:
    if isinstance(value, pa.MetaInlines):
        return "".join(run.text for line in _inline_lines(value.content, _State(), _Style()) for run in line)
    if isinstance(value, pa.MetaString):
        return value.text
    return ""


def _title_blocks(meta) -> list[TextBlock]:
    def para(text: str, kind: BlockKind = "paragraph") -> TextBlock:
        return TextBlock(kind, ((Run(text),),))

    out = [para(_meta_text(meta.get("title")), "title")]
    subtitle = _meta_text(meta.get("subtitle"))
    if subtitle:
        out.append(para(subtitle))
    authors = meta.get("author")
    if isinstance(authors, pa.MetaList):
        out.append(TextBlock("paragraph", tuple((Run(_meta_text(a)),) for a in authors.items)))
    for key, end in (("edition", ""), ("living-document", ".")):
        text = _meta_text(meta.get(key))
        if text:
            out.append(para(text + end))
    return out


# --- blocks -----------------------------------------------------------------------


def _flush_notes(state: _State) -> None:
    if state.notes:
        state.blocks.append(TextBlock("heading", ((Run(NOTES_HEADING),),), level=2))
        state.blocks.extend(state.notes)
        state.notes = []


def _emit(state: _State, kind: BlockKind, inlines, depth: int, **extra) -> TextBlock | None:
    state.links = []
    lines = _inline_lines(inlines, state, _Style())
    if not any(run.text.strip() for line in lines for run in line):
        return None
    label, state.label = state.label, ""
    block = TextBlock(kind, lines, depth=depth, label=label, **extra)
    state.blocks.append(block)
    return block


def _mark(state: _State, words: str) -> None:
    state.blocks.append(TextBlock("mark", ((Run(words),),)))


def _heading(node: pa.Header, state: _State) -> None:
    """A heading, numbered as in the contents: "1.2 The board" under section 1."""
    number = ""
    if node.level == 1:
        spans = [i for i in node.content if isinstance(i, pa.Span) and "section-number" in i.attr.classes]
        state.section = int(pa.stringify(spans[0].content).rstrip(".")) if spans else None
        state.counters = []
    elif state.section is not None and "unnumbered" not in node.attr.classes:
        depth = node.level - 1
        state.counters = (state.counters + [0] * depth)[:depth]
        state.counters[-1] += 1
        number = ".".join(str(n) for n in (state.section, *state.counters))
    words = [pa.Str(number), pa.Space(), *node.content] if number else node.content
    block = _emit(state, "heading", words, 0, level=node.level)
    if block and node.level <= CONTENTS_DEPTH and "unlisted" not in node.attr.classes:
        state.contents.append(TextBlock("contents", block.lines, level=node.level))


def _block(node: pa.Block, state: _State, depth: int, kind: BlockKind) -> None:
    if isinstance(node, pa.Header):
        _heading(node, state)
    elif isinstance(node, (pa.Para, pa.Plain)):
        _emit(state, kind, node.content, depth)
    elif isinstance(node, (pa.BulletList, pa.OrderedList)):
        for n, item in enumerate(node.items):
            state.label = "-" if isinstance(node, pa.BulletList) else f"{node.start + n}."
            for child in item:
                _block(child, state, depth + 1, kind)
    elif isinstance(node, pa.BlockQuote):
        for child in node.blocks:
            _block(child, state, depth, "quote")
    elif isinstance(node, pa.Div) and "case-study" in node.attr.classes:
        _case_study(node, state, depth, kind)
    elif isinstance(node, pa.Div):
        for child in node.blocks:
            _block(child, state, depth, kind)
    elif isinstance(node, pa.Figure):
        _figure(node, state, depth, kind)
    else:
        raise TypeError(f"plain text has no rendering for {type(node).__name__}")


def _case_study(node: pa.Div, state: _State, depth: int, kind: BlockKind) -> None:
    """A case study between marks that name it; its heading (the person's name) is in the marks."""
    heading = next((b for b in node.blocks if isinstance(b, pa.Header)), None)
    name = pa.stringify(heading.content) if heading else ""
    _mark(state, f"Start of case study: {name}" if name else "Start of case study")
    for child in node.blocks:
        if child is not heading:
            _block(child, state, depth, kind)
    _mark(state, f"End of case study: {name}" if name else "End of case study")


def _figure(node: pa.Figure, state: _State, depth: int, kind: BlockKind) -> None:
    caption = [i for block in node.caption for i in getattr(block, "content", ())]
    if "pull-quote" in node.attr.classes:
        # A quotation, then who said it.
        for child in node.blocks:
            _block(child, state, depth, "quote")
        _emit(state, "quote", [pa.Str("—"), pa.Space(), *caption], depth)
        return
    # "Figure 1: Opportunities …": the description between marks naming the figure.
    label, _, title = pa.stringify(caption).partition(": ")
    what = f"{label[:1].lower()}{label[1:]} description" if title else "figure description"
    _mark(state, f"Start of {what}: {title}" if title else f"Start of {what}")
    for child in node.blocks:
        _block(child, state, depth, kind)
    _mark(state, f"End of {what}")


# --- inlines ----------------------------------------------------------------------


def _inline_lines(inlines, state: _State, style: _Style) -> tuple[Line, ...]:
    lines: list[list[Run]] = [[]]
    _inlines(inlines, state, style, lines)
    return tuple(tuple(_merge(line)) for line in lines)


def _merge(runs: list[Run]) -> list[Run]:
    """Join neighbouring runs of the same style; trim the line's ends."""
    merged: list[Run] = []
    for run in runs:
        if merged and (merged[-1].italic, merged[-1].bold, merged[-1].literal) == (
            run.italic,
            run.bold,
            run.literal,
        ):
            merged[-1] = Run(merged[-1].text + run.text, run.italic, run.bold, run.literal)
        else:
            merged.append(run)
    if merged:
        merged[0] = Run(merged[0].text.lstrip(), merged[0].italic, merged[0].bold, merged[0].literal)
        merged[-1] = Run(merged[-1].text.rstrip(), merged[-1].italic, merged[-1].bold, merged[-1].literal)
    return [run for run in merged if run.text]


def _inlines(inlines, state: _State, style: _Style, lines: list[list[Run]]) -> None:
    def add(text: str, s: _Style = style) -> None:
        lines[-1].append(Run(text, s.italic, s.bold, s.literal))

    for node in inlines:
        if isinstance(node, pa.Str):
            add(node.text)
        elif isinstance(node, pa.Space):
            add(" ", _Style(style.italic, style.bold, False))
        elif isinstance(node, pa.LineBreak):
            lines.append([])
        elif isinstance(node, pa.Emph):
            _inlines(node.content, state, _Style(True, style.bold, style.literal), lines)
        elif isinstance(node, pa.Strong):
            _inlines(node.content, state, _Style(style.italic, True, style.literal), lines)
        elif isinstance(node, pa.Link):
            if "resource" in node.attr.classes:
                state.links.append((pa.stringify(node.content), node.url))
            _inlines(node.content, state, _Style(style.italic, style.bold, _is_address(node)), lines)
        elif isinstance(node, pa.Span):
            _inlines(node.content, state, style, lines)
        elif isinstance(node, pa.Note):
            state.note_count += 1
            marker = f"[{state.note_count}]"
            add(marker, _Style())
            note_inlines: list[pa.Inline] = []
            for block in node.blocks:
                note_inlines.extend([pa.Space(), *getattr(block, "content", ())])
            title = _note_title(node, state)
            if title:
                note_inlines = [*pa.text(title + ":"), *note_inlines]
            state.links = []
            state.notes.append(TextBlock("note", _inline_lines(note_inlines, state, _Style()), label=marker))
            state.links = []
        else:
            raise TypeError(f"plain text has no rendering for {type(node).__name__}")


def _note_title(note: pa.Note, state: _State) -> str:
    """The resource's title: the linked words just before the note, else the one ``titles`` gives."""
    addresses = [
        link.url
        for block in note.blocks
        for link in getattr(block, "content", ())
        if isinstance(link, pa.Link) and "url" in link.attr.classes
    ]
    if not addresses:
        return ""
    linked = list(dict.fromkeys(words for words, url in state.links if url == addresses[0]))
    return " and ".join(linked) or state.titles.get(addresses[0], "")


def _is_address(link: pa.Link) -> bool:
    """A link whose words are its own address (a URL, a website, an email)."""
    words = "".join(i.text for i in link.content if isinstance(i, pa.Str))
    target = link.url.removeprefix("mailto:")
    return words in (target, target.split("://", 1)[-1])
