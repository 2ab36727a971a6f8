"""Build outputs safely: stage, run in parallel, then move into place.

The promises this module keeps:

* nothing is lost — outputs are written into a staging folder beside the
  output folder and moved into place (``os.replace``, atomic per file) only
  after every requested output succeeded; a failed build removes its staging
  folder and leaves the previous outputs byte-for-byte as they were;
* two builds at once do not corrupt each other — each stages privately, and
  moving into place happens under an exclusive lock on the output folder;
* rebuilds are incremental — ``.mdguide-manifest.json`` in the output folder
  records each output's fingerprint and digest; an output whose fingerprint
  and file are unchanged is not rebuilt.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .builders import registry
from .builders.base import BuildOptions, Output
from .errors import MdguideError
from .loader import Content, load_content

MANIFEST = ".mdguide-manifest.json"
LOCK = ".mdguide.lock"


class BuildError(MdguideError):
    """A build failed; the previous outputs are untouched."""


@dataclass(frozen=True)
class Event:
    """Progress: kind is 'start', 'done' or 'skip' for one output."""

    kind: str
    output: str
    seconds: float = 0.0
    size: int = 0


@dataclass(frozen=True)
class BuildReport:
    built: list[str]
    skipped: list[str]
    out_dir: Path
    seconds: float

    def paths(self) -> list[Path]:
        return [self.out_dir / p for p in self.built + self.skipped]


def parse_source_date_epoch(raw: str | None) -> int | None:
    """Validate SOURCE_DATE_EPOCH: pandoc ignores a malformed one silently; we refuse it."""
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise BuildError(
            f"SOURCE_DATE_EPOCH={raw!r} is not a number of seconds since 1970 "
            "(hint: unset it, or set it to a whole number such as 1496275200)"
        )
    return int(raw)


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_manifest(out_dir: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        return data["outputs"] if isinstance(data.get("outputs"), dict) else {}
    except (OSError, ValueError, KeyError, AttributeError):
        return {}  # no manifest, or a damaged one: rebuild everything


def _up_to_date(output: Output, out_dir: Path, manifest: dict[str, dict[str, str]]) -> bool:
    entry = manifest.get(output.relpath)
    path = out_dir / output.relpath
    if not entry or entry.get("fingerprint") != output.fingerprint or not path.is_file():
        return False
    # Someone may have edited or truncated the file by hand: compare its digest too.
    return entry.get("sha256") == sha256_file(path)


@contextmanager
def _locked(out_dir: Path) -> Iterator[None]:
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / LOCK, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def plan(content: Content, formats: list[str], options: BuildOptions) -> list[Output]:
    outputs: list[Output] = []
    for name in formats:
        outputs.extend(registry.get(name)(options).outputs(content))
    return outputs


def _run_one(output: Output, staging: Path, progress: Callable[[Event], None]) -> tuple[str, float]:
    target = staging / output.relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    progress(Event("start", output.relpath))
    started = time.perf_counter()
    output.write(target)
    if not target.is_file():
        raise BuildError(f"{output.relpath}: the builder produced no file")
    seconds = time.perf_counter() - started
    progress(Event("done", output.relpath, seconds, target.stat().st_size))
    return output.relpath, seconds


def build(
    content_dir: Path,
    out_dir: Path,
    formats: list[str] | None = None,
    options: BuildOptions | None = None,
    *,
    progress: Callable[[Event], None] = lambda event: None,
    force: bool = False,
    jobs: int | None = None,
) -> BuildReport:
    """Validate ``content_dir`` and build ``formats`` (default: all) into ``out_dir``."""
    started = time.perf_counter()
    options = options or BuildOptions()
    formats = list(dict.fromkeys(formats or registry.names()))
    for name in formats:
        registry.get(name)  # unknown names fail before any work
    content, _warnings = load_content(content_dir, content_dir.as_posix())
    outputs = plan(content, formats, options)
    manifest = {} if force else _read_manifest(out_dir)
    todo = [o for o in outputs if not _up_to_date(o, out_dir, manifest)]
    skipped = [o.relpath for o in outputs if o not in todo]
    for relpath in skipped:
        progress(Event("skip", relpath))
    if not todo:
        return BuildReport([], skipped, out_dir, time.perf_counter() - started)

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    try:
        workers = jobs or min(len(todo), os.cpu_count() or 2)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_run_one, o, staging, progress) for o in todo]
            errors = []
            for future in futures:
                try:
                    future.result()
                except MdguideError as error:
                    errors.append(error)
            if errors:
                raise BuildError("; ".join(str(e) for e in errors) + " — previous outputs were left unchanged")
        with _locked(out_dir):
            manifest = _read_manifest(out_dir)
            for output in todo:
                source = staging / output.relpath
                digest = sha256_file(source)
                target = out_dir / output.relpath
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, target)
                manifest[output.relpath] = {"fingerprint": output.fingerprint, "sha256": digest}
            _write_manifest(out_dir, manifest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildReport([o.relpath for o in todo], skipped, out_dir, time.perf_counter() - started)


def _write_manifest(out_dir: Path, manifest: dict[str, dict[str, str]]) -> None:
    text = json.dumps({"outputs": dict(sorted(manifest.items()))}, indent=2) + "\n"
    handle, temp = tempfile.mkstemp(prefix=".manifest-", dir=out_dir)
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(temp, out_dir / MANIFEST)
