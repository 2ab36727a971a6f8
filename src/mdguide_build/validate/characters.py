"""The characters every output can show, and the check that content uses no others.

A text reaches nine formats.  Each has characters it cannot carry: XML (EPUB,
Word) cannot hold a noncharacter such as U+FFFF; liblouis's UEB tables have no
braille for a control character, a zero-width joiner or a bidirectional
override, nor for an emoji; the PDF's font (Liberation Sans) has no glyph
for most symbols.  Anything the build would fail on (or print as an empty
box) is refused here, by ``mdguide validate``, with the character, its place
and what to type instead.

``REPERTOIRE`` is the guide's character set: every printable character that
all four faces of Liberation Sans draw and that liblouis's UEB grade 2
tables (``writers/braille.TABLES``) turn into braille ASCII.  It is written
out here, not computed, so that validating needs neither fonts nor liblouis
and gives the same answer on every machine; ``tests/test_characters.py``
computes it again from the real font files and liblouis and fails if the two
differ (run that test after upgrading either, and paste what it prints).
Tabs and line breaks are not listed: the schema refuses them in texts with
its own hint (start a new paragraph).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from mdguide_build.validate import jsonpos
from mdguide_build.validate.diagnostics import Diagnostic
from mdguide_build.validate.sources import SourceFile

# Code point ranges, both ends included (see the module docstring).
REPERTOIRE: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E), (0x00A1, 0x00A9), (0x00AB, 0x00AC), (0x00AE, 0x00B8), (0x00BB, 0x0103),
    (0x0106, 0x0109), (0x010C, 0x0115), (0x011A, 0x011F), (0x0122, 0x012D), (0x0132, 0x0137),
    (0x0139, 0x013E), (0x0141, 0x0148), (0x014A, 0x014F), (0x0152, 0x016F), (0x0174, 0x017A),
    (0x017D, 0x017E), (0x02C7, 0x02C7), (0x02D8, 0x02D8), (0x02DA, 0x02DA), (0x0391, 0x03A1),
    (0x03A3, 0x03A9), (0x03B1, 0x03C9), (0x0400, 0x0401), (0x0407, 0x0407), (0x040C, 0x040C),
    (0x040E, 0x040E), (0x0450, 0x0451), (0x0457, 0x0457), (0x045C, 0x045C), (0x1E80, 0x1E85),
    (0x1EF2, 0x1EF3), (0x2010, 0x2011), (0x2013, 0x2015), (0x2018, 0x2019), (0x201C, 0x201D),
    (0x2020, 0x2022), (0x2026, 0x2026), (0x2032, 0x2033), (0x20A3, 0x20A3), (0x20AC, 0x20AC),
    (0x2122, 0x2122), (0x2126, 0x2126), (0x215B, 0x215E), (0x2190, 0x2193), (0x2202, 0x2202),
    (0x2206, 0x2206), (0x220F, 0x220F), (0x2211, 0x2212), (0x221A, 0x221A), (0x221E, 0x221E),
    (0x2229, 0x2229), (0x222B, 0x222B), (0x2248, 0x2248), (0x2260, 0x2261), (0x2264, 0x2265),
    (0x2502, 0x2502), (0x2551, 0x2551), (0x25A0, 0x25A1), (0x25AA, 0x25AA), (0x25B2, 0x25B2),
    (0x25CB, 0x25CB), (0x25CF, 0x25CF), (0x2640, 0x2640), (0x2642, 0x2642), (0xFB01, 0xFB01),
)  # fmt: skip

_LEFT_TO_SCHEMA = "\t\n\r"
_OUTSIDE = re.compile(
    "[^"
    + re.escape(_LEFT_TO_SCHEMA)
    + "".join(f"\\U{low:08X}-\\U{high:08X}" for low, high in REPERTOIRE)
    + "]"
)

# Controls have no Unicode name, only aliases (NameAliases.txt, type "control").
_CONTROL_NAMES = dict(
    enumerate(
        (
            "NULL", "START OF HEADING", "START OF TEXT", "END OF TEXT", "END OF TRANSMISSION", "ENQUIRY",
            "ACKNOWLEDGE", "ALERT", "BACKSPACE", "CHARACTER TABULATION", "LINE FEED", "LINE TABULATION",
            "FORM FEED", "CARRIAGE RETURN", "SHIFT OUT", "SHIFT IN", "DATA LINK ESCAPE", "DEVICE CONTROL ONE",
            "DEVICE CONTROL TWO", "DEVICE CONTROL THREE", "DEVICE CONTROL FOUR", "NEGATIVE ACKNOWLEDGE",
            "SYNCHRONOUS IDLE", "END OF TRANSMISSION BLOCK", "CANCEL", "END OF MEDIUM", "SUBSTITUTE",
            "ESCAPE", "INFORMATION SEPARATOR FOUR", "INFORMATION SEPARATOR THREE",
            "INFORMATION SEPARATOR TWO", "INFORMATION SEPARATOR ONE",
        )
    )
) | {0x7F: "DELETE"} | dict(
    enumerate(
        (
            "PADDING CHARACTER", "HIGH OCTET PRESET", "BREAK PERMITTED HERE", "NO BREAK HERE", "INDEX",
            "NEXT LINE", "START OF SELECTED AREA", "END OF SELECTED AREA", "CHARACTER TABULATION SET",
            "CHARACTER TABULATION WITH JUSTIFICATION", "LINE TABULATION SET", "PARTIAL LINE FORWARD",
            "PARTIAL LINE BACKWARD", "REVERSE LINE FEED", "SINGLE SHIFT TWO", "SINGLE SHIFT THREE",
            "DEVICE CONTROL STRING", "PRIVATE USE ONE", "PRIVATE USE TWO", "SET TRANSMIT STATE",
            "CANCEL CHARACTER", "MESSAGE WAITING", "START OF GUARDED AREA", "END OF GUARDED AREA",
            "START OF STRING", "SINGLE GRAPHIC CHARACTER INTRODUCER", "SINGLE CHARACTER INTRODUCER",
            "CONTROL SEQUENCE INTRODUCER", "STRING TERMINATOR", "OPERATING SYSTEM COMMAND",
            "PRIVACY MESSAGE", "APPLICATION PROGRAM COMMAND",
        ),
        start=0x80,
    )
)  # fmt: skip


def is_noncharacter(code: int) -> bool:
    """U+FDD0..U+FDEF and the last two code points of every plane (U+FFFE, U+FFFF, U+1FFFE, …)."""
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def label(char: str) -> str:
    """``U+0085 NEXT LINE``: the code point and its name (or its kind, for those without one)."""
    code = ord(char)
    if code in _CONTROL_NAMES:
        name = _CONTROL_NAMES[code]
    elif 0xD800 <= code <= 0xDFFF:
        name = "(half of a surrogate pair)"
    elif is_noncharacter(code):
        name = "(a noncharacter)"
    else:
        category = unicodedata.category(char)
        fallback = {"Co": "(private use)", "Cn": "(unassigned)"}.get(category, "(no name)")
        name = unicodedata.name(char, fallback)
    return f"U+{code:04X} {name}"


def problem(char: str) -> tuple[str, str, str]:
    """(code, message, hint) for a character outside the repertoire; only a visible one is quoted."""
    code, category = ord(char), unicodedata.category(char)
    name = label(char)
    if 0xD800 <= code <= 0xDFFF or is_noncharacter(code):
        return (
            "E502",
            f"{name} is not a character: EPUB and Word files (XML) cannot hold it",
            "delete it; it comes from a damaged copy and paste or a wrong \\u escape",
        )
    if category == "Cc":
        return (
            "E501",
            f"{name} is a control character: invisible, and it has no braille",
            "delete it; it often comes with text pasted from another program. "
            "For a new line, start a new paragraph",
        )
    if category in ("Cf", "Zl", "Zp"):
        return (
            "E501",
            f"{name} is an invisible formatting character: it can hide or reorder text, "
            "and it has no braille",
            "delete it; if the words around it were pasted, retype them",
        )
    if category == "Zs":
        return (
            "E503",
            f"{name} is a special space, which braille cannot show",
            "type an ordinary space instead",
        )
    return (
        "E503",
        f"'{char}' {name}: the PDF's font has no glyph for it, or braille has no sign for it",
        "use letters, digits and ordinary punctuation; curly quotes and dashes are fine. "
        "Say in words what a symbol or emoji meant",
    )


def _strings(value: object, pointer: str = "") -> Iterator[tuple[str, str, bool]]:
    """(pointer, text, is_key) for every string in a parsed JSON value, keys included."""
    if isinstance(value, str):
        yield pointer, value, False
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = jsonpos.pointer_join(pointer, key)
            yield inner, key, True
            yield from _strings(item, inner)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, jsonpos.pointer_join(pointer, index))


def check(source: SourceFile) -> list[Diagnostic]:
    """One diagnostic per text and character outside ``REPERTOIRE``, at its first occurrence."""
    found: list[Diagnostic] = []
    for pointer, text, is_key in _strings(source.parsed.value):
        if not _OUTSIDE.search(text):
            continue
        first: dict[str, int] = {}
        counts: dict[str, int] = {}
        for match in _OUTSIDE.finditer(text):
            first.setdefault(match.group(), match.start())
            counts[match.group()] = counts.get(match.group(), 0) + 1
        for char, offset in first.items():
            code, message, hint = problem(char)
            if counts[char] > 1:
                message += f" ({counts[char]} times in this {'name' if is_key else 'text'})"
            if is_key:
                message = f"in a field name: {message}"
            found.append(source.diagnostic(code, pointer, message, hint, key=is_key, offset=offset))
    return found
