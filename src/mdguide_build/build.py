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
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from mdguide_build.builders import registry
from mdguide_build.builders.base import BuildOptions, Output, toolchain_digest
from mdguide_build.errors import MdguideError

if TYPE_CHECKING:
    from mdguide_build.guide.content import Content

MANIFEST = ".mdguide-manifest.json"
LOCK = ".mdguide.lock"
MAX_REQUESTS = 20  # remembered build requests, for the no-op fast path
MEMORY_BUDGET = 900 * 2**20  # for pandoc processes at once; the whole build stays under 1 GiB
PANDOC_BYTES_PER_CONTENT_BYTE = 150


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


def _read_manifest(out_dir: Path) -> dict:
    """The manifest: ``outputs`` (relpath -> fingerprint, sha256) and ``requests``
    (request key -> the relpaths that request produced)."""
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"outputs": {}, "requests": {}}  # no manifest, or a damaged one: rebuild everything
    if not isinstance(data, dict) or not isinstance(data.get("outputs"), dict):
        return {"outputs": {}, "requests": {}}
    if not isinstance(data.get("requests"), dict):
        data["requests"] = {}
    return data


def _file_matches(out_dir: Path, relpath: str, entry: dict | None) -> bool:
    path = out_dir / relpath
    # Someone may have edited or truncated the file by hand: compare its digest too.
    return bool(entry) and path.is_file() and entry.get("sha256") == sha256_file(path)


def _up_to_date(output: Output, out_dir: Path, manifest: dict) -> bool:
    entry = manifest["outputs"].get(output.relpath)
    return (
        bool(entry)
        and entry.get("fingerprint") == output.fingerprint
        and _file_matches(out_dir, output.relpath, entry)
    )


def content_digest(content_dir: Path) -> tuple[str, int]:
    """Digest of every content file's path and bytes, and their total size.

    Read as the loader reads them: never through a link, never from a FIFO or
    a device (that would hang or fill memory), never more than its size limit.
    """
    from mdguide_build.validate.sources import Unreadable, read_regular

    digest, size = hashlib.sha256(), 0
    for path in sorted(content_dir.rglob("*.json")):
        try:
            data = read_regular(path)
        except Unreadable as refused:  # the loader reports it; what stands there is all there is to hash
            data = f"<{refused.kind} {refused.detail}>".encode()
        size += len(data)
        digest.update(path.relative_to(content_dir).as_posix().encode() + b"\0")
        digest.update(data + b"\0")
    return digest.hexdigest(), size


def request_key(content_digest_hex: str, formats: list[str], options: BuildOptions) -> str:
    """What a build request depends on: the content, mdguide's code and tools, formats, options."""
    parts = [content_digest_hex, toolchain_digest(), ",".join(formats), options.fingerprint()]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def workers_for(content_bytes: int, jobs: int | None) -> int:
    """How many outputs may be made at once without exceeding the memory budget.

    Most of a worker's time is spent waiting for pandoc, so by default there
    are more workers than cores; but pandoc's memory grows with the document
    (measured: ~150 bytes per byte of content JSON, ~710 MiB for a 4.75 MB
    guide), so large guides are made one output at a time.
    """
    wanted = jobs or (os.cpu_count() or 2) + 2
    per_output = max(1, content_bytes * PANDOC_BYTES_PER_CONTENT_BYTE)
    return max(1, min(wanted, MEMORY_BUDGET // per_output))


def _unchanged_request(out_dir: Path, key: str) -> list[str] | None:
    """The outputs of an identical earlier request, if all are still in place; else None.

    This lets a no-op build finish without loading, validating or planning
    anything: the request key covers everything the outputs depend on.
    """
    manifest = _read_manifest(out_dir)
    relpaths = manifest["requests"].get(key)
    if relpaths is None:
        return None
    if all(_file_matches(out_dir, r, manifest["outputs"].get(r)) for r in relpaths):
        return relpaths
    return None


@contextmanager
def _locked(out_dir: Path) -> Iterator[None]:
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / LOCK, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def plan(content: Content, formats: list[str], options: BuildOptions) -> Iterator[Output]:
    """Every output of ``formats``, builder by builder (so work can start on the first)."""
    for name in formats:
        yield from registry.get(name)(options).outputs(content)


def _already_written(_path: Path) -> None:
    raise AssertionError("this output was already written")


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
    registry.check(formats)  # unknown names fail before any work
    digest_hex, content_bytes = content_digest(content_dir) if content_dir.is_dir() else ("", 0)
    key = request_key(digest_hex, formats, options) if digest_hex else ""
    if key and not force:
        unchanged = _unchanged_request(out_dir, key)
        if unchanged is not None:
            for relpath in unchanged:
                progress(Event("skip", relpath))
            return BuildReport([], unchanged, out_dir, time.perf_counter() - started)

    # Imported only when there is work to do: a no-op build must stay fast.
    import shutil
    import tempfile
    from concurrent.futures import ThreadPoolExecutor

    from mdguide_build.validate.loader import load_content

    content, _warnings = load_content(content_dir, content_dir.as_posix())
    manifest = {"outputs": {}, "requests": {}} if force else _read_manifest(out_dir)
    planned: list[Output] = []
    todo: list[Output] = []
    staging: Path | None = None
    try:
        workers = workers_for(content_bytes, jobs)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = []
            for output in plan(content, formats, options):
                if _up_to_date(output, out_dir, manifest):
                    planned.append(output)
                    progress(Event("skip", output.relpath))
                    continue
                if staging is None:
                    out_dir.parent.mkdir(parents=True, exist_ok=True)
                    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
                if workers > 1:
                    # Start at once: pandoc makes this output while Python plans the next.
                    futures.append(pool.submit(_run_one, output, staging, progress))
                else:
                    # A large guide: one output at a time, made before the next is
                    # planned, and its document let go, so memory holds one at most.
                    try:
                        _run_one(output, staging, progress)
                    except MdguideError as error:
                        raise BuildError(f"{error} — previous outputs were left unchanged") from None
                    output = replace(output, write=_already_written)
                planned.append(output)
                todo.append(output)
            errors = []
            for future in futures:
                try:
                    future.result()
                except MdguideError as error:
                    errors.append(error)
            if errors:
                raise BuildError(
                    "; ".join(str(e) for e in errors) + " — previous outputs were left unchanged"
                )
        with _locked(out_dir):
            manifest = _read_manifest(out_dir)
            for output in todo:
                source = staging / output.relpath
                digest = sha256_file(source)
                target = out_dir / output.relpath
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, target)
                manifest["outputs"][output.relpath] = {"fingerprint": output.fingerprint, "sha256": digest}
            requests = manifest["requests"]
            requests.pop(key, None)
            requests[key] = [o.relpath for o in planned]
            while len(requests) > MAX_REQUESTS:  # oldest first: dicts keep insertion order
                requests.pop(next(iter(requests)))
            _write_manifest(out_dir, manifest)
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    skipped = [o.relpath for o in planned if o not in todo]
    return BuildReport([o.relpath for o in todo], skipped, out_dir, time.perf_counter() - started)


def _write_manifest(out_dir: Path, manifest: dict) -> None:
    import tempfile

    text = (
        json.dumps(
            {"outputs": dict(sorted(manifest["outputs"].items())), "requests": manifest["requests"]}, indent=2
        )
        + "\n"
    )
    handle, temp = tempfile.mkstemp(prefix=".manifest-", dir=out_dir)
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(temp, out_dir / MANIFEST)
