"""A version of content/: a folder as it is, or the folder at a git revision.

``mdguide diff OLD NEW`` takes either.  A revision is read with ``git
archive`` into a private temporary folder; the working tree is never checked
out or touched.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from mdguide_build.errors import MdguideError

GIT_TIMEOUT = 60


class RevisionError(MdguideError):
    """A version of the content could not be read."""


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    git = shutil.which("git")
    if git is None:
        raise RevisionError("git is not installed (hint: install git, or compare two content folders)")
    try:
        return subprocess.run(
            [git, *args],
            cwd=cwd,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise RevisionError(f"git {args[0]} took more than {GIT_TIMEOUT} s") from error


def _repository(content_dir: Path) -> tuple[Path, str]:
    """The git work tree holding ``content_dir``, and the folder's path inside it."""
    probe = content_dir if content_dir.is_dir() else Path.cwd()
    done = _git(["rev-parse", "--show-toplevel"], probe)
    if done.returncode != 0:
        raise RevisionError(
            f"{content_dir} is not in a git repository "
            "(hint: give two content folders, or run mdguide inside the project's repository)"
        )
    top = Path(done.stdout.decode().strip()).resolve()
    try:
        inside = content_dir.resolve().relative_to(top)
    except ValueError:
        raise RevisionError(f"{content_dir} is outside the git repository at {top}") from None
    return top, PurePosixPath(inside.as_posix()).as_posix()


def _commit(spec: str, top: Path) -> str:
    if spec.startswith("-") or not spec.strip():
        raise RevisionError(f"'{spec}' is not a git revision (hint: e.g. HEAD~1, main, v1.0 or a commit id)")
    done = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{spec}^{{commit}}"], top)
    if done.returncode != 0:
        raise RevisionError(
            f"'{spec}' is neither a folder nor a git revision "
            "(hint: e.g. HEAD~1, main, a tag, a commit id, or a path to a content folder)"
        )
    return done.stdout.decode().strip()


@contextmanager
def content_version(spec: str, content_dir: Path) -> Iterator[tuple[Path, str]]:
    """The content folder ``spec`` names, and how a colleague would name it.

    A folder is "the folder editions/1.0"; a revision "git revision v1.0, commit d051532".

    ``spec`` is a folder (used as it is) or a git revision of the repository
    holding ``content_dir`` (its content read into a temporary folder that is
    removed afterwards).
    """
    if Path(spec).is_dir():
        yield Path(spec), f"the folder {spec.rstrip('/') or '/'}"
        return
    top, inside = _repository(content_dir)
    commit = _commit(spec, top)
    done = _git(["archive", "--format=tar", commit, "--", inside], top)
    if done.returncode != 0:
        raise RevisionError(
            f"{inside}/ does not exist at {spec} ({commit[:12]}) "
            f"(hint: {done.stderr.decode(errors='replace').strip()})"
        )
    with tempfile.TemporaryDirectory(prefix="mdguide-rev-") as temp:
        named = f"git revision {spec}" + ("" if commit.startswith(spec) else f", commit {commit[:7]}")
        _extract(done.stdout, Path(temp), f"{inside}/ in {named}")
        yield Path(temp) / inside, named


def _extract(tar: bytes, into: Path, what: str) -> None:
    """Unpack ``git archive``'s output with tarfile's "data" filter: nothing may point or land outside.

    A commit can hold a symbolic link to anywhere (``/etc/passwd``,
    ``../../secret``); the filter refuses it, and the editor is told which
    file, instead of a traceback.
    """
    try:
        with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
            archive.extractall(into, filter="data")
    except tarfile.FilterError as error:
        member = error.tarinfo
        link = f" to '{member.linkname}'" if member.issym() or member.islnk() else ""
        raise RevisionError(
            f"{what} holds '{member.name}', a link{link} that points outside the content, "
            "so it was not read (hint: remove the link in a new commit, or compare content folders)"
            if link
            else f"{what} holds '{member.name}', which would be written outside the content, "
            "so it was not read (hint: compare content folders instead)"
        ) from None
    except tarfile.TarError as error:
        raise RevisionError(f"git archive gave an unreadable archive for {what}: {error}") from None
