"""What ``mdguide validate`` says about a content folder, remembered for content it has already checked.

Checking the guide takes ~0.2 s, nearly all of it Python starting and
importing pydantic and building the models; the checks themselves take
milliseconds. Content is checked again and again unchanged (``make`` runs
``validate`` before every build, editors run it after every save, hooks
before every commit), so the answer is kept in mdguide's cache
(``mdguide_build.cache``) under a digest of:

* everything validation can see in the folder (``validate.snapshot``: every
  entry's path and kind, every file's bytes, every link's target),
* the name the messages give the folder (``content/...``),
* mdguide's own code and tools (``cache.toolchain_digest``).

Any change to any of them is a new key, so a remembered answer is always the
answer checking afresh gives, message for message (tests/test_verdict.py
checks). A folder with entries that cannot be read is always checked afresh.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from mdguide_build import cache
from mdguide_build.validate import snapshot
from mdguide_build.validate.diagnostics import Diagnostic, Severity

__all__ = ["Verdict", "verdict"]

KIND = "validate"


@dataclass(frozen=True)
class Verdict:
    diagnostics: list[Diagnostic]  # every problem, in the order validate prints them
    inventory: str | None  # what the guide holds ("5 sections, ..."); None when the content is invalid

    @property
    def valid(self) -> bool:
        return self.inventory is not None


def verdict(root: Path, root_display: str) -> Verdict:
    """Check ``root`` as ``read_content`` does, or give the answer it gave for the very same content."""
    if not root.is_dir():
        return _checked(root, root_display)  # E100, at once
    picture = snapshot.take(root)
    if picture.unreadable:
        return _checked(root, root_display)
    name = cache.key(root_display, picture.digest)
    stored = cache.load(KIND, name)
    if stored is not None:
        return _decoded(stored)
    import tempfile

    # Checked from the snapshot's own copy, as a build does: read from ``root``, a file saved
    # between the snapshot and the reading would be checked, and remembered for the build
    # (``validate.remembered``), under the digest of bytes that were never checked.
    try:
        with tempfile.TemporaryDirectory(prefix="mdguide-validate-") as folder:
            found = _checked(picture.write(Path(folder) / "content"), root_display, picture)
    except OSError:  # no room for the copy: check the folder itself, and remember nothing
        return _checked(root, root_display)
    cache.store(KIND, name, _encoded(found))
    return found


def _checked(root: Path, root_display: str, picture: snapshot.Snapshot | None = None) -> Verdict:
    from mdguide_build.guide.inventory import take_inventory
    from mdguide_build.validate.loader import read_content

    content, diagnostics = read_content(root, root_display)
    if content is None:
        return Verdict(diagnostics, None)
    if picture is not None:  # for the build that usually follows (``validate.remembered``)
        from mdguide_build.validate.remembered import remember

        remember(content, root_display, picture)
    return Verdict(diagnostics, take_inventory(content).line())


def _encoded(found: Verdict) -> bytes:
    return json.dumps(
        {"diagnostics": [d.to_dict() for d in found.diagnostics], "inventory": found.inventory},
        ensure_ascii=False,
    ).encode("utf-8")


def _decoded(data: bytes) -> Verdict:
    stored = json.loads(data)
    diagnostics = [
        Diagnostic(
            d["file"],
            d["line"],
            d["column"],
            d["code"],
            d["pointer"],
            d["message"],
            d["hint"],
            Severity(d["severity"]),
            d["where"],
        )
        for d in stored["diagnostics"]
    ]
    return Verdict(diagnostics, stored["inventory"])
