"""One content file as read, and which paths may be read at all."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from mdguide_build.guide.models import ContentFile
from mdguide_build.validate import jsonpos, places
from mdguide_build.validate.diagnostics import Diagnostic, Severity


@dataclass
class SourceFile:
    """One content file as read: where it is, its text and its positions."""

    relpath: str  # relative to the content root, POSIX style
    display: str  # how diagnostics name it, e.g. content/guide.json
    kind: str
    text: str = ""
    parsed: jsonpos.Parsed | None = None
    model: ContentFile | None = None
    number: int | None = None  # a section's number if it is numbered ("Section 3")

    def locate(self, pointer: str, *, key: bool = False, offset: int | None = None) -> tuple[int, int]:
        """Line and column of ``pointer`` (its key with ``key``; ``offset`` chars into a string)."""
        if self.parsed is None:
            return 1, 1
        if not self.parsed.positions:  # read by the fast path: find positions now that they are needed
            self.parsed = jsonpos.parse(self.text)
        table = self.parsed.key_positions if key else self.parsed.positions
        probe = pointer
        while probe not in table and probe:
            probe = probe.rsplit("/", 1)[0]  # nearest existing ancestor
        line, column = table.get(probe, self.parsed.positions.get("", (1, 1)))
        if offset is not None and probe == pointer:
            raw_line = self.text.splitlines()[line - 1] if self.text else ""
            raw = raw_line[column:]  # after the opening quote
            if "\\" not in raw[: offset + 1]:
                column += 1 + offset
        return line, column

    def where(self, pointer: str) -> str:
        """The place ``pointer`` names, in the guide's words ('' if the file was never parsed)."""
        if self.parsed is None:
            return ""
        return places.describe(self.kind, self.parsed.value, pointer, self.number)

    def place(self, pointer: str) -> str:
        """'content/x.json:12:5 (Section 1 › paragraph 2)': a place to name in a message."""
        line, column = self.locate(pointer)
        where = self.where(pointer)
        return f"{self.display}:{line}:{column}" + (f" ({where})" if where else "")

    def diagnostic(
        self,
        code: str,
        pointer: str,
        message: str,
        hint: str = "",
        *,
        key: bool = False,
        offset: int | None = None,
        severity: Severity = Severity.ERROR,
    ) -> Diagnostic:
        line, column = self.locate(pointer, key=key, offset=offset)
        return Diagnostic(
            self.display, line, column, code, pointer, message, hint, severity, self.where(pointer)
        )


def unsafe_path(root: Path, relpath: str) -> str | None:
    """Why ``relpath`` may not be read, or None.  Symlinks could lead anywhere."""
    parts = PurePosixPath(relpath).parts
    if PurePosixPath(relpath).is_absolute() or ".." in parts:
        return f"'{relpath}' leaves the content directory"
    probe = root
    for part in parts:
        probe = probe / part
        if probe.is_symlink():
            return f"'{relpath}' is or passes through a symbolic link"
    try:
        probe.resolve().relative_to(root.resolve())
    except ValueError:
        return f"'{relpath}' resolves outside the content directory"
    return None
