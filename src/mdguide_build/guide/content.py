"""The whole guide, validated and typed: what every later layer works from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mdguide_build.guide.models import (
    BackMatterFile,
    FiguresFile,
    ForewordFile,
    GuideFile,
    PersonSpecificationFile,
    ResourcesFile,
    RolesFile,
    SectionFile,
)

if TYPE_CHECKING:  # the files as read, kept for diagnostics' positions
    from mdguide_build.validate.loader import SourceFile


@dataclass
class Content:
    """The whole guide, validated and typed."""

    root: Path
    guide: GuideFile
    foreword: ForewordFile
    sections: list[SectionFile]
    person_specification: PersonSpecificationFile
    figures: FiguresFile
    resources: ResourcesFile
    back_matter: BackMatterFile
    roles: RolesFile
    files: list[SourceFile] = field(default_factory=list)

    def file(self, relpath: str) -> SourceFile:
        return next(f for f in self.files if f.relpath == relpath)
