"""One content file as read, which paths may be read at all, and how to read one safely."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from mdguide_build.guide.models import ContentFile
from mdguide_build.validate import jsonpos, places
from mdguide_build.validate.diagnostics import Diagnostic, Severity
from mdguide_build.validate.snapshot import MAX_FILE_BYTES


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
            column += 1 + _raw_offset(raw_line[column:], offset)  # after the opening quote
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


def _raw_offset(raw: str, offset: int) -> int:
    """How many characters of a JSON string's source (after its quote) hold its first ``offset`` characters.

    An escape such as ``\\u0085`` is six characters of source for one of text, and
    a character beyond U+FFFF written as two ``\\u`` escapes is twelve.
    """
    at = 0
    for _ in range(offset):
        if raw[at : at + 2] == "\\u":
            first = int(raw[at + 2 : at + 6], 16)
            pair = 0xD800 <= first < 0xDC00 and raw[at + 6 : at + 8] == "\\u"
            at += 12 if pair and 0xDC00 <= int(raw[at + 8 : at + 12], 16) < 0xE000 else 6
        elif raw[at : at + 1] == "\\":
            at += 2
        else:
            at += 1
    return at


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


# The most mdguide reads of one content file (the whole guide is about 200 KB): one limit, kept
# in validate/snapshot.py, which the build reads without importing pydantic.


class Unreadable(Exception):
    """A content path that is not read, and why: ``kind`` is one of the class's constants."""

    MISSING, LINK, NOT_A_FILE, TOO_LARGE, DENIED = "missing", "link", "not a file", "too large", "denied"

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(detail or kind)
        self.kind, self.detail = kind, detail


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not an ordinary file"


def read_regular(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``path``, if it is an ordinary file of at most ``limit`` bytes; else ``Unreadable``.

    Nothing here can hang or run away: the file is opened without following a
    symbolic link (``O_NOFOLLOW``) and without waiting for a writer
    (``O_NONBLOCK``: a FIFO opens at once), checked with ``fstat`` to be a
    regular file, and read for at most ``limit + 1`` bytes, so a device such
    as ``/dev/zero`` or a file growing while it is read cannot fill memory.
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        handle = os.open(path, flags)
    except FileNotFoundError:
        raise Unreadable(Unreadable.MISSING) from None
    except PermissionError as error:
        raise Unreadable(Unreadable.DENIED, error.strerror or "permission denied") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise Unreadable(Unreadable.LINK) from None
        if error.errno == errno.ENXIO:  # a socket, or a FIFO on some systems
            raise Unreadable(Unreadable.NOT_A_FILE, "not an ordinary file") from None
        raise Unreadable(Unreadable.DENIED, error.strerror or str(error)) from None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable(Unreadable.NOT_A_FILE, _kind_of(info.st_mode))
        if info.st_size > limit:
            raise Unreadable(Unreadable.TOO_LARGE, f"{info.st_size:,}")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(handle, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise Unreadable(Unreadable.TOO_LARGE, f"more than {limit:,}")
        return b"".join(chunks)
    except OSError as error:
        raise Unreadable(Unreadable.DENIED, error.strerror or str(error)) from None
    finally:
        os.close(handle)
