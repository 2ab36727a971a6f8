"""A change to the guide, and the result of comparing two versions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

SEP = " › "
# Paragraphs with at least this share of words in common are "reworded" rather than replaced.
REWORD_THRESHOLD = 0.5
# Across places, a paragraph must be this similar to count as "moved" (and reworded).
MOVE_THRESHOLD = 0.75
# Below this similarity, reworded text is shown whole (was/now) rather than as a word diff.
WORD_DIFF_THRESHOLD = 0.4
# Unchanged words kept either side of a change when a word diff is shown.
CONTEXT_WORDS = 8
# Between the paragraphs of one value (a case study's person and paragraphs, a quote's lines).
PARAGRAPH_BREAK = "\n"

Segment = tuple[str, str]  # ("=" | "-" | "+", words)


@dataclass(frozen=True)
class Change:
    """One change.  ``headline`` is what an editor reads; the rest serves formats and tools.

    ``old`` and ``new`` hold the words as the content has them (inline markup
    included; several paragraphs are separated by ``PARAGRAPH_BREAK``); the
    reports render the markup.  ``words`` is a word diff of the rendered text.
    """

    thing: str  # what changed: "paragraph", "quote", "resource", "criterion", …
    action: str  # "added", "removed", "reworded", "moved", "renamed" or "changed"
    place: str  # e.g. "Section 3 › Courses and tools › Resilience" or "Quote “It is okay…”"
    what: str  # e.g. "paragraph 2 reworded"
    part: str  # the part of the guide, for grouping: "Section 3: How do I prepare?"
    old: str | None = None
    new: str | None = None
    words: tuple[Segment, ...] = ()  # a word-level diff, for reworded text
    order: tuple[int, float] = field(default=(0, 0.0), compare=False, repr=False)

    @property
    def kind(self) -> str:
        return f"{self.thing}-{self.action}"

    @property
    def labels(self) -> tuple[str, str]:
        """How the old and new values are introduced: a moved resource keeps its printed address."""
        return ("printed", "now at") if self.kind == "resource-moved" else ("was", "now")

    @property
    def headline(self) -> str:
        return f"{self.place}: {self.what}"

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "thing": self.thing,
            "action": self.action,
            "headline": self.headline,
            "place": self.place,
            "what": self.what,
            "part": self.part,
            "old": self.old,
            "new": self.new,
            "diff": [list(s) for s in self.words],
        }


@dataclass(frozen=True)
class Side:
    """One of the two versions compared, as a colleague would name it."""

    where: str  # "git revision v1.0, commit d051532", "the folder editions/1.0", "content/ as it is now"
    edition: str  # its edition's version, from its guide.json

    def __str__(self) -> str:
        return f"edition {self.edition} ({self.where})"


@dataclass(frozen=True)
class DiffResult:
    old: Side
    new: Side
    changes: list[Change]
    # How a citation reads in a report: resource id -> its link text, or its address.
    resource_names: dict[str, str] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return dict(Counter(c.action for c in self.changes).most_common())

    def span(self) -> str:
        """'since edition 1.0 (git revision HEAD)', or 'from edition 1.0 (…) to edition 1.1 (…)'."""
        if self.old.edition == self.new.edition:
            return f"since {self.old}, in {self.new.where}"
        return f"from {self.old} to {self.new}"

    def summary(self) -> str:
        if not self.changes:
            return f"No changes {self.span()}."
        counts = ", ".join(f"{n} {action}" for action, n in self.counts().items())
        n = len(self.changes)
        return f"{n} change{'s' * (n != 1)} {self.span()}: {counts}."

    def to_dict(self) -> dict:
        return {
            "old": {"where": self.old.where, "edition": self.old.edition},
            "new": {"where": self.new.where, "edition": self.new.edition},
            "counts": self.counts(),
            "changes": [c.to_dict() for c in self.changes],
        }
