"""`mdguide validate` on bad input: one golden file per case, with the exact lines.

Each case copies the mini guide in tests/fixtures/mini-content, breaks it in
one way, runs the real CLI and compares exit status and output with
tests/golden/validate/<case>.txt.  After a deliberate change to messages,
regenerate with:  pytest tests/test_validate_golden.py --update-golden
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import edit_json
from mdguide_build.cli import main
from mdguide_build.validate.diagnostics import CATALOGUE

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "mini-content"
GOLDEN = HERE / "golden" / "validate"


def edit_file(relpath: str, change: Callable[[dict], None]) -> Callable[[Path], None]:
    return lambda root: edit_json(root / relpath, change)


def edit_text(relpath: str, change: Callable[[str], str]) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / relpath
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")

    return apply


def write_bytes(relpath: str, data: bytes) -> Callable[[Path], None]:
    return lambda root: (root / relpath).write_bytes(data)


def first_block(data: dict) -> dict:
    return data["blocks"][0]


def _symlink(root: Path) -> None:
    outside = root.parent / "outside.json"
    shutil.copy(root / "figures.json", outside)
    (root / "figures.json").unlink()
    (root / "figures.json").symlink_to(outside)


def _fifo(root: Path) -> None:
    (root / "foreword.json").unlink()
    os.mkfifo(root / "foreword.json")


def _folder(root: Path) -> None:
    (root / "figures.json").unlink()
    (root / "figures.json").mkdir()


def _device(root: Path) -> None:
    (root / "figures.json").unlink()
    (root / "figures.json").symlink_to("/dev/zero")


def _unreadable(root: Path) -> None:
    (root / "foreword.json").chmod(0)


def _in_foreword(raw: str) -> Callable[[Path], None]:
    """Put ``raw`` (JSON string source: a character or an escape) into the foreword's paragraph."""
    return edit_text(
        "foreword.json", lambda t: t.replace("A foreword paragraph.", f"A fore{raw}word paragraph.")
    )


SECTION = "sections/1-only.json"
CASES: dict[str, Callable[[Path], None]] = {
    "valid": lambda root: None,
    "missing-content-dir": lambda root: shutil.rmtree(root),
    "missing-file": lambda root: (root / "foreword.json").unlink(),
    "empty-file": write_bytes("foreword.json", b""),
    "truncated-file": edit_text("foreword.json", lambda t: t[: len(t) // 2]),
    "trailing-comma": edit_text(
        "figures.json", lambda t: t.replace('"items": ["one thing"]', '"items": ["one thing",]')
    ),
    "comment": edit_text(
        "resources.json", lambda t: t.replace('"resources": [', '// links\n  "resources": [')
    ),
    "byte-order-mark": lambda root: (root / "foreword.json").write_bytes(
        b"\xef\xbb\xbf" + (root / "foreword.json").read_bytes()
    ),
    "not-utf8": edit_text("foreword.json", lambda t: t)
    if False
    else (
        lambda root: (root / "foreword.json").write_bytes(
            (root / "foreword.json").read_bytes().replace(b"A foreword", b"A \xe9foreword")
        )
    ),
    "duplicate-key": edit_text(
        "foreword.json",
        lambda t: t.replace('"title": "Foreword",', '"title": "Foreword",\n  "title": "Again",'),
    ),
    "nan": edit_text("resources.json", lambda t: t.replace('"footnote_2017": 1', '"footnote_2017": NaN')),
    "infinity": edit_text(
        "resources.json", lambda t: t.replace('"footnote_2017": 1', '"footnote_2017": Infinity')
    ),
    "huge-number": edit_text(
        "resources.json", lambda t: t.replace('"footnote_2017": 1', '"footnote_2017": 1' + "0" * 40)
    ),
    "out-of-range-number": edit_file(
        "resources.json", lambda d: d["resources"][0].update(footnote_2017=100000)
    ),
    "huge-string": edit_file("foreword.json", lambda d: d["paragraphs"].append("word " * 1000)),
    "deep-nesting": edit_text(
        "figures.json", lambda t: t.replace('"items": ["one thing"]', '"items": ' + "[" * 100 + "]" * 100)
    ),
    "wrong-type": edit_file("guide.json", lambda d: d.update(publishers="Test Publisher")),
    "wrong-type-boolean": edit_file(SECTION, lambda d: d.update(numbered="yes")),
    "missing-field": edit_file("guide.json", lambda d: d.pop("title")),
    "unknown-field": edit_file("guide.json", lambda d: d.update(titel="A typo")),
    "unknown-block-type": edit_file(SECTION, lambda d: first_block(d).update(type="paragrpah")),
    "unknown-resource": edit_file(
        SECTION, lambda d: first_block(d).update(text="Read [the site][res-b].[^res-a]")
    ),
    # Cause before consequence: the misspelt citation (E302) comes before the resource it leaves
    # uncited (E304), although content/resources.json sorts before content/sections/.
    "misspelt-citation": edit_file(
        SECTION, lambda d: first_block(d).update(text="Read [the site][res-b].[^res-b]")
    ),
    "unknown-figure": edit_file(SECTION, lambda d: d["blocks"][1].update(figure="figure-9")),
    "duplicate-id": edit_file(SECTION, lambda d: d["blocks"][2].update(id="case-a")),
    "uncited-resource": edit_file(
        "resources.json",
        lambda d: d["resources"].append(
            {"id": "res-b", "url": "https://example.org/b", "link_texts": [], "footnote_2017": 2}
        ),
    ),
    "unplaced-figure": edit_file(
        "figures.json",
        lambda d: d["figures"].append(
            {
                "id": "figure-2",
                "caption": "Another",
                "description": {"basis": "guide-text", "lead": "It shows:"},
            }
        ),
    ),
    "javascript-url": edit_file(
        "resources.json", lambda d: d["resources"][0].update(url="javascript:alert(1)")
    ),
    "file-url": edit_file("resources.json", lambda d: d["resources"][0].update(url="file:///etc/passwd")),
    "bad-id": edit_file(SECTION, lambda d: d.update(id="Only Section")),
    "raw-html-in-text": edit_file(
        SECTION,
        lambda d: first_block(d).update(
            text="Read [the site][res-a].[^res-a] <script>alert(1)</script> <img src=x onerror=alert(1)>"
        ),
    ),
    "malformed-markup": edit_file(
        SECTION, lambda d: first_block(d).update(text="Read *the book at [the site][res-a].[^res-a]")
    ),
    "line-break-in-text": edit_file("foreword.json", lambda d: d["paragraphs"].append("two\nlines")),
    "path-outside-content": edit_file("guide.json", lambda d: d["sections"].append("../../etc/passwd")),
    "absolute-path": edit_file("guide.json", lambda d: d["sections"].append("/etc/passwd")),
    "symlink": _symlink,
    "figure-image-outside": edit_file(
        "figures.json", lambda d: d["figures"][0].update(image="../secret.png")
    ),
    "section-listed-twice": edit_file("guide.json", lambda d: d["sections"].append("sections/1-only.json")),
    "missing-section-file": edit_file(
        "guide.json", lambda d: d["sections"].append("sections/2-missing.json")
    ),
    "person-specification-twice": edit_file(
        SECTION, lambda d: d["blocks"].append({"type": "person-specification"})
    ),
    "unknown-edition-mark": edit_file(SECTION, lambda d: first_block(d).update(since="1.1")),
    "wrong-schema-reference": edit_file("figures.json", lambda d: d.update({"$schema": "figures.json"})),
    "fifo-instead-of-file": _fifo,
    "folder-instead-of-file": _folder,
    "link-to-a-device": _device,
    "unreadable-file": _unreadable,
    "next-line-control": _in_foreword("\u0085"),
    "escape-in-a-field-name": edit_text(
        "foreword.json", lambda t: t.replace('"title":', '"\\u001b]0;pwned\\u0007title":', 1)
    ),
    "zero-width-joiner": _in_foreword("\u200d"),
    "zero-width-non-joiner": _in_foreword("\\u200c"),
    "right-to-left-override": _in_foreword("\u202e"),
    "emoji": _in_foreword("\U0001f600"),
    "emoji-escaped": _in_foreword("\\ud83d\\ude00"),
    "no-break-space": _in_foreword("\u00a0"),
    "noncharacter": _in_foreword("\uffff"),
    "lone-surrogate": _in_foreword("\\ud800"),
    "several-problems": lambda root: [
        edit_file("guide.json", lambda d: d.pop("title"))(root),
        edit_file("resources.json", lambda d: d["resources"][0].update(url="ftp://x"))(root),
    ],
}


def _with_a_role(root: Path) -> None:
    """Give the mini guide one reader role, with every item tagged for it (see test_handouts.py)."""

    def roles(d: dict) -> None:
        d["sources"] = {"reflection": ["only"], "action": ["only"]}
        d["themes"] = [{"id": "reading", "editorial_name": "Reading"}]
        d["roles"] = [
            {
                "id": "reader",
                "order": 1,
                "editorial_name": "Reader",
                "editorial_description": "For readers.",
                "basis": [{"at": "only", "text": "Read the book"}],
            }
        ]

    def section(d: dict) -> None:
        first_block(d)["handout"] = {"roles": ["reader"], "kind": "action", "theme": "reading"}
        d["blocks"][2]["handout"] = {"roles": ["reader"]}
        d["blocks"].append(
            {
                "type": "paragraph",
                "text": "Are you ready?",
                "handout": {"roles": ["reader"], "kind": "reflection"},
            }
        )

    edit_file("roles.json", roles)(root)
    edit_file(SECTION, section)(root)
    edit_file(
        "person-specification.json",
        lambda d: d["groups"][0]["criteria"][0].update(handout={"roles": ["reader"]}),
    )(root)


def _handout_case(*changes: Callable[[Path], None]) -> Callable[[Path], None]:
    return lambda root: [_with_a_role(root), *(change(root) for change in changes)]


ROLES = "roles.json"
CASES.update(
    {
        "handout-valid": _handout_case(),
        "handout-unknown-role": _handout_case(
            edit_file(SECTION, lambda d: d["blocks"][2]["handout"].update(roles=["reeder"]))
        ),
        "handout-unknown-theme": _handout_case(
            edit_file(SECTION, lambda d: first_block(d)["handout"].update(theme="readin"))
        ),
        "handout-role-gets-nothing": _handout_case(
            edit_file(
                ROLES,
                lambda d: d["roles"].append(
                    {
                        "id": "writer",
                        "order": 2,
                        "editorial_name": "Writer",
                        "editorial_description": "For writers.",
                        "basis": [{"at": "only", "text": "Read the book"}],
                    }
                ),
            )
        ),
        "handout-untagged-item": _handout_case(edit_file(SECTION, lambda d: d["blocks"][2].pop("handout"))),
        "handout-contradictory-tag": _handout_case(
            edit_file(SECTION, lambda d: d["blocks"][2]["handout"].update(general=True))
        ),
        "handout-role-twice": _handout_case(
            edit_file(ROLES, lambda d: d["roles"].append(dict(d["roles"][0], order=2)))
        ),
        "handout-basis-not-in-guide": _handout_case(
            edit_file(ROLES, lambda d: d["roles"][0]["basis"][0].update(text="Read the magazine"))
        ),
        "handout-unknown-part": _handout_case(
            edit_file(ROLES, lambda d: d["sources"].update(action=["onl"]))
        ),
        "handout-roles-alike": _handout_case(
            edit_file(ROLES, lambda d: d["roles"].append(dict(d["roles"][0], id="listener", order=2))),
            edit_file(
                SECTION,
                lambda d: [b["handout"]["roles"].append("listener") for b in d["blocks"] if "handout" in b],
            ),
            edit_file(
                "person-specification.json",
                lambda d: d["groups"][0]["criteria"][0]["handout"]["roles"].append("listener"),
            ),
        ),
        "handout-no-published-url": _handout_case(edit_file("guide.json", lambda d: d.pop("published_url"))),
        "handout-unused-theme": _handout_case(
            edit_file(ROLES, lambda d: d["themes"].append({"id": "writing", "editorial_name": "Writing"}))
        ),
    }
)


def run_case(name: str, tmp_path: Path) -> str:
    if name in UNPRIVILEGED and os.geteuid() == 0:
        return _run_unprivileged(name)
    shutil.copytree(FIXTURE, tmp_path / "content")
    shutil.copytree(HERE.parent / "schema", tmp_path / "schema")
    CASES[name](tmp_path / "content")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(main, ["validate", "--content", "content"])
    finally:
        os.chdir(cwd)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    output = result.output.replace(f"({_elapsed(result.output)} s)", "(… s)")
    return f"exit {result.exit_code}\n{output}"


# Cases about permissions: root reads every file, so as root they run as 'nobody'.
UNPRIVILEGED = {"unreadable-file"}


def _run_unprivileged(name: str) -> str:
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory(prefix="mdguide-unprivileged-") as temp:
        root = Path(temp)
        root.chmod(0o755)
        shutil.copytree(FIXTURE, root / "content")
        shutil.copytree(HERE.parent / "schema", root / "schema")
        CASES[name](root / "content")
        done = subprocess.run(
            ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--",
             str(Path(sys.executable).parent / "mdguide"), "validate", "--content", "content"],
            cwd=root, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return f"exit {done.returncode}\n{done.stdout}{done.stderr}"


def _elapsed(output: str) -> str:
    import re

    match = re.search(r"\((\d+\.\d+) s\)", output)
    return match.group(1) if match else "\0"


@pytest.mark.parametrize("name", list(CASES))
def test_validate_output_matches_golden(name, tmp_path, request):
    actual = run_case(name, tmp_path)
    golden = GOLDEN / f"{name}.txt"
    if request.config.getoption("--update-golden"):
        golden.write_text(actual, encoding="utf-8")
    assert golden.is_file(), f"no golden file for {name}: run pytest --update-golden"
    assert actual == golden.read_text(encoding="utf-8")
    assert "Traceback" not in actual


def test_every_diagnostic_code_has_a_golden_case():
    seen = " ".join(p.read_text(encoding="utf-8") for p in GOLDEN.glob("*.txt"))
    untested = [code for code in CATALOGUE if f": {code} " not in seen]
    assert untested == [], f"codes without a golden case: {untested}"
