"""The one module that runs pandoc, always sandboxed and reproducible.

pypandoc is used to *find* pandoc (the binary bundled in pypandoc-binary),
but the conversion runs the binary directly with ``subprocess``. Measured on
a small document to html5 (pandoc 3.9, 2 cores), ``pypandoc.convert_text``
with ``verify_format=False`` and a direct ``subprocess.run`` both take 8-10 ms
per call (minimum ~7.3 ms each; the spread is noise, it is all pandoc
start-up), while ``verify_format=True`` adds ~20 ms for two extra pandoc runs.
So speed does not decide it. What does:

* pypandoc hands pandoc a copy of ``os.environ``; we need a fixed one
  (``TZ``, ``LC_ALL``, no ``HOME``, ``SOURCE_DATE_EPOCH`` only on request)
  without mutating the process environment;
* it decodes stdout as text (``errors="replace"``), corrupting DOCX/EPUB bytes;
* it has no timeout and raises a bare ``RuntimeError``.

Why the environment has no ``HOME``: pandoc reads default templates from the
user data directory (``~/.local/share/pandoc``) even under ``--sandbox``, so a
developer's personal template would silently change our output.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pypandoc

from mdguide_build.errors import MdguideError
from mdguide_build.pandoc.ast import Document

__all__ = ["ALLOWED_OPTIONS", "PandocError", "convert", "default_data_file", "pandoc_path", "pandoc_version"]

DEFAULT_TIMEOUT = 300.0

# pandoc's option parser accepts any unambiguous prefix and a value on boolean
# flags, so "--sandb=false" switches the sandbox off and "--fail-if=false"
# the warning check. Hence an allow-list of exact long names, each given as
# "--name" or "--name=value" (never a separate value token, which would make
# the check ambiguous), rather than a deny-list. Not here on purpose: filters
# (they run outside the sandbox), --defaults, --quiet (hides warnings), and the
# input/output/format options that convert() sets itself.
ALLOWED_OPTIONS = frozenset(
    {
        "standalone", "template", "variable", "metadata", "metadata-file",
        "data-dir", "css", "reference-doc", "toc", "table-of-contents",
        "toc-depth", "number-sections", "number-offset", "section-divs",
        "split-level", "shift-heading-level-by", "top-level-division",
        "id-prefix", "title-prefix", "wrap", "columns", "eol", "dpi", "ascii",
        "html-q-tags", "email-obfuscation", "embed-resources",
        "epub-cover-image", "epub-metadata", "epub-embed-font",
        "epub-title-page", "epub-subdirectory", "syntax-highlighting",
        "no-highlight", "highlight-style", "track-changes",
    }
)  # fmt: skip
_OPTION = re.compile(r"--([a-z][a-z0-9-]*)(?:=.*)?", re.DOTALL)
_FORMAT = re.compile(r"[a-z][a-z0-9_]*(?:[+-][a-z0-9_]+)*")


class PandocError(MdguideError):
    """pandoc refused or failed a conversion; the message carries its stderr."""

    def __init__(self, message: str, *, to: str, stderr: str = "") -> None:
        super().__init__(message)
        self.to = to
        self.stderr = stderr


@functools.cache
def pandoc_path() -> str:
    """The pandoc binary pypandoc would use (probed once per process)."""
    try:
        return str(pypandoc.get_pandoc_path())
    except OSError as exc:
        raise PandocError(f"pandoc not found: {exc}", to="") from exc


def pandoc_version() -> str:
    """pandoc's version, e.g. ``"3.9"`` (cached by pypandoc)."""
    try:
        return str(pypandoc.get_pandoc_version())
    except OSError as exc:
        raise PandocError(f"pandoc not found: {exc}", to="") from exc


def convert(
    document: Document | str,
    to: str,
    *,
    output_file: Path | None = None,
    extra_args: Sequence[str] = (),
    timeout: float | None = DEFAULT_TIMEOUT,
    source_date_epoch: int | None = None,
) -> bytes | None:
    """Convert a document (or its JSON text) with ``pandoc --sandbox --fail-if-warnings``.

    Returns pandoc's output as bytes, or writes it to ``output_file`` and
    returns None. Callers write into the build's staging folder, which makes
    every output all-or-nothing, so no temporary name is needed here.

    Any pandoc warning (e.g. an image it may not fetch) is a failure.

    What the sandbox means for callers (pandoc 3.9):

    * EPUB/DOCX are dated 1970-01-01 and ``SOURCE_DATE_EPOCH`` is ignored;
      set ``identifier`` (EPUB) and ``date`` in meta;
    * ``--template``, ``--reference-doc``, ``--metadata-file`` are read (before
      the sandbox starts), but EPUB ``--css`` and ``--epub-cover-image`` are
      refused even as ``data:`` URIs (exit 99), and ``--embed-resources``
      cannot inline local files: add those to the output afterwards;
    * ``--variable`` values go into templates unescaped: never pass content there.
    """
    source = document.to_json_text() if isinstance(document, Document) else document
    if not isinstance(source, str):
        raise TypeError(f"convert() takes a Document or JSON text, got {type(document).__name__}")
    if not isinstance(to, str) or not _FORMAT.fullmatch(to):
        raise ValueError(f"not a pandoc output format: {to!r}")
    args = [
        pandoc_path(),
        "--sandbox",
        "--fail-if-warnings",
        "--from=json",
        f"--to={to}",
    ]
    args += _checked_extra_args(extra_args)
    env = _environment(source_date_epoch)

    if output_file is None:
        return _run(args, source, env, to, timeout)
    _run([*args, f"--output={Path(output_file)}"], source, env, to, timeout)
    return None


def default_data_file(name: str) -> bytes:
    """One of pandoc's own default data files, e.g. ``reference.docx``."""
    return _run([pandoc_path(), "--print-default-data-file", name], "", _environment(None), name, 60)


def _checked_extra_args(extra_args: Sequence[str]) -> list[str]:
    if isinstance(extra_args, str):
        raise TypeError(f"extra_args must be a sequence of options, not one str: {extra_args!r}")
    checked = []
    for arg in extra_args:
        if not isinstance(arg, str):
            raise TypeError(f"extra_args must contain str, got {type(arg).__name__} {arg!r}")
        match = _OPTION.fullmatch(arg)
        if not match or match.group(1) not in ALLOWED_OPTIONS:
            raise ValueError(
                f"pandoc option refused: {arg!r}; give an allowed long option in full as "
                "--name or --name=value (see mdguide_build.pandoc.ALLOWED_OPTIONS)"
            )
        checked.append(arg)
    return checked


def _environment(source_date_epoch: int | None) -> dict[str, str]:
    # Built from scratch, not from os.environ: the output must not depend on
    # who runs the build (see the module docstring about HOME).
    env = {"PATH": os.defpath, "TZ": "UTC", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    if source_date_epoch is not None:
        # pandoc silently ignores a malformed value, so check it here.
        if not isinstance(source_date_epoch, int) or isinstance(source_date_epoch, bool):
            raise TypeError(f"source_date_epoch must be an int, got {source_date_epoch!r}")
        if source_date_epoch < 0:
            raise ValueError(f"source_date_epoch must not be negative, got {source_date_epoch}")
        env["SOURCE_DATE_EPOCH"] = str(source_date_epoch)
    return env


def _run(args: list[str], source: str, env: dict[str, str], to: str, timeout: float | None) -> bytes:
    try:
        done = subprocess.run(
            args,
            input=source.encode("utf-8"),
            capture_output=True,
            env=env,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise PandocError(f"pandoc timed out after {timeout} s converting to {to}", to=to) from exc
    except OSError as exc:
        raise PandocError(f"could not run pandoc ({args[0]}) to convert to {to}: {exc}", to=to) from exc
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", errors="replace").strip()
        raise PandocError(
            f"pandoc failed converting to {to} (exit {done.returncode}): {stderr}",
            to=to,
            stderr=stderr,
        )
    return done.stdout
