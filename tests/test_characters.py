"""What `validate` passes, `build` can build: characters, special files, long words.

The messages themselves are golden files (tests/golden/validate/); here the
build must refuse exactly what validate refuses, with the same lines, leave
the outputs alone, never hang on a FIFO or a device, and build every
character validate allows into every format, with the PDF's own font.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from mdguide_build.cli import main
from mdguide_build.validate import characters
from mdguide_build.writers import braille
from serving import served
from validators import pdftotext

HERE = Path(__file__).resolve().parent
MINI = HERE / "fixtures" / "mini-content"
MDGUIDE = Path(sys.executable).parent / "mdguide"
FACES = ("Regular", "Bold", "Italic", "BoldItalic")  # the PDF sets text in all four


@pytest.fixture
def mini(tmp_path) -> Path:
    shutil.copytree(MINI, tmp_path / "content")
    shutil.copytree(HERE.parent / "schema", tmp_path / "schema")
    return tmp_path / "content"


def _edit(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _font_file(face: str) -> Path:
    """The PDF's font, as mdguide ships it (writers/pdf.FONTS): no system font is used."""
    from mdguide_build.writers.pdf import FONTS

    return FONTS / f"LiberationSans-{face}.ttf"


def _ranges(codes: list[int]) -> list[tuple[int, int]]:
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return [tuple(r) for r in ranges]


def test_the_repertoire_is_what_the_pdf_fonts_draw_and_braille_translates():
    from fontTools.ttLib import TTFont

    drawn = set.intersection(*(set(TTFont(_font_file(face)).getBestCmap()) for face in FACES))
    brailled = []
    for code in sorted(drawn):
        char = chr(code)
        if unicodedata.category(char)[0] in "CZ" and char != " ":
            continue  # invisible: never text, whatever a font maps it to
        cells = braille.translate(f"a{char}b")
        if braille._UNDEFINED.search(cells) or not all(0x20 <= ord(c) <= 0x5F for c in cells):
            continue  # no sign, or not braille ASCII (a BRF holds nothing else)
        brailled.append(code)
    derived = _ranges(brailled)
    listing = ", ".join(f"(0x{low:04X}, 0x{high:04X})" for low, high in derived)
    assert list(characters.REPERTOIRE) == derived, f"REPERTOIRE should now be: {listing}"


def test_control_names_are_unicodes_aliases():
    names = characters._CONTROL_NAMES
    assert len(names) == 65 and set(names) == {*range(0x20), 0x7F, *range(0x80, 0xA0)}
    assert all(unicodedata.lookup(name) == chr(code) for code, name in names.items())


def test_every_character_validate_allows_builds_in_every_format_with_the_pdf_font(mini, tmp_path):
    allowed = "".join(chr(c) for low, high in characters.REPERTOIRE for c in range(low, high + 1))
    # Each between two letters, as in a word: pandoc writes "’" as Typst's smart "'", which
    # turns to "‘" after a space, and "–—" as "-----", which Typst reads as "—–".
    spelled = "x".join(allowed.replace(" ", ""))
    name, title, organisation = (spelled[i : i + 290] for i in range(0, 870, 290))
    assert len(spelled) <= 870
    # Plain-text fields (no inline markup) that every format prints: a signatory's.
    _edit(
        mini / "foreword.json",
        lambda d: d["signatories"][0].update(name=name, title=title, organisation=organisation),
    )
    assert CliRunner().invoke(main, ["validate", "--content", str(mini)]).exit_code == 0
    out = tmp_path / "out"
    formats = ["html", "epub", "docx", "pdf", "txt", "brf"]
    result = CliRunner().invoke(
        main, ["build", "--content", str(mini), "--out", str(out), "-q", *(f"--format={f}" for f in formats)]
    )
    assert result.exit_code == 0, result.output
    pdf = next(out.glob("*.pdf"))
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    families = {re.sub(r"^[A-Z]{6}\+", "", line.split()[0]) for line in fonts.splitlines()[2:]}
    assert families and all(re.match(r"Liberation-?Sans", name) for name in families), families
    printed = re.sub(r"\s+", "", pdftotext(pdf))
    assert "".join(spelled.split()).replace("ﬁ", "fi") in printed.replace("ﬁ", "fi")


REFUSED = {
    "\u0085": "E501",  # NEXT LINE, a C1 control
    "\u200d": "E501",  # ZERO WIDTH JOINER
    "\u200c": "E501",  # ZERO WIDTH NON-JOINER
    "\u202e": "E501",  # RIGHT-TO-LEFT OVERRIDE
    "\U0001f600": "E503",  # an emoji: no glyph in the PDF's font, no braille
    "\u00a0": "E503",  # NO-BREAK SPACE: passes through liblouis and breaks the BRF
    "\uffff": "E502",  # a noncharacter: invalid XML
}


@pytest.mark.parametrize("char", list(REFUSED), ids=[f"U+{ord(c):04X}" for c in REFUSED])
def test_build_refuses_what_validate_refuses_with_the_same_lines_and_leaves_outputs(char, mini, tmp_path):
    _edit(mini / "foreword.json", lambda d: d["paragraphs"].append(f"Two{char}words."))
    checked = CliRunner().invoke(main, ["validate", "--content", str(mini)])
    assert checked.exit_code == 1
    line = next(x for x in checked.output.splitlines() if f" {REFUSED[char]} " in x)
    assert line.startswith(f"{mini}/foreword.json:") and f"U+{ord(char):04X}" in line, line
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.txt").write_text("the previous outputs", encoding="utf-8")
    built = CliRunner().invoke(main, ["build", "--content", str(mini), "--out", str(out), "--format", "brf"])
    assert built.exit_code == 1 and "Traceback" not in built.output
    assert line in built.output.splitlines()
    assert built.output.rstrip().endswith("Error: Aborted: 1 error in " + str(mini))
    # Nothing written or removed; only the folder's lock, the build's own bookkeeping, may appear.
    assert sorted(p.name for p in out.iterdir() if p.name != ".mdguide.lock") == ["earlier.txt"]
    assert (out / "earlier.txt").read_text(encoding="utf-8") == "the previous outputs"


def _special(root: Path, kind: str) -> None:
    target = root / "foreword.json"
    target.unlink()
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "dev-zero":
        target.symlink_to("/dev/zero")
    else:
        target.mkdir()


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("fifo", "E108 the path is a named pipe (FIFO), not an ordinary file"),
        ("folder", "E108 the path is a folder, not an ordinary file"),
        ("dev-zero", "E107 'foreword.json' is or passes through a symbolic link"),
    ],
)
def test_special_files_are_refused_without_hanging(kind, expected, mini, tmp_path):
    _special(mini, kind)
    for command in (["validate"], ["build", "--out", str(tmp_path / "out"), "--format", "txt"]):
        done = subprocess.run(
            [str(MDGUIDE), *command, "--content", str(mini)],
            capture_output=True,
            text=True,
            timeout=120,  # a hang fails here instead of blocking the suite
            check=False,
        )
        assert done.returncode == 1, done.stderr
        assert f"{mini}/foreword.json: {expected}" in done.stderr
        assert "Traceback" not in done.stderr


def test_the_preview_shows_a_fifo_as_an_error_without_hanging(content_copy):
    _special(content_copy, "fifo")
    with served(content_copy) as (_process, url):  # the address is printed once the error page is made
        import urllib.request

        with urllib.request.urlopen(url, timeout=30) as response:
            page = response.read().decode("utf-8")
        assert "the path is a named pipe (FIFO), not an ordinary file" in page


def test_a_word_longer_than_the_line_wraps_in_both_pdfs(mini, tmp_path):
    word = "abcdefghij" * 399  # 3,990 letters: a text may hold 4,000
    _edit(mini / "foreword.json", lambda d: d["paragraphs"].append(f"Long: {word}"))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "build",
            "--content",
            str(mini),
            "--out",
            str(out),
            "-q",
            "--format=pdf",
            "--format=large-print-pdf",
        ],
    )
    assert result.exit_code == 0, result.output
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == 2
    for pdf in pdfs:
        lines = [line for line in pdftotext(pdf).split("\n") if not line.strip().isdigit()]  # page numbers
        assert word in "".join(line.strip() for line in lines), pdf.name
