"""The record of the set in an output folder: ``.mdguide-manifest.json``.

The set is made of *groups*: the files one format made from one state of
the content with one set of options.  Each group records

* ``key``: a digest of the content's snapshot, mdguide's code and tools
  (``source``), the format and the options: two requests with the same key
  make the same bytes;
* ``source``: the content part of that key, to tell when a group was made
  from content that has changed since;
* each file's path, fingerprint (what it is made of, for reuse), size and
  SHA-256 (what it must hold, checked on every build).

The record is only ever written as part of a set (see ``folder``), so it
describes the files beside it, and a file is believed only if its bytes
match it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from mdguide_build.build.folder import is_plain

VERSION = 2


@dataclass(frozen=True)
class Record:
    relpath: str
    fingerprint: str
    sha256: str
    size: int

    def matches(self, data: bytes | None) -> bool:
        return data is not None and len(data) == self.size and hashlib.sha256(data).hexdigest() == self.sha256


@dataclass(frozen=True)
class Group:
    key: str
    format: str
    source: str
    files: tuple[Record, ...]

    @property
    def relpaths(self) -> set[str]:
        return {record.relpath for record in self.files}


def source_key(snapshot_digest: str, toolchain: str) -> str:
    """What a group's bytes depend on besides format and options: the content and mdguide itself."""
    return hashlib.sha256(f"{snapshot_digest}\n{toolchain}".encode()).hexdigest()


def group_key(source: str, format_name: str, options_fingerprint: str) -> str:
    return hashlib.sha256(f"{source}\n{format_name}\n{options_fingerprint}".encode()).hexdigest()


def parse(data: bytes | None) -> list[Group]:
    """The groups in a record's bytes; none if there is no record or it is damaged (then all is rebuilt)."""
    try:
        data = json.loads(data or b"null")
        if data.get("mdguide") != VERSION:
            return _first_record(data)
        groups = [
            Group(g["key"], g["format"], g["source"], tuple(Record(**r) for r in g["files"]))
            for g in data["groups"]
        ]
        if not all(is_plain(r.relpath) for g in groups for r in g.files):
            return []  # damaged or crafted: trust none of it (files it names are left alone)
        return groups
    except (ValueError, KeyError, TypeError, AttributeError):
        return []


def _first_record(data: dict) -> list[Group]:
    """The files named by mdguide's first record (no version, no source): made from content no one can
    tell now, so never current; naming them lets the next build remove them rather than leave them stale."""
    files = data.get("outputs")
    if not isinstance(files, dict) or not all(is_plain(p) for p in files):
        return []
    return [Group("", "", "", tuple(Record(p, "", "", -1) for p in sorted(files)))]


def text(groups: list[Group]) -> str:
    data = {
        "mdguide": VERSION,
        "groups": [asdict(g) for g in sorted(groups, key=lambda g: (g.format, g.key))],
    }
    return json.dumps(data, indent=2) + "\n"
