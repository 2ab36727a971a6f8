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
line-end hyphen, so "board-" and "level" stay two words; a word cut by a line
break without one is joined again, see ``_rejoin``.)

``guide_alignments`` and ``handout_alignments`` read an output file back and
align it as its layout says (its notes in the text, apart on the page, or in
Word's footnotes), for the tests and for bench/pdf_engines.py alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from expected import HANDOUT_LAYOUTS, LAYOUTS, Guide, Unit, guide_units, handout_units
from readback import docx_text, read_back

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


def _rejoin(printed: list[str], vocabulary: set[str]) -> list[str]:
    """Join a word that a line break cut in two without a hyphen (Typst breaks long addresses
    anywhere: "profe" / "ssionalising"), when the halves are letters and not both words of the guide
    (a page number and a section number, "12" "3", stay apart)."""
    out: list[str] = []
    i = 0
    while i < len(printed):
        word = printed[i]
        if i + 1 < len(printed):
            after = printed[i + 1]
            cut = word.isalpha() and after.isalpha() and (word not in vocabulary or after not in vocabulary)
            if cut and word + after in vocabulary:
                out.append(word + after)
                i += 2
                continue
        out.append(word)
        i += 1
    return out


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
    vocabulary = {*expected, *(w for ws in apart_words for w in ws)}
    printed_words = _rejoin(printed_words, vocabulary)
    if repair is not None:
        printed_words = repair(printed_words, vocabulary)
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
    pairs = [(a + k, b + k) for a, b, size in matcher.get_matching_blocks() for k in range(size)]
    for a, b in _reattached(pairs, printed):
        found[owner[a]] += 1
        used[positions[b]] = True
    matched = len(pairs)
    return Alignment(units, found, [len(ws) for ws in unit_words], [], allowance, matched, len(expected))


def _reattached(pairs: list[tuple[int, int]], printed: list[str]) -> list[tuple[int, int]]:
    """Move a word matched on its own, amid unmatched words, to an equal word that continues the
    matched text.

    A page's footnotes can stand between the two halves of a paragraph, and the
    matcher may take a word of a footnote's address ("mindtools") for the same
    word of the text that goes on after them, leaving the note a word short.
    Numbers (note and page numbers) do not count as words between.
    """

    def joined(left: int, right: int) -> bool:  # nothing but numbers strictly between
        return all(printed[i].isdigit() for i in range(left + 1, right))

    out = list(pairs)
    for n, (a, b) in enumerate(out):
        before = out[n - 1][1] if n else -1
        after = out[n + 1][1] if n + 1 < len(out) else len(printed)
        if joined(before, b) or joined(b, after):
            continue
        for c in range(before + 1, after):
            if c != b and printed[c] == printed[b] and (joined(before, c) or joined(c, after)):
                out[n] = (a, c)
                break
    return out


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


# --- one output file, read back and aligned ---------------------------------------------------------

FOOTNOTES = "word/footnotes.xml"


def braille_allowance(length: int) -> int:
    """Back-translating contracted braille is not exact: a unit of 3 words or more may come back one short.

    Measured on the guide: 8 of 9,095 words do not come back, never 2 from one
    unit (an address's "www" after a line break, "always" in one sentence).
    Dropping a unit, or a braille line of 2 words or more from one, still fails.
    """
    return 1 if length >= 3 else 0


def braille_repair(words: list[str], vocabulary: set[str]) -> list[str]:
    """Undo liblouis's regular slips in back-translation, where the word it gives is not the guide's.

    A comma before a note number comes back glued to the word as "ea"
    ("Improvement,[1]" -> "improvementea"); the colon of an address brailled
    uncontracted as "cc" ("https:" -> "httpscc"); a full stop that begins a
    braille line (an address divided there) as "dis" ("org" / ".uk" -> "disuk");
    and "ac" standing alone (in "fmlm.ac.uk") as the contraction "according".
    """
    out = []
    for word in words:
        if word not in vocabulary:
            if word.endswith("ea") and word[:-2] in vocabulary or word in ("httpcc", "httpscc"):
                word = word[:-2]
            elif word.startswith("dis") and word[3:] in vocabulary:
                word = word[3:]
            elif word == "according" and "ac" in vocabulary:
                word = "ac"
        out.append(word)
    return out


def reading(path: Path) -> dict:
    """How to align what is read back from ``path``: braille loses a little, and slips the same way."""
    return {"allowance": braille_allowance, "repair": braille_repair} if path.suffix == ".brf" else {}


def output_alignments(
    fmt: str, path: Path, units: list[Unit], apart: list[Unit], notes: str
) -> list[Alignment]:
    """The alignments of one output: its text, and (Word) its footnotes; ``notes`` as in ``Layout``."""
    options = reading(path)
    text = read_back(fmt, path)
    if notes == "apart":
        return [align(units, text, **options), align(apart, docx_text(path, FOOTNOTES), **options)]
    return [align(units, text, apart=apart if notes == "float" else (), **options)]


def guide_alignments(guide: Guide, fmt: str, path: Path) -> list[Alignment]:
    """The alignments of the guide's output ``path`` in format ``fmt`` (a key of ``LAYOUTS``)."""
    layout = LAYOUTS[fmt]
    expected = guide_units(guide, layout)
    units = list(expected.units)
    if path.name.endswith("-brf-preview.txt"):  # its editorial note names the braille file
        units.insert(
            0, Unit("editorial", f"{guide.guide['slug']}.brf", "the preview's note on its braille file")
        )
    return output_alignments(fmt, path, units, expected.apart, layout.notes)


def handout_alignments(guide: Guide, role: str, fmt: str, path: Path) -> list[Alignment]:
    """The alignments of ``role``'s handout ``path`` in format ``fmt`` (a key of ``HANDOUT_LAYOUTS``)."""
    layout = HANDOUT_LAYOUTS[fmt]
    expected = handout_units(guide, role, layout)
    return output_alignments(fmt, path, expected.units, expected.apart, layout.notes)
