"""The alignment engine: matching two versions' sections, subsections and blocks, in the guide's terms.

How blocks are matched, so that one inserted paragraph is "added" and not
"everything after it reworded": things with an id (sections, subsections,
quotes, case studies, figures) by id across the whole guide, so a quote that
moves is "moved"; paragraphs, lists and notes by position, then by
similarity within a stretch that differs, then across the guide ("moved").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from mdguide_build.guide import models as m
from mdguide_build.guide.content import Content
from mdguide_build.guide.labels import attribution_text
from mdguide_build.tools.content_diff.changes import (
    MOVE_THRESHOLD,
    PARAGRAPH_BREAK,
    REWORD_THRESHOLD,
    SEP,
    Change,
)
from mdguide_build.tools.content_diff.recorder import Recorder, capitalised, person_text, with_mark
from mdguide_build.tools.content_diff.wording import readable
from mdguide_build.tools.content_diff.words import align, pair_by_similarity, reordered, similarity

# --- the guide's blocks -----------------------------------------------------------------

# Blocks without an id, by what editors call them.
FLOW_NAMES = {
    m.Paragraph: "paragraph",
    m.BulletList: "list",
    m.EditorialNote: "editorial note",
    m.ExtractionGap: "extraction-gap note",
}


def _anchor(block: object) -> tuple[str, str] | None:
    """The identity of a block that has one: ("quote", id), ("figure", id), …"""
    if isinstance(block, m.PullQuote):
        return ("quote", block.id)
    if isinstance(block, m.CaseStudy):
        return ("case study", block.id)
    if isinstance(block, m.FigureRef):
        return ("figure", block.figure)
    if isinstance(block, m.PersonSpecificationRef):
        return ("person specification", "person-specification")
    return None


def _flow_text(block: object) -> str:
    if isinstance(block, m.Paragraph):
        return block.text
    if isinstance(block, m.BulletList):
        return " ".join(block.items)
    if isinstance(block, m.EditorialNote):
        return block.text
    if isinstance(block, m.ExtractionGap):
        return block.note
    raise TypeError(f"no text for {type(block).__name__}")


def _first_words(text: str, names: dict[str, str], limit: int = 6) -> str:
    words = readable(text, names).split()
    return " ".join(words[:limit]) + ("…" if len(words) > limit else "")


def _name(block: object, names: dict[str, str]) -> str:
    """How a colleague knows a quote or case study: 'quote “It is okay to make…”', 'case study of Dr X'."""
    if isinstance(block, m.PullQuote):
        return f"quote “{_first_words(block.quotes[0].text, names)}”"
    if isinstance(block, m.CaseStudy):
        return f"case study of {block.person.name}"
    raise TypeError(f"no name for {type(block).__name__}")


def _words_of(block: object) -> str | None:
    """All the words of an added or removed block with an id, one paragraph per line."""
    if isinstance(block, m.PullQuote):
        lines = [f"“{q.text}”" for q in block.quotes]
        return PARAGRAPH_BREAK.join([*lines, f"— {attribution_text(block.attribution)}"])
    if isinstance(block, m.CaseStudy):
        return PARAGRAPH_BREAK.join([person_text(block.person), *block.paragraphs])
    return None


def _key(block: object) -> tuple:
    anchor = _anchor(block)
    if anchor:
        return anchor
    return (FLOW_NAMES[type(block)], block.model_dump_json())


def _ordinals(blocks: Sequence[object]) -> list[str]:
    """'paragraph 2', 'list 1', … for each block, counting by kind within its place."""
    counts: Counter[str] = Counter()
    out = []
    for block in blocks:
        name = FLOW_NAMES.get(type(block))
        if name is None:
            out.append("")
            continue
        counts[name] += 1
        out.append(f"{name} {counts[name]}")
    return out


@dataclass
class _Slot:
    """A block without an id, waiting to be matched."""

    place: str
    part: str
    seq: int
    index: int
    ordinal: str
    block: object
    silent: bool = False  # inside an added or removed (sub)section: reported only if it moved

    @property
    def name(self) -> str:
        return FLOW_NAMES[type(self.block)]

    @property
    def text(self) -> str:
        return _flow_text(self.block)


@dataclass
class _Region:
    olds: list[_Slot]
    news: list[_Slot]


@dataclass
class _Anchored:
    place: str
    part: str
    seq: int
    index: int
    block: object
    after: str  # what it follows in its place, e.g. "after paragraph 2"
    silent: bool = False  # inside an added or removed (sub)section: reported only if it moved


class SectionAligner(Recorder):
    """Compares the sections (``sections``), their subsections and blocks, at any depth."""

    def __init__(self, old: Content, new: Content):
        super().__init__(old, new)
        self.regions: list[_Region] = []
        self.loose_old: dict[tuple[str, str], _Anchored] = {}
        self.loose_new: dict[tuple[str, str], _Anchored] = {}
        # Every subsection by id: (its parent's place, the subsection), on each side.
        self.old_subs = dict(_subsections(old.sections, self.old_numbers))
        self.new_subs = dict(_subsections(new.sections, self.new_numbers))

    # -- sections, subsections and their blocks -----------------------------------------

    def sections(self) -> None:
        old_by_id = {s.id: s for s in self.old.sections}
        new_by_id = {s.id: s for s in self.new.sections}
        moved = reordered([s.id for s in self.old.sections], [s.id for s in self.new.sections])
        removed = [s for s in self.old.sections if s.id not in new_by_id]
        for section in self.new.sections:
            label, part = self.section_label(section, "new"), self.section_part(section, "new")
            before = old_by_id.get(section.id)
            if before is None:
                self.add(
                    "section", "added", label, with_mark("section added", section), part, new=section.title
                )
                self.orphans(label, part, section, "new")
                continue
            if section.id in moved:
                self.add(
                    "section",
                    "moved",
                    label,
                    f"section moved (was {self.section_label(before, 'old')})",
                    part,
                )
            if before.title != section.title:
                self.add(
                    "section",
                    "renamed",
                    label,
                    "section renamed",
                    part,
                    old=before.title,
                    new=section.title,
                    words=True,
                )
            self.rest(
                label, part, before, section, {"schema_", "id", "title", "numbered", "blocks", "subsections"}
            )
            if before.numbered != section.numbered:
                self.add(
                    "section",
                    "changed",
                    label,
                    "now numbered" if section.numbered else "no longer numbered",
                    part,
                )
            self.container(label, part, before, section)
        for section in removed:
            label, part = self.section_label(section, "old"), self.section_part(section, "old")
            self.add("section", "removed", label, "section removed", part, old=section.title)
            self.orphans(label, part, section, "old")
        self.resolve_anchored()
        self.resolve_flow()

    def container(
        self, place: str, part: str, old: m.SectionFile | m.Subsection, new: m.SectionFile | m.Subsection
    ) -> None:
        """Compare what one section or subsection holds: its blocks, then its subsections."""
        seq = self.next_seq()
        self.blocks(place, part, seq, old.blocks, new.blocks)
        old_ids = [s.id for s in old.subsections]
        new_ids = [s.id for s in new.subsections]
        moved = reordered(old_ids, new_ids)
        for child in new.subsections:
            child_place = f"{place}{SEP}{child.title}"
            found = self.old_subs.get(child.id)
            if found is None:
                self.add(
                    "subsection",
                    "added",
                    child_place,
                    with_mark("subsection added", child),
                    part,
                    new=child.title,
                )
                self.orphans(child_place, part, child, "new")
                continue
            parent_place, before = found
            if child.id not in old_ids:
                self.add("subsection", "moved", child_place, f"subsection moved from {parent_place}", part)
            elif child.id in moved:
                index = new_ids.index(child.id)
                where = f"now after “{new.subsections[index - 1].title}”" if index else "now first"
                self.add("subsection", "moved", child_place, f"subsection moved ({where})", part)
            if before.title != child.title:
                self.add(
                    "subsection",
                    "renamed",
                    child_place,
                    "subsection renamed",
                    part,
                    old=before.title,
                    new=child.title,
                    words=True,
                )
            self.container(child_place, part, before, child)
        for child in old.subsections:
            if child.id not in self.new_subs:
                child_place = f"{self.old_subs[child.id][0]}{SEP}{child.title}"
                self.add("subsection", "removed", child_place, "subsection removed", part, old=child.title)
                self.orphans(child_place, part, child, "old")

    def orphans(self, place: str, part: str, node: m.SectionFile | m.Subsection, side: str) -> None:
        """The blocks of an added or removed (sub)section: only a move out of or into it is reported."""
        seq = self.next_seq()
        ordinals = _ordinals(node.blocks)
        region = _Region([], [])
        for index, block in enumerate(node.blocks):
            anchor = _anchor(block)
            if anchor:
                pool = self.loose_new if side == "new" else self.loose_old
                pool[anchor] = _Anchored(place, part, seq, index, block, "", silent=True)
            else:
                slots = region.news if side == "new" else region.olds
                slots.append(_Slot(place, part, seq, index, ordinals[index], block, silent=True))
        self.regions.append(region)
        for child in node.subsections:
            child_place = f"{place}{SEP}{child.title}"
            if (child.id in self.old_subs) != (child.id in self.new_subs):
                self.orphans(child_place, part, child, side)
            elif side == "new":  # kept, but moved into this new (sub)section
                parent_place, before = self.old_subs[child.id]
                self.add("subsection", "moved", child_place, f"subsection moved from {parent_place}", part)
                if before.title != child.title:
                    self.add(
                        "subsection",
                        "renamed",
                        child_place,
                        "subsection renamed",
                        part,
                        old=before.title,
                        new=child.title,
                        words=True,
                    )
                self.container(child_place, part, before, child)

    def blocks(self, place: str, part: str, seq: int, old: Sequence[object], new: Sequence[object]) -> None:
        old_ordinals, new_ordinals = _ordinals(old), _ordinals(new)
        matcher = SequenceMatcher(None, [_key(b) for b in old], [_key(b) for b in new], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                for i, j in zip(range(i1, i2), range(j1, j2)):
                    if _anchor(new[j]):
                        self.anchored(place, part, old[i], new[j], (seq, j))
                continue
            region = _Region([], [])
            for i in range(i1, i2):
                if _anchor(old[i]):
                    self.loose_old[_anchor(old[i])] = _Anchored(place, part, seq, i, old[i], "")
                else:
                    region.olds.append(_Slot(place, part, seq, i, old_ordinals[i], old[i]))
            for j in range(j1, j2):
                if _anchor(new[j]):
                    previous = _block_name(new[j - 1], new_ordinals[j - 1], self.names, self.figure_label)
                    after = f"after {previous}" if j else "first"
                    self.loose_new[_anchor(new[j])] = _Anchored(place, part, seq, j, new[j], after)
                else:
                    region.news.append(_Slot(place, part, seq, j, new_ordinals[j], new[j]))
            if region.olds or region.news:
                self.regions.append(region)

    def resolve_anchored(self) -> None:
        """Quotes, case studies and figures that left their place: moved, added or removed."""
        for anchor, now in self.loose_new.items():
            before = self.loose_old.pop(anchor, None)
            name = _anchor_name(anchor, now.block, self.names, self.figure_label)
            if before is not None and before.silent and now.silent:
                continue  # both inside (sub)sections reported as removed and added
            if before is None:
                if now.silent:
                    continue
                what = with_mark(f"{name} {'placed' if anchor[0] == 'figure' else 'added'}", now.block)
                self.add(
                    anchor[0],
                    "added",
                    now.place,
                    what,
                    now.part,
                    new=_words_of(now.block),
                    order=(now.seq, now.index),
                )
                continue
            where = f"now {now.after}" if before.place == now.place else f"from {before.place}"
            self.add(
                anchor[0], "moved", now.place, f"{name} moved ({where})", now.part, order=(now.seq, now.index)
            )
            self.anchored(now.place, now.part, before.block, now.block, (now.seq, now.index))
        for anchor, before in self.loose_old.items():
            if before.silent:
                continue
            name = _anchor_name(anchor, before.block, self.names, self.figure_label)
            what = "no longer placed here" if anchor[0] == "figure" else "removed"
            self.add(
                anchor[0],
                "removed",
                before.place,
                f"{name} {what}",
                before.part,
                old=_words_of(before.block),
                order=(before.seq, before.index - 0.5),
            )

    def anchored(self, place: str, part: str, old: object, new: object, order: tuple[int, float]) -> None:
        """Compare a quote or case study with its earlier self."""
        start = len(self.changes)
        if isinstance(new, m.PullQuote) and isinstance(old, m.PullQuote):
            self.pull_quote(old, new, part)
        elif isinstance(new, m.CaseStudy) and isinstance(old, m.CaseStudy):
            self.case_study(old, new, part)
        for k in range(start, len(self.changes)):  # keep them where the block is
            change = self.changes[k]
            self.changes[k] = Change(
                change.thing,
                change.action,
                change.place,
                change.what,
                change.part,
                change.old,
                change.new,
                change.words,
                (order[0], order[1] + k * 1e-6),
            )

    def pull_quote(self, old: m.PullQuote, new: m.PullQuote, part: str) -> None:
        start = len(self.changes)
        place = capitalised(_name(new, self.names))
        texts_old = [q.text for q in old.quotes]
        texts_new = [q.text for q in new.quotes]
        single = len(texts_old) == len(texts_new) == 1
        for pair in align(texts_old, texts_new):
            label = "quote" if single else f"quote {(pair.new if pair.new is not None else pair.old) + 1}"
            if pair.old is None:
                self.add("quote", "added", place, "quote added", part, new=texts_new[pair.new])
            elif pair.new is None:
                self.add("quote", "removed", place, f"{label} removed", part, old=texts_old[pair.old])
            else:
                if pair.moved:
                    self.add("quote", "moved", place, f"{label} moved (was quote {pair.old + 1})", part)
                elif texts_old[pair.old] != texts_new[pair.new]:
                    self.add(
                        "quote",
                        "reworded",
                        place,
                        f"{label} reworded",
                        part,
                        old=texts_old[pair.old],
                        new=texts_new[pair.new],
                        words=True,
                    )
                was, now = old.quotes[pair.old].bold, new.quotes[pair.new].bold
                if was != now:
                    self.add(
                        "quote",
                        "changed",
                        place,
                        f"{label} {'now' if now else 'no longer'} set in bold",
                        part,
                    )
        if old.attribution != new.attribution:
            self.add(
                "quote",
                "changed",
                place,
                "attribution changed",
                part,
                old=attribution_text(old.attribution),
                new=attribution_text(new.attribution),
            )
        self.rest(place, part, old, new, {"type", "id", "quotes", "attribution"}, start)

    def case_study(self, old: m.CaseStudy, new: m.CaseStudy, part: str) -> None:
        start = len(self.changes)
        place = capitalised(_name(new, self.names))
        for name, label in (
            ("name", "person's name"),
            ("title", "person's title"),
            ("organisation", "person's organisation"),
        ):
            self.text_field(
                "case study",
                place,
                label,
                part,
                getattr(old.person, name),
                getattr(new.person, name),
                prose=False,
            )
        self.text_list("case study", place, "paragraph", part, old.paragraphs, new.paragraphs)
        self.rest(place, part, old, new, {"type", "id", "person", "paragraphs"}, start)

    def resolve_flow(self) -> None:
        """Paragraphs, lists and notes not matched in place: moved, reworded, added or removed."""
        loose_old = [s for r in self.regions for s in r.olds]
        loose_new = [s for r in self.regions for s in r.news]
        done: set[int] = set()  # id() of slots matched

        def take(o: _Slot, n: _Slot, moved: bool) -> None:
            done.update((id(o), id(n)))
            if o.silent and n.silent:
                return  # both inside (sub)sections reported as removed and added
            order = (n.seq, n.index)
            if moved:
                where = f"from {o.place}, {o.ordinal}" if o.place != n.place else f"was {o.ordinal}"
                self.add(n.name, "moved", n.place, f"{n.ordinal} moved ({where})", n.part, order=order)
            if o.block != n.block:
                self.flow_pair(o, n, order)

        # 1. The same text elsewhere: moved.  Prefer a match in the same place.
        for n in loose_new:
            candidates = [
                o
                for o in loose_old
                if id(o) not in done and type(o.block) is type(n.block) and o.block == n.block
            ]
            if candidates:
                candidates.sort(key=lambda o: o.place != n.place)
                take(candidates[0], n, moved=True)
        # 2. In each stretch that differs, similar text of the same kind: reworded.
        for region in self.regions:
            olds = [o for o in region.olds if id(o) not in done]
            news = [n for n in region.news if id(n) not in done]
            pairs = pair_by_similarity(
                [o.text for o in olds],
                [n.text for n in news],
                REWORD_THRESHOLD,
                lambda i, j, olds=olds, news=news: type(olds[i].block) is type(news[j].block),
            )
            for a, b in pairs:
                take(olds[a], news[b], moved=False)
        # 3. Very similar text in another place: moved and reworded.
        for n in loose_new:
            if id(n) in done:
                continue
            best = max(
                (o for o in loose_old if id(o) not in done and type(o.block) is type(n.block)),
                key=lambda o: similarity(o.text, n.text),
                default=None,
            )
            if best is not None and similarity(best.text, n.text) >= MOVE_THRESHOLD:
                take(best, n, moved=True)
        # 4. The rest.
        for n in loose_new:
            if id(n) not in done and not n.silent:
                self.add(
                    n.name,
                    "added",
                    n.place,
                    with_mark(f"{n.ordinal} added", n.block),
                    n.part,
                    new=n.text,
                    order=(n.seq, n.index),
                )
        for o in loose_old:
            if id(o) not in done and not o.silent:
                self.add(
                    o.name,
                    "removed",
                    o.place,
                    f"{o.ordinal} removed",
                    o.part,
                    old=o.text,
                    order=(o.seq, o.index - 0.5),
                )

    def flow_pair(self, o: _Slot, n: _Slot, order: tuple[int, float]) -> None:
        """The differences between two matched blocks without an id."""
        start = len(self.changes)
        if isinstance(n.block, m.BulletList):
            self.text_list("list item", n.place, f"{n.ordinal}, item", n.part, o.block.items, n.block.items)
        elif isinstance(n.block, m.ExtractionGap):
            self.text_field(n.name, n.place, n.ordinal, n.part, o.block.note, n.block.note)
            if o.block.cites != n.block.cites:
                self.add(
                    n.name,
                    "changed",
                    n.place,
                    f"{n.ordinal}: cited resources changed",
                    n.part,
                    old=", ".join(o.block.cites),
                    new=", ".join(n.block.cites),
                )
        else:
            self.text_field(n.name, n.place, n.ordinal, n.part, o.text, n.text)
        self.rest(
            f"{n.place}{SEP}{n.ordinal}",
            n.part,
            o.block,
            n.block,
            {"type", "text", "items", "note", "cites"},
            start,
        )
        for k in range(start, len(self.changes)):
            change = self.changes[k]
            self.changes[k] = Change(
                change.thing,
                change.action,
                change.place,
                change.what,
                change.part,
                change.old,
                change.new,
                change.words,
                (order[0], order[1] + 1e-6 * (k + 1)),
            )


def _subsections(sections: Sequence[m.SectionFile], numbers: dict[str, int]):
    """(id, (parent's place, subsection)) for every subsection, at any depth."""

    def walk(place: str, node):
        for child in node.subsections:
            yield child.id, (place, child)
            yield from walk(f"{place}{SEP}{child.title}", child)

    for section in sections:
        label = f"Section {numbers[section.id]}" if section.id in numbers else section.title
        yield from walk(label, section)


def _block_name(
    block: object, ordinal: str, names: dict[str, str], figure_label: Callable[[str], str]
) -> str:
    anchor = _anchor(block)
    if anchor is None:
        return ordinal
    return _anchor_name(anchor, block, names, figure_label)


def _anchor_name(
    anchor: tuple[str, str], block: object, names: dict[str, str], figure_label: Callable[[str], str]
) -> str:
    kind, ident = anchor
    if kind == "figure":
        return figure_label(ident).replace("Figure", "figure", 1)
    if kind == "person specification":
        return "the person specification"
    return _name(block, names)
