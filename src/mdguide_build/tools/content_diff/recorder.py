"""Recording changes: the one place a change is named, with its words, its word diff and its order.

``Recorder`` holds the two versions and the changes found so far; the
comparers (``sections`` for the guide's sections and blocks, ``differ`` for
the other files) call ``add``, ``text_field``, ``text_list`` and ``rest``.
``by_id`` is the one walk over things matched by id: added, kept, removed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from typing import TypeVar

from mdguide_build.guide import models as m
from mdguide_build.guide.content import Content
from mdguide_build.guide.labels import edition_mark
from mdguide_build.guide.numbering import figure_numbers, section_numbers
from mdguide_build.tools.content_diff.changes import (
    SEP,
    WORD_DIFF_THRESHOLD,
    Change,
)
from mdguide_build.tools.content_diff.wording import readable, resource_names
from mdguide_build.tools.content_diff.words import align, similarity, word_diff

K = TypeVar("K")
V = TypeVar("V")


MARKS = {"since", "revised"}


def by_id(old: Mapping[K, V], new: Mapping[K, V]) -> Iterator[tuple[K, V | None, V | None]]:
    """(key, new item, old item) for every key of either side: added and kept ones in their new
    order (old item None: added), then the removed ones in their old order (new item None)."""
    for key, item in new.items():
        yield key, item, old.get(key)
    for key, item in old.items():
        if key not in new:
            yield key, None, item


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def with_mark(what: str, part: object) -> str:
    """'paragraph 2 added' -> 'paragraph 2 added (new in 1.1)' for a part an edition mark covers."""
    mark = edition_mark(part)
    return f"{what} ({mark[0].lower()}{mark[1:]})" if mark else what


def plain_value(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(plain_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {plain_value(v)}" for k, v in value.items())
    return str(value)


def person_text(person: m.Person) -> str:
    return f"{person.name}, {person.title}, {person.organisation}"


class Recorder:
    """The two versions, their numbering, and the changes found so far."""

    def __init__(self, old: Content, new: Content):
        self.old, self.new = old, new
        self.names = resource_names(old, new)
        self.changes: list[Change] = []
        self.seq = 0
        self.old_numbers, self.new_numbers = section_numbers(old), section_numbers(new)
        self.old_figures, self.new_figures = figure_numbers(old), figure_numbers(new)

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
        if words and old is not None and new is not None:
            shown_old, shown_new = readable(old, self.names), readable(new, self.names)
            if similarity(shown_old, shown_new) >= WORD_DIFF_THRESHOLD:
                diff = word_diff(shown_old, shown_new)
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

    def rest(
        self, place: str, part: str, old: m.Model, new: m.Model, handled: set[str], start: int | None = None
    ) -> None:
        """Edition marks, then the fields this module has no words for (e.g. added by a later model).

        ``start``: where this part's changes begin in ``changes``; a new mark is then said with them,
        "paragraph 3 reworded (revised in 1.1)", rather than as a change of its own.
        """
        was, now = edition_mark(old), edition_mark(new)
        if was != now and now and start is not None and len(self.changes) > start:
            for k in range(start, len(self.changes)):
                change = self.changes[k]
                self.changes[k] = dataclasses.replace(
                    change, what=f"{change.what} ({now[0].lower()}{now[1:]})"
                )
        elif was != now:
            what = f"now marked “{now}”" if now else f"no longer marked “{was}”"
            self.add("edition mark", "changed", place, what, part)
        a = old.model_dump(mode="json", exclude=handled | MARKS)
        b = new.model_dump(mode="json", exclude=handled | MARKS)
        if a != b:
            self.generic(place, part, a, b)

    def generic(self, place: str, part: str, old: object, new: object, label: str = "") -> None:
        if old == new:
            return
        if isinstance(old, dict) and isinstance(new, dict):
            for key in dict.fromkeys([*old, *new]):
                name = key.replace("_", " ")
                if key not in new:
                    self.add(name, "removed", place, f"{name} removed", part, old=plain_value(old[key]))
                elif key not in old:
                    self.add(name, "added", place, f"{name} added", part, new=plain_value(new[key]))
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
            for ident, value, before in by_id(old_ids, new_ids):
                if before is None:
                    self.add(label or "item", "added", place, f"{ident} added", part, new=plain_value(value))
                elif value is None:
                    self.add(
                        label or "item", "removed", place, f"{ident} removed", part, old=plain_value(before)
                    )
                else:
                    self.generic(f"{place}{SEP}{ident}", part, before, value)
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
                old=plain_value(old),
                new=plain_value(new),
            )
