"""Matching the two versions' blocks and ids, and naming each change in the guide's terms."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from mdguide_build.guide import models as m
from mdguide_build.guide.content import Content
from mdguide_build.guide.labels import attribution_text, edition_label, human_date
from mdguide_build.guide.numbering import figure_numbers, section_numbers
from mdguide_build.tools.content_diff.changes import (
    MOVE_THRESHOLD,
    REWORD_THRESHOLD,
    SEP,
    WORD_DIFF_THRESHOLD,
    Change,
    DiffResult,
)
from mdguide_build.tools.content_diff.words import align, pair_by_similarity, reordered, similarity, word_diff

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


class _Differ:
    def __init__(self, old: Content, new: Content):
        self.old, self.new = old, new
        self.changes: list[Change] = []
        self.seq = 0
        self.regions: list[_Region] = []
        self.loose_old: dict[tuple[str, str], _Anchored] = {}
        self.loose_new: dict[tuple[str, str], _Anchored] = {}
        self.old_numbers, self.new_numbers = section_numbers(old), section_numbers(new)
        self.old_figures, self.new_figures = figure_numbers(old), figure_numbers(new)
        # Every subsection by id: (its parent's place, the subsection), on each side.
        self.old_subs = dict(_subsections(old.sections, self.old_numbers))
        self.new_subs = dict(_subsections(new.sections, self.new_numbers))

    # -- recording ----------------------------------------------------------------------

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def add(
        self,
        thing: str,
        action: str,
        place: str,
        what: str,
        part: str,
        *,
        old: str | None = None,
        new: str | None = None,
        words: bool = False,
        order: tuple[int, float] | None = None,
    ) -> None:
        diff = ()
        # A word diff helps where most words stayed; a text rewritten throughout reads better as was/now.
        if words and old is not None and new is not None and similarity(old, new) >= WORD_DIFF_THRESHOLD:
            diff = word_diff(old, new)
        self.changes.append(
            Change(thing, action, place, what, part, old, new, diff, order or (self.next_seq(), 0.0))
        )

    def text_field(
        self,
        thing: str,
        place: str,
        label: str,
        part: str,
        old: str | None,
        new: str | None,
        *,
        prose: bool = True,
    ) -> None:
        """One text field: added, removed, reworded (prose, with a word diff) or changed."""
        if old == new:
            return
        if old is None:
            self.add(thing, "added", place, f"{label} added", part, new=new)
        elif new is None:
            self.add(thing, "removed", place, f"{label} removed", part, old=old)
        elif prose:
            self.add(thing, "reworded", place, f"{label} reworded", part, old=old, new=new, words=True)
        else:
            self.add(thing, "changed", place, f"{label} changed", part, old=old, new=new)

    def text_list(
        self, thing: str, place: str, noun: str, part: str, old: Sequence[str], new: Sequence[str]
    ) -> None:
        """A list of texts (paragraphs of a case study, list items, questions), aligned."""
        for pair in align(old, new):
            if pair.old is None:
                self.add(thing, "added", place, f"{noun} added", part, new=new[pair.new])
            elif pair.new is None:
                self.add(thing, "removed", place, f"{noun} {pair.old + 1} removed", part, old=old[pair.old])
            else:
                if pair.moved:
                    self.add(
                        thing,
                        "moved",
                        place,
                        f"{noun} {pair.new + 1} moved (was {noun} {pair.old + 1})",
                        part,
                    )
                if old[pair.old] != new[pair.new]:
                    self.add(
                        thing,
                        "reworded",
                        place,
                        f"{noun} {pair.new + 1} reworded",
                        part,
                        old=old[pair.old],
                        new=new[pair.new],
                        words=True,
                    )

    # -- labels -------------------------------------------------------------------------

    def section_label(self, section: m.SectionFile, side: str) -> str:
        numbers = self.new_numbers if side == "new" else self.old_numbers
        return f"Section {numbers[section.id]}" if section.id in numbers else section.title

    def section_part(self, section: m.SectionFile, side: str) -> str:
        numbers = self.new_numbers if side == "new" else self.old_numbers
        return f"Section {numbers[section.id]}: {section.title}" if section.id in numbers else section.title

    def figure_label(self, figure_id: str) -> str:
        number = self.new_figures.get(figure_id) or self.old_figures.get(figure_id)
        return f"Figure {number}" if number else f"Figure {figure_id}"

    # -- the whole guide ----------------------------------------------------------------

    def run(self) -> list[Change]:
        self.guide()
        self.foreword()
        self.sections()
        self.person_specification()
        self.figures()
        self.resources()
        self.back_matter()
        self.other_files()
        return sorted(self.changes, key=lambda c: c.order)

    def guide(self) -> None:
        o, n = self.old.guide, self.new.guide
        part = "Edition and publication details"
        for name in ("title", "subtitle"):
            self.text_field(name, "Guide", name, part, getattr(o, name), getattr(n, name))
        for name, label in (
            ("slug", "file name (slug)"),
            ("identifier", "identifier"),
            ("published", "first publication date"),
            ("language", "language"),
        ):
            self.text_field(name, "Guide", label, part, getattr(o, name), getattr(n, name), prose=False)
        if o.publishers != n.publishers:
            self.add(
                "publishers",
                "changed",
                "Guide",
                "publishers changed",
                part,
                old=" and ".join(o.publishers),
                new=" and ".join(n.publishers),
            )
        self.edition("Edition", part, o.edition, n.edition)
        old_history = {e.version: e for e in o.history}
        new_history = {e.version: e for e in n.history}
        for version, edition in new_history.items():
            if version not in old_history:
                self.add(
                    "history",
                    "added",
                    "Edition history",
                    f"edition {version} added",
                    part,
                    new=_edition_text(edition),
                )
            else:
                self.edition(f"Edition history › {version}", part, old_history[version], edition)
        for version, edition in old_history.items():
            if version not in new_history:
                self.add(
                    "history",
                    "removed",
                    "Edition history",
                    f"edition {version} removed",
                    part,
                    old=_edition_text(edition),
                )
        self.text_field(
            "review",
            "Guide",
            "review dates",
            part,
            _review_text(o.reviewed),
            _review_text(n.reviewed),
            prose=False,
        )
        self.text_field(
            "accessibility",
            "Accessibility",
            "summary",
            part,
            o.accessibility.summary,
            n.accessibility.summary,
        )
        for name in ("access_modes", "access_mode_sufficient", "features", "hazards"):
            a, b = getattr(o.accessibility, name), getattr(n.accessibility, name)
            if a != b:
                self.add(
                    "accessibility",
                    "changed",
                    "Accessibility",
                    f"{name.replace('_', ' ')} changed",
                    part,
                    old=", ".join(a),
                    new=", ".join(b),
                )
        for name in ("other_formats", "living_document"):
            self.text_field(
                "statement",
                "Statements",
                f"statement '{name.replace('_', ' ')}'",
                part,
                getattr(o.statements, name),
                getattr(n.statements, name),
            )
        self.rest(
            "Guide",
            part,
            o,
            n,
            {
                "schema_",
                "title",
                "subtitle",
                "slug",
                "identifier",
                "published",
                "language",
                "publishers",
                "edition",
                "history",
                "reviewed",
                "accessibility",
                "statements",
                "sections",
            },
        )

    def edition(self, place: str, part: str, o: m.Edition, n: m.Edition) -> None:
        self.text_field("edition", place, "version", part, o.version, n.version, prose=False)
        self.text_field("edition", place, "date", part, human_date(o.date), human_date(n.date), prose=False)
        self.text_field("edition", place, "change note", part, o.note, n.note)

    def foreword(self) -> None:
        o, n = self.old.foreword, self.new.foreword
        place = part = "Foreword"
        self.text_field("title", place, "title", part, o.title, n.title)
        self.text_list("paragraph", place, "paragraph", part, o.paragraphs, n.paragraphs)
        old_people = {p.name: p for p in o.signatories}
        new_people = {p.name: p for p in n.signatories}
        for name, person in new_people.items():
            if name not in old_people:
                self.add("signatory", "added", place, "signatory added", part, new=_person_text(person))
            elif old_people[name] != person:
                self.add(
                    "signatory",
                    "changed",
                    place,
                    f"signatory {name} changed",
                    part,
                    old=_person_text(old_people[name]),
                    new=_person_text(person),
                )
        for name, person in old_people.items():
            if name not in new_people:
                self.add("signatory", "removed", place, "signatory removed", part, old=_person_text(person))

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
                self.add("section", "added", label, "section added", part, new=section.title)
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
                self.add("subsection", "added", child_place, "subsection added", part, new=child.title)
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
                    after = f"after {_block_name(new[j - 1], new_ordinals[j - 1])}" if j else "first"
                    self.loose_new[_anchor(new[j])] = _Anchored(place, part, seq, j, new[j], after)
                else:
                    region.news.append(_Slot(place, part, seq, j, new_ordinals[j], new[j]))
            if region.olds or region.news:
                self.regions.append(region)

    def resolve_anchored(self) -> None:
        """Quotes, case studies and figures that left their place: moved, added or removed."""
        for anchor, now in self.loose_new.items():
            before = self.loose_old.pop(anchor, None)
            name = _anchor_name(anchor, self.figure_label)
            if before is not None and before.silent and now.silent:
                continue  # both inside (sub)sections reported as removed and added
            if before is None:
                if now.silent:
                    continue
                what = "placed" if anchor[0] == "figure" else "added"
                self.add(
                    anchor[0], "added", now.place, f"{name} {what}", now.part, order=(now.seq, now.index)
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
            name = _anchor_name(anchor, self.figure_label)
            what = "no longer placed here" if anchor[0] == "figure" else "removed"
            self.add(
                anchor[0],
                "removed",
                before.place,
                f"{name} {what}",
                before.part,
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
        place = f"Quote {new.id}"
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
        self.rest(place, part, old, new, {"type", "id", "quotes", "attribution"})

    def case_study(self, old: m.CaseStudy, new: m.CaseStudy, part: str) -> None:
        place = f"Case study {new.id}"
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
        self.rest(place, part, old, new, {"type", "id", "person", "paragraphs"})

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
                    n.name, "added", n.place, f"{n.ordinal} added", n.part, new=n.text, order=(n.seq, n.index)
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
            f"{n.place}{SEP}{n.ordinal}", n.part, o.block, n.block, {"type", "text", "items", "note", "cites"}
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

    # -- the other files ----------------------------------------------------------------

    def person_specification(self) -> None:
        part = top = "Person specification"
        old_groups = {g.id: g for g in self.old.person_specification.groups}
        new_groups = {g.id: g for g in self.new.person_specification.groups}
        old_criteria = {c.id: (g, c) for g in old_groups.values() for c in g.criteria}
        new_criteria = {c.id: (g, c) for g in new_groups.values() for c in g.criteria}
        moved_groups = reordered(list(old_groups), list(new_groups))
        for group in new_groups.values():
            place = f"{top}{SEP}{group.title}"
            before = old_groups.get(group.id)
            if before is None:
                self.add("criteria group", "added", place, "group added", part, new=group.title)
            else:
                if group.id in moved_groups:
                    self.add("criteria group", "moved", place, "group moved", part)
                if before.title != group.title:
                    self.add(
                        "criteria group",
                        "renamed",
                        place,
                        "group renamed",
                        part,
                        old=before.title,
                        new=group.title,
                        words=True,
                    )
                self.text_field("criteria group", place, "opening line", part, before.lead, group.lead)
            kept_here = [c.id for c in before.criteria] if before else []
            moved_within = reordered(kept_here, [c.id for c in group.criteria])
            for index, criterion in enumerate(group.criteria, start=1):
                found = old_criteria.get(criterion.id)
                if found is None:
                    self.add("criterion", "added", place, "criterion added", part, new=criterion.text)
                    continue
                old_group, old_criterion = found
                if old_group.id != group.id:
                    self.add(
                        "criterion",
                        "moved",
                        place,
                        f"criterion {index} moved from {old_group.title}",
                        part,
                        new=criterion.text,
                    )
                elif criterion.id in moved_within:
                    self.add(
                        "criterion", "moved", place, f"criterion {index} moved", part, new=criterion.text
                    )
                if old_criterion.text != criterion.text:
                    self.add(
                        "criterion",
                        "reworded",
                        place,
                        f"criterion {index} reworded",
                        part,
                        old=old_criterion.text,
                        new=criterion.text,
                        words=True,
                    )
                self.text_list(
                    "prompting question",
                    f"{place}{SEP}criterion {index}",
                    "prompting question",
                    part,
                    old_criterion.questions,
                    criterion.questions,
                )
                self.rest(
                    f"{place}{SEP}criterion {index}",
                    part,
                    old_criterion,
                    criterion,
                    {"id", "text", "questions"},
                )
        for group in old_groups.values():
            if group.id not in new_groups:
                self.add(
                    "criteria group",
                    "removed",
                    f"{top}{SEP}{group.title}",
                    "group removed",
                    part,
                    old=group.title,
                )
        for criterion_id, (group, criterion) in old_criteria.items():
            if criterion_id not in new_criteria:
                self.add(
                    "criterion",
                    "removed",
                    f"{top}{SEP}{group.title}",
                    "criterion removed",
                    part,
                    old=criterion.text,
                )

    def figures(self) -> None:
        part = "Figures"
        old = {f.id: f for f in self.old.figures.figures}
        new = {f.id: f for f in self.new.figures.figures}
        for fid, figure in new.items():
            place = self.figure_label(fid)
            before = old.get(fid)
            if before is None:
                self.add("figure", "added", "Figures", f"figure {fid} added", part, new=figure.caption)
                continue
            self.text_field("figure", place, "caption", part, before.caption, figure.caption)
            d0, d1 = before.description, figure.description
            if d0.basis != d1.basis:
                self.add(
                    "figure",
                    "changed",
                    place,
                    "description's basis changed",
                    part,
                    old=d0.basis,
                    new=d1.basis,
                )
            self.text_field("figure", place, "description", part, d0.lead, d1.lead)
            self.text_list("figure", place, "description item", part, d0.items, d1.items)
            self.text_field("figure", place, "image", part, before.image, figure.image, prose=False)
            self.text_field("figure", place, "note on the image", part, before.image_note, figure.image_note)
            self.rest(place, part, before, figure, {"id", "caption", "description", "image", "image_note"})
        for fid, figure in old.items():
            if fid not in new:
                self.add("figure", "removed", "Figures", f"figure {fid} removed", part, old=figure.caption)

    def resources(self) -> None:
        part = "Resources"
        old = {r.id: r for r in self.old.resources.resources}
        new = {r.id: r for r in self.new.resources.resources}
        for rid, resource in new.items():
            before = old.get(rid)
            if before is None:
                self.add("resource", "added", "Resources", f"resource {rid} added", part, new=resource.url)
                continue
            place = f"Resource {rid}"
            self.text_field("resource", place, "URL", part, before.url, resource.url, prose=False)
            if before.link_texts != resource.link_texts:
                self.add(
                    "resource",
                    "changed",
                    place,
                    "link text changed",
                    part,
                    old=" | ".join(before.link_texts) or "(none)",
                    new=" | ".join(resource.link_texts) or "(none)",
                )
            for name, label in (
                ("footnote_2017", "2017 footnote number"),
                ("status", "link status"),
                ("checked", "date last checked"),
                ("archived_url", "archived copy"),
            ):
                a, b = getattr(before, name), getattr(resource, name)
                self.text_field(
                    "resource",
                    place,
                    label,
                    part,
                    None if a is None else str(a),
                    None if b is None else str(b),
                    prose=False,
                )
            self.rest(
                place,
                part,
                before,
                resource,
                {"id", "url", "link_texts", "footnote_2017", "status", "checked", "archived_url"},
            )
        for rid, resource in old.items():
            if rid not in new:
                self.add(
                    "resource", "removed", "Resources", f"resource {rid} removed", part, old=resource.url
                )

    def back_matter(self) -> None:
        o, n = self.old.back_matter, self.new.back_matter
        place = part = n.contact_heading.rstrip(":")
        self.text_field("contact", place, "heading", part, o.contact_heading, n.contact_heading)
        old_contacts = {c.organisation: c for c in o.contacts}
        new_contacts = {c.organisation: c for c in n.contacts}
        for name, contact in new_contacts.items():
            before = old_contacts.get(name)
            if before is None:
                self.add("contact", "added", place, f"contact {name} added", part)
                continue
            for field_name in ("address", "phone", "email", "website"):
                a, b = getattr(before, field_name), getattr(contact, field_name)
                if a != b:
                    self.add(
                        "contact",
                        "changed",
                        f"{place}{SEP}{name}",
                        f"{field_name} changed",
                        part,
                        old=", ".join(a) if isinstance(a, list) else a,
                        new=", ".join(b) if isinstance(b, list) else b,
                    )
        for name in old_contacts:
            if name not in new_contacts:
                self.add("contact", "removed", place, f"contact {name} removed", part)
        self.text_list("paragraph", place, "paragraph", part, o.about, n.about)
        self.text_field("paragraph", place, "social media line", part, o.social, n.social)

    def rest(self, place: str, part: str, old: m.Model, new: m.Model, handled: set[str]) -> None:
        """Fields this module has no words for (e.g. added by a later model): compared generically."""
        a = old.model_dump(mode="json", exclude=handled)
        b = new.model_dump(mode="json", exclude=handled)
        if a != b:
            self.generic(place, part, a, b)

    def other_files(self) -> None:
        """Files this module has no words for yet (e.g. roles.json): compared field by field."""
        for item in dataclasses.fields(self.new):
            if item.name in KNOWN_FILES:
                continue
            old, new = getattr(self.old, item.name, None), getattr(self.new, item.name, None)
            if isinstance(old, m.ContentFile) or isinstance(new, m.ContentFile):
                label = item.name.replace("_", " ").capitalize()
                self.generic(label, label, _dump(old), _dump(new))

    def generic(self, place: str, part: str, old: object, new: object, label: str = "") -> None:
        if old == new:
            return
        if isinstance(old, dict) and isinstance(new, dict):
            for key in dict.fromkeys([*old, *new]):
                name = key.replace("_", " ")
                if key not in new:
                    self.add(name, "removed", place, f"{name} removed", part, old=_plain(old[key]))
                elif key not in old:
                    self.add(name, "added", place, f"{name} added", part, new=_plain(new[key]))
                elif isinstance(new[key], (dict, list)):
                    self.generic(f"{place}{SEP}{name}", part, old[key], new[key], name)
                else:
                    self.generic(place, part, old[key], new[key], name)
            return
        if (
            isinstance(old, list)
            and isinstance(new, list)
            and all(isinstance(x, dict) and "id" in x for x in [*old, *new])
        ):
            old_ids = {x["id"]: x for x in old}
            new_ids = {x["id"]: x for x in new}
            for ident, value in new_ids.items():
                if ident not in old_ids:
                    self.add(label or "item", "added", place, f"{ident} added", part)
                else:
                    self.generic(f"{place}{SEP}{ident}", part, old_ids[ident], value)
            for ident in old_ids:
                if ident not in new_ids:
                    self.add(label or "item", "removed", place, f"{ident} removed", part)
            return
        if isinstance(old, str) and isinstance(new, str) and " " in old + new:
            self.text_field(label or "text", place, label or "text", part, old, new)
        else:
            self.add(
                label or "value",
                "changed",
                place,
                f"{label or 'value'} changed",
                part,
                old=_plain(old),
                new=_plain(new),
            )


KNOWN_FILES = {
    "root",
    "files",
    "guide",
    "foreword",
    "sections",
    "person_specification",
    "figures",
    "resources",
    "back_matter",
}


def _dump(model: m.ContentFile | None) -> dict:
    return {} if model is None else model.model_dump(mode="json", exclude={"schema_"})


def _plain(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {_plain(v)}" for k, v in value.items())
    return str(value)


def _subsections(sections: Sequence[m.SectionFile], numbers: dict[str, int]):
    """(id, (parent's place, subsection)) for every subsection, at any depth."""

    def walk(place: str, node):
        for child in node.subsections:
            yield child.id, (place, child)
            yield from walk(f"{place}{SEP}{child.title}", child)

    for section in sections:
        label = f"Section {numbers[section.id]}" if section.id in numbers else section.title
        yield from walk(label, section)


def _block_name(block: object, ordinal: str) -> str:
    anchor = _anchor(block)
    if anchor is None:
        return ordinal
    return f"{anchor[0]} {anchor[1]}" if anchor[0] != "person specification" else "the person specification"


def _anchor_name(anchor: tuple[str, str], figure_label: Callable[[str], str]) -> str:
    kind, ident = anchor
    if kind == "figure":
        return figure_label(ident).replace("Figure", "figure", 1)
    if kind == "person specification":
        return "person specification"
    return f"{kind} {ident}"


def _edition_text(edition: m.Edition) -> str:
    text = edition_label(edition)
    return f"{text}: {edition.note}" if edition.note else text


def _review_text(review: m.Review | None) -> str | None:
    if review is None:
        return None
    return f"last {human_date(review.last)}, next {human_date(review.next)}"


def _person_text(person: m.Person) -> str:
    return f"{person.name}, {person.title}, {person.organisation}"


def diff_content(old: Content, new: Content, old_label: str = "OLD", new_label: str = "NEW") -> DiffResult:
    """Every change from ``old`` to ``new``, in reading order."""
    return DiffResult(old_label, new_label, _Differ(old, new).run())
