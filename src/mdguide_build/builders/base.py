"""The builder protocol: each output format is one small module on this base.

A builder turns validated content into one or more *outputs*.  Each output
knows its file name, a fingerprint of everything it is made from (for
incremental rebuilds) and how to write itself into a staging folder; the
build orchestrator (``mdguide_build.build``) does the rest: staging, running
outputs in parallel, moving finished files into place.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from mdguide_build import ASSETS  # noqa: F401  (builders take it from here)
from mdguide_build.cache import toolchain_digest

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
