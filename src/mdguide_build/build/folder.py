"""The output folder: its lock, private staging folders, and swapping a whole set of files in.

A set is swapped in with a journal (see the package docstring for why not a
link): every new file is staged first, inside the output folder so that each
move is a same-file-system ``rename``; then, under the folder's lock,

1. ``.mdguide-journal.json`` is written, listing every move about to be made;
2. anything in the way is moved aside into the staging folder (old files,
   and a link or file where a folder must be: links are moved, never followed);
3. each new file is renamed into place, the record of the set last;
4. the journal is deleted: that unlink is the commit.

If a move fails, the moves made so far are undone and the old set is back.
If the process dies before the commit, the next build that takes the lock
finds the journal and undoes the moves the same way.  Undoing is idempotent
(each step checks what is where), so dying while undoing is safe too.

Each staging folder holds a lock of its own for its builder's lifetime (a
POSIX record lock, which a forked child does not inherit: see ``_OURS``);
a staging folder whose lock is free was left by a killed build and is removed.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from mdguide_build.errors import BuildError

LOCK = ".mdguide.lock"
JOURNAL = ".mdguide-journal.json"
STAGING_PREFIX = ".mdguide-staging-"
RESERVED_PREFIX = ".mdguide"  # names mdguide keeps for itself in the output folder
MANIFEST = ".mdguide-manifest.json"  # the record of the set (see manifest.py), swapped in last


def is_plain(relpath: object) -> bool:
    """Whether ``relpath`` names a place inside the folder that is not mdguide's own (records, staging).

    Every path read back from a record or a journal is checked with this, so a
    damaged or crafted one cannot make a build move anything outside the folder.
    """
    if not isinstance(relpath, str) or not relpath or "\\" in relpath or "\0" in relpath:
        return False
    path = PurePosixPath(relpath)
    return (
        not path.is_absolute()
        and path.as_posix() == relpath
        and all(part not in ("", ".", "..") for part in relpath.split("/"))
        and not path.parts[0].startswith(RESERVED_PREFIX)
    )


# The staging folders this process is using, by their lock file's (device, inode).  A staging
# folder's lock is a POSIX record lock (lockf), not flock: a child forked by a build (pandoc,
# between fork and exec) does not inherit it, so a build killed while starting pandoc leaves a
# lock that is free at once.  But a process cannot see its own POSIX locks, and closing any
# descriptor of the file drops them: so this process's own folders are known from this set.
_OURS: set[tuple[int, int]] = set()


class Staging:
    """A private folder inside the output folder: ``content`` (the snapshot), ``new`` (the set)."""

    def __init__(self, path: Path, lock: int):
        self.path = path
        self._lock = lock
        info = os.fstat(lock)
        self._id = (info.st_dev, info.st_ino)
        _OURS.add(self._id)
        self.keep = False  # a swap that could not be undone needs this folder until the next build
        self.new = path / "new"
        self.content = path / "content"

    def close(self) -> None:
        """Remove the folder, then let go of its lock (in that order: a cleaner must not race us)."""
        try:
            if not self.keep:
                _remove_tree(self.path)
        finally:
            _OURS.discard(self._id)
            os.close(self._lock)


class OutputFolder:
    def __init__(self, path: Path, display: str | None = None):
        self.path = path
        self.display = display or path.as_posix()
        self.made = False  # this build created the folder (so a failed build takes it away again)

    # -- the lock and the folder itself -------------------------------------------------------

    def create(self) -> None:
        if self.path.is_dir():
            return
        if self.path.exists() or self.path.is_symlink():
            raise BuildError(
                f"the output folder {self.display} is not a folder "
                "(hint: move that file away, or choose another folder with --out)"
            )
        try:
            self.path.mkdir(parents=True)
            self.made = True
        except FileExistsError:
            pass  # another build made it just now
        except OSError as error:
            hint = "create it yourself, or build into a folder you can write to with --out"
            raise self.failure(
                error, f"create the output folder {self.display}", hint, "nothing was written"
            ) from None

    def unmake(self) -> None:
        """After a failed build: remove the folder this build created, if it holds only its lock.

        Then a refused build leaves no trace; a folder another build has
        written into in the meantime is left alone (rmdir fails on it).
        """
        if not self.made:
            return
        try:
            with self.locked():
                if [p.name for p in self.path.iterdir()] == [LOCK]:
                    (self.path / LOCK).unlink()
                    self.path.rmdir()
        except (OSError, BuildError):
            pass  # best effort: the failure being reported matters more

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the folder's lock: one build at a time looks at, repairs or swaps the set."""
        lock = self.path / LOCK
        flags = os.O_CLOEXEC | os.O_NOFOLLOW
        try:
            handle = os.open(lock, os.O_RDWR | os.O_CREAT | flags, 0o644)
        except OSError as error:
            if error.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise self.failure(error, f"lock the output folder {self.display}") from None
            try:  # a folder we may not write: read it under the lock if there is one
                handle = os.open(lock, os.O_RDONLY | flags)
            except FileNotFoundError:
                yield  # nobody can have written here without making the lock
                return
            except OSError:
                raise self.failure(error, f"lock the output folder {self.display}") from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        finally:
            os.close(handle)  # closing lets go of the lock

    def new_staging(self) -> Staging:
        """A fresh staging folder, locked as ours (call under :meth:`locked`, so no cleaner sees it unlocked)."""
        path = self.path / f"{STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        try:
            path.mkdir(mode=0o700)
            lock = os.open(path / "lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as error:
            _remove_tree(path)
            raise self.failure(error, f"write in the output folder {self.display}") from None
        fcntl.lockf(lock, fcntl.LOCK_EX)
        return Staging(path, lock)

    # -- reading what is there, never through a link ----------------------------------------

    def read(self, relpath: str) -> bytes | None:
        """The bytes of the regular file at ``relpath``, or None if anything on the way is not plain.

        Every folder on the way is opened with ``O_NOFOLLOW``: a link inside the
        output folder (``handouts -> elsewhere``) is never followed.
        """
        *folders, name = PurePosixPath(relpath).parts
        try:
            handle = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:
            return None
        try:
            for folder in folders:
                inner = os.open(
                    folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=handle
                )
                os.close(handle)
                handle = inner
            inner = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=handle)
            os.close(handle)
            handle = inner
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                return None
            with os.fdopen(handle, "rb", closefd=False) as file:
                return file.read()
        except OSError:
            return None
        finally:
            os.close(handle)

    # -- swapping a set in --------------------------------------------------------------------

    def publish(self, staging: Staging, installs: list[str], removes: list[str]) -> None:
        """Move ``installs`` from ``staging.new`` into place and ``removes`` out of the way, all or nothing.

        Call under :meth:`locked`.  The last of ``installs`` should be the record of the set.
        """
        journal = {
            "staging": staging.path.name,
            "installs": installs,
            "removes": [p for p in removes if self._reachable(p)],
            **self._folders_needed(installs),
        }
        temporary = staging.path / "journal"
        try:
            temporary.write_text(json.dumps(journal, indent=1), encoding="utf-8")
            os.rename(temporary, self.path / JOURNAL)
        except OSError as error:
            raise self.failure(error, f"write in the output folder {self.display}") from None
        try:
            self._forward(staging.path, journal)
        except BaseException as error:  # a failed move, or Ctrl+C: put the old set back
            try:
                self._undo(staging.path, journal)
            except OSError as second:
                staging.keep = True  # the journal needs it: the next build finishes putting the old set back
                raise BuildError(
                    f"cannot replace the outputs in {self._where(error)}, nor put all the old ones back in "
                    f"{self._where(second)}: {os.strerror(second.errno or 0).lower()} (hint: fix that, then "
                    f"run the build again: it finishes putting back the old outputs first)"
                ) from None
            if isinstance(error, OSError):
                raise self.failure(error, f"replace the outputs in {self._where(error)}") from None
            raise
        os.unlink(self.path / JOURNAL)  # the commit
        for relpath in journal["removes"]:  # tidy folders that held only outputs no longer made
            for folder in PurePosixPath(relpath).parents[:-1]:
                try:
                    (self.path / folder).rmdir()
                except OSError:
                    break

    def _reachable(self, relpath: str) -> bool:
        """Whether ``relpath`` exists through real folders only (so moving it away touches only ours)."""
        *folders, name = PurePosixPath(relpath).parts
        probe = self.path
        for folder in folders:
            probe = probe / folder
            if probe.is_symlink() or not probe.is_dir():
                return False
        return os.path.lexists(probe / name)

    def _folders_needed(self, installs: list[str]) -> dict[str, list[str]]:
        """Folders to make for ``installs``, and what stands where a folder must be ("asides")."""
        asides, made = [], []
        folders = sorted({str(f) for p in installs for f in PurePosixPath(p).parents[:-1]}, key=_depth)
        for folder in folders:
            if any(folder.startswith(m + "/") for m in made):
                made.append(folder)  # inside a folder we make: it cannot exist yet
                continue
            path = self.path / folder
            if path.is_symlink() or (os.path.lexists(path) and not path.is_dir()):
                asides.append(folder)
                made.append(folder)
            elif not path.exists():
                made.append(folder)
        return {"asides": asides, "made": made}

    def _forward(self, staging: Path, journal: dict) -> None:
        for relpath in journal["removes"]:
            _move(self.path / relpath, staging / "old" / relpath)
        for folder in journal["asides"]:
            if os.path.lexists(self.path / folder):
                _move(self.path / folder, staging / "aside" / folder)
        for folder in journal["made"]:
            (self.path / folder).mkdir()
        for relpath in journal["installs"]:
            target = self.path / relpath
            if os.path.lexists(target):
                _move(target, staging / "old" / relpath)
            os.rename(staging / "new" / relpath, target)

    def _undo(self, staging: Path, journal: dict) -> None:
        """Put the old set back, whatever step the moves stopped at.  Safe to repeat."""
        for relpath in reversed(journal["installs"]):
            target, new, old = self.path / relpath, staging / "new" / relpath, staging / "old" / relpath
            if not os.path.lexists(new) and os.path.lexists(target):
                _move(target, new)
            if os.path.lexists(old):
                os.rename(old, target)
        for folder in reversed(journal["made"]):
            try:
                (self.path / folder).rmdir()
            except FileNotFoundError:
                pass
        for folder in reversed(journal["asides"]):
            aside = staging / "aside" / folder
            if os.path.lexists(aside):
                os.rename(aside, self.path / folder)
        for relpath in reversed(journal["removes"]):
            old = staging / "old" / relpath
            if os.path.lexists(old):
                os.rename(old, self.path / relpath)
        os.unlink(self.path / JOURNAL)

    # -- after a killed build ------------------------------------------------------------------

    def recover(self) -> None:
        """Undo a swap cut short, and remove staging folders left by killed builds.  Call under :meth:`locked`."""
        try:
            names = [e.name for e in os.scandir(self.path) if e.name.startswith(RESERVED_PREFIX)]
        except OSError:
            return
        if JOURNAL in names:
            self._recover_journal()
        for name in names:
            if name.startswith(STAGING_PREFIX) and not _in_use(self.path / name):
                try:
                    _remove_tree(self.path / name, strict=True)
                except OSError as error:
                    raise self.failure(error, f"remove a staging folder in {self.display}") from None

    def _recover_journal(self) -> None:
        try:
            journal = json.loads((self.path / JOURNAL).read_text(encoding="utf-8"))
            name = journal["staging"]
            paths = [p for key in ("installs", "removes", "asides", "made") for p in journal[key]]
            if not _is_staging_name(name) or not all(is_plain(p) or p == MANIFEST for p in paths):
                raise ValueError("not a journal this program wrote")
            staging = self.path / name
            if os.path.isdir(staging):
                self._undo(staging, journal)
            else:  # nothing to undo with: each file's digest in the record decides what is current
                os.unlink(self.path / JOURNAL)
        except (ValueError, KeyError, TypeError):
            os.unlink(self.path / JOURNAL)  # unreadable: as above
        except OSError as error:
            raise self.failure(
                error, f"put back the outputs a killed build left half-replaced in {self.display}"
            ) from None

    # -- messages -----------------------------------------------------------------------------

    def _where(self, error: OSError) -> str:
        """The folder the user knows that ``error`` happened in (never a staging folder)."""
        for name in (error.filename, getattr(error, "filename2", None)):
            if not name:
                continue
            path = Path(os.fsdecode(name))
            try:
                inside = path.relative_to(self.path)
            except ValueError:
                continue
            if inside.parts and not inside.parts[0].startswith(RESERVED_PREFIX):
                return (PurePosixPath(self.display) / inside.parent).as_posix()
        return self.display

    def failure(self, error: OSError, doing: str, hint: str = "", outcome: str = "") -> BuildError:
        """One sentence: what could not be done, why, and what to do about it."""
        where = self._where(error)
        reason = os.strerror(error.errno) if error.errno else str(error)
        reason = reason[:1].lower() + reason[1:]
        if hint:
            pass
        elif error.errno in (errno.ENOSPC, errno.EDQUOT):
            hint = "free some space, or build into another folder with --out"
        elif error.errno in (errno.EACCES, errno.EPERM):
            hint = (
                f"make {where} writable, e.g. with chmod u+w {where}, or build into another folder with --out"
            )
        elif error.errno == errno.EROFS:
            hint = "build into another folder with --out"
        else:
            hint = f"check {where}, or build into another folder with --out"
        outcome = outcome or f"{self.display} was left as it was"
        return BuildError(f"cannot {doing}: {reason} (hint: {hint}); {outcome}")


def _is_staging_name(name: object) -> bool:
    return isinstance(name, str) and name.startswith(STAGING_PREFIX) and "/" not in name


def _depth(relpath: str) -> int:
    return relpath.count("/")


def _move(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.rename(source, target)


def _in_use(staging: Path) -> bool:
    """Whether a live build holds ``staging``'s lock (a killed one's lock is free)."""
    try:
        info = os.stat(staging / "lock", follow_symlinks=False)
    except OSError:
        return False  # never locked: its build was killed before it began
    if (info.st_dev, info.st_ino) in _OURS:
        return True  # ours: not to be opened, or closing it would drop our lock
    try:
        handle = os.open(staging / "lock", os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except OSError as error:
        if error.errno in (errno.EAGAIN, errno.EACCES):
            return True
        raise
    finally:
        os.close(handle)


def _remove_tree(path: Path, *, strict: bool = False) -> None:
    """Remove ``path`` and everything in it, without following links; quietly unless ``strict``.

    What vanished meanwhile is no error: only what stays is."""

    def failed(_function, _path, info) -> None:
        if strict and not isinstance(info[1], FileNotFoundError):
            raise info[1]

    shutil.rmtree(path, onerror=failed)
