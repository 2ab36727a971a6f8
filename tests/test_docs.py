"""The docs do not lie: every example in them is run, and the generated parts are current.

How the worked examples are tested.  Each Markdown file (README.md, docs/*.md)
is followed from top to bottom, as a reader would, in a private folder holding
a copy of content/ and schema/ committed to a fresh git repository:

* a ```` ```console ```` block holds commands, each on a line starting with
  ``$ ``, followed by what the command prints (stdout and stderr, as a terminal
  shows them).  Each command runs with bash, with the project's .venv/bin
  first on PATH, and its output must match the doc's exactly, except:
  timings ("0.09 s") are not compared; sizes in KiB may differ by a tenth
  (or 2 KiB); and a build's progress lines ("  making", "  built",
  "  current") may come in any order, because outputs are built side by side;
* a ```` ```diff file=content/... ```` block is an edit the reader is asked
  to make: lines starting with "-" are replaced by the lines starting with
  "+", found by their exact text together with the unmarked context lines.
  The text just before the block must name the file, because a reader does
  not see the block's "file=";
* a ```` ```sh ```` block shows commands that are not run here (``make``,
  ``mdguide serve`` would not stop, ``mdguide check-links`` needs the
  internet): each ``mdguide`` line must still parse with the commands and
  options the CLI has, and each ``make`` target must exist.

Edits accumulate through a doc, so a doc that breaks the content must show
the fix.  After a deliberate change to what commands print, rewrite the
outputs shown in the docs with:  pytest tests/test_docs.py --update-golden
(then read the diff: the prose around an example may need changing too).
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from mdguide_build import cli_docs as cli_reference
from mdguide_build.builders import registry
from mdguide_build.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
VENV_BIN = Path(sys.executable).parent
COMMAND_TIMEOUT = 300

FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,})(?P<info>[^`]*)$")
TIMING = re.compile(r"\d+\.\d\d s\b")
SIZE = re.compile(r"(\d[\d,]*) KiB")
# A git commit's id differs in every copy of the project (the docs' commits are made afresh).
COMMIT = re.compile(r"\bcommit [0-9a-f]{7}\b")
PROGRESS = re.compile(r"^  (making|built|current) ")
BUILT = re.compile(r"^  built   (\S+) \(")


# --- reading a doc -----------------------------------------------------------------------


@dataclass
class Block:
    line: int  # of the opening fence, 1-based
    indent: str  # a block inside a list item is indented; its lines are given without the indent
    language: str
    attributes: dict[str, str]
    body: list[str]
    before: str  # the prose between the previous block and this one


def blocks(path: Path) -> list[Block]:
    found: list[Block] = []
    lines = path.read_text(encoding="utf-8").split("\n")
    prose: list[str] = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            prose.append(lines[i])
            i += 1
            continue
        indent, fence, words = opening["indent"], opening["fence"], opening["info"].split()
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == fence), None)
        assert end is not None, f"{path.name}:{i + 1}: a code block is never closed"
        attributes = dict(word.split("=", 1) for word in words[1:] if "=" in word)
        body = [line.removeprefix(indent) for line in lines[i + 1 : end]]
        found.append(Block(i + 1, indent, words[0] if words else "", attributes, body, "\n".join(prose)))
        prose = []
        i = end + 1
    return found


@dataclass
class Command:
    line: int  # of the "$ " line
    command: str
    expected: list[str] = field(default_factory=list)


def commands(block: Block) -> list[Command]:
    found: list[Command] = []
    for offset, text in enumerate(block.body, start=1):
        if text.startswith("$ "):
            found.append(Command(block.line + offset, text[2:]))
        else:
            assert found, f"line {block.line + offset}: a console block must start with a '$ ' command"
            found[-1].expected.append(text)
    return found


# --- comparing output --------------------------------------------------------------------


def _trimmed(lines: list[str]) -> list[str]:
    lines = [line.rstrip() for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _shape(line: str) -> str:
    return COMMIT.sub("commit #######", SIZE.sub("# KiB", TIMING.sub("#.## s", line)))


def _in_order(lines: list[str]) -> list[str]:
    """Lines in a comparable order: progress lines sorted, everything else as it came."""
    fixed = [line for line in lines if not PROGRESS.match(line)]
    moving = sorted((line for line in lines if PROGRESS.match(line)), key=_shape)
    return fixed + moving


def same_output(expected: list[str], actual: list[str]) -> bool:
    wanted, got = _in_order(_trimmed(expected)), _in_order(_trimmed(actual))
    if [_shape(line) for line in wanted] != [_shape(line) for line in got]:
        return False
    for doc_line, real_line in zip(wanted, got):
        for doc_size, real_size in zip(SIZE.findall(doc_line), SIZE.findall(real_line)):
            doc_kib, real_kib = int(doc_size.replace(",", "")), int(real_size.replace(",", ""))
            if abs(doc_kib - real_kib) > max(0.1 * real_kib, 2):
                return False
    return True


def test_output_comparison_ignores_timings_and_progress_order_but_not_words():
    doc = ["Building x …", "  making  a.html …", "  built   a.html (96 KiB, 0.16 s)", "Done in 0.33 s."]
    real = ["Building x …", "  built   a.html (99 KiB, 1.02 s)", "  making  a.html …", "Done in 2.50 s.", ""]
    assert same_output(doc, real)
    assert not same_output(doc, [*real[:1], "  built   a.html (150 KiB, 1.02 s)", *real[2:]])
    assert not same_output(doc, ["Building y …", *real[1:]])
    assert not same_output(doc, real[:3])


# --- following a doc ---------------------------------------------------------------------


def _environment(home: Path) -> dict[str, str]:
    return {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "COLUMNS": "80",
        "TERM": "dumb",
        "PYTHONUNBUFFERED": "1",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Editor",
        "GIT_AUTHOR_EMAIL": "editor@example.org",
        "GIT_COMMITTER_NAME": "Editor",
        "GIT_COMMITTER_EMAIL": "editor@example.org",
    }


def project_copy(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A folder like a fresh clone's, as far as the docs need: content/, schema/ and editions/, committed."""
    work = tmp_path / "project"
    shutil.copytree(ROOT / "content", work / "content")
    shutil.copytree(ROOT / "schema", work / "schema")
    shutil.copytree(ROOT / "editions", work / "editions")
    env = _environment(tmp_path / "home")
    (tmp_path / "home").mkdir()
    for args in (
        ["init", "-q"],
        ["add", "content", "schema", "editions"],
        ["commit", "-q", "-m", "The guide as it is"],
    ):
        subprocess.run(["git", *args], cwd=work, env=env, check=True, capture_output=True)
    return work, env


def apply_edit(block: Block, work: Path, where: str) -> str | None:
    """Make the edit a diff block asks for; say why not if it cannot be made."""
    relpath = block.attributes.get("file")
    if not relpath:
        return f"{where}: a diff block needs file=PATH"
    if relpath not in block.before:
        return f"{where}: the text before this block must name {relpath}, the file to edit"
    old = [line[1:] for line in block.body if line[:1] in (" ", "-")]
    new = [line[1:] for line in block.body if line[:1] in (" ", "+")]
    strays = [line for line in block.body if line[:1] not in (" ", "-", "+")]
    if strays:
        return f"{where}: every line of a diff block starts with ' ', '-' or '+': {strays[0]!r}"
    path = work / relpath
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    before, after = "\n".join(old) + "\n", "\n".join(new) + "\n"
    count = text.count(before)
    if count != 1:
        return (
            f"{where}: the lines to change are {'not in' if count == 0 else 'more than once in'} {relpath} "
            "(hint: the content changed since the doc was written: update the example)"
        )
    path.write_text(text.replace(before, after), encoding="utf-8")
    return None


def run(command: str, work: Path, env: dict[str, str]) -> list[str]:
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=work,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=COMMAND_TIMEOUT,
    )
    return done.stdout.decode("utf-8").split("\n")


def check_shown_command(line: str) -> str | None:
    """Why a command shown in a ```sh block would not work as written, or None."""
    words = shlex.split(line.removeprefix("$ "), comments=True)
    if words[:1] == [".venv/bin/mdguide"]:
        words[0] = "mdguide"
    if words[:1] == ["make"]:
        targets = re.findall(r"^([a-z][\w-]*):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
        missing = [w for w in words[1:] if not w.startswith("-") and w not in targets]
        return f"no make target {missing[0]!r}" if missing else None
    if words[:1] != ["mdguide"] or len(words) == 1 or words[1] in ("-h", "--help", "--version"):
        return None
    root = click.Context(main, info_name="mdguide", **main.context_settings)  # as `mdguide` itself would
    command = main.get_command(root, words[1])
    if command is None:
        return f"mdguide has no command {words[1]!r}"
    if "-h" in words or "--help" in words:
        return None
    try:
        command.make_context(words[1], words[2:], parent=root)  # parses the options; runs nothing
    except click.UsageError as error:
        return f"mdguide would refuse it: {error.format_message()}"
    return None


def _name(doc: Path) -> str:
    return doc.relative_to(ROOT).as_posix() if doc.is_relative_to(ROOT) else doc.name


def follow(doc: Path, tmp_path: Path, update: bool = False) -> list[str]:
    """Follow ``doc`` from top to bottom; return every way it differs from what really happens."""
    work, env = project_copy(tmp_path)
    problems: list[str] = []
    replacements: dict[int, list[str]] = {}  # block line -> new body (with --update-golden)
    for block in blocks(doc):
        where = f"{_name(doc)}:{block.line}"
        if block.language == "diff":
            problem = apply_edit(block, work, where)
            if problem:
                problems.append(problem)
        elif block.language == "sh":
            for offset, line in enumerate(block.body, start=1):
                problem = check_shown_command(line) if line.strip() else None
                if problem:
                    problems.append(f"{_name(doc)}:{block.line + offset}: {line.strip()!r}: {problem}")
        elif block.language == "console":
            body: list[str] = []
            for command in commands(block):
                actual = _trimmed(run(command.command, work, env))
                matches = same_output(command.expected, actual)
                # --update-golden rewrites only what differs, so timings do not churn.
                body += [f"$ {command.command}", *(_trimmed(command.expected) if matches else actual)]
                if not matches:
                    diff = "\n".join(
                        difflib.unified_diff(
                            _trimmed(command.expected),
                            actual,
                            "the doc says",
                            "the command prints",
                            lineterm="",
                        )
                    )
                    problems.append(f"{_name(doc)}:{command.line}: $ {command.command}\n{diff}")
            replacements[block.line] = body
    if update:
        _rewrite(doc, replacements)
    return problems


def _rewrite(doc: Path, replacements: dict[int, list[str]]) -> None:
    lines = doc.read_text(encoding="utf-8").split("\n")
    for block in sorted(blocks(doc), key=lambda b: -b.line):
        if block.line in replacements:
            start = block.line  # index of the first body line
            lines[start : start + len(block.body)] = [
                block.indent + line if line else line for line in replacements[block.line]
            ]
    doc.write_text("\n".join(lines), encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_example_in_the_doc_is_true(doc, tmp_path, request):
    assert (VENV_BIN / "mdguide").is_file(), (
        f"run the tests with the project's venv ({VENV_BIN} has no mdguide)"
    )
    problems = follow(doc, tmp_path, request.config.getoption("--update-golden"))
    if problems:
        pytest.fail(
            "\n\n".join(problems)
            + "\n\nIf the change is intended: pytest tests/test_docs.py --update-golden",
            pytrace=False,
        )


def test_the_docs_have_worked_examples():
    """Each user's doc shows real commands with their output, and edits to make."""
    for name in ("editing.md", "formats.md", "handouts.md"):
        found = blocks(ROOT / "docs" / name)
        assert sum(b.language == "console" for b in found) >= 3, f"{name}: too few worked examples"
    editing = blocks(ROOT / "docs" / "editing.md")
    assert sum(b.language == "diff" for b in editing) >= 5
    shown = "\n".join(line for b in editing if b.language == "console" for line in b.body)
    for code in ("E102", "E202", "E302", "E323", "E401", "W301"):  # one of each kind of diagnostic
        assert f": {code} " in shown, f"editing.md shows no {code} error"


LIES = {
    "wrong output": (
        "```console\n$ mdguide formats\nhtml  A printed book.\n```\n",
        "+html               Accessible web page",
    ),
    "edit that does not apply": (
        "In content/guide.json:\n\n```diff file=content/guide.json\n"
        '-  "slug": "no-such-slug",\n+  "slug": "x",\n```\n',
        "the lines to change are not in",
    ),
    "edit of an unnamed file": (
        "Change this:\n\n```diff file=content/guide.json\n"
        '-  "language": "en-GB",\n+  "language": "en-GB",\n```\n',
        "the text before this block must name content/guide.json",
    ),
    "option that does not exist": ("```sh\nmdguide build --colour red\n```\n", "No such option '--colour'"),
    "make target that does not exist": ("```sh\nmake everything\n```\n", "no make target 'everything'"),
}


@pytest.mark.parametrize("case", list(LIES))
def test_a_doc_that_lies_fails(case, tmp_path):
    text, problem = LIES[case]
    doc = tmp_path / "lie.md"
    doc.write_text(text, encoding="utf-8")
    problems = follow(doc, tmp_path / "run")
    assert len(problems) == 1 and problem in problems[0], problems


# --- what the docs name ------------------------------------------------------------------


def test_editing_md_says_where_every_content_file_is():
    text = (ROOT / "docs" / "editing.md").read_text(encoding="utf-8")
    table = text[text.index("## Where each part of the guide lives") : text.index("### How a section file")]
    named = set(re.findall(r"`(content/[\w./-]+\.json)`", table))
    real = {p.relative_to(ROOT).as_posix() for p in (ROOT / "content").rglob("*.json")}
    assert named == real


def test_handouts_md_lists_every_role():
    import json

    text = (ROOT / "docs" / "handouts.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `([a-z0-9-]+)` \| (.+) \|$", text, re.M)
    roles = json.loads((ROOT / "content" / "roles.json").read_text(encoding="utf-8"))["roles"]
    assert listed == [(r["id"], r["editorial_name"]) for r in sorted(roles, key=lambda r: r["order"])]


OUTPUT_NAME = re.compile(r"`(?:outputs/)?((?:handouts/)?[a-z0-9-]+\.(?:html|epub|docx|pdf|txt|brf))`")


def test_every_output_file_the_docs_name_is_one_mdguide_makes():
    """A file named in the prose is in the README's list (a default build) or printed by an example."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    made = set(re.findall(r"`(outputs/[^`]+)`", readme))
    shown = [line for doc in DOCS for b in blocks(doc) if b.language == "console" for line in b.body]
    made |= {line for line in shown if line.startswith("outputs/")}  # `mdguide build -q`
    made |= {f"outputs/{m[1]}" for m in map(BUILT.match, shown) if m}  # "  built   handouts/x.html (…)"
    for doc in DOCS:
        for name in OUTPUT_NAME.findall(doc.read_text(encoding="utf-8")):
            assert f"outputs/{name}" in made, f"{_name(doc)} names {name}, which no build makes"


# --- the generated parts -----------------------------------------------------------------


def test_cli_reference_is_up_to_date():
    reference = ROOT / cli_reference.REFERENCE
    assert reference.is_file(), "docs/cli.md is missing: run 'mdguide docs'"
    assert reference.read_text(encoding="utf-8") == cli_reference.cli_reference(main), (
        "docs/cli.md is out of date: run 'mdguide docs'"
    )


def test_every_command_help_has_an_example():
    entries = list(cli_reference.commands(main))
    assert {name for name, _ in entries} >= {f"mdguide {name}" for name in main.commands}
    for name, context in entries:
        assert "Example" in cli_reference.command_help(context), f"'{name} --help' shows no example"


def test_cli_reference_is_each_commands_real_help():
    """The reference is what `mdguide X --help` prints in an 80-column terminal."""
    reference = (ROOT / cli_reference.REFERENCE).read_text(encoding="utf-8")
    for name, _ in cli_reference.commands(main):
        printed = CliRunner().invoke(
            main, [*name.split()[1:], "--help"], prog_name="mdguide", terminal_width=80
        )
        assert printed.exit_code == 0
        assert printed.output in reference, f"docs/cli.md does not hold '{name} --help' as it prints"


def test_readme_lists_every_file_a_default_build_makes(guide_outputs):
    for name in registry.names():
        guide_outputs(name)  # built once per session, shared with the format tests
    files = cli_reference.default_outputs(ROOT / "content", guide_outputs.out_dir)
    assert len(files) > len(registry.names())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert cli_reference.listing_problems(readme, files) == [], "README.md is out of date: run 'mdguide docs'"


def test_listing_problems_catches_a_wrong_size_and_a_missing_file():
    files = [
        cli_reference.OutputFile("html", "outputs/guide.html", 100 * 1024),
        cli_reference.OutputFile("txt", "outputs/guide.txt", 3 * 1024),
    ]
    readme = f"x\n{cli_reference.BEGIN}\n{cli_reference.outputs_listing(files)}\n{cli_reference.END}\n"
    assert cli_reference.listing_problems(readme, files) == []
    bigger = [files[0], cli_reference.OutputFile("txt", "outputs/guide.txt", 30 * 1024)]
    assert cli_reference.listing_problems(readme, bigger) == [
        "outputs/guide.txt: the README says 3 KiB, a build makes 30 KiB"
    ]
    assert (
        "not listed: outputs/guide.pdf"
        in cli_reference.listing_problems(
            readme, [*files, cli_reference.OutputFile("pdf", "outputs/guide.pdf", 1)]
        )[0]
    )
    assert cli_reference.listing_problems(cli_reference.with_outputs_listing(readme, bigger), bigger) == []


def test_docs_command_writes_the_generated_parts_and_check_agrees(tmp_path, guide_outputs, monkeypatch):
    for name in registry.names():
        guide_outputs(name)
    (tmp_path / "README.md").write_text(
        f"# Title\n\n{cli_reference.BEGIN}\n{cli_reference.END}\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    args = ["--content", str(ROOT / "content"), "--out", str(guide_outputs.out_dir)]
    stale = CliRunner().invoke(main, ["docs", "--check", *args])
    assert stale.exit_code == 1
    assert "docs/cli.md: out of date" in stale.output
    wrote = CliRunner().invoke(main, ["docs", *args])
    assert wrote.exit_code == 0, wrote.output
    assert (tmp_path / "docs" / "cli.md").read_text(encoding="utf-8") == cli_reference.cli_reference(main)
    assert "| html | `outputs/the-medical-directors-role.html` |" in (tmp_path / "README.md").read_text()
    fresh = CliRunner().invoke(main, ["docs", "--check", *args])
    assert fresh.exit_code == 0, fresh.output
    assert (
        fresh.output == "docs/cli.md, docs/errors.md and the list of outputs in README.md are up to date.\n"
    )
