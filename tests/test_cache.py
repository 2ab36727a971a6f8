"""mdguide's cache: an entry can be missing or damaged, never stale, and never changes an output."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from mdguide_build import cache
from mdguide_build.writers import word_reference

ROOT = Path(__file__).resolve().parent.parent
MDGUIDE = str(Path(sys.executable).parent / "mdguide")
DOCX = "the-medical-directors-role.docx"
LARGE_DOCX = "the-medical-directors-role-large-print-18pt.docx"


def _build(out: Path, cache_dir: str, *formats: str) -> dict[str, bytes]:
    args = [a for f in formats for a in ("--format", f)]
    subprocess.run(
        [MDGUIDE, "build", "--content", str(ROOT / "content"), "--out", str(out), *args, "-q"],
        env={**os.environ, "MDGUIDE_CACHE_DIR": cache_dir},
        check=True,
        capture_output=True,
    )
    return {p.name: p.read_bytes() for p in out.iterdir() if p.suffix == ".docx"}


def _entries(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / "reference-docx").iterdir())


def test_word_documents_are_the_same_bytes_without_the_cache_with_a_cold_one_and_a_warm_one(tmp_path):
    formats = ("docx", "large-print-docx")
    without = _build(tmp_path / "none", "", *formats)
    store = tmp_path / "cache"
    cold = _build(tmp_path / "cold", str(store), *formats)
    assert len(_entries(store)) == 2  # the standard and the large-print reference documents
    stamps = {p: p.stat().st_mtime_ns for p in _entries(store)}
    warm = _build(tmp_path / "warm", str(store), *formats)
    assert {p: p.stat().st_mtime_ns for p in _entries(store)} == stamps  # read, not made again
    assert set(without) == {DOCX, LARGE_DOCX}
    assert without == cold == warm


@pytest.mark.parametrize("damage", ["flip a byte", "truncate", "empty"])
def test_a_damaged_entry_is_made_again_and_the_document_is_unchanged(tmp_path, monkeypatch, damage):
    store = tmp_path / "cache"
    clean = _build(tmp_path / "clean", str(store), "docx")
    (entry,) = _entries(store)
    data = bytearray(entry.read_bytes())
    if damage == "flip a byte":
        data[len(data) // 2] ^= 0x01
    elif damage == "truncate":
        del data[len(data) // 2 :]
    else:
        data.clear()
    entry.write_bytes(bytes(data))
    assert _build(tmp_path / "again", str(store), "docx") == clean
    monkeypatch.setenv("MDGUIDE_CACHE_DIR", str(store))
    assert cache.load("reference-docx", entry.name) is not None  # made again, and whole


def test_a_cache_that_cannot_be_written_is_no_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    clean = _build(tmp_path / "clean", "", "docx")
    assert _build(tmp_path / "blocked", str(blocker / "cache"), "docx") == clean


def test_an_entry_made_by_other_code_or_tools_is_never_used(tmp_path, monkeypatch):
    """The key covers mdguide's code and tool versions: after an upgrade the old entry is not found."""
    monkeypatch.setenv("MDGUIDE_CACHE_DIR", str(tmp_path))
    old = cache.key("standard", "en-GB")
    cache.store("reference-docx", old, b"made by the previous version")
    monkeypatch.setattr(cache, "toolchain_digest", lambda: "a different toolchain")
    made = []
    new = cache.key("standard", "en-GB")
    assert new != old
    assert cache.cached("reference-docx", new, lambda: made.append(1) or b"made now") == b"made now"
    assert made == [1]


def test_keys_differ_for_different_inputs():
    assert len({cache.key("standard", "en-GB"), cache.key("standard", "cy"), cache.key("standardcy")}) == 3
    assert cache.key("large print", "en-GB", "18") != cache.key("large print", "en-GB", "24")


def test_the_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("MDGUIDE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "mdguide"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "mdguide"
    monkeypatch.setenv("MDGUIDE_CACHE_DIR", "")
    assert cache.cache_dir() is None
    cache.store("reference-docx", "x", b"nothing is kept")
    assert cache.load("reference-docx", "x") is None


def test_each_kind_keeps_its_newest_entries(monkeypatch, tmp_path):
    monkeypatch.setenv("MDGUIDE_CACHE_DIR", str(tmp_path))
    for n in range(cache.KEEP + 5):
        path = tmp_path / "kind" / f"entry-{n:03}"
        cache.store("kind", path.name, b"%d" % n)
        os.utime(path, ns=(n * 10**9, n * 10**9))  # stored in this order, whatever the clock says
    kept = sorted(p.name for p in (tmp_path / "kind").iterdir())
    assert kept == [f"entry-{n:03}" for n in range(5, cache.KEEP + 5)]
    assert cache.load("kind", f"entry-{cache.KEEP + 4:03}") == b"%d" % (cache.KEEP + 4)


def test_builders_take_the_reference_document_through_the_cache(monkeypatch, tmp_path):
    """Made once, then read: the second process-wide call finds the entry the first stored."""
    monkeypatch.setenv("MDGUIDE_CACHE_DIR", str(tmp_path))
    made = word_reference.reference_docx.__wrapped__("en-GB")
    (entry,) = _entries(tmp_path)
    assert cache.load("reference-docx", entry.name) == made
    assert made.startswith(b"PK")


@pytest.mark.parametrize("planted", ["fifo", "link to /dev/zero"])
def test_an_entry_that_is_not_an_ordinary_file_is_missing_and_never_read(tmp_path, planted):
    """Someone able to write into the cache could leave a FIFO (a read waits forever) or a link to /dev/zero."""
    entry = tmp_path / "cache" / "kind" / "name"
    entry.parent.mkdir(parents=True)
    os.mkfifo(entry) if planted == "fifo" else os.symlink("/dev/zero", entry)
    load = "from mdguide_build import cache; print(cache.load('kind', 'name'))"
    done = subprocess.run(
        [sys.executable, "-c", load],
        env={**os.environ, cache.CACHE_ENV: str(tmp_path / "cache")},
        capture_output=True,
        text=True,
        timeout=20,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)),
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, "None\n"), done.stderr[-500:]
