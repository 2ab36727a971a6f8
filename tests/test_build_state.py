"""The invariant of issue 11, explored at random: after any sequence of operations, the output folder
holds exactly what clean builds of the current content make, and "up to date" is said only when true.

A hypothesis state machine edits and undoes a word, switches --format,
--point-size and --role, changes --out, deletes or edits an output by hand,
SIGKILLs a build part-way, and runs two builds at once (of the same or of
different content).  After each build it compares the output folder with a
*model*: which groups of files (one format made with one set of options from
one state of the content) the folder should hold, each group's bytes taken
from a clean ``--force`` build of that format, options and content into a
fresh folder.  The model is the documented rule (see mdguide_build.build):

* a build's own groups are there, made from the content as it is now;
* an earlier group stays only if it was made from the same content, nobody
  changed or deleted its files, and it shares no file with the new groups.

Every build is checked, not only the last: each file a build reports as
"current" must already have held the reference bytes before it ran.

Cost: cheap formats (html, txt, large-print-docx; handouts for one role);
EXAMPLES sequences of at most STEPS steps, derandomized so that CI runs the
same sequences every time.  Measured on this project's 2-core machine: see
the report of issue 11.  Sequences it found failing are kept as plain tests
at the end of this file.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)

from mdguide_build.cli import main

ROOT = Path(__file__).resolve().parent.parent
MDGUIDE = Path(sys.executable).parent / "mdguide"
EXAMPLES = int(os.environ.get("MDGUIDE_STATE_EXAMPLES", "12"))
STEPS = int(os.environ.get("MDGUIDE_STATE_STEPS", "10"))
EDIT = ("This will be challenge", "This will be a challenge")  # the edit in the reproduction
TITLE = ('"title": "The medical director\'s role"', '"title": "The medical director\'s job"')
CONCLUSION = "sections/4-conclusion.json"
# Cheap formats most of the time; large print for --point-size and handouts (PDF: slow) for --role.
FORMATS = ["html", "txt", "txt", "html", "large-print-docx", "handouts"]

Group = tuple[str, int, str]  # format, --point-size, --role


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def files(folder: Path) -> dict[str, bytes]:
    """What a reader finds in ``folder``: every file but mdguide's own records (.mdguide*)."""
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.relative_to(folder).parts[0].startswith(".mdguide")
    }


def arguments(groups: list[Group]) -> list[str]:
    """The command line of a request: its formats, with the options they share."""
    _, point_size, role = groups[0]
    return [a for fmt, _, _ in groups for a in ("--format", fmt)] + [
        "--point-size",
        str(point_size),
        "--role",
        role,
    ]


class References:
    """Clean --force builds of one format, options and content variant, each into a fresh folder, made once."""

    def __init__(self, base: Path):
        self.base = base
        self.contents: dict[str, Path] = {}
        for variant in ("A", "B", "C"):
            shutil.copytree(ROOT / "schema", base / variant / "schema")
            self.contents[variant] = shutil.copytree(ROOT / "content", base / variant / "content")
        edit(self.contents["B"] / CONCLUSION, *EDIT)  # changes the guide, not the handouts
        edit(self.contents["C"] / "guide.json", *TITLE)  # changes every file
        self.made: dict[tuple[str, Group], dict[str, bytes]] = {}

    def __call__(self, variant: str, group: Group) -> dict[str, bytes]:
        fmt, point_size, role = group
        # The options a format does not use do not change its bytes: one reference serves them all.
        group = (
            fmt,
            point_size if fmt.startswith("large-print") else 18,
            role if fmt == "handouts" else "consultant",
        )
        if (variant, group) not in self.made:
            out = Path(tempfile.mkdtemp(dir=self.base)) / "out"
            args = ["build", "--content", str(self.contents[variant]), "--out", str(out), "--force", "-q"]
            result = CliRunner().invoke(main, args + arguments([group]))
            assert result.exit_code == 0, result.output
            self.made[(variant, group)] = files(out)
        return self.made[(variant, group)]


class Outputs(RuleBasedStateMachine):
    references: References  # set by the test, shared by every example
    base: Path

    counts = {"sequences": 0, "steps": 0, "builds": 0}  # printed at the end, for the record of the run's size

    @initialize()
    def start(self) -> None:
        self.counts["sequences"] += 1
        self.work = Path(tempfile.mkdtemp(dir=self.base))
        self.content = shutil.copytree(self.references.contents["A"], self.work / "content")
        shutil.copytree(ROOT / "schema", self.work / "schema")
        self.variant = "A"
        self.out = "o1"
        # The model: per output folder, each group it should hold -> (content variant, changed by hand)
        self.model: dict[str, dict[Group, tuple[str, bool]]] = {"o1": {}, "o2": {}}
        self.trail: list[str] = []  # the steps so far, in every failure message (races replay unevenly)

    def said(self) -> str:
        return "steps:\n  " + "\n  ".join(self.trail)

    def teardown(self) -> None:
        self.counts["steps"] += len(getattr(self, "trail", []))
        if hasattr(self, "work"):
            shutil.rmtree(self.work, ignore_errors=True)

    # -- the model -----------------------------------------------------------------------------

    def applied(self, held: dict[Group, tuple[str, bool]], request: list[Group], variant: str):
        """The groups a folder holds after a build of ``request`` from ``variant`` (the documented rule)."""
        ours = {path for group in request for path in self.references(variant, group)}
        kept = {
            group: state
            for group, state in held.items()
            if group not in request
            and state == (variant, False)
            and not ours & set(self.references(state[0], group))
        }
        return kept | {group: (variant, False) for group in request}

    def expected(self, held: dict[Group, tuple[str, bool]]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for group, (variant, _) in held.items():
            found.update(self.references(variant, group))
        return found

    def check_build(self, before: dict[str, bytes], stderr: str, request: list[Group]) -> None:
        folder = self.work / self.out
        held = self.model[self.out]
        noop = all(held.get(g) == (self.variant, False) for g in request) and all(
            state == (self.variant, False) for state in held.values()
        )
        self.model[self.out] = self.applied(held, request, self.variant)
        want = self.expected(self.model[self.out])
        assert files(folder) == want, self.said()
        for line in stderr.splitlines():
            if line.startswith("  current "):
                relpath = line.split()[1]
                assert before.get(relpath) == want[relpath], (
                    f"{relpath} was said to be up to date",
                    self.trail,
                )
        if noop:
            assert stderr.splitlines()[-1].startswith("Done: 0 built,"), (stderr, self.said())
        left = [p for p in folder.iterdir() if p.name.startswith((".mdguide-staging", ".mdguide-journal"))]
        inside = [str(q.relative_to(folder)) for p in left for q in [p, *p.rglob("*")]]
        assert not left, f"left behind (this process is {os.getpid()}): {inside}\n{self.said()}"

    def build_here(self, request: list[Group]) -> None:
        self.counts["builds"] += 1
        folder = self.work / self.out
        before = files(folder)
        args = ["build", "-v", "--content", str(self.content), "--out", str(folder), *arguments(request)]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, (result.output, self.said())
        self.check_build(before, result.stderr, request)

    # -- the rules ---------------------------------------------------------------------------------

    requests = st.builds(
        lambda formats, point_size, role: [(f, point_size, role) for f in formats],
        st.lists(st.sampled_from(FORMATS), min_size=1, max_size=2, unique=True),
        st.sampled_from([18, 24]),
        st.sampled_from(["consultant", "recruiter"]),
    )

    # Each operation may be followed by a build (most are), so that most steps check the invariant.
    then = st.one_of(st.none(), requests, requests, requests)

    def then_build(self, then: list[Group] | None) -> None:
        if then is not None:
            self.trail.append(f"build {then} into {self.out}")
            self.build_here(then)

    @rule(request=requests)
    def build(self, request: list[Group]) -> None:
        self.then_build(request)

    @precondition(lambda self: self.variant == "A")
    @rule(then=then)
    def edit_a_word(self, then: list[Group] | None) -> None:
        self.trail.append("edit a word")
        edit(self.content / CONCLUSION, *EDIT)
        self.variant = "B"
        self.then_build(then)

    @precondition(lambda self: self.variant == "B")
    @rule(then=then)
    def undo(self, then: list[Group] | None) -> None:
        self.trail.append("undo")
        shutil.copy(self.references.contents["A"] / CONCLUSION, self.content / CONCLUSION)
        self.variant = "A"
        self.then_build(then)

    @rule(out=st.sampled_from(["o1", "o2"]), then=then)
    def change_out(self, out: str, then: list[Group] | None) -> None:
        self.trail.append(f"--out {out}")
        self.out = out
        self.then_build(then)

    def intact(self) -> list[str]:
        """Files of the current folder that nobody has changed by hand yet (from the model, not the disk:
        hypothesis needs its choices to depend on its own earlier choices only)."""
        held = self.model[self.out]
        return sorted(
            p for g, (variant, changed) in held.items() if not changed for p in self.references(variant, g)
        )

    @precondition(lambda self: self.model[self.out])
    @rule(pick=st.integers(0, 999), delete=st.booleans(), then=then)
    def change_an_output_by_hand(self, pick: int, delete: bool, then: list[Group] | None) -> None:
        """Delete or edit one file.  The choice is an index into what is there, so that what hypothesis
        draws does not depend on which of two racing builds won before (it must replay the same)."""
        intact = self.intact()
        if not intact:
            return
        folder = self.work / self.out
        relpath = intact[pick % len(intact)]
        self.trail.append(f"{'delete' if delete else 'edit'} {relpath} by hand")
        if delete:
            (folder / relpath).unlink()
        else:
            (folder / relpath).write_bytes(b"edited by hand\n")
        for group, (variant, _) in self.model[self.out].items():
            if relpath in self.references(variant, group):
                self.model[self.out][group] = (variant, True)
        self.then_build(then)

    @rule(request=requests, delay=st.sampled_from([0.05, 0.25, 0.5, 0.8]))
    def kill_a_build_part_way(self, request: list[Group], delay: float) -> None:
        self.trail.append(f"kill a build of {request} after {delay} s, then build it")
        folder = self.work / self.out
        old = files(folder)  # as it is, outputs changed by hand included
        new = self.expected(self.applied(self.model[self.out], request, self.variant))
        killed = subprocess.Popen(
            [
                str(MDGUIDE),
                "build",
                "--content",
                str(self.content),
                "--out",
                str(folder),
                *arguments(request),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        killed.send_signal(signal.SIGKILL)
        killed.wait()
        if not (folder / ".mdguide-journal.json").exists():  # else killed mid-swap: the next build undoes it
            assert files(folder) in (old, new), self.said()
        # The next start: the same request again, from whatever the kill left.
        self.build_here(request)

    @rule(request=requests, same=st.booleans())
    def two_builds_at_once(self, request: list[Group], same: bool) -> None:
        """Ours and another of the same content, or of content C, whose every file differs (so the
        folder tells which build swapped its set in last)."""
        self.trail.append(f"two builds of {request} at once, {'same content' if same else 'content C'}")
        folder = self.work / self.out
        other = self.variant if same else "C"
        racers = [
            subprocess.Popen(
                [
                    str(MDGUIDE),
                    "build",
                    "--content",
                    str(content),
                    "--out",
                    str(folder),
                    "-q",
                    *arguments(request),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for content in (self.content, self.content if same else self.references.contents["C"])
        ]
        for racer in racers:
            _, err = racer.communicate(timeout=300)
            assert racer.returncode == 0, err
        held = self.model[self.out]
        orders = {
            "ours last": self.applied(self.applied(held, request, other), request, self.variant),
            "theirs last": self.applied(self.applied(held, request, self.variant), request, other),
        }
        found = files(folder)
        matching = [name for name, model in orders.items() if self.expected(model) == found]
        assert matching, ("two builds at once left neither's set", self.said())
        self.model[self.out] = orders[matching[0]]


def test_the_outputs_always_equal_clean_builds_of_the_current_content(tmp_path_factory):
    base = tmp_path_factory.mktemp("state")
    Outputs.base = base
    Outputs.references = References(base / "references")
    run_state_machine_as_test(
        Outputs,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize="MDGUIDE_STATE_EXAMPLES" not in os.environ,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    counts = Outputs.counts
    print(
        f"state machine: {counts['sequences']} sequences, {counts['steps']} steps, {counts['builds']} checked builds"
    )


# --- sequences the machine found failing, kept as plain tests ------------------------------------


def replay(tmp_path: Path, steps) -> None:
    Outputs.base = tmp_path
    Outputs.references = References(tmp_path / "references")
    machine = Outputs()
    machine.start()
    try:
        for name, kwargs in steps:
            getattr(machine, name)(**kwargs)
    finally:
        machine.teardown()
