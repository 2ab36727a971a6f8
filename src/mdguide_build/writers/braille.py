"""Unified English Braille, grade 2, laid out as a formatted braille-ready file (BRF).

Translation runs in-process through liblouis (``liblouis.so.20`` from Debian's
``liblouis20``, installed with ``liblouis-bin liblouis-data`` by ``make``),
with the tables ``en-us-brf.dis,en-ueb-g2.ctb``: UEB contracted, written in
North American braille ASCII, which is what BRF means.  In-process, rather
than through ``lou_translate``, because liblouis then knows the print
*typeforms*: emphasis and bold get UEB's italic and bold indicators, and web
and email addresses are brailled uncontracted, as readers need to type them.

The layout follows the usual braille formats (BANA / UKAAF):

* 40 cells a line, 25 lines a page; the braille page number at the right of
  each page's first line, which holds nothing else; a form feed ends each page;
* a top-level heading starts a new page, centred, with a blank line after it;
  lower headings start at cell 5 after a blank line; a heading is never the
  last thing on a page;
* paragraphs begin at cell 3 and run over to cell 1; list items at cell 1 and
  run over to cell 3 (nested lists two cells further in); quotations and
  notes are blocked the same way; lines the print breaks (addresses) each
  start at cell 1;
* the contents list starts a page, its subsections two cells in; the marks
  around a figure's description or a case study start at cell 1.

liblouis is not thread-safe and builds run side by side, so every call into
it holds one lock.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import re
import threading
from dataclasses import dataclass

from mdguide_build.errors import MdguideError
from mdguide_build.writers.plain_text import Line, TextBlock

TABLES = "en-us-brf.dis,en-ueb-g2.ctb"
CELLS = 40
LINES = 25
TEXT_LINES = LINES - 1  # the first line of a page holds its number

# liblouis typeforms (liblouis.h): emphasis classes in the order en-ueb-g1.ctb declares them.
_ITALIC = 0x0001
_BOLD = 0x0004
_NO_CONTRACT = 0x1000
# What liblouis writes for a character its tables do not define, e.g. '\XBFJC'.
_UNDEFINED = re.compile(r"'\\[XY][A-J]+'")

_lock = threading.Lock()


class BrailleError(MdguideError):
    """liblouis is missing or could not translate the text."""


@dataclass(frozen=True)
class BrailleBook:
    pages: tuple[tuple[str, ...], ...]  # each page's lines, the page number line first
    starts: tuple[tuple[int, int], ...]  # per text block: (page, line) where it begins, 1-based

    def brf(self) -> bytes:
        """The file: CR LF after every line, a form feed after every page, braille ASCII only."""
        return "".join("".join(f"{line}\r\n" for line in page) + "\f" for page in self.pages).encode("ascii")


# --- liblouis -------------------------------------------------------------------


@functools.cache
def _liblouis() -> ctypes.CDLL:
    name = ctypes.util.find_library("louis") or "liblouis.so.20"
    try:
        lib = ctypes.CDLL(name)
    except OSError as exc:
        raise BrailleError(
            f"liblouis is not installed ({exc}) "
            "(hint: run `make`, or apt-get install liblouis-bin liblouis-data)"
        ) from None
    lib.lou_version.restype = ctypes.c_char_p
    lib.lou_charSize.restype = ctypes.c_int
    if not lib.lou_checkTable(TABLES.encode("ascii")):
        raise BrailleError(f"liblouis cannot load the tables {TABLES} (hint: apt-get install liblouis-data)")
    return lib


def liblouis_version() -> str:
    with _lock:
        return _liblouis().lou_version().decode("ascii")


def translate(text: str, typeform: list[int] | None = None) -> str:
    """``text`` (one line) in UEB grade 2 braille ASCII; ``typeform`` gives each character's typeform."""
    if typeform is not None and len(typeform) != len(text):
        raise ValueError("translate(): typeform must give one value per character")
    with _lock:
        return _translate(_liblouis(), text, typeform)


def _translate(lib: ctypes.CDLL, text: str, typeform: list[int] | None) -> str:
    if not text:
        return ""
    width = lib.lou_charSize()
    encoding = {2: "utf-16-le", 4: "utf-32-le"}[width]
    data = text.encode(encoding)
    length = len(data) // width
    room = length * 3 + 64
    while True:
        in_length, out_length = ctypes.c_int(length), ctypes.c_int(room)
        out = ctypes.create_string_buffer(room * width)
        # liblouis writes into typeform too, so it must be as long as the output.
        forms = (ctypes.c_ushort * room)(*(typeform or [0] * length))
        ok = lib.lou_translateString(
            TABLES.encode("ascii"),
            data,
            ctypes.byref(in_length),
            out,
            ctypes.byref(out_length),
            forms,
            None,
            0,
        )
        if not ok:
            raise BrailleError(f"liblouis could not translate {text[:60]!r}")
        if in_length.value == length and out_length.value < room:
            return out.raw[: out_length.value * width].decode(encoding)
        room *= 2  # the output did not fit


def check_characters(text: str) -> None:
    """Refuse characters the braille tables do not define (liblouis would write '\\x...' for them)."""
    with _lock:
        lib = _liblouis()
        unknown = sorted(
            c for c in set(text) if not c.isspace() and _UNDEFINED.search(_translate(lib, c, None))
        )
    if unknown:
        listed = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in unknown)
        raise BrailleError(
            f"no braille for {listed} in {TABLES} "
            "(hint: use a common character instead, e.g. straight or curly quotes, en dash)"
        )


def line_braille(line: Line) -> str:
    """One print line, with its emphasis and addresses, in braille."""
    text = "".join(run.text for run in line)
    forms: list[int] = []
    for run in line:
        form = (
            (_ITALIC if run.italic else 0) | (_BOLD if run.bold else 0) | (_NO_CONTRACT if run.literal else 0)
        )
        forms.extend([form] * len(run.text))
    return translate(text, forms)


# --- layout -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Format:
    first: int  # indent of the first line, in cells
    runover: int  # indent of the lines after it
    centred: bool = False
    blank_before: bool = False
    blank_after: bool = False
    new_page: bool = False
    keep_with_next: bool = False


def _format(block: TextBlock) -> _Format:
    nest = 2 * max(block.depth - 1, 0)
    if block.kind == "title":
        return _Format(0, 0, centred=True, blank_after=True, keep_with_next=True)
    if block.kind == "heading" and block.level == 1:
        return _Format(0, 0, centred=True, blank_after=True, new_page=True, keep_with_next=True)
    if block.kind == "heading":
        return _Format(4, 4, blank_before=True, keep_with_next=True)
    if block.kind == "contents":  # an entry of the contents list, indented by its level
        indent = 2 * (block.level - 1)
        return _Format(indent, indent + 4)
    if block.kind == "mark":  # where a figure's description or a case study starts or ends
        return _Format(0, 2)
    if len(block.lines) > 1:  # lines the print breaks: an address, a signature
        return _Format(0, 2, blank_before=True, blank_after=True)
    if block.kind == "note":
        return _Format(0, 2)
    if block.depth:
        return _Format(nest, nest + 2) if block.label else _Format(nest + 2, nest + 2)
    if block.kind == "quote":
        return _Format(2, 2)
    return _Format(2, 0)


def _label(block: TextBlock) -> str:
    """Notes keep their number; print bullets are left out (the list format shows the items)."""
    return block.label + " " if block.label and block.label != "-" else ""


def layout(blocks: list[TextBlock]) -> BrailleBook:
    """Translate and lay out the blocks as braille pages."""
    check_characters("".join(block.text() for block in blocks))
    lines: list[tuple[int, list[str], _Format]] = []  # (block index, braille lines, format)
    for index, block in enumerate(blocks):
        fmt = _format(block)
        label = _label(block)
        braille: list[str] = []
        for n, line in enumerate(block.lines):
            text = translate(label) if label and n == 0 else ""
            words = (text + " " if text else "") + line_braille(line)
            braille.extend(_centred(words) if fmt.centred else _wrap(words, fmt.first, fmt.runover))
        lines.append((index, braille, fmt))
    return _paginate(lines, len(blocks))


def _paginate(blocks: list[tuple[int, list[str], _Format]], count: int) -> BrailleBook:
    pages: list[list[str]] = []
    page: list[str] = []
    starts: list[tuple[int, int]] = [(0, 0)] * count

    def new_page() -> None:
        nonlocal page
        if page:
            pages.append(page)
        page = []

    for n, (index, braille, fmt) in enumerate(blocks):
        if fmt.new_page:
            new_page()
        blank = bool(page) and (fmt.blank_before or (n > 0 and blocks[n - 1][2].blank_after))
        if fmt.keep_with_next and page:
            following = 1 if n + 1 < len(blocks) and blocks[n + 1][1] else 0
            if int(blank) + len(braille) + int(fmt.blank_after) + following > TEXT_LINES - len(page):
                new_page()
                blank = False
        if blank:
            if TEXT_LINES - len(page) >= 2:
                page.append("")
            else:
                new_page()
        for i, line in enumerate(braille):
            if len(page) == TEXT_LINES:
                new_page()
            if i == 0:
                starts[index] = (len(pages) + 1, len(page) + 2)  # line 1 holds the page number
            page.append(line)
    new_page()
    numbered = tuple(tuple([_page_number(p)] + _trimmed(lines)) for p, lines in enumerate(pages, start=1))
    return BrailleBook(numbered, tuple(starts))


def _trimmed(lines: list[str]) -> list[str]:
    while lines and lines[-1] == "":
        lines = lines[:-1]
    return lines


def _page_number(number: int) -> str:
    braille = translate(str(number))
    return " " * (CELLS - len(braille)) + braille


def _centred(braille: str) -> list[str]:
    """Centred lines, at most 36 cells, so a centred heading never looks like a paragraph."""
    return [" " * ((CELLS - len(line)) // 2) + line for line in _wrap(braille, 0, 0, CELLS - 4)]


def _wrap(braille: str, first: int, runover: int, width: int = CELLS) -> list[str]:
    lines: list[str] = []
    current = " " * first
    for word in braille.split():
        if current.strip() and len(current) + 1 + len(word) <= width:
            current += " " + word
            continue
        if current.strip() and len(word) <= width - runover:
            lines.append(current)
            current = " " * runover
        elif current.strip():
            current += " "  # too long for any line: start it here rather than waste this one
        # A word longer than the line (an address) is divided where it can be.
        while len(current) + len(word) > width:
            room = width - len(current)
            cut = _division(word, room) if room >= 4 else 0
            if cut:
                lines.append(current + word[:cut])
                word = word[cut:]
            else:
                lines.append(current.rstrip())  # no room left to start it here
            current = " " * runover
        current += word
    if current.strip():
        lines.append(current)
    return lines


def _division(word: str, room: int) -> int:
    """Where to divide a long word: after a slash or hyphen, or before a full stop; else at the edge."""
    best = 0
    for match in re.finditer(r"_/|-|(?=4)", word):
        end = match.end()
        if 0 < end <= room:
            best = end
    return best or room
