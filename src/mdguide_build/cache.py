"""mdguide's cache: what it derives from its own code (and inputs it names), kept between runs.

Some work gives the same bytes every time until mdguide itself changes: the
Word reference documents, for instance, cost an extra pandoc run and
python-docx's import (~50 ms of every build that writes a DOCX). Such results
are kept here, each under a digest of *everything* it depends on: mdguide's
code and assets and the versions of the tools it drives (``toolchain_digest``)
plus the caller's own inputs. A change to any of them is a new key, so an
entry can be missing but never stale.

* Where: ``$MDGUIDE_CACHE_DIR`` if set (set it empty to use no cache at all),
  else ``$XDG_CACHE_HOME/mdguide``, else ``~/.cache/mdguide``.
* Each entry carries the SHA-256 of its bytes and is checked on every read;
  a damaged or truncated entry is ignored and made again. Entries are
  written atomically (``files``), so two processes can share the cache.
* A cache that cannot be read or written is no error: the work is done as if
  there were no cache. Each kind keeps its newest ``KEEP`` entries.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path

from mdguide_build import ASSETS
from mdguide_build.files import atomic_write_bytes

__all__ = ["CACHE_ENV", "cache_dir", "cached", "key", "load", "store", "toolchain_digest"]

CACHE_ENV = "MDGUIDE_CACHE_DIR"
KEEP = 64  # entries kept per kind; older ones are removed when a new one is stored
_MAGIC = b"mdguide cache 1\n"

PACKAGE = ASSETS.parent
# Tools whose version can change an output's bytes or a diagnostic: (import name, distribution name).
_TOOLS = (
    ("pypandoc", "pypandoc_binary"),
    ("typst", "typst"),
    ("docx", "python_docx"),
    ("lxml", "lxml"),
    ("pydantic", "pydantic"),
    ("jsonschema", "jsonschema"),
)


# The command line and the editor tools (preview, browser editor, diff, review) sit above the
# build; the import-linter contract keeps any output from depending on them. Leaving them out
# means a change to the editor's front end does not rebuild every output.
_NOT_IN_OUTPUTS = frozenset({"cli.py", "cli_docs.py", "tools"})


@functools.cache
def toolchain_digest() -> str:
    """Digest of mdguide's own code and assets, Python's version and the versions of the tools it drives.

    Part of every fingerprint and cache key, so changing a builder, a
    stylesheet or a pinned tool rebuilds what it affects without anyone
    remembering to bump a version number.
    """
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.relative_to(PACKAGE).parts[0] in _NOT_IN_OUTPUTS:
            continue  # the layers above the build: no output (and no cached answer) depends on them
        if path.is_file() and path.suffix != ".pyc" and "__pycache__" not in path.parts:
            digest.update(path.relative_to(PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    digest.update(f"python={sys.version};".encode())
    for module, distribution in _TOOLS:
        digest.update(f"{module}={_installed_version(module, distribution)};".encode())
    return digest.hexdigest()


def _installed_version(module: str, distribution: str) -> str:
    """The version from the distribution's .dist-info folder name.

    importlib.metadata would do, but importing it costs ~45 ms, a third of a
    no-op build; finding the folder beside the module costs nothing.
    """
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin:
        return "absent"
    site = Path(spec.origin).parent.parent
    found = sorted(site.glob(f"{distribution}-*.dist-info"), key=lambda p: p.name.lower())
    return found[-1].name[len(distribution) + 1 : -len(".dist-info")] if found else "unknown"


def cache_dir() -> Path | None:
    """The cache folder, or None when ``MDGUIDE_CACHE_DIR`` is set empty (no cache)."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mdguide"


def key(*parts: str | bytes) -> str:
    """A digest of mdguide's toolchain and ``parts``: the name of an entry."""
    digest = hashlib.sha256()
    for part in (toolchain_digest(), *parts):
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def _entry(kind: str, name: str) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / kind / name


def load(kind: str, name: str) -> bytes | None:
    """The bytes stored under ``name`` (from ``key``), or None if absent or damaged."""
    path = _entry(kind, name)
    if path is None:
        return None
    try:  # an ordinary file only: a FIFO or a link to /dev/zero planted as an entry would hang or fill memory
        with os.fdopen(
            os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC), "rb"
        ) as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                return None
            stored = file.read()
    except OSError:
        return None
    head = len(_MAGIC) + 64
    if not stored.startswith(_MAGIC) or len(stored) < head + 1 or stored[head : head + 1] != b"\n":
        return None
    data = stored[head + 1 :]
    if hashlib.sha256(data).hexdigest().encode() != stored[len(_MAGIC) : head]:
        return None
    return data


def store(kind: str, name: str, data: bytes) -> None:
    """Keep ``data`` under ``name``; quietly do nothing if the cache cannot be written."""
    path = _entry(kind, name)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, _MAGIC + hashlib.sha256(data).hexdigest().encode() + b"\n" + data)
        _prune(path.parent)
    except OSError:
        pass


def cached(kind: str, name: str, make: Callable[[], bytes]) -> bytes:
    """The bytes under ``name``, made by ``make()`` and stored if they are not there (or damaged)."""
    data = load(kind, name)
    if data is None:
        data = make()
        store(kind, name, data)
    return data


def _prune(folder: Path) -> None:
    entries = []
    for path in folder.iterdir():
        try:
            entries.append((path.stat().st_mtime_ns, path))
        except OSError:
            continue  # removed by another process meanwhile
    for _, path in sorted(entries, reverse=True)[KEEP:]:
        path.unlink(missing_ok=True)
