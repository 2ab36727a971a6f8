"""Writing a file so that a reader sees the old bytes or the new, never half of either.

The one atomic write: a private temporary file beside the target (same file
system, so the rename is atomic), flushed to disk, then renamed over it. A
failure removes the temporary file and leaves the target as it was. The
target keeps its permissions (a new file gets rw-r--r--), not the private
mode a temporary file is created with.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

NEW_FILE_MODE = 0o644


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step."""
    path = Path(path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = NEW_FILE_MODE
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
            os.fchmod(file.fileno(), mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` as UTF-8, newlines as given."""
    atomic_write_bytes(path, text.encode("utf-8"))
