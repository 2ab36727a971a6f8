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

Segment = tuple[str, str]  # ("=" | "-" | "+", words)


@dataclass(frozen=True)
class Change:
    """One change.  ``headline`` is what an editor reads; the rest serves formats and tools."""

    thing: str  # what changed: "paragraph", "quote", "resource", "criterion", …
    action: str  # "added", "removed", "reworded", "moved", "renamed" or "changed"
    place: str  # e.g. "Section 3 › Courses and tools › Resilience" or "Quote quote-x"
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
class DiffResult:
    old_label: str
    new_label: str
    changes: list[Change]

    def counts(self) -> dict[str, int]:
        return dict(Counter(c.action for c in self.changes).most_common())

    def summary(self) -> str:
        if not self.changes:
            return f"No changes between {self.old_label} and {self.new_label}."
        counts = ", ".join(f"{n} {action}" for action, n in self.counts().items())
        n = len(self.changes)
        return f"{n} change{'s' * (n != 1)} between {self.old_label} and {self.new_label}: {counts}."

    def to_dict(self) -> dict:
        return {
            "old": self.old_label,
            "new": self.new_label,
            "counts": self.counts(),
            "changes": [c.to_dict() for c in self.changes],
        }
