"""A build takes the content `validate` or a build found valid, never for other bytes, and nothing planted runs.

``make`` runs ``mdguide validate`` and then ``mdguide build``; the build takes
the typed content validate checked (``validate.remembered``) instead of
checking it again.  What the build makes from it must be what a build that
checks the content afresh makes (with no cache at all), and any change to the
content must be checked.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from mdguide_build import cache
from mdguide_build.validate import remembered, snapshot

MDGUIDE = str(Path(sys.executable).parent / "mdguide")
CONCLUSION = "sections/4-conclusion.json"
FORMATS = ("html", "txt")

# Builds the content in a fresh interpreter and says whether it imported the checks.
BUILD_AND_TELL = """
import sys
from pathlib import Path
from mdguide_build.build import build
build(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:], force=True)  # named as `mdguide` names it
print("checked" if "mdguide_build.validate.loader" in sys.modules else "remembered")
"""


@pytest.fixture
def private_cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("MDGUIDE_CACHE_DIR", str(folder))
    return folder


def build_and_tell(content: Path, out: Path, cache_dir: Path | str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", BUILD_AND_TELL, str(content), str(out), *FORMATS],
        capture_output=True,
        text=True,
        env={**os.environ, cache.CACHE_ENV: str(cache_dir)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}


def validate(content: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [MDGUIDE, "validate", "--content", str(content)], capture_output=True, text=True, check=False
    )


def test_a_build_after_validate_takes_what_validate_checked_and_makes_what_checking_afresh_makes(
    content_copy, tmp_path, private_cache
):
    assert validate(content_copy).returncode == 0
    assert build_and_tell(content_copy, tmp_path / "after-validate", private_cache) == "remembered"
    assert build_and_tell(content_copy, tmp_path / "no-cache", "") == "checked"
    assert outputs(tmp_path / "after-validate") == outputs(tmp_path / "no-cache")


def test_a_build_remembers_for_the_next_and_every_change_is_checked_afresh(
    content_copy, tmp_path, private_cache
):
    section = content_copy / CONCLUSION
    original = section.read_bytes()
    assert build_and_tell(content_copy, tmp_path / "1", private_cache) == "checked"
    assert build_and_tell(content_copy, tmp_path / "2", private_cache) == "remembered"

    section.write_bytes(original.replace(b"exciting", b"thrilling", 1))
    assert build_and_tell(content_copy, tmp_path / "3", private_cache) == "checked"
    assert b"thrilling" in (tmp_path / "3" / "the-medical-directors-role.txt").read_bytes()

    section.write_bytes(original.replace(b'"title"', b'"titlf"', 1))  # one byte: now invalid
    broken = subprocess.run(
        [MDGUIDE, "build", "--content", str(content_copy), "--out", str(tmp_path / "4"), "--format", "txt"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert broken.returncode != 0
    assert broken.stderr.splitlines()[:-1] == validate(content_copy).stderr.splitlines()[:-1]

    section.write_bytes(original)  # back as it was: remembered again
    assert build_and_tell(content_copy, tmp_path / "5", private_cache) == "remembered"
    assert outputs(tmp_path / "5") == outputs(tmp_path / "1")


class Planted:
    """What an attacker able to write into the cache might leave there: a pickle that runs a command."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("entry", ["planted", "other type", "not a pickle"])
def test_a_planted_or_foreign_entry_runs_nothing_and_the_content_is_checked_afresh(
    content_copy, tmp_path, private_cache, entry
):
    marker = tmp_path / "ran"
    data = {
        "planted": pickle.dumps(Planted(marker)),
        "other type": pickle.dumps({"guide": "not content"}),
        "not a pickle": b"\x80\x05junk",
    }[entry]
    name = cache.key(content_copy.as_posix(), snapshot.take(content_copy).digest)
    cache.store(remembered.KIND, name, data)
    assert cache.load(remembered.KIND, name) == data  # in place, as the cache would give it

    assert build_and_tell(content_copy, tmp_path / "out", private_cache) == "checked"
    assert not marker.exists()
    assert build_and_tell(content_copy, tmp_path / "no-cache", "") == "checked"
    assert outputs(tmp_path / "out") == outputs(tmp_path / "no-cache")
    assert build_and_tell(content_copy, tmp_path / "again", private_cache) == "remembered"  # replaced


def test_a_file_saved_while_validate_reads_is_never_remembered_for_the_bytes_it_replaced(
    content_copy, tmp_path, private_cache, monkeypatch
):
    from mdguide_build.build import build
    from mdguide_build.validate import verdict

    section = content_copy / CONCLUSION
    original = section.read_bytes()
    take = snapshot.take

    def take_then_an_editor_saves(root):
        picture = take(root)
        section.write_bytes(original.replace(b"exciting", b"thrilling", 1))
        return picture

    monkeypatch.setattr(verdict.snapshot, "take", take_then_an_editor_saves)
    assert verdict.verdict(content_copy, content_copy.as_posix()).valid
    monkeypatch.setattr(verdict.snapshot, "take", take)
    section.write_bytes(original)  # undone: the very bytes validate's snapshot saw

    build(content_copy, tmp_path / "out", ["txt"], force=True)
    text = (tmp_path / "out" / "the-medical-directors-role.txt").read_bytes()
    assert b"exciting" in text and b"thrilling" not in text
