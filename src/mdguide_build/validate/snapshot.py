"""An exact picture of the content folder, read once, with a digest of everything validation can see.

Why a build reads ``content/`` through this rather than straight from disk:

* **The digest is a safe key for "already validated and built".**  It covers
  every entry under the folder, not only the ``*.json`` files: its path, its
  kind (folder, regular file, symbolic link, anything else, or unreadable),
  a regular file's bytes (or, above the loader's size limit, its size), a
  link's target.  Whatever the loader checks (a listed file that became a
  link or a folder, a FIFO, a file too large to read) changes the digest, so
  a cached "valid" can never outlive the state it was given for.  Inode
  numbers and times are left out: validation does not depend on them, and
  ``git restore`` must give back the digest the content had before.
* **What is validated, built and recorded is one and the same.**  A build
  validates and builds from :meth:`Snapshot.write`'s private copy, never
  from ``content/`` itself, so an editor saving (or undoing) in the middle of
  a build cannot make the outputs disagree with the digest recorded for them.
  The copy keeps links as links, folders as folders and special files as
  FIFOs, so the loader reports on it exactly what it reports on the original
  (messages name files by their display path, never the copy's).

Nothing is followed or opened that could hang or run away: links are read
with ``readlink``, files are opened with ``O_NOFOLLOW | O_NONBLOCK`` and
checked with ``fstat`` before reading, and at most the loader's limit is read.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILE_BYTES = (
    20 * 1024 * 1024
)  # the most the loader reads of one file (here, not in the loader: no pydantic)
DIR, FILE, LINK, OTHER = "dir", "file", "link", "other"
UNREADABLE, UNREADABLE_DIR = "unreadable", "unreadable dir"  # what we may not read: placeholders in the copy


@dataclass(frozen=True)
class Entry:
    relpath: str  # POSIX style, relative to the content folder
    kind: str  # DIR, FILE, LINK, OTHER, UNREADABLE or UNREADABLE_DIR
    data: bytes | None = None  # a FILE's bytes; None when it is over the size limit
    size: int = 0  # a FILE's size in bytes
    target: str = ""  # a LINK's target, as written in the link

    def fingerprint(self) -> bytes:
        if self.kind == FILE:
            payload = hashlib.sha256(self.data).digest() if self.data is not None else b"size %d" % self.size
        else:
            payload = os.fsencode(self.target)
        parts = (self.kind.encode(), os.fsencode(self.relpath), payload)
        return b"".join(len(part).to_bytes(8, "big") + part for part in parts)


@dataclass(frozen=True)
class Snapshot:
    entries: list[Entry] = field(default_factory=list)

    @property
    def digest(self) -> str:
        digest = hashlib.sha256(b"mdguide content snapshot 1\0")
        for entry in self.entries:
            digest.update(entry.fingerprint())
        return digest.hexdigest()

    @property
    def size(self) -> int:
        """Bytes in regular files: how big the guide is, for the memory budget."""
        return sum(entry.size for entry in self.entries if entry.kind == FILE)

    @property
    def unreadable(self) -> list[str]:
        return [entry.relpath for entry in self.entries if entry.kind in (UNREADABLE, UNREADABLE_DIR)]

    def write(self, into: Path) -> Path:
        """Recreate the content folder at ``into`` (which must not exist); return it.

        An unreadable entry becomes an empty file or folder: the build asks the
        loader about the original first whenever there is one (see ``build``).
        """
        into.mkdir()
        for entry in self.entries:
            path = into / entry.relpath
            if entry.kind in (DIR, UNREADABLE_DIR):
                path.mkdir()
            elif entry.kind == FILE:
                with open(path, "xb") as handle:
                    if entry.data is not None:
                        handle.write(entry.data)
                    else:  # too large to read: the loader refuses it by its size alone
                        handle.truncate(entry.size)
            elif entry.kind == LINK:
                os.symlink(entry.target, path)
            elif entry.kind == OTHER:
                os.mkfifo(path)  # never opened: the loader reads regular files only
            else:
                path.touch()
        return into


def take(root: Path) -> Snapshot:
    """Read everything under ``root`` (a folder; a link to one is followed, nothing below it is)."""
    entries: list[Entry] = []
    _walk(root, "", entries)
    return Snapshot(entries)


def _walk(folder: Path, prefix: str, entries: list[Entry]) -> None:
    try:
        with os.scandir(folder) as listing:
            children = sorted(listing, key=lambda child: child.name)
    except OSError:
        if prefix:  # the top folder itself is checked by the loader (E100)
            entries[-1] = Entry(entries[-1].relpath, UNREADABLE_DIR)
        return
    for child in children:
        relpath = prefix + child.name
        try:
            mode = child.stat(follow_symlinks=False).st_mode
        except OSError:
            entries.append(Entry(relpath, UNREADABLE))
            continue
        if stat.S_ISLNK(mode):
            entries.append(Entry(relpath, LINK, target=os.readlink(child.path)))
        elif stat.S_ISDIR(mode):
            entries.append(Entry(relpath, DIR))
            _walk(Path(child.path), relpath + "/", entries)
        elif stat.S_ISREG(mode):
            entries.append(_read_file(Path(child.path), relpath))
        else:
            entries.append(Entry(relpath, OTHER))


def _read_file(path: Path, relpath: str) -> Entry:
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return Entry(relpath, UNREADABLE)
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):  # replaced between the listing and the open
            return Entry(relpath, OTHER)
        if info.st_size > MAX_FILE_BYTES:
            return Entry(relpath, FILE, None, info.st_size)
        chunks, total = [], 0
        while chunk := os.read(handle, 1 << 20):
            chunks.append(chunk)
            total += len(chunk)
            if total > MAX_FILE_BYTES:  # grew while we read it
                return Entry(relpath, FILE, None, total)
        data = b"".join(chunks)
        return Entry(relpath, FILE, data, len(data))
    except OSError:
        return Entry(relpath, UNREADABLE)
    finally:
        os.close(handle)
