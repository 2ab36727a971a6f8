"""Hold the words read back from an output against the units it must carry, in order.

An alignment, not a substring search: the expected words (every unit, in
reading order) and the printed words are aligned as two sequences
(``difflib.SequenceMatcher`` on whole words), so each printed word is used
once and only in order.  Then:

* a unit is **missing** when fewer of its words are matched than it has,
  less an allowance (0 unless the format loses words, as braille's
  back-translation does);
* a printed run of words that is matched to nothing is **extra** when it
  repeats the guide: a unit's words in full, or ``repeat`` of its words in a
  row.  Extra words that repeat nothing (page numbers, "Back to reference 3",
  a label) are the format's own furniture and are allowed.

A dropped unit is missing; a duplicated one is extra; two units swapped leave
one of them missing (in the order expected) and extra (where it was printed).

Words are compared in lower case, without apostrophes and split at anything
that is not a letter or digit, so "director's" is ``directors`` and an address
is its words.  (PDFs are read with ``pdftotext -layout``, which keeps a
line-end hyphen, so "board-" and "level" stay two words.)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from expected import Unit

_WORD = re.compile(r"[a-z]+|[0-9]+")
_DROPPED = re.compile(r"[\u00ad\u2019\u2018'`]")  # soft hyphen; apostrophes join a word


def tokens(text: str) -> list[str]:
    return _WORD.findall(_DROPPED.sub("", unicodedata.normalize("NFKC", text).lower()))


def exact(_length: int) -> int:
    return 0


@dataclass
class Alignment:
    units: list[Unit]
    found: list[int]  # matched words per unit
    lengths: list[int]
    extra: list[str]  # printed runs that repeat the guide but match nothing expected
    allowance: Callable[[int], int]
    matched_words: int = 0
    expected_words: int = 0
    printed_words: int = 0
    apart: Alignment | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        out = []
        for unit, found, length in zip(self.units, self.found, self.lengths):
            if length and length - found > self.allowance(length):
                out.append(f"{unit} ({found} of {length} words found in order)")
        return out + (self.apart.missing if self.apart else [])

    def problems(self) -> list[str]:
        extra = [f"printed but not expected here: {run!r}" for run in self.extra]
        return self.missing + extra + (self.apart.extra_problems() if self.apart else [])

    def extra_problems(self) -> list[str]:
        return [f"printed but not expected here: {run!r}" for run in self.extra]


def align(
    units: Sequence[Unit],
    printed: str | list[str],
    *,
    apart: Sequence[Unit] = (),
    allowance: Callable[[int], int] = exact,
    repeat: int = 4,
    repair: Callable[[list[str], set[str]], list[str]] | None = None,
) -> Alignment:
    """Align ``units`` (in order) with the ``printed`` text; ``apart`` units may sit anywhere in
    what is left over, but in their own order (a PDF's page footnotes).

    ``repair(printed words, expected vocabulary)`` undoes a reader's known slips (braille).
    """
    unit_words = [tokens(u.text) for u in units]
    apart_words = [tokens(u.text) for u in apart]
    expected = [w for ws in unit_words for w in ws]
    printed_words = tokens(printed) if isinstance(printed, str) else printed
    if repair is not None:
        printed_words = repair(printed_words, {*expected, *(w for ws in apart_words for w in ws)})
    used = [False] * len(printed_words)
    result = _align_into(
        list(units), unit_words, printed_words, list(range(len(printed_words))), used, allowance
    )
    if apart:
        left = [i for i, u in enumerate(used) if not u]
        result.apart = _align_into(
            list(apart), apart_words, [printed_words[i] for i in left], left, used, allowance
        )
    every = [*unit_words, *apart_words]
    result.extra = _repeats(printed_words, used, every, repeat)
    result.printed_words = len(printed_words)
    return result


def _align_into(
    units: list[Unit],
    unit_words: list[list[str]],
    printed: list[str],
    positions: list[int],
    used: list[bool],
    allowance: Callable[[int], int],
) -> Alignment:
    codes: dict[str, int] = {}
    expected = [codes.setdefault(w, len(codes)) for ws in unit_words for w in ws]
    owner = [n for n, ws in enumerate(unit_words) for _ in ws]
    seen = [codes.setdefault(w, len(codes)) for w in printed]
    found = [0] * len(units)
    matcher = SequenceMatcher(None, expected, seen, autojunk=False)
    matched = 0
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            found[owner[a + k]] += 1
            used[positions[b + k]] = True
        matched += size
    return Alignment(units, found, [len(ws) for ws in unit_words], [], allowance, matched, len(expected))


def _repeats(printed: list[str], used: list[bool], unit_words: list[list[str]], repeat: int) -> list[str]:
    """The unmatched printed runs that repeat a whole unit, or ``repeat`` expected words in a row."""
    wholes = {tuple(w for w in ws if not w.isdigit()) for ws in unit_words} - {()}
    grams = {tuple(ws[i : i + repeat]) for ws in unit_words for i in range(len(ws) - repeat + 1)}
    out = []
    run: list[str] = []
    for word, matched in [*zip(printed, used), ("", True)]:
        if not matched:
            run.append(word)
            continue
        if run:
            words = tuple(w for w in run if not w.isdigit())
            if words in wholes or any(
                tuple(run[i : i + repeat]) in grams for i in range(len(run) - repeat + 1)
            ):
                out.append(" ".join(run))
            run = []
    return out
