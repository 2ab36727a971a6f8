"""Outputs you can trust (issue 11): never stale, never mixed, and every fault a plain message.

Every test drives the real `mdguide` command on a copy of content/ in a
temporary folder, and compares the output folder with a clean ``--force``
build of the same content and options into a fresh folder (`reference`).
The reproductions from the issue are here as written; tests/test_build_state.py
explores sequences of operations at random.

Some faults need an unprivileged process (root may read and write anything):
those run `mdguide` under ``setpriv`` with the two capabilities that let root
ignore file permissions dropped, so the kernel checks permissions as it
would for anyone else (a nobody user cannot run this machine's Python).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MDGUIDE = BIN / "mdguide"
CRASH_AT = Path(__file__).resolve().parent / "crash_at.py"
KILLED_WHILE_FORKING = Path(__file__).resolve().parent / "killed_while_forking.py"
UNPRIVILEGED = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
EDIT = ("This will be challenge", "This will be a challenge")  # the issue's edit, in 4-conclusion.json
CONCLUSION = "sections/4-conclusion.json"


def run(*args: str, cwd: Path, prefix: list[str] | None = None, check: int | None = None):
    """`mdguide ARGS` in ``cwd``; stdout and stderr as text."""
    done = subprocess.run(
        [*(prefix or []), str(MDGUIDE), *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert "Traceback" not in done.stderr, done.stderr
    if check is not None:
        assert done.returncode == check, done.stderr
    return done


def files(folder: Path) -> dict[str, bytes]:
    """What a reader finds in ``folder``: every file but mdguide's own records (.mdguide*)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.relative_to(folder).parts[0].startswith(".mdguide")
    }


def leftovers(folder: Path) -> list[str]:
    """Staging folders and journals: none may outlive a build."""
    return sorted(
        p.name for p in folder.iterdir() if p.name.startswith((".mdguide-staging-", ".mdguide-journal"))
    )


def done_line(stderr: str) -> str:
    """The summary line, without its timing."""
    line = stderr.strip().splitlines()[-1]
    return line[: line.rindex(" in ")] if line.startswith("Done:") else line


@pytest.fixture(scope="module")
def contents(tmp_path_factory) -> dict[str, Path]:
    """Content A (the 2017 text) and B (the issue's one-word edit), each with a schema/ beside it."""
    base = tmp_path_factory.mktemp("contents")
    found = {}
    for name in ("A", "B"):
        shutil.copytree(ROOT / "schema", base / name / "schema")
        found[name] = shutil.copytree(ROOT / "content", base / name / "content")
    conclusion = found["B"] / CONCLUSION
    text = conclusion.read_text(encoding="utf-8")
    assert text.count(EDIT[0]) == 1
    conclusion.write_text(text.replace(*EDIT), encoding="utf-8")
    return found


_REFERENCES: dict[tuple[str, tuple[str, ...]], dict[str, bytes]] = {}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """What a clean --force build of ``content`` with ``args`` makes in a fresh folder (cached)."""

    def make(content: Path, *args: str) -> dict[str, bytes]:
        key = (str(content), args)
        if key not in _REFERENCES:
            out = tmp_path_factory.mktemp("reference") / "out"
            run(
                "build",
                "--content",
                str(content),
                "--out",
                str(out),
                "--force",
                "-q",
                *args,
                cwd=ROOT,
                check=0,
            )
            _REFERENCES[key] = files(out)
        return _REFERENCES[key]

    return make


@pytest.fixture
def content(tmp_path, contents) -> Path:
    """A private copy of content A that the test may break, inside tmp_path (with schema/)."""
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    return shutil.copytree(contents["A"], tmp_path / "content")


class Watched:
    """A process's stderr read on a thread, so that no wait in a test is unbounded.

    A build that hangs fails the test within ``LIMIT`` seconds (CI would
    otherwise wait out its whole time), with the stacks of its Python threads
    (faulthandler, on SIGABRT) and the processes left in its group.
    """

    LIMIT = 120

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.lines: list[str] = []
        self.seen = 0
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)

    def __enter__(self) -> Watched:
        self.reader.start()
        return self

    def __exit__(self, *exc_info) -> None:
        if self.process.poll() is None:
            self._fail("it was still running")

    def _read(self) -> None:
        for line in self.process.stderr:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()
        with self.changed:
            self.lines.append(None)  # end of the stream
            self.changed.notify_all()

    def until(self, wanted) -> str:
        """The first line from here on for which ``wanted`` holds."""
        deadline = time.monotonic() + self.LIMIT
        with self.changed:  # failed outside it: the reader needs it to take the last lines
            while self.changed.wait_for(lambda: self.seen < len(self.lines), deadline - time.monotonic()):
                line = self.lines[self.seen]
                self.seen += 1
                if line is None:
                    break
                if wanted(line):
                    return line
            ended = self.lines[-1:] == [None]
        self._fail(
            "its stderr ended before the line the test waits for"
            if ended
            else f"no such line within {self.LIMIT} s"
        )

    def exit_code(self) -> int:
        try:
            return self.process.wait(timeout=self.LIMIT)
        except subprocess.TimeoutExpired:
            self._fail(f"it did not end within {self.LIMIT} s")

    def rest(self) -> str:
        """Everything after the lines already seen, once the stream has ended."""
        self.reader.join(self.LIMIT)
        if self.reader.is_alive():
            self._fail("its stderr stayed open after it ended (a child still holds it)")
        with self.changed:
            return "".join(line for line in self.lines[self.seen :] if line is not None)

    def _fail(self, why: str) -> None:
        group = subprocess.run(
            ["ps", "-o", "pid,ppid,stat,etime,args", "-g", str(self.process.pid)],
            capture_output=True,
            text=True,
        ).stdout
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGABRT)  # faulthandler prints every thread's stack
            time.sleep(2)
        self.process.kill()
        with contextlib.suppress(ProcessLookupError):  # its children too, where it leads a group of its own
            os.killpg(self.process.pid, signal.SIGKILL)
        self.reader.join(10)
        pytest.fail(
            f"mdguide build: {why}\nits process group:\n{group}\nits stderr:\n{''.join(line for line in self.lines if line)}"
        )


# --- 1. stale outputs reported as current: the issue's reproductions, as written ------------------


def test_undo_with_git_restore_is_rebuilt_not_reported_up_to_date(tmp_path, content, reference):
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "content"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "2017"], cwd=tmp_path, check=True)
    page = tmp_path / "o" / "the-medical-directors-role.html"

    first = run("build", "--format", "html", "--out", "o", cwd=tmp_path, check=0)
    assert done_line(first.stderr) == "Done: 1 built, 0 up to date,"
    conclusion = content / CONCLUSION
    conclusion.write_text(conclusion.read_text(encoding="utf-8").replace(*EDIT), encoding="utf-8")
    edited = run("build", "--format", "html", "--out", "o", cwd=tmp_path, check=0)
    assert done_line(edited.stderr) == "Done: 1 built, 0 up to date,"
    assert page.read_text(encoding="utf-8").count(EDIT[1]) == 1
    subprocess.run(["git", "restore", "content"], cwd=tmp_path, check=True)
    undone = run("build", "--format", "html", "--out", "o", cwd=tmp_path, check=0)

    assert done_line(undone.stderr) == "Done: 1 built, 0 up to date,"
    assert page.read_text(encoding="utf-8").count(EDIT[1]) == 0
    assert files(tmp_path / "o") == reference(ROOT / "content", "--format", "html")
    again = run("build", "--format", "html", "--out", "o", cwd=tmp_path, check=0)
    assert done_line(again.stderr) == "Done: 0 built, 1 up to date,"


def test_the_preview_after_an_undo_shows_the_undone_text(content):
    """The same reproduction through `mdguide serve`'s server: it builds with build() too."""
    from mdguide_build.tools.serve import Preview

    original = (content / CONCLUSION).read_bytes()

    def page_after(change) -> str:
        generation = preview.generation
        change()
        deadline = time.monotonic() + 60
        # write_bytes empties the file before it writes it: a rebuild may fall in between and
        # show what is wrong with an empty file, and the write's own event then rebuilds again.
        while (preview.generation == generation or not preview.ok) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert preview.generation > generation and preview.ok, "the preview did not rebuild the guide"
        with urllib.request.urlopen(preview.url, timeout=10) as response:
            return response.read().decode("utf-8")

    with Preview(content, "127.0.0.1", 0, content_display="content") as preview:
        edited = page_after(
            lambda: (content / CONCLUSION).write_bytes(original.replace(*(e.encode() for e in EDIT)))
        )
        assert edited.count(EDIT[1]) == 1
        undone = page_after(lambda: (content / CONCLUSION).write_bytes(original))  # as `git restore` does
        assert undone.count(EDIT[1]) == 0 and undone.count(EDIT[0]) == 1


def test_after_two_builds_race_the_next_build_says_up_to_date_only_of_true_files(
    tmp_path, contents, reference
):
    out = tmp_path / "o"
    want = reference(contents["A"], "--format", "html", "--format", "txt")
    for _ in range(3):
        racers = [
            subprocess.Popen(
                [str(MDGUIDE), "build", "--content", str(contents[name]), "--out", str(out), "-q"]
                + ["--format", "html", "--format", "txt"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name in ("A", "B")
        ]
        for racer in racers:
            _, err = racer.communicate(timeout=300)
            assert racer.returncode == 0, err
        holds = files(out)
        assert holds in (want, reference(contents["B"], "--format", "html", "--format", "txt"))
        after = run("build", "-v", "--content", str(contents["A"]), "--out", str(out), "--format", "html", "--format", "txt",
                    cwd=tmp_path, check=0)  # fmt: skip
        assert files(out) == want
        current = [line.split()[1] for line in after.stderr.splitlines() if line.startswith("  current ")]
        for relpath in current:  # "up to date" only of a file that already held the right bytes
            assert holds[relpath] == want[relpath], relpath
        assert done_line(after.stderr) == (
            "Done: 0 built, 2 up to date," if holds == want else "Done: 2 built, 0 up to date,"
        )
        assert leftovers(out) == []


def _symlink_to_identical_copy(root: Path) -> None:
    outside = root.parent / "elsewhere.json"
    shutil.copy(root / CONCLUSION, outside)
    (root / CONCLUSION).unlink()
    (root / CONCLUSION).symlink_to(outside)


def _folder_in_place(root: Path) -> None:
    (root / CONCLUSION).unlink()
    (root / CONCLUSION).mkdir()


def _fifo_in_place(root: Path) -> None:
    (root / CONCLUSION).unlink()
    os.mkfifo(root / CONCLUSION)


def _too_large(root: Path) -> None:
    with open(root / CONCLUSION, "r+b") as handle:
        handle.truncate(21 * 1024 * 1024)


def _sections_through_a_link(root: Path) -> None:
    shutil.move(root / "sections", root.parent / "sections-elsewhere")
    (root / "sections").symlink_to(root.parent / "sections-elsewhere")


BREAKAGES = {
    "symlink-to-identical-copy": _symlink_to_identical_copy,
    "folder-in-place-of-a-file": _folder_in_place,
    "fifo-in-place-of-a-file": _fifo_in_place,
    "file-over-the-size-limit": _too_large,
    "sections-folder-through-a-link": _sections_through_a_link,
    "listed-file-deleted": lambda root: (root / CONCLUSION).unlink(),
}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_build_fails_with_validates_messages_even_when_everything_looks_up_to_date(
    tmp_path, content, breakage
):
    run("build", "--format", "html", "--out", "o", cwd=tmp_path, check=0)
    before = files(tmp_path / "o")
    BREAKAGES[breakage](content)

    validated = run("validate", cwd=tmp_path, check=1)
    built = run("build", "--format", "html", "--out", "o", cwd=tmp_path, check=1)

    assert built.stderr.splitlines() == validated.stderr.splitlines()
    assert validated.stderr.splitlines()[-1].startswith("Error: Aborted: ")
    assert files(tmp_path / "o") == before
    assert leftovers(tmp_path / "o") == []


def test_the_issue_symlink_reproduction_prints_e107_and_exits_1(tmp_path, content):
    run("build", "--format", "html", "--out", "o", cwd=tmp_path, check=0)
    _symlink_to_identical_copy(content)
    built = run("build", "--format", "html", "--out", "o", cwd=tmp_path, check=1)
    guide = (content / "guide.json").read_text(encoding="utf-8").splitlines()
    line = guide.index(f'    "{CONCLUSION}"') + 1  # the section's entry in guide.json's "sections"
    assert built.stderr.splitlines() == [
        f"content/guide.json:{line}:5: E107 Guide details › section file 5: 'sections/4-conclusion.json' is or passes "
        "through a symbolic link (hint: list files inside content/, e.g. sections/1-why.json)",
        "Error: Aborted: 1 error in content",
    ]


# --- 2. a set is replaced whole or not at all -------------------------------------------------------


def _crash_build(limit: int, content: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(CRASH_AT), str(limit), str(out), "build", "--content", str(content)]
        + ["--out", str(out), "-q", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_build_killed_at_any_step_of_the_swap_is_undone_by_the_next_build(tmp_path, contents, reference):
    """SIGKILL before each rename or unlink of the swap: the next build finds the old set, whole."""
    request = ("--format", "html", "--format", "txt")
    old = tmp_path / "old"
    run(
        "build",
        "--content",
        str(contents["A"]),
        "--out",
        str(old),
        "--format",
        "large-print-docx",
        cwd=tmp_path,
        check=0,
    )
    run("build", "--content", str(contents["A"]), "--out", str(old), *request, cwd=tmp_path, check=0)
    old_files = files(old)
    assert set(old_files) == {
        *reference(contents["A"], *request),
        "the-medical-directors-role-large-print-18pt.docx",
    }

    counting = tmp_path / "count"
    shutil.copytree(old, counting, symlinks=True)
    counted = _crash_build(0, contents["B"], counting, *request)
    assert counted.returncode == 0, counted.stderr
    changes = int(counted.stderr.split("crash_at: ")[1].split()[0])
    # B drops the large print (made from A): 1 journal + 1 removal + 3 files x 2 (old aside, new in) + 1 commit
    assert changes == 9
    assert files(counting) == reference(contents["B"], *request)

    for limit in range(1, changes + 1):
        out = tmp_path / f"crash-{limit}"
        shutil.copytree(old, out, symlinks=True)
        crashed = _crash_build(limit, contents["B"], out, *request)
        assert crashed.returncode == -signal.SIGKILL, (limit, crashed.stderr)
        if limit == 1:  # killed before the journal went in: nothing was moved
            assert files(out) == old_files
        next_build = run(
            "build", "--content", str(contents["A"]), "--out", str(out), *request, cwd=tmp_path, check=0
        )
        assert done_line(next_build.stderr) == "Done: 0 built, 2 up to date,", limit
        assert files(out) == old_files, limit
        assert leftovers(out) == [], limit


def test_staging_left_by_a_killed_build_is_removed_by_the_next_build(tmp_path, content, reference):
    out = tmp_path / "o"
    run("build", "--format", "txt", "--out", "o", cwd=tmp_path, check=0)
    before = files(out)
    slow = subprocess.Popen(
        [str(MDGUIDE), "build", "-v", "--format", "pdf", "--out", "o", "--force"],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},
    )
    with Watched(slow) as watched:
        watched.until(lambda line: line.startswith("  making"))  # kill it while it makes the PDF
        slow.kill()
        watched.exit_code()
    assert len(leftovers(out)) == 1 and leftovers(out)[0].startswith(".mdguide-staging-")
    assert files(out) == before

    after = run("build", "--format", "txt", "--out", "o", cwd=tmp_path, check=0)
    assert done_line(after.stderr) == "Done: 0 built, 1 up to date,"
    assert leftovers(out) == []
    assert files(out) == reference(ROOT / "content", "--format", "txt")


def test_a_build_killed_while_starting_pandoc_leaves_nothing_the_next_build_keeps(
    tmp_path, content, reference
):
    """Found by the state machine: the child a build forks to run pandoc holds the build's descriptors
    until it execs; if the build is killed then, its staging folder's lock must still count as free."""
    pidfile = tmp_path / "lingering.pid"
    with open(tmp_path / "stderr", "w", encoding="utf-8") as stderr:  # not a pipe: the child would hold it
        killed = subprocess.run(
            [
                sys.executable,
                str(KILLED_WHILE_FORKING),
                str(pidfile),
                "build",
                "--format",
                "html",
                "--out",
                "o",
            ],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            timeout=120,
        )
    lingering = int(pidfile.read_text(encoding="utf-8"))
    try:
        assert killed.returncode == -signal.SIGKILL, (tmp_path / "stderr").read_text(encoding="utf-8")
        assert len(leftovers(tmp_path / "o")) == 1
        after = run("build", "--format", "html", "--out", "o", cwd=tmp_path, check=0)
        assert done_line(after.stderr) == "Done: 1 built, 0 up to date,"
        assert leftovers(tmp_path / "o") == []
        assert files(tmp_path / "o") == reference(ROOT / "content", "--format", "html")
    finally:
        os.kill(lingering, signal.SIGKILL)


def test_a_live_builds_staging_is_not_taken_for_a_killed_ones(tmp_path, content):
    slow = subprocess.Popen(
        [str(MDGUIDE), "build", "-v", "--format", "pdf", "--out", "o"],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},
    )
    with Watched(slow) as watched:
        watched.until(lambda line: line.startswith("  making"))
        slow.send_signal(
            signal.SIGSTOP
        )  # frozen mid-build, its staging folder in use, however fast the machine
        try:
            run(
                "build", "--format", "txt", "--out", "o", cwd=tmp_path, check=0
            )  # cleans up: must spare the live one
        finally:
            slow.send_signal(signal.SIGCONT)
        code = watched.exit_code()
        rest = watched.rest()
    assert code == 0, rest
    assert sorted(files(tmp_path / "o")) == [
        "the-medical-directors-role.pdf",
        "the-medical-directors-role.txt",
    ]
    assert leftovers(tmp_path / "o") == []


def test_a_cleaner_in_the_same_process_spares_a_live_staging_folder_and_its_lock(tmp_path):
    """Two builds in one process (the preview's threads, a test's CliRunner): a process cannot see its
    own POSIX locks, and must not drop them by opening the lock file."""
    from mdguide_build.build.folder import OutputFolder

    folder = OutputFolder(tmp_path / "o")
    folder.create()
    with folder.locked():
        staging = folder.new_staging()
    try:
        with folder.locked():
            folder.recover()
        assert staging.path.is_dir()
        probe = "import fcntl, os, sys; fcntl.lockf(os.open(sys.argv[1], os.O_RDWR), fcntl.LOCK_EX | fcntl.LOCK_NB)"
        other = subprocess.run([sys.executable, "-c", probe, str(staging.path / "lock")], capture_output=True)
        assert other.returncode != 0, "another process could take the live build's lock"
    finally:
        staging.close()
    assert leftovers(tmp_path / "o") == []


def test_a_symlinked_folder_inside_the_outputs_is_moved_aside_never_written_through(
    tmp_path, content, reference
):
    request = ("--format", "handouts", "--role", "consultant")
    out, elsewhere = tmp_path / "o", tmp_path / "elsewhere"
    run("build", "--out", "o", *request, cwd=tmp_path, check=0)
    shutil.move(out / "handouts", elsewhere)
    (out / "handouts").symlink_to(elsewhere)
    (elsewhere / "consultant.html").write_text("a reader's own page", encoding="utf-8")
    theirs = files(elsewhere)

    after = run("build", "--out", "o", *request, cwd=tmp_path, check=0)
    assert "0 up to date" in done_line(after.stderr)  # nothing read through the link counts as current
    assert files(elsewhere) == theirs
    assert not (out / "handouts").is_symlink()
    assert files(out) == reference(ROOT / "content", *request)
    assert leftovers(out) == []


def test_outputs_of_other_requests_stay_while_current_and_go_when_the_content_changes(
    tmp_path, content, reference
):
    run("build", "--format", "large-print-docx", "--out", "o", cwd=tmp_path, check=0)
    bigger = run(
        "build", "--format", "large-print-docx", "--point-size", "24", "--out", "o", cwd=tmp_path, check=0
    )
    assert done_line(bigger.stderr) == "Done: 1 built, 0 up to date,"
    assert sorted(files(tmp_path / "o")) == [  # the docs' promise: a 24 pt copy sits beside the 18 pt one
        "the-medical-directors-role-large-print-18pt.docx",
        "the-medical-directors-role-large-print-24pt.docx",
    ]
    conclusion = content / CONCLUSION
    conclusion.write_text(conclusion.read_text(encoding="utf-8").replace(*EDIT), encoding="utf-8")
    after = run("build", "--format", "txt", "--out", "o", cwd=tmp_path, check=0)
    assert after.stderr.splitlines()[-3:-1] == [
        "  removed the-medical-directors-role-large-print-18pt.docx (no longer current)",
        "  removed the-medical-directors-role-large-print-24pt.docx (no longer current)",
    ]
    assert done_line(after.stderr) == "Done: 1 built, 0 up to date, 2 removed (no longer current),"
    assert files(tmp_path / "o") == reference(content, "--format", "txt")


def test_an_output_deleted_or_edited_by_hand_is_never_current(tmp_path, content, reference):
    run("build", "--format", "html", "--format", "txt", "--out", "o", cwd=tmp_path, check=0)
    (tmp_path / "o" / "the-medical-directors-role.txt").unlink()
    (tmp_path / "o" / "the-medical-directors-role.html").write_text("edited", encoding="utf-8")
    after = run("build", "--format", "html", "--format", "txt", "--out", "o", cwd=tmp_path, check=0)
    assert done_line(after.stderr) == "Done: 2 built, 0 up to date,"
    assert files(tmp_path / "o") == reference(ROOT / "content", "--format", "html", "--format", "txt")


def test_an_output_folder_inside_the_content_folder_is_refused(tmp_path, content):
    built = run("build", "--format", "txt", "--out", "content/o", cwd=tmp_path, check=1)
    assert built.stderr.splitlines()[-1] == (
        "Error: the output folder content/o is inside the content folder content "
        "(hint: choose an output folder outside it with --out)"
    )
    assert not (content / "o").exists()


def test_outputs_recorded_by_the_first_kind_of_record_are_removed_not_left_stale(
    tmp_path, content, reference
):
    """mdguide's first record named files without the content they came from: none of them is current."""
    out = tmp_path / "o"
    out.mkdir()
    (out / "the-medical-directors-role.pdf").write_bytes(b"%PDF- made by an earlier mdguide")
    (out / "notes.txt").write_text("the reader's own file", encoding="utf-8")
    entry = {"fingerprint": "f", "sha256": "0" * 64}
    record = {"outputs": {"the-medical-directors-role.pdf": entry}, "requests": {}}
    (out / ".mdguide-manifest.json").write_text(json.dumps(record), encoding="utf-8")
    after = run("build", "--format", "txt", "--out", "o", cwd=tmp_path, check=0)
    assert "  removed the-medical-directors-role.pdf (no longer current)" in after.stderr.splitlines()
    assert files(out) == {
        **reference(ROOT / "content", "--format", "txt"),
        "notes.txt": b"the reader's own file",
    }


@pytest.mark.parametrize("record", [".mdguide-manifest.json", ".mdguide-journal.json"])
def test_a_crafted_record_cannot_make_a_build_touch_files_outside_the_folder(tmp_path, content, record):
    out, victim = tmp_path / "o", tmp_path / "victim.txt"
    run("build", "--format", "txt", "--out", "o", cwd=tmp_path, check=0)
    victim.write_text("not an output", encoding="utf-8")
    escape = {"relpath": "../victim.txt", "fingerprint": "", "sha256": "", "size": 0}
    crafted = {
        ".mdguide-manifest.json": {
            "mdguide": 2,
            "groups": [{"key": "", "format": "txt", "source": "", "files": [escape]}],
        },
        # as if a killed build had moved "../victim.txt" into place: undoing it would move it away
        ".mdguide-journal.json": {
            "staging": ".mdguide-staging-0-0",
            "installs": ["../victim.txt"],
            "removes": [],
            "asides": [],
            "made": [],
        },
    }[record]
    (out / ".mdguide-staging-0-0" / "new").mkdir(parents=True)
    (out / record).write_text(json.dumps(crafted), encoding="utf-8")
    run("build", "--format", "txt", "--out", "o", cwd=tmp_path, check=0)
    assert victim.read_text(encoding="utf-8") == "not an output"
    assert leftovers(out) == []


# --- 5. faults: one sentence naming the path and what to do, the outputs untouched -------------------


def test_a_swap_that_fails_half_way_puts_the_old_set_back(tmp_path, content):
    request = ("--format", "html", "--format", "handouts", "--role", "consultant")
    out = tmp_path / "o"
    run("build", "--out", "o", *request, cwd=tmp_path, check=0)
    before = files(out)
    conclusion = content / CONCLUSION
    conclusion.write_text(conclusion.read_text(encoding="utf-8").replace(*EDIT), encoding="utf-8")
    (out / "handouts").chmod(0o555)
    try:
        failed = run("build", "--out", "o", *request, cwd=tmp_path, prefix=UNPRIVILEGED, check=1)
    finally:
        (out / "handouts").chmod(0o755)
    assert failed.stderr.splitlines()[-1] == (
        "Error: cannot replace the outputs in o/handouts: permission denied (hint: make o/handouts writable, "
        "e.g. with chmod u+w o/handouts, or build into another folder with --out); o was left as it was"
    )
    assert files(out) == before  # the new HTML, already moved in, was taken back out
    assert leftovers(out) == []


def test_a_read_only_output_folder_is_reported_and_left_alone(tmp_path, content):
    out = tmp_path / "o"
    run("build", "--format", "txt", "--out", "o", cwd=tmp_path, check=0)
    before = files(out)
    out.chmod(0o555)
    try:
        same = run("build", "--format", "txt", "--out", "o", cwd=tmp_path, prefix=UNPRIVILEGED, check=0)
        assert done_line(same.stderr) == "Done: 0 built, 1 up to date,"  # nothing to write: fine
        failed = run("build", "--format", "html", "--out", "o", cwd=tmp_path, prefix=UNPRIVILEGED, check=1)
    finally:
        out.chmod(0o755)
    assert failed.stderr.splitlines()[-1] == (
        "Error: cannot write in the output folder o: permission denied (hint: make o writable, "
        "e.g. with chmod u+w o, or build into another folder with --out); o was left as it was"
    )
    assert files(out) == before
    assert leftovers(out) == []


def test_a_read_only_parent_of_the_output_folder_is_no_obstacle(tmp_path, content, reference):
    parent = tmp_path / "site"
    (parent / "o").mkdir(parents=True)
    parent.chmod(0o555)
    try:
        built = run("build", "--format", "txt", "--out", "site/o", cwd=tmp_path, prefix=UNPRIVILEGED, check=0)
        missing = run(
            "build", "--format", "txt", "--out", "site/new", cwd=tmp_path, prefix=UNPRIVILEGED, check=1
        )
    finally:
        parent.chmod(0o755)
    assert done_line(built.stderr) == "Done: 1 built, 0 up to date,"
    assert files(parent / "o") == reference(ROOT / "content", "--format", "txt")
    assert missing.stderr.splitlines()[-1] == (
        "Error: cannot create the output folder site/new: permission denied (hint: create it yourself, "
        "or build into a folder you can write to with --out); nothing was written"
    )
    assert not (parent / "new").exists()


def test_an_unreadable_content_file_is_named_by_build_as_by_validate(tmp_path, content):
    run("build", "--format", "txt", "--out", "o", cwd=tmp_path, check=0)
    before = files(tmp_path / "o")
    (content / CONCLUSION).chmod(0o000)
    try:
        validated = run("validate", cwd=tmp_path, prefix=UNPRIVILEGED, check=1)
        built = run("build", "--format", "txt", "--out", "o", cwd=tmp_path, prefix=UNPRIVILEGED, check=1)
    finally:
        (content / CONCLUSION).chmod(0o644)
    assert (
        built.stderr.splitlines()
        == validated.stderr.splitlines()
        == [
            "content/sections/4-conclusion.json: E109 the file cannot be read: Permission denied (hint: check "
            "the file's permissions (e.g. chmod a+r FILE), or restore it from version control)",
            "Error: Aborted: 1 error in content",
        ]
    )
    assert files(tmp_path / "o") == before


def test_a_content_file_replaced_by_a_folder_is_named_as_a_folder(tmp_path, content):
    _folder_in_place(content)
    built = run("build", "--format", "txt", "--out", "o", cwd=tmp_path, check=1)
    assert built.stderr.splitlines() == [
        "content/sections/4-conclusion.json: E108 the path is a folder, not an ordinary file (hint: put the "
        "JSON file itself here: mdguide reads only ordinary files)",
        "Error: Aborted: 1 error in content",
    ]


@pytest.mark.parametrize("room", ["none", "for the content only"])
def test_a_full_disk_is_reported_and_the_outputs_are_left_whole(tmp_path, content, reference, room):
    """With no room, the private copy of the content fails; with room for it, writing the outputs does."""
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], check=True)
    try:
        run("build", "--format", "html", "--format", "txt", "--out", str(disk / "o"), cwd=tmp_path, check=0)
        before = files(disk / "o")
        filler = disk / "filler"
        with open(filler, "wb") as handle:  # leave less room than one more HTML page needs
            blocks = sum(-(-p.stat().st_size // 4096) + 1 for p in content.rglob("*")) * 4096
            spare = 40 * 1024 + (blocks if room != "none" else 0)
            handle.write(b"\0" * (os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize - spare))
        conclusion = content / CONCLUSION
        conclusion.write_text(conclusion.read_text(encoding="utf-8").replace(*EDIT), encoding="utf-8")
        full = run(
            "build", "--format", "html", "--format", "txt", "--out", str(disk / "o"), cwd=tmp_path, check=1
        )
        assert full.stderr.splitlines()[-1] == (
            f"Error: cannot write in the output folder {disk}/o: no space left on device (hint: free some space, "
            f"or build into another folder with --out); {disk}/o was left as it was"
        )
        assert files(disk / "o") == before
        assert leftovers(disk / "o") == []
        filler.unlink()
        run("build", "--format", "html", "--format", "txt", "--out", str(disk / "o"), cwd=tmp_path, check=0)
        assert files(disk / "o") == reference(content, "--format", "html", "--format", "txt")
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_ctrl_c_during_a_build_leaves_the_outputs_as_they_were(tmp_path, content):
    run("build", "--format", "txt", "--out", "o", cwd=tmp_path, check=0)
    before = files(tmp_path / "o")
    building = subprocess.Popen(
        [str(MDGUIDE), "build", "-v", "--out", "o", "--format", "pdf", "--format", "txt", "--force"],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={
            **os.environ,
            "PYTHONFAULTHANDLER": "1",
        },  # a hung build, sent SIGABRT, shows its threads' stacks
    )
    with Watched(building) as watched:
        watched.until(lambda line: line.startswith("  making"))
        os.killpg(building.pid, signal.SIGINT)  # as a terminal's Ctrl+C: to the whole process group
        assert watched.exit_code() == 130
        rest = watched.rest()
    assert "Traceback" not in rest
    assert rest.splitlines()[-1] == (
        "Interrupted: o was left as it was (hint: run the build again to make the outputs)."
    )
    assert files(tmp_path / "o") == before
    assert leftovers(tmp_path / "o") == []


def test_ctrl_c_is_raised_where_the_build_checks_for_it_never_where_it_may_hold_a_lock(tmp_path, content):
    """Raised wherever the main thread is, Ctrl+C can leave a lock half taken (an import's, a future's)
    that a worker then waits on for ever; so the build notes the press and raises it itself."""
    from mdguide_build.build import build

    def press(event) -> None:
        if event.kind == "start":  # on a worker thread, while the main thread plans and waits
            signal.raise_signal(signal.SIGINT)
            time.sleep(0.3)

    with pytest.raises(KeyboardInterrupt) as raised:
        build(content, tmp_path / "o", ["txt", "html"], progress=press, jobs=1)
    assert raised.traceback[-1].name == "check"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert not (tmp_path / "o").exists()
