"""`mdguide validate` remembers its answers: a remembered answer is always the one checking afresh gives."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mdguide_build import cache
from mdguide_build.validate import verdict as verdict_module
from mdguide_build.validate.loader import read_content
from mdguide_build.validate.verdict import verdict

MDGUIDE = str(Path(sys.executable).parent / "mdguide")
CONCLUSION = "sections/4-conclusion.json"


def fresh(root: Path, display: str = "content"):
    content, diagnostics = read_content(root, display)
    return diagnostics, content is not None


def remembered(root: Path, display: str = "content"):
    found = verdict(root, display)
    return found.diagnostics, found.valid


@pytest.fixture
def private_cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("MDGUIDE_CACHE_DIR", str(folder))
    return folder


def entries(folder: Path) -> set[str]:
    kind = folder / verdict_module.KIND
    return {p.name for p in kind.iterdir()} if kind.is_dir() else set()


def test_one_changed_byte_is_checked_again_and_restoring_it_gives_the_clean_answer(
    content_copy, private_cache
):
    section = content_copy / CONCLUSION
    original = section.read_bytes()
    clean = remembered(content_copy)
    assert clean == fresh(content_copy) and clean[1]
    assert remembered(content_copy) == clean and len(entries(private_cache)) == 1  # asked again: found

    section.write_bytes(original.replace(b'"title"', b'"titlf"', 1))  # one byte: now invalid
    broken = remembered(content_copy)
    assert broken == fresh(content_copy) and not broken[1]
    assert len(entries(private_cache)) == 2

    section.write_bytes(original)
    assert remembered(content_copy) == clean
    assert len(entries(private_cache)) == 2  # the clean answer was remembered


@pytest.mark.parametrize(
    "change",
    ["symbolic link", "folder", "byte-order mark", "listed file removed", "unlisted file added"],
)
def test_every_kind_of_change_validation_sees_is_a_new_answer(content_copy, private_cache, tmp_path, change):
    before = remembered(content_copy)
    target = content_copy / "figures.json"
    if change == "symbolic link":  # same bytes, now behind a link: E107
        outside = tmp_path / "outside.json"
        shutil.copy(target, outside)
        target.unlink()
        target.symlink_to(outside)
    elif change == "folder":
        target.unlink()
        target.mkdir()
    elif change == "byte-order mark":
        target.write_bytes(b"\xef\xbb\xbf" + target.read_bytes())
    elif change == "listed file removed":
        (content_copy / CONCLUSION).unlink()
    else:
        (content_copy / "sections" / "notes.json").write_text("{}\n", encoding="utf-8")
    after = remembered(content_copy)
    assert after == fresh(content_copy)
    if change != "unlisted file added":
        assert after != before


def test_messages_name_the_folder_as_asked_so_each_name_has_its_own_answer(content_copy, private_cache):
    section = content_copy / CONCLUSION
    section.write_bytes(section.read_bytes().replace(b'"title"', b'"titlf"', 1))
    assert remembered(content_copy, "content") == fresh(content_copy, "content")
    assert remembered(content_copy, "drafts/content") == fresh(content_copy, "drafts/content")
    assert remembered(content_copy, "content")[0][0].file.startswith("content/")


def test_an_answer_from_other_code_or_tools_is_never_used(content_copy, private_cache, monkeypatch):
    clean = remembered(content_copy)
    (name,) = entries(private_cache)
    # What a previous version might have said about the very same content:
    cache.store(verdict_module.KIND, name, b'{"diagnostics": [], "inventory": "made by another version"}')
    monkeypatch.setattr(cache, "toolchain_digest", lambda: "another version of mdguide")
    assert remembered(content_copy) == clean


def test_a_damaged_answer_is_not_used(content_copy, private_cache):
    clean = remembered(content_copy)
    (name,) = entries(private_cache)
    entry = private_cache / verdict_module.KIND / name
    entry.write_bytes(entry.read_bytes().replace(b"sections", b"sectionz"))  # its checksum no longer fits
    assert remembered(content_copy) == clean
    assert "sectionz" not in verdict(content_copy, "content").inventory


def test_validate_prints_the_same_whether_it_remembers_or_not(content_copy, tmp_path):
    """The command itself, in fresh processes: a cold cache, a warm one, and none at all."""
    section = content_copy / "sections/3-how-do-i-prepare.json"
    section.write_bytes(section.read_bytes().replace(b"[^", b"[^missing-", 1))  # an error and its consequence

    def run(cache_dir: str) -> tuple[int, str, str]:
        done = subprocess.run(
            [MDGUIDE, "validate", "--content", "content"],
            cwd=content_copy.parent,
            env={**os.environ, "MDGUIDE_CACHE_DIR": cache_dir},
            capture_output=True,
            text=True,
        )
        return done.returncode, re.sub(r"\(\d+\.\d+ s\)", "(… s)", done.stdout), done.stderr

    store = str(tmp_path / "cli-cache")
    cold, warm, none = run(store), run(store), run("")
    assert cold == warm == none
    assert cold[0] == 1 and "E302" in cold[2]
    assert any((Path(store) / verdict_module.KIND).iterdir())


def test_a_remembered_answer_needs_no_pydantic(content_copy, tmp_path):
    """What makes a remembered answer cheap: nothing that builds the models is imported."""
    probe = (
        "import sys; from mdguide_build.cli import main; sys.argv = ['mdguide', 'validate', '--content', sys.argv[1]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('pydantic', 'mdguide_build.guide.models') if m in sys.modules))"
    )
    env = {**os.environ, "MDGUIDE_CACHE_DIR": str(tmp_path / "cache")}
    runs = [
        subprocess.run(
            [sys.executable, "-c", probe, str(content_copy)], env=env, capture_output=True, text=True
        )
        for _ in range(2)
    ]
    assert "['mdguide_build.guide.models', 'pydantic']" in runs[0].stdout  # checked: the models were built
    assert runs[1].stdout.rstrip().endswith("[]"), runs[1].stdout  # remembered: they were not
