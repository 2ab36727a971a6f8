"""Word-level differences and the alignment of paragraphs between two versions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from mdguide_build.tools.content_diff.changes import CONTEXT_WORDS, MOVE_THRESHOLD, REWORD_THRESHOLD, Segment

# --- words ------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


def similarity(old: str, new: str) -> float:
    """Share of words two texts have in common, in order (0 to 1)."""
    a, b = _words(old), _words(new)
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def word_diff(old: str, new: str) -> tuple[Segment, ...]:
    """Word-level diff: runs of kept ("="), deleted ("-") and inserted ("+") words."""
    a, b = _words(old), _words(new)
    out: list[Segment] = []

    def add(op: str, words: list[str]) -> None:
        if not words:
            return
        if out and out[-1][0] == op:
            out[-1] = (op, f"{out[-1][1]} {' '.join(words)}")
        else:
            out.append((op, " ".join(words)))

    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            add("=", a[i1:i2])
        else:
            add("-", a[i1:i2])
            add("+", b[j1:j2])
    return tuple(out)


def trimmed(words: Sequence[Segment], context: int = CONTEXT_WORDS) -> list[Segment]:
    """The diff with long unchanged runs cut to ``context`` words each side ("…")."""
    out: list[Segment] = []
    last = len(words) - 1
    for i, (op, text) in enumerate(words):
        if op != "=":
            out.append((op, text))
            continue
        ws = text.split()
        keep_head = context if i > 0 else 0
        keep_tail = context if i < last else 0
        if len(ws) > keep_head + keep_tail + 1:
            head, tail = ws[:keep_head], ws[len(ws) - keep_tail :] if keep_tail else []
            text = " ".join([*head, "…", *tail])
        out.append((op, text))
    return out


# --- alignment --------------------------------------------------------------------------


def pair_by_similarity(
    old: Sequence[str],
    new: Sequence[str],
    threshold: float,
    compatible: Callable[[int, int], bool] = lambda i, j: True,
) -> list[tuple[int, int]]:
    """Order-preserving pairs (i, j) with the greatest total similarity above ``threshold``."""
    n, k = len(old), len(new)
    if not n or not k:
        return []
    sims = [[similarity(old[i], new[j]) if compatible(i, j) else 0.0 for j in range(k)] for i in range(n)]
    score = [[0.0] * (k + 1) for _ in range(n + 1)]
    for i in range(n):
        for j in range(k):
            best = max(score[i][j + 1], score[i + 1][j])
            if sims[i][j] >= threshold:
                best = max(best, score[i][j] + sims[i][j])
            score[i + 1][j + 1] = best
    pairs, i, j = [], n, k
    while i and j:
        if sims[i - 1][j - 1] >= threshold and score[i][j] == score[i - 1][j - 1] + sims[i - 1][j - 1]:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif score[i][j] == score[i - 1][j]:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


@dataclass(frozen=True)
class Pair:
    """Where one item of a list went: (old index, new index); None on one side = removed/added."""

    old: int | None
    new: int | None
    moved: bool = False


def align(old: Sequence[str], new: Sequence[str], threshold: float = REWORD_THRESHOLD) -> list[Pair]:
    """Align two lists of texts: same text kept in order, moved, reworded, added, removed."""
    matcher = SequenceMatcher(None, list(old), list(new), autojunk=False)
    pairs: list[Pair] = []
    loose_old: list[int] = []
    loose_new: list[int] = []
    regions: list[tuple[list[int], list[int]]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs.extend(Pair(i, j) for i, j in zip(range(i1, i2), range(j1, j2)))
        else:
            regions.append((list(range(i1, i2)), list(range(j1, j2))))
            loose_old.extend(range(i1, i2))
            loose_new.extend(range(j1, j2))
    # The same text elsewhere in the list: moved.
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    for j in loose_new:
        i = next((i for i in loose_old if i not in taken_old and old[i] == new[j]), None)
        if i is not None:
            pairs.append(Pair(i, j, moved=True))
            taken_old.add(i)
            taken_new.add(j)
    for olds, news in regions:
        olds = [i for i in olds if i not in taken_old]
        news = [j for j in news if j not in taken_new]
        for a, b in pair_by_similarity([old[i] for i in olds], [new[j] for j in news], threshold):
            pairs.append(Pair(olds[a], news[b]))
            taken_old.add(olds[a])
            taken_new.add(news[b])
    # Very similar text across a kept item: moved and reworded.
    olds = [i for i in loose_old if i not in taken_old]
    news = [j for j in loose_new if j not in taken_new]
    for a, b in pair_by_similarity([old[i] for i in olds], [new[j] for j in news], MOVE_THRESHOLD):
        pairs.append(Pair(olds[a], news[b], moved=True))
        taken_old.add(olds[a])
        taken_new.add(news[b])
    pairs.extend(Pair(i, None) for i in loose_old if i not in taken_old)
    pairs.extend(Pair(None, j) for j in loose_new if j not in taken_new)
    return sorted(pairs, key=_reading_order)


def _reading_order(pair: Pair) -> tuple[float, int]:
    """New position first; a removed item sits just before where it used to be."""
    if pair.new is not None:
        return (pair.new, pair.old or 0)
    return (pair.old - 0.5, pair.old)


def reordered(old_ids: Sequence[str], new_ids: Sequence[str]) -> set[str]:
    """Ids kept on both sides whose order changed (the fewest that explain the change)."""
    common = set(old_ids) & set(new_ids)
    a = [i for i in old_ids if i in common]
    b = [i for i in new_ids if i in common]
    kept: set[str] = set()
    for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        kept.update(a[block.a : block.a + block.size])
    return common - kept
