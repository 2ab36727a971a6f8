"""The editor's hold on content/: read a file, save an edit, undo and redo, never write anything invalid.

Every write follows the same path (``_commit``):

1. each file's bytes on disk must still be those the editor read (their
   SHA-256 digest): if another editor or a ``git pull`` changed one since,
   the save is refused with the file as it is now, and nothing is written;
2. the whole guide, with the new files in place, must pass the validator of
   ``mdguide validate`` (run on a private copy of content/): if it does not,
   the save is refused with its diagnostics, and nothing is written;
3. each file is written in the project's own JSON form (``dump_json``), into a
   hidden temporary file beside it that then replaces it (``os.replace``).

A save of several files (a block moved to another section, a citation of a new
resource) is checked as one.  The session's saves are kept so that they can be
undone and redone; an undo is itself refused if the file changed on disk since.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from mdguide_build.errors import MdguideError
from mdguide_build.files import atomic_write_bytes
from mdguide_build.tools.editor import patch
from mdguide_build.validate.diagnostics import Diagnostic
from mdguide_build.validate.loader import FIXED_FILES, MAX_FILE_BYTES, FileMemo, dump_json, read_content
from mdguide_build.validate.sources import unsafe_path

HISTORY_LIMIT = 500  # saves kept for undo
LABEL_LIMIT = 200
KINDS = {name: kind for kind, name in FIXED_FILES.items()}


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class EditRefused(MdguideError):
    """A request the editor refuses; ``status`` is the HTTP status, ``details`` go to the page."""

    def __init__(self, status: int, message: str, hint: str = "", **details: object):
        super().__init__(message)
        self.status, self.message, self.hint, self.details = status, message, hint, details

    def to_dict(self) -> dict:
        return {"error": self.message, "hint": self.hint, **self.details}


@dataclass
class FileChange:
    relpath: str
    before: bytes
    after: bytes


@dataclass
class Save:
    """One saved edit: what each file held before and after."""

    label: str
    files: list[FileChange] = field(default_factory=list)


def problem(display: str, pointer: str, message: str, hint: str = "") -> dict:
    """A problem found by the editor itself, in the form of a diagnostic's ``to_dict``."""
    text = f"{display}: {pointer or '/'}: {message}" + (f" (hint: {hint})" if hint else "")
    return {
        "file": display,
        "line": 0,
        "column": 0,
        "code": "",
        "severity": "error",
        "pointer": pointer,
        "message": message,
        "hint": hint,
        "text": text,
    }


def diagnostic_dict(d: Diagnostic) -> dict:
    return {**d.to_dict(), "text": d.format()}


class ContentStore:
    """Reads and writes the content files of one content folder for the editor."""

    def __init__(
        self,
        content_dir: Path,
        display: str,
        scratch: Path,
        on_write: Callable[[list[str]], None] = lambda relpaths: None,
    ):
        self.root = content_dir
        self.display = display
        self.scratch = scratch
        self.on_write = on_write
        self.lock = threading.Lock()
        # Between saves most files keep their bytes: the loader checks again only those that changed.
        self.memo = FileMemo()
        self.undo_stack: list[Save] = []
        self.redo_stack: list[Save] = []

    # -- which files ------------------------------------------------------------------

    def name(self, relpath: str) -> str:
        return str(PurePosixPath(self.display) / relpath)

    def kinds(self) -> dict[str, str]:
        """Every file the editor may read or write, by its path inside content/, and its kind."""
        files = dict(KINDS)
        try:
            sections = json.loads(self._bytes("guide.json")).get("sections", [])
        except (EditRefused, ValueError, AttributeError):
            sections = []  # guide.json cannot be read: only the fixed files
        for relpath in sections if isinstance(sections, list) else []:
            if isinstance(relpath, str) and relpath not in files:
                files[relpath] = "section"
        return files

    def kind(self, relpath: object) -> str:
        """The kind of an editable file; refuses anything else, whatever the path says."""
        kinds = self.kinds()
        if not isinstance(relpath, str) or relpath not in kinds:
            raise EditRefused(
                404,
                f"{relpath!r} is not one of the guide's content files",
                "the editor reads and writes only the files content/guide.json lists",
            )
        return kinds[relpath]

    def _bytes(self, relpath: str) -> bytes:
        """A content file's bytes: only a regular file inside content/, not too large."""
        reason = unsafe_path(self.root, relpath)
        if reason:
            raise EditRefused(403, f"{self.name(relpath)}: {reason}", "content files must be ordinary files")
        path = self.root / relpath
        try:
            info = os.stat(path, follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode):
                raise EditRefused(
                    403,
                    f"{self.name(relpath)} is not an ordinary file",
                    "content files must be ordinary files",
                )
            if info.st_size > MAX_FILE_BYTES:
                raise EditRefused(413, f"{self.name(relpath)} is larger than {MAX_FILE_BYTES:,} bytes")
            return path.read_bytes()
        except FileNotFoundError:
            raise EditRefused(
                404,
                f"{self.name(relpath)} does not exist",
                "restore it, or remove it from the list of sections",
            ) from None
        except OSError as error:
            raise EditRefused(500, f"cannot read {self.name(relpath)}: {error.strerror}") from None

    def _value(self, relpath: str, data: bytes) -> dict:
        try:
            value = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise EditRefused(
                409,
                f"{self.name(relpath)} is not valid JSON now",
                "fix it in a text editor (mdguide validate says where), then reload",
            ) from None
        if not isinstance(value, dict):
            raise EditRefused(409, f"{self.name(relpath)} does not hold a JSON object")
        return value

    # -- reading ----------------------------------------------------------------------

    def load(self, relpath: object) -> dict:
        """A file as the page needs it: its value, digest and kind."""
        kind = self.kind(relpath)
        data = self._bytes(relpath)
        return {
            "path": relpath,
            "name": self.name(relpath),
            "kind": kind,
            "digest": digest(data),
            "value": self._value(relpath, data),
        }

    def digests(self) -> dict[str, str]:
        """The digest of every editable file that can be read now."""
        out = {}
        for relpath in self.kinds():
            try:
                out[relpath] = digest(self._bytes(relpath))
            except EditRefused:
                continue
        return out

    def history(self) -> dict:
        return {
            "undo": self.undo_stack[-1].label if self.undo_stack else None,
            "redo": self.redo_stack[-1].label if self.redo_stack else None,
        }

    # -- writing ----------------------------------------------------------------------

    def save(self, edits: object, label: object) -> dict:
        """Apply ``edits`` (a list of {file, base, ops}) as one save."""
        if not isinstance(edits, list) or not 0 < len(edits) <= 10:
            raise EditRefused(400, "a save lists 1 to 10 files with their edits")
        with self.lock:
            planned: dict[str, tuple[str, bytes]] = {}
            for edit in edits:
                if not isinstance(edit, dict):
                    raise EditRefused(400, "each edit names a file, its digest and its operations")
                relpath, base = edit.get("file"), edit.get("base")
                self.kind(relpath)
                if relpath in planned:
                    raise EditRefused(400, f"{self.name(relpath)} is named twice in one save")
                data = self._bytes(relpath)
                self._check_base(relpath, base, data, list(patch.pointers(edit.get("ops"))))
                try:
                    value = patch.apply(self._value(relpath, data), edit.get("ops"))
                except patch.PatchError as error:
                    raise EditRefused(
                        422,
                        error.message,
                        error.hint,
                        problems=[problem(self.name(relpath), error.pointer, error.message, error.hint)],
                    ) from None
                planned[relpath] = (base, dump_json(value).encode("utf-8"))
            return self._commit(planned, _label(label), record=True)

    def new_edition(self, base: object, version: object, date: object, note: object) -> dict:
        """Make the current edition the newest of ``history`` and describe the new one."""
        with self.lock:
            data = self._bytes("guide.json")
            self._check_base("guide.json", base, data, ["/edition"])
            value = self._value("guide.json", data)
            current = value.get("edition")
            new = {"version": version, "date": date, **({"note": note} if note not in (None, "") else {})}
            if (
                isinstance(current, dict)
                and isinstance(version, str)
                and _version(version) <= _version(str(current.get("version", "")))
            ):
                message = f"the new edition must have a higher version than {current.get('version')}"
                raise EditRefused(
                    422,
                    message,
                    "e.g. 1.1 after 1.0, or 2.0 for a major revision",
                    problems=[
                        problem(
                            self.name("guide.json"),
                            "/edition/version",
                            message,
                            "e.g. 1.1 after 1.0, or 2.0 for a major revision",
                        )
                    ],
                )
            ops = [{"op": "replace", "path": "/edition", "value": new}]
            ops.insert(
                0,
                {"op": "add", "path": "/history/0", "value": current}
                if "history" in value
                else {"op": "add", "path": "/history", "value": [current]},
            )
            edited = patch.apply(value, ops)
            planned = {"guide.json": (base, dump_json(edited).encode("utf-8"))}
            return self._commit(planned, f"New edition {version}", record=True)

    def undo(self) -> dict:
        with self.lock:
            if not self.undo_stack:
                raise EditRefused(409, "there is nothing to undo")
            entry = self.undo_stack[-1]
            result = self._replay(entry, "after", "before", "undo")
            self.redo_stack.append(self.undo_stack.pop())
            return {**result, **self.history()}

    def redo(self) -> dict:
        with self.lock:
            if not self.redo_stack:
                raise EditRefused(409, "there is nothing to redo")
            entry = self.redo_stack[-1]
            result = self._replay(entry, "before", "after", "redo")
            self.undo_stack.append(self.redo_stack.pop())
            return {**result, **self.history()}

    def _replay(self, entry: Save, expected: str, wanted: str, verb: str) -> dict:
        planned = {}
        for change in entry.files:
            data = self._bytes(change.relpath)
            if data != getattr(change, expected):
                raise EditRefused(
                    409,
                    f"{self.name(change.relpath)} changed on disk after “{entry.label}”; to {verb} it would "
                    "overwrite that change, so nothing was changed",
                    "reload the page to see the file as it is now",
                    conflict=self._conflict(change.relpath, data, []),
                )
            planned[change.relpath] = (digest(data), getattr(change, wanted))
        done = {"undo": "Undone", "redo": "Redone"}[verb]
        return self._commit(planned, entry.label, record=False, message=f"{done}: {entry.label}.")

    def _check_base(self, relpath: str, base: object, data: bytes, pointers: list[str]) -> None:
        if not isinstance(base, str) or len(base) != 64:
            raise EditRefused(
                400, "each edit must give the digest of the file it was made on", "reload the page"
            )
        if digest(data) != base:
            raise EditRefused(
                409,
                f"{self.name(relpath)} changed on disk since the page was shown (another editor, or a "
                "git pull); nothing was saved",
                "your edit is still in the form: copy what you need, then reload to edit the version on disk",
                conflict=self._conflict(relpath, data, pointers),
            )

    def _conflict(self, relpath: str, data: bytes, pointers: list[str]) -> dict:
        """The file as it is on disk now, at the places the edit touched."""
        on_disk: dict[str, object] = {}
        try:
            value = self._value(relpath, data)
        except EditRefused:
            value = None
        for pointer in pointers:
            try:
                on_disk[pointer] = patch.get(value, pointer) if value is not None else None
            except patch.PatchError:
                on_disk[pointer] = None  # no longer there
        return {"file": relpath, "name": self.name(relpath), "digest": digest(data), "on_disk": on_disk}

    def _commit(
        self, planned: dict[str, tuple[str, bytes]], label: str, *, record: bool, message: str = ""
    ) -> dict:
        """Check, validate and write ``planned`` ({relpath: (base digest, new bytes)}); caller holds the lock."""
        current = {relpath: self._bytes(relpath) for relpath in planned}
        for relpath, (base, _) in planned.items():
            if digest(current[relpath]) != base:  # changed while we prepared the edit
                self._check_base(relpath, base, current[relpath], [])
        changes = [
            FileChange(relpath, current[relpath], new)
            for relpath, (_, new) in planned.items()
            if new != current[relpath]
        ]
        if not changes:
            return {
                "saved": False,
                "message": "Nothing changed, so nothing was saved.",
                "digests": {r: digest(b) for r, b in current.items()},
                "warnings": [],
                **self.history(),
            }
        diagnostics = self._validate({c.relpath: c.after for c in changes})
        errors = [d for d in diagnostics if d.is_error]
        if errors:
            n = len(errors)
            raise EditRefused(
                422,
                f"this edit would make the content invalid ({n} error{'s' * (n != 1)}); nothing was saved",
                errors[0].hint,
                problems=[diagnostic_dict(d) for d in errors],
            )
        warnings = self._new_warnings(diagnostics)  # against the files as they are, before the writes
        for change in changes:
            self._write(change.relpath, change.after)
        if record:
            self.undo_stack.append(Save(label, changes))
            del self.undo_stack[:-HISTORY_LIMIT]
            self.redo_stack.clear()
        self.on_write([c.relpath for c in changes])
        written = {c.relpath: c.after for c in changes}
        return {
            "saved": True,
            "message": message or f"Saved: {label}.",
            "files": [self.name(c.relpath) for c in changes],
            "digests": {r: digest(written.get(r, current[r])) for r in planned},
            "warnings": [diagnostic_dict(d) for d in warnings],
            **self.history(),
        }

    def _new_warnings(self, after: list[Diagnostic]) -> list[Diagnostic]:
        """The warnings this save brought: one the content gave before (e.g. W322, until the guide has
        a published address) would otherwise end every save's message, and be read out each time."""
        warnings = [d for d in after if not d.is_error]
        if not warnings:
            return []
        _, diagnostics = read_content(self.root, self.display, memo=self.memo)
        before = {(d.code, d.file, d.pointer, d.message) for d in diagnostics if not d.is_error}
        return [d for d in warnings if (d.code, d.file, d.pointer, d.message) not in before]

    def _validate(self, overlay: dict[str, bytes]) -> list[Diagnostic]:
        """The validator's diagnostics for content/ with ``overlay`` in place (nothing in content/ is written)."""
        with tempfile.TemporaryDirectory(prefix="validate-", dir=self.scratch) as temp:
            copy = Path(temp) / "content"
            _copy_tree(self.root, copy)
            for relpath, data in overlay.items():
                (copy / relpath).write_bytes(data)
            _, diagnostics = read_content(copy, self.display, memo=self.memo)
        return diagnostics

    def _write(self, relpath: str, data: bytes) -> None:
        try:
            atomic_write_bytes(self.root / relpath, data)
        except OSError as error:
            raise EditRefused(
                500,
                f"cannot write {self.name(relpath)}: {error.strerror}",
                "check that the folder is writable and the disk is not full",
            ) from None


def _copy_tree(source: Path, target: Path) -> None:
    """Folders, ordinary files and symbolic links (as links, so the validator still refuses them); nothing else."""
    target.mkdir()
    with os.scandir(source) as entries:
        for entry in entries:
            if entry.is_symlink():
                os.symlink(os.readlink(entry.path), target / entry.name)
            elif entry.is_dir(follow_symlinks=False):
                _copy_tree(Path(entry.path), target / entry.name)
            elif entry.is_file(follow_symlinks=False):
                shutil.copyfile(entry.path, target / entry.name)


def _label(label: object) -> str:
    text = " ".join(str(label or "edit").split())[:LABEL_LIMIT]
    return "".join(c for c in text if c.isprintable()) or "edit"


def _version(text: str) -> tuple[int, ...]:
    parts = text.split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else ()
