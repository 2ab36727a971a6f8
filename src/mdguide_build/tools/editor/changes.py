"""The Changes panel and the New edition form: what changed since the last edition, from ``mdguide diff``.

The last edition is, in this order: its folder beside content/ (``editions/1.0``,
where the project keeps each published edition); the git tag ``v<version>``
(``v1.0``), as docs/editing.md asks publishers to tag editions; the last commit
(``HEAD``).  Both versions are read and compared by the same library as
``mdguide diff``, and the draft note is its ``suggested_note``.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from mdguide_build.errors import ContentError
from mdguide_build.tools.content_diff import diff_content, suggested_note
from mdguide_build.tools.editor.store import EditRefused
from mdguide_build.tools.revisions import RevisionError, content_version
from mdguide_build.validate.loader import load_content


def since_last_edition(content_dir: Path, display: str) -> dict:
    """The changes since the last edition, their summary, and a draft version, date and note for the next."""
    try:
        current, _ = load_content(content_dir, display)
    except ContentError as error:
        raise EditRefused(409, f"the content has errors now ({error}); fix them to see the changes") from None
    version = current.guide.edition.version
    folder = content_dir.parent / "editions" / version
    tag = f"v{version}"
    problem = ""
    for spec in ([str(folder)] if folder.is_dir() else []) + [tag, "HEAD"]:
        try:
            with content_version(spec, content_dir) as (old_root, old_label):
                before, _ = load_content(old_root, old_label)
                result = diff_content(before, current, old_label, f"{display}/ as it is now")
            break
        except RevisionError as error:
            problem = str(error)
        except ContentError as error:
            raise EditRefused(409, f"{spec} cannot be read under today's content models ({error})") from None
    else:
        raise EditRefused(
            409,
            f"no earlier version to compare with: {problem}",
            f"keep {display}/ in git, and tag each published edition (e.g. {tag})",
        )
    return {
        "base": old_label,
        "summary": result.summary(),
        "changes": [change.to_dict() for change in result.changes],
        "draft": {
            "version": next_version(version),
            "date": datetime.date.today().strftime("%Y-%m"),
            "note": suggested_note(result),
        },
    }


def next_version(version: str) -> str:
    """'1.0' -> '1.1'; '2' -> '2.1'."""
    parts = version.split(".")
    if len(parts) == 1:
        return f"{version}.1"
    return ".".join([*parts[:-1], str(int(parts[-1]) + 1)])
