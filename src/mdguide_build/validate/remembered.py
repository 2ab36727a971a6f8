"""Content that passed validation, remembered so that a build of the same content does not check it again.

``make`` runs ``mdguide validate`` and then ``mdguide build``: the build used
to check the content all over again, though not a byte had changed.  Checking
costs ~0.1 s of a ~0.6 s build, nearly all of it pydantic building its
validators and the checks' modules being imported; the check itself takes
milliseconds.  So when ``validate`` or a build finds the content valid, the
typed content (``guide.content.Content``) is kept in mdguide's cache
(``mdguide_build.cache``) under the same key as ``validate``'s answer
(``validate.verdict``): the snapshot's digest of everything validation can
see, the name the messages give the folder, and mdguide's own code and tools.
Any change to any of them is a new key, so what is remembered is always what
checking afresh gives (tests/test_remembered.py checks).

The entry is a pickle, read with an unpickler that makes nothing but the
content's own types (``_ALLOWED``): no entry can run code, and a damaged one,
or one that is not content, is ignored like a missing one, so the content is
then checked afresh.  The cache is trusted as the user's own files are, as it
already was for the Word reference documents: whoever can write into it can
change what a build publishes (its SHA-256 catches damage, not intent).  So it
is never shared or restored from elsewhere (README: "delete the folder at any
time"; ``MDGUIDE_CACHE_DIR=`` set empty uses none).
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path, PosixPath

from mdguide_build import cache
from mdguide_build.guide import models
from mdguide_build.guide.content import Content
from mdguide_build.validate import jsonpos
from mdguide_build.validate.snapshot import Snapshot
from mdguide_build.validate.sources import SourceFile

__all__ = ["remember", "remembered"]

KIND = "content"

# Every type a valid Content is made of; the models are added below.
_ALLOWED = {
    ("mdguide_build.guide.content", "Content"): Content,
    ("mdguide_build.validate.sources", "SourceFile"): SourceFile,
    ("mdguide_build.validate.jsonpos", "Parsed"): jsonpos.Parsed,
    ("mdguide_build.validate.jsonpos", "Problem"): jsonpos.Problem,
    ("pathlib", "PosixPath"): PosixPath,
}
_ALLOWED.update(
    {
        ("mdguide_build.guide.models", name): value
        for name, value in vars(models).items()
        if isinstance(value, type) and issubclass(value, models.Model)
    }
)


def remembered(root: Path, root_display: str, picture: Snapshot) -> Content | None:
    """The content ``picture`` shows, as checking it found it valid, if that is remembered."""
    if picture.unreadable:
        return None  # checked afresh every time, as validate does
    data = cache.load(KIND, _name(root_display, picture))
    if data is None:
        return None
    try:
        content = _Unpickler(io.BytesIO(data)).load()
    except Exception:  # a damaged or planted entry: check the content afresh
        return None
    if not isinstance(content, Content):
        return None
    content.root = root
    return content


def remember(content: Content, root_display: str, picture: Snapshot) -> None:
    """Keep ``content``, found valid, for the next build of the content ``picture`` shows."""
    if picture.unreadable:
        return
    root, content.root = content.root, Path(".")  # where it was read from is no part of it
    try:
        data = pickle.dumps(content, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        content.root = root
    cache.store(KIND, _name(root_display, picture), data)


def _name(root_display: str, picture: Snapshot) -> str:
    return cache.key(root_display, picture.digest)


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> type:
        allowed = _ALLOWED.get((module, name))
        if allowed is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of the content")
        return allowed
