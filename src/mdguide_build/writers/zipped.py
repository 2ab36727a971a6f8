"""The one reproducible zip writer, for EPUB and DOCX alike.

Nothing of the machine gets into the bytes: every entry has the same date
(clamped to 1980-01-01, the earliest a zip can hold), Unix regular-file
permissions and the same compression level, and entries keep the order given.
So equal entries give equal bytes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Collection
from datetime import UTC, datetime

from mdguide_build.errors import MdguideError

ZIP_EPOCH = datetime(1980, 1, 1, tzinfo=UTC)  # MS-DOS time starts here
ZIP_LAST = datetime(2107, 12, 31, 23, 59, 58, tzinfo=UTC)  # ... and ends here


class ZipDateError(MdguideError):
    """A date a zip entry cannot carry."""


def zip_date_time(when: datetime) -> tuple[int, int, int, int, int, int]:
    """``when`` as a zip entry's date: before 1980 becomes 1980-01-01; after 2107 is refused."""
    when = when.astimezone(UTC)
    if when > ZIP_LAST:
        raise ZipDateError(
            f"{when:%Y-%m-%d} is after {ZIP_LAST:%Y-%m-%d}, the last date a zip file (EPUB, DOCX) can carry "
            "(hint: check SOURCE_DATE_EPOCH and the edition's date)"
        )
    return max(when, ZIP_EPOCH).timetuple()[:6]


def zip_bytes(
    entries: list[tuple[str, bytes]], when: datetime = ZIP_EPOCH, *, stored: Collection[str] = ()
) -> bytes:
    """A zip of ``entries`` in the given order, every entry dated ``when``.

    Entries named in ``stored`` are not compressed (an EPUB's ``mimetype``
    must be stored); the rest are deflated at level 9.
    """
    date_time = zip_date_time(when)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time)
            info.create_system = 3  # Unix, whatever the host, so the permissions mean the same everywhere
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            if name in stored:
                info.compress_type = zipfile.ZIP_STORED
                archive.writestr(info, data)
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data, compresslevel=9)
    return out.getvalue()


def unzip_entries(data: bytes, *, first: str | None = None) -> list[tuple[str, bytes]]:
    """Every entry of the zip ``data`` as (name, bytes), in its order (``first`` moved to the front)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        if first is not None:
            names.sort(key=lambda name: name != first)
        return [(name, archive.read(name)) for name in names]
