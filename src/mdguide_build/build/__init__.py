"""Build the outputs so that they can be trusted: never stale, never mixed, and every fault a message.

The promises, and how each is kept:

* **The outputs are what a clean build of the current content makes.**  A
  build first takes a snapshot of the content folder (``validate.snapshot``):
  every entry's path and kind, every file's bytes, every link's target.  Its
  digest, with mdguide's own code and tools, is the *source* of the outputs.
  The build validates and builds from a private copy of that snapshot, so
  what is recorded is exactly what was built, even if an editor saves in the
  middle.  "Up to date" means: the record beside the outputs names this
  source, format and options, and every file still holds the bytes recorded
  for it (its SHA-256 is checked on every build).  Nothing is remembered
  about past requests, so an undo (``git restore``) or a race with another
  build cannot make an old record look current.
* **Validation is never skipped.**  A record is only written after the
  content validated, and the snapshot's digest covers everything validation
  looks at (a listed file that became a link, a folder or a FIFO changes it).
  So a no-op build does not load the content, and yet ``build`` fails,
  with ``validate``'s own messages, whenever ``validate`` would.  Content
  that ``validate`` or a build found valid is taken as they found it
  (``validate.remembered``), under the same digest, never for other bytes.
* **A set is replaced whole or not at all, also when the build is killed.**
  Every file is staged in ``.mdguide-staging-*`` inside the output folder,
  then swapped in under the folder's lock with a journal (``folder``): a
  failed move puts the old set back at once, and a build killed part-way is
  undone by the next build, which also removes the staging folders of killed
  builds.  Staging needs only the output folder to be writable, never its
  parent.  Links inside the output folder (``handouts -> elsewhere``) are
  moved aside, never written through.
* **Outputs of other requests stay while they are current.**  The folder
  holds the groups of earlier builds too (e.g. a 24 pt large print beside
  the 18 pt one).  Each build keeps those made from the same source, and
  removes those made from content that has changed since, those whose files
  were edited or deleted by hand, and those that share a file with the new
  group (e.g. handouts for fewer roles): a group is there whole or not at all.
* **Ctrl+C stops a build and leaves the folder as it was.**  While outputs
  are made on threads, a press is only noted, and the main thread raises it
  where it holds no lock (``_Interrupts``): raised anywhere, it could leave a
  lock half taken that a worker then waits on for ever, and the build would
  hang instead of stopping.

Why a journal rather than a link swapped to a fresh versioned folder: the
paths readers open (``outputs/the-medical-directors-role.html``) must stay
plain files in a plain folder, which people copy, attach, zip, rsync and
serve; a link at ``outputs`` itself would need its parent to be writable,
and links per file cannot be swapped together.  The cost is that a reader
looking during the few milliseconds of the moves, or after a build killed
in them and before the next build, may see some files of each set; no build
ever reports such a mix as current, and the next one undoes it.  Files the
record does not name are never touched, so a folder shared with other files
is safe.  Power loss is not covered beyond what the file system gives.
"""

from __future__ import annotations

import hashlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mdguide_build.build import manifest
from mdguide_build.build.folder import MANIFEST, OutputFolder, Staging, is_plain
from mdguide_build.build.manifest import Group, Record
from mdguide_build.builders import registry
from mdguide_build.builders.base import BuildOptions, Output, toolchain_digest
from mdguide_build.errors import BuildError, MdguideError
from mdguide_build.validate import snapshot

if TYPE_CHECKING:
    from mdguide_build.guide.content import Content

__all__ = ["BuildError", "BuildReport", "Event", "build", "parse_source_date_epoch", "plan", "workers_for"]

MEMORY_BUDGET = 900 * 2**20  # for pandoc processes at once; the whole build stays under 1 GiB
PANDOC_BYTES_PER_CONTENT_BYTE = 150


@dataclass(frozen=True)
class Event:
    """Progress: kind is 'start', 'done' or 'skip' for a requested output, 'remove' for one no longer current."""

    kind: str
    output: str
    seconds: float = 0.0
    size: int = 0


@dataclass(frozen=True)
class BuildReport:
    built: list[str]
    skipped: list[str]  # already there with the right bytes ("up to date")
    out_dir: Path
    seconds: float
    removed: list[str] = field(default_factory=list)  # outputs of earlier builds that were no longer current

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


def workers_for(content_bytes: int, jobs: int | None) -> int:
    """How many outputs may be made at once without exceeding the memory budget.

    Most of a worker's time is spent waiting for pandoc, so by default there
    are more workers than cores; but pandoc's memory grows with the document
    (measured: ~150 bytes per byte of content JSON, ~710 MiB for a 4.75 MB
    guide), so large guides are made one output at a time, while the next is
    planned (see ``_make``).
    """
    wanted = jobs or (os.cpu_count() or 2) + 2
    per_output = max(1, content_bytes * PANDOC_BYTES_PER_CONTENT_BYTE)
    return max(1, min(wanted, MEMORY_BUDGET // per_output))


def plan(content: Content, formats: list[str], options: BuildOptions) -> Iterator[tuple[str, Output]]:
    """Every output of ``formats`` with its format, builder by builder (so work can start on the first)."""
    for name in formats:
        for output in registry.get(name)(options).outputs(content):
            yield name, output


def build(
    content_dir: Path,
    out_dir: Path,
    formats: list[str] | None = None,
    options: BuildOptions | None = None,
    *,
    progress: Callable[[Event], None] = lambda event: None,
    force: bool = False,
    jobs: int | None = None,
    content_display: str | None = None,
    out_display: str | None = None,
) -> BuildReport:
    """Validate ``content_dir`` and build ``formats`` (default: all) into ``out_dir``.

    ``content_display`` and ``out_display`` are how messages name the two
    folders (default: as given).  Raises ContentError with ``validate``'s
    diagnostics, or BuildError; either way ``out_dir`` is left as it was.
    """
    started = time.perf_counter()
    options = options or BuildOptions()
    formats = list(dict.fromkeys(formats or registry.names()))
    registry.check(formats)  # unknown names fail before any work
    display = content_display or content_dir.as_posix()
    folder = OutputFolder(out_dir, out_display)
    if not content_dir.is_dir():
        _load(content_dir, display)  # raises the loader's own E100, as `validate` does
    _refuse_nesting(content_dir, out_dir, display, folder.display)
    picture = snapshot.take(content_dir)
    source = manifest.source_key(picture.digest, toolchain_digest())
    wanted = {name: manifest.group_key(source, name, options.fingerprint()) for name in formats}

    folder.create()
    try:
        with folder.locked():
            folder.recover()
            groups = manifest.parse(folder.read(MANIFEST))
            if not force and _nothing_to_do(folder, groups, set(wanted.values()), source):
                by_key = {g.key: g for g in groups}
                current = [r.relpath for name in formats for r in by_key[wanted[name]].files]
                for relpath in current:
                    progress(Event("skip", relpath))
                return BuildReport([], current, out_dir, time.perf_counter() - started)
            staging = folder.new_staging()
        try:
            if picture.unreadable:  # the loader names what it cannot read in the original, as `validate` does
                _load(content_dir, display)
            try:
                copy = picture.write(staging.content)
            except OSError as error:
                raise folder.failure(error, f"write in the output folder {folder.display}") from None
            content = _checked(copy, display, picture)
            reuse = {} if force else {r.relpath: r for g in groups for r in g.files}
            made = _make(
                content, formats, options, staging, folder, reuse, progress, workers_for(picture.size, jobs)
            )
            ours = [Group(wanted[name], name, source, tuple(r for r, _ in made[name])) for name in formats]
            with folder.locked(), _interrupts_deferred():
                removed = _swap_in(folder, staging, ours, source)
        finally:
            staging.close()
    except BaseException:
        folder.unmake()
        raise
    for relpath in removed:
        progress(Event("remove", relpath))
    built = [r.relpath for name in formats for r, fresh in made[name] if fresh]
    skipped = [r.relpath for name in formats for r, fresh in made[name] if not fresh]
    return BuildReport(built, skipped, out_dir, time.perf_counter() - started, removed)


def _checked(root: Path, display: str, picture: snapshot.Snapshot) -> Content:
    """The content at ``root`` (``picture``'s copy), checked now or as ``validate`` or a build found it."""
    from mdguide_build.validate.remembered import remember, remembered

    content = remembered(root, display, picture)
    if content is None:
        content = _load(root, display)
        remember(content, display, picture)
    return content


def _load(root: Path, display: str) -> Content:
    from mdguide_build.validate.loader import load_content

    content, _warnings = load_content(root, display)
    return content


def _refuse_nesting(content_dir: Path, out_dir: Path, content_display: str, out_display: str) -> None:
    content_real, out_real = content_dir.resolve(), out_dir.resolve()
    if out_real == content_real or out_real.is_relative_to(content_real):
        raise BuildError(
            f"the output folder {out_display} is inside the content folder {content_display} "
            "(hint: choose an output folder outside it with --out)"
        )


def _verified(folder: OutputFolder, group: Group) -> bool:
    return all(record.matches(folder.read(record.relpath)) for record in group.files)


def _nothing_to_do(folder: OutputFolder, groups: list[Group], wanted: set[str], source: str) -> bool:
    """Whether the folder already holds every wanted group, and nothing that is not current."""
    return wanted <= {g.key for g in groups} and all(
        g.source == source and _verified(folder, g) for g in groups
    )


def _make(
    content: Content,
    formats: list[str],
    options: BuildOptions,
    staging: Staging,
    folder: OutputFolder,
    reuse: dict[str, Record],
    progress: Callable[[Event], None],
    workers: int,
) -> dict[str, list[tuple[Record, bool]]]:
    """Stage every output of ``formats``: reused (verified bytes of the same fingerprint) or made now.

    At most ``workers`` outputs are made at once, and the next is planned (its
    document made) while they are: a large guide, one output at a time, plans
    the next format's document while pandoc makes this one, so Python's work
    hides behind pandoc's and memory holds two documents at most.  A failure
    stops the planning.  Returns each format's records in the planned order,
    each with True if it was made now.
    """
    from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, ThreadPoolExecutor

    slots: list[tuple[str, Record | Future]] = []
    running: set[Future] = set()
    pool = ThreadPoolExecutor(max_workers=workers)
    interrupts = _Interrupts()
    try:
        for name, output in plan(content, formats, options):
            interrupts.check()
            _check_relpath(output.relpath)
            target = staging.new / output.relpath
            known = reuse.get(output.relpath)
            if known and known.fingerprint == output.fingerprint:
                data = folder.read(output.relpath)
                if known.matches(data):
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
                    slots.append((name, known))
                    progress(Event("skip", output.relpath))
                    continue
            while len(running) >= workers:
                running = _waited(running, FIRST_COMPLETED, interrupts)
            if _failed(slots):
                break
            future = pool.submit(_run_one, output, target, progress)
            running.add(future)
            slots.append((name, future))
            del output  # the pool holds the document until it is made, and no longer
        _waited(running, ALL_COMPLETED, interrupts)
        made: dict[str, list[tuple[Record, bool]]] = {name: [] for name in formats}
        errors = []
        for name, slot in slots:
            try:
                made[name].append((slot, False) if isinstance(slot, Record) else (slot.result(), True))
            except MdguideError as error:
                errors.append(str(error))
        if errors:
            raise BuildError("; ".join(errors) + f" — {folder.display} was left as it was")
        return made
    except OSError as error:
        raise folder.failure(error, f"write in the output folder {folder.display}") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # never leave a thread writing into a removed folder
        interrupts.restore()


def _waited(running: set, until: str, interrupts: _Interrupts) -> set:
    """Wait for ``running`` (``until`` one or all is done), stopping if Ctrl+C was pressed; return the rest."""
    from concurrent.futures import FIRST_COMPLETED, wait

    while True:
        done, running = wait(running, timeout=0.1, return_when=until)
        interrupts.check()
        if not running or (done and until == FIRST_COMPLETED):
            return running


class _Interrupts:
    """Ctrl+C, while outputs are made on threads, noted and raised only where the build checks for it.

    Raised wherever the main thread happens to be, KeyboardInterrupt can leave
    a lock it took half-way (a module's import lock in the middle of an import,
    a future's condition in ``concurrent.futures.wait``); a worker then waits
    on that lock for ever, the pool's shutdown waits on the worker, and a
    build that should stop hangs instead.  So the handler only notes the
    press; the main thread raises KeyboardInterrupt between plans and while it
    waits, where it holds no lock.  Where Ctrl+C is ignored, or outside the
    main thread, nothing changes.
    """

    def __init__(self) -> None:
        self._pressed = self._raised = False
        self._previous = None
        on_main_thread = threading.current_thread() is threading.main_thread()
        if on_main_thread and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._previous = signal.signal(signal.SIGINT, self._note)

    def _note(self, signum: int, frame: object) -> None:
        self._pressed = True

    def check(self) -> None:
        """Raise KeyboardInterrupt if Ctrl+C was pressed since."""
        if self._pressed and not self._raised:
            self._raised = True
            raise KeyboardInterrupt

    def restore(self) -> None:
        """Ctrl+C as it was; one pressed after the last check still stops the build."""
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None
            self.check()


def _failed(slots: list) -> bool:
    """Whether an output already failed: then nothing more is planned or started."""
    return any(not isinstance(slot, Record) and slot.done() and slot.exception() for _, slot in slots)


def _check_relpath(relpath: str) -> None:
    if not is_plain(relpath):
        raise BuildError(
            f"a builder named its output {relpath!r}, which is not a plain path inside the folder"
        )


def _run_one(output: Output, target: Path, progress: Callable[[Event], None]) -> Record:
    target.parent.mkdir(parents=True, exist_ok=True)
    progress(Event("start", output.relpath))
    started = time.perf_counter()
    output.write(target)
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        raise BuildError(f"{output.relpath}: the builder produced no file") from None
    progress(Event("done", output.relpath, time.perf_counter() - started, len(data)))
    return Record(output.relpath, output.fingerprint, hashlib.sha256(data).hexdigest(), len(data))


def _swap_in(folder: OutputFolder, staging: Staging, ours: list[Group], source: str) -> list[str]:
    """Swap the new set in: our groups, with the groups already there that are still current.

    Decided under the lock, from the record as it is now (another build may
    have swapped its set in since we began).  Returns the files removed.
    """
    now = manifest.parse(folder.read(MANIFEST))
    our_keys = {g.key for g in ours}
    our_paths = set().union(*(g.relpaths for g in ours))
    kept = [
        g
        for g in now
        if g.key not in our_keys
        and g.source == source
        and not g.relpaths & our_paths
        and _verified(folder, g)
    ]
    kept_paths = set().union(*(g.relpaths for g in kept))
    dropped = sorted({r.relpath for g in now for r in g.files} - our_paths - kept_paths)
    try:
        (staging.new / MANIFEST).write_text(manifest.text(ours + kept), encoding="utf-8")
    except OSError as error:
        raise folder.failure(error, f"write in the output folder {folder.display}") from None
    installs = [r.relpath for g in ours for r in g.files] + [MANIFEST]
    folder.publish(staging, installs, dropped)
    return dropped


@contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl+C back while a set is swapped in (milliseconds): it then takes effect after, or not at all."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        try:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        except KeyboardInterrupt:
            pass  # pressed while the new set went in: it is whole, and the build is done
