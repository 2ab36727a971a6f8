"""The builder protocol: each output format is one small module on this base.

A builder turns validated content into one or more *outputs*.  Each output
knows its file name, a fingerprint of everything it is made from (for
incremental rebuilds) and how to write itself into a staging folder; the
build orchestrator (``mdguide_build.build``) does the rest: staging, running
outputs in parallel, moving finished files into place.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from mdguide_build import ASSETS

if TYPE_CHECKING:  # not imported at run time: a no-op build must not pay for pydantic
    from mdguide_build.guide.content import Content


@dataclass(frozen=True)
class BuildOptions:
    """Options that change outputs; all of them are part of every fingerprint."""

    source_date_epoch: int | None = None
    roles: tuple[str, ...] | None = None  # handouts: only these roles
    point_size: int = 18  # large print

    def fingerprint(self) -> str:
        return repr((self.source_date_epoch, self.roles, self.point_size))


@dataclass(frozen=True)
class Output:
    relpath: str  # inside the output folder, POSIX style, e.g. "handouts/consultant.pdf"
    fingerprint: str  # changes whenever the file's bytes could change
    write: Callable[[Path], None] = field(compare=False)  # writes the file at the given path


class Builder:
    """Base of every output format.  Subclasses set the class attributes and ``outputs``."""

    name: ClassVar[str]  # the --format name, e.g. "html"
    summary: ClassVar[str]  # one line: what it is and who it serves (`mdguide formats`)
    # Files the builder reads besides content (templates, CSS), for readers of the code;
    # every file of the package is part of every fingerprint anyway (toolchain_digest).
    assets: ClassVar[tuple[Path, ...]] = ()

    def __init__(self, options: BuildOptions):
        self.options = options

    def outputs(self, content: Content) -> list[Output]:
        raise NotImplementedError

    def options_fingerprint(self) -> str:
        """The build options that can change this builder's outputs (default: all of them)."""
        return self.options.fingerprint()

    def fingerprint(self, *parts: str | bytes) -> str:
        """A digest of this builder's identity, options, mdguide's code and tools, and ``parts``."""
        digest = hashlib.sha256()
        for piece in (self.name, toolchain_digest(), self.options_fingerprint(), *parts):
            data = piece.encode("utf-8") if isinstance(piece, str) else piece
            digest.update(len(data).to_bytes(8, "big"))
            digest.update(data)
        return digest.hexdigest()


PACKAGE = ASSETS.parent
# Tools whose version can change an output's bytes: (import name, distribution name).
_TOOLS = (
    ("pypandoc", "pypandoc_binary"),
    ("typst", "typst"),
    ("docx", "python_docx"),
    ("lxml", "lxml"),
    ("pydantic", "pydantic"),
)


# The command line and the editor tools (preview, browser editor, diff, review) sit above the
# build; the import-linter contract keeps any output from depending on them. Leaving them out
# means a change to the editor's front end does not rebuild every output.
_NOT_IN_OUTPUTS = frozenset({"cli.py", "cli_docs.py", "tools"})


@functools.cache
def toolchain_digest() -> str:
    """Digest of mdguide's own code and assets and the versions of the tools it drives.

    Part of every fingerprint, so changing a builder, a stylesheet or a
    pinned tool rebuilds what it affects without anyone remembering to bump
    a version number.
    """
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in _NOT_IN_OUTPUTS:
            continue  # the layers above the build: no output depends on them
        if path.is_file() and path.suffix != ".pyc" and "__pycache__" not in path.parts:
            digest.update(path.relative_to(PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
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
