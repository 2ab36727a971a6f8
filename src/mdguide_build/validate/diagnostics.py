"""Diagnostics: every problem mdguide reports has a stable code, a place and a hint.

One line per problem, in the form compilers and editors understand, with
the place in the guide's own words (``validate/places``) where the JSON
pointer would be; ``--json`` gives both:

    content/sections/3-how-do-i-prepare.json:118:9: E302 Section 3 › Courses and tools › paragraph 2: unknown resource 'x' (hint: …)

Codes are grouped by letter and hundred: E1xx the file itself (reading,
JSON syntax), E2xx the schema, E3xx cross-references between files,
E4xx inline markup, E5xx characters some format cannot show, W… warnings that do not stop a
build.  ``mdguide docs`` writes the catalogue into docs/errors.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


# code -> what it means; docs/errors.md is generated from it (`mdguide docs`).
CATALOGUE: dict[str, str] = {
    "E100": "the content directory is missing",
    "E101": "a file cannot be read as UTF-8 text",
    "E102": "a file is not valid JSON",
    "E103": "a name appears twice in one JSON object",
    "E104": "NaN or Infinity, which JSON does not allow",
    "E105": "a value is too large or too deeply nested",
    "E106": "a required content file is missing",
    "E107": "a path leaves content/, is absolute, or is a symbolic link",
    "E108": "a content path that is not an ordinary file (a folder, a named pipe, a device)",
    "E109": "a content file that cannot be read (permissions)",
    "E201": "a required field is missing",
    "E202": "a field the schema does not know",
    "E203": "a value of the wrong type",
    "E204": "a value not in the allowed form or list",
    "E205": "a value too long, too short, or a list with too many or too few items",
    "E206": "an address that is not an http or https web address",
    "E301": "an id used twice",
    "E302": "a reference to a resource that does not exist",
    "E303": "a reference to a figure that does not exist",
    "E304": "a resource that nothing cites",
    "E305": "a figure that no section places",
    "E306": "the person specification placed more or fewer than once",
    "E307": "a section file listed twice in guide.json",
    "E308": 'a "since" or "revised" mark naming an edition that guide.json does not list',
    "E320": "a handout tag names a role that content/roles.json does not define",
    "E321": "a development action names a theme that content/roles.json does not define",
    "E322": "a role whose handout gets no reflection questions, development actions, resources or criteria",
    "E323": "an item a handout could hold, tagged for no role and not marked general",
    "E324": "a handout tag that is incomplete or contradicts itself",
    "E325": "a role id, theme id or role order used twice in content/roles.json",
    "E326": "a role's basis that is not the guide's own words",
    "E327": "content/roles.json names a part of the guide that does not exist",
    "E401": "malformed inline markup",
    "E501": "an invisible control or formatting character (C0/C1 controls, zero-width joiners, bidi controls)",
    "E502": "a noncharacter or half a surrogate pair (e.g. U+FFFF), which XML cannot hold",
    "E503": "a character the PDF's font or braille cannot show (e.g. an emoji, a special space)",
    "W101": "a file starts with a byte-order mark",
    "W102": 'a file\'s "$schema" does not name its schema',
    "W301": "text that looks like HTML or script (it will be shown as text)",
    "W320": "a handout theme that no development action uses",
    "W321": "two roles whose handouts would hold the same items",
    "W322": "guide.json gives no published_url, so the handouts cannot link to the full guide",
}


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str
    line: int
    column: int
    code: str
    pointer: str
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR
    where: str = ""  # the place in words, e.g. "Section 3 › Courses and tools › paragraph 2"

    def __post_init__(self) -> None:
        if self.code not in CATALOGUE:
            raise ValueError(f"unknown diagnostic code {self.code}")

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self) -> str:
        place = self.file if self.line == 0 else f"{self.file}:{self.line}:{self.column}"
        where = f"{self.where}: " if self.where else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{place}: {self.code} {where}{self.message}{hint}"

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "severity": self.severity.value,
            "pointer": self.pointer,
            "where": self.where,
            "message": self.message,
            "hint": self.hint,
        }


# Problems that follow from another one: a resource cited nowhere because its citation is
# misspelt, a handout left empty because its tags name another role. Printed after the rest,
# so that an editor reads the cause first.
CONSEQUENCES = frozenset({"E304", "E305", "E322", "W320"})


def in_order(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Causes before consequences; otherwise by file, line and column."""
    return sorted(diagnostics, key=lambda d: (d.code in CONSEQUENCES, d))


def summary(diagnostics: list[Diagnostic], where: str) -> str:
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' * (errors != 1)}")
    if warnings:
        parts.append(f"{warnings} warning{'s' * (warnings != 1)}")
    return f"{' and '.join(parts) or 'no problems'} in {where}"
