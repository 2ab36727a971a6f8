"""The guide's web page, made again and again from a content folder as an editor saves: the live preview.

``mdguide serve`` waits on this after every save, so it does only what a
save can change, and the page is still the very bytes ``mdguide build
--format html`` writes for the same content (tests/test_preview.py checks):

* **Only changed files are parsed and checked.** Every file's bytes are read
  again, but a file with the bytes it had last time keeps its parsed model
  (``validate.loader.FileMemo``); the checks across files run on the whole
  (they take milliseconds, and one file's change can break another's
  reference). Problems are reported as ``mdguide validate`` reports them,
  with the folder named as the editor knows it.
* **No build machinery.** A preview is never published: there is no
  manifest, staging, lock or content digest to compute. The page is the HTML
  builder's one output, written by pandoc into a private folder and read back.
* **pandoc runs afresh each time.** ``pandoc server`` would keep one process,
  but it listens on every network interface (it has no option to bind
  loopback only), and pandoc's start-up is ~10 ms of the ~130 ms a
  conversion of the guide takes.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path

from mdguide_build.builders.base import BuildOptions
from mdguide_build.builders.html import HtmlBuilder
from mdguide_build.validate.loader import FileMemo, load_content

__all__ = ["PagePreview"]


class PagePreview:
    """Makes the guide's HTML page from ``content_dir``; ``page()`` again after each save.

    ``page()`` raises the loader's ContentError (with every diagnostic) when
    the content is invalid, and MdguideError when pandoc fails. The page is
    written in ``folder`` (the caller's, kept) or in a private temporary
    folder that ``close()`` (or leaving a ``with``) removes.
    """

    def __init__(self, content_dir: Path, content_display: str | None = None, folder: Path | None = None):
        self.content_dir = content_dir
        self.content_display = content_display or content_dir.as_posix()
        self._memo = FileMemo()
        self._builder = HtmlBuilder(BuildOptions())
        self._lock = threading.Lock()  # one page at a time: the memo and the folder are shared
        self._own_folder = folder is None
        self._folder = Path(tempfile.mkdtemp(prefix="mdguide-page-")) if folder is None else folder

    def __enter__(self) -> PagePreview:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._own_folder:
            shutil.rmtree(self._folder, ignore_errors=True)

    def page(self) -> bytes:
        """The page for the content as it is now on disk."""
        with self._lock:
            content, _warnings = load_content(self.content_dir, self.content_display, memo=self._memo)
            (output,) = self._builder.outputs(content)
            target = self._folder / "page.html"
            target.unlink(missing_ok=True)
            output.write(target)
            return target.read_bytes()
