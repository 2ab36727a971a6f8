"""The live preview's page: what a clean build makes, whatever was saved before, with only changed files re-read.

``mdguide serve`` keeps a ``FileMemo`` (validate/loader.py) between pages; these
tests check that the page and its problems are still exactly what making them
afresh gives.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdguide_build.build import build
from mdguide_build.tools.serve import Preview
from mdguide_build.validate import loader
from mdguide_build.validate.loader import FileMemo, read_content

PAGE = "the-medical-directors-role.html"
CONCLUSION = "sections/4-conclusion.json"


def clean_page(content: Path, out: Path) -> bytes:
    return (build(content, out, ["html"], force=True).out_dir / PAGE).read_bytes()


@pytest.fixture
def preview(content_copy):
    with Preview(content_copy, "127.0.0.1", 0, content_display="content") as running:
        yield running


def page_after_save(preview: Preview) -> bytes:
    """The page as the preview makes it after a save (made now, not left to the watcher's timing)."""
    preview.rebuild("test")
    assert preview.ok, preview.page[:2000]
    return (preview.work_dir / "page.html").read_bytes()


def test_the_page_is_the_html_build_before_during_and_after_edits(preview, content_copy, tmp_path):
    section = content_copy / CONCLUSION
    original = section.read_bytes()
    assert page_after_save(preview) == clean_page(content_copy, tmp_path / "a")
    section.write_bytes(original.replace(b"exciting", b"thrilling", 1))
    edited = page_after_save(preview)
    assert b"thrilling" in edited
    assert edited == clean_page(content_copy, tmp_path / "b")
    section.write_bytes(original)
    assert page_after_save(preview) == clean_page(content_copy, tmp_path / "c")


def test_a_change_that_keeps_size_and_time_is_still_seen(preview, content_copy):
    """The memo compares bytes, not sizes or modification times."""
    section = content_copy / CONCLUSION
    original = section.read_bytes()
    info = section.stat()
    before = page_after_save(preview)
    changed = original.replace(b"exciting", b"excitinG", 1)
    assert len(changed) == len(original) and changed != original
    section.write_bytes(changed)
    os.utime(section, ns=(info.st_atime_ns, info.st_mtime_ns))
    after = page_after_save(preview)
    assert b"excitinG" in after and after != before


def test_an_invalid_save_shows_validates_own_problems_and_a_fix_brings_the_page_back(
    preview, content_copy, tmp_path
):
    section = content_copy / CONCLUSION
    original = section.read_bytes()
    section.write_bytes(original.replace(b'"title"', b'"titel"', 1))
    preview.rebuild("test")
    expected = [d for d in read_content(content_copy, "content")[1] if d.is_error]
    assert not preview.ok and preview.errors == len(expected) > 0
    assert all(d.message.encode() in preview.page or d.code.encode() in preview.page for d in expected)
    section.write_bytes(original)
    assert page_after_save(preview) == clean_page(content_copy, tmp_path / "out")


# --- the page made in parts against the page made whole -----------------------------------

# Saves that change what each part of the page is made from, one after another, and words they show.
PAGE_EDITS = [
    ("foreword.json", b"We both remember", b"We both recall", b"We both recall"),  # one piece
    ("sections/2-skills-and-experience.json", b'"title": "The person specification"',
     b'"title": "The person spec"', b"The person spec<"),  # a piece and the contents
    ("foreword.json", b"larger scale.", b"larger scale.[^nhsi-supporting-the-medical-director]",
     b'scale.<a href="#note-1"'),  # a note at the start: every later note is renumbered
    ("guide.json", b"A guide for aspiring medical leaders", b"A guide for new & aspiring <leaders>",
     b"A guide for new &amp; aspiring &lt;leaders&gt;"),  # the frame alone
    (CONCLUSION, b"exciting", b"thrilling", b"thrilling"),
]  # fmt: skip


def test_the_page_made_in_parts_is_the_html_build_after_every_kind_of_save(preview, content_copy, tmp_path):
    for n, (relpath, old, new, shown) in enumerate(PAGE_EDITS):
        path = content_copy / relpath
        assert old in path.read_bytes(), relpath
        path.write_bytes(path.read_bytes().replace(old, new, 1))
        page = page_after_save(preview)
        assert shown in page
        assert page == clean_page(content_copy, tmp_path / str(n)), f"after the save to {relpath}"


def test_a_save_to_one_paragraph_converts_one_part_of_the_page(preview, content_copy, monkeypatch):
    from mdguide_build.writers import html_page

    converted: list[str] = []
    real = html_page.pandoc.convert
    monkeypatch.setattr(
        html_page.pandoc,
        "convert",
        lambda source, *a, **k: converted.append(source) or real(source, *a, **k),
    )
    section = content_copy / CONCLUSION
    section.write_bytes(section.read_bytes().replace(b"exciting", b"thrilling", 1))
    page_after_save(preview)
    assert len(converted) == 1 and "thrilling" in converted[0] and '"meta":{}' in converted[0]


# --- the memo against loading afresh, over any sequence of saves -----------------------------

# Saves an editor might make: each is (file, what to replace, with what); None restores the file.
EDITS = [
    (CONCLUSION, b"exciting", b"thrilling"),
    (CONCLUSION, b'"title"', b'"titel"'),  # schema error
    (CONCLUSION, b"{", b"{{"),  # JSON syntax error
    ("resources.json", b'"id": "', b'"id": "x'),  # breaks references in other files
    ("guide.json", b'"sections": [', b'"sections": ["sections/missing.json", '),
    ("foreword.json", b"\n", b"\r\n"),  # other bytes, same meaning
    ("roles.json", b"{", b"\xef\xbb\xbf{"),  # a byte-order mark: a warning
    # Every later section's number changes, though their bytes do not.
    ("sections/1-why-become-a-medical-director.json", b'"numbered": true', b'"numbered": false'),
    (CONCLUSION, b'"id": "', b'"id": "X'),  # an error naming "Section 4"
    (CONCLUSION, None, None),
    ("resources.json", None, None),
]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(EDITS), min_size=1, max_size=6))
def test_loading_with_the_memo_always_equals_loading_afresh(content_copy, edits):
    originals = {p: p.read_bytes() for p in content_copy.rglob("*.json")}
    memo = FileMemo()
    try:
        read_content(content_copy, "content", memo=memo)
        for relpath, old, new in edits:
            path = content_copy / relpath
            data = originals[path] if old is None else path.read_bytes().replace(old, new, 1)
            path.write_bytes(data)
            remembered, remembered_problems = read_content(content_copy, "content", memo=memo)
            fresh, fresh_problems = read_content(content_copy, "content")
            assert remembered_problems == fresh_problems
            assert (remembered is None) == (fresh is None)
            if fresh is not None:
                assert remembered.guide == fresh.guide and remembered.sections == fresh.sections
                assert remembered.resources == fresh.resources and remembered.roles == fresh.roles
    finally:
        for path, data in originals.items():
            path.write_bytes(data)


def test_an_unchanged_file_is_not_parsed_again(content_copy, monkeypatch):
    memo = FileMemo()
    read_content(content_copy, "content", memo=memo)
    parsed: list[str] = []
    real = loader._parse
    monkeypatch.setattr(
        loader, "_parse", lambda source, data, out: parsed.append(source.relpath) or real(source, data, out)
    )
    section = content_copy / CONCLUSION
    section.write_bytes(section.read_bytes().replace(b"exciting", b"thrilling", 1))
    content, _ = read_content(content_copy, "content", memo=memo)
    assert content is not None
    assert parsed == [CONCLUSION]


def test_a_section_renumbered_by_another_files_save_is_named_by_its_new_number(content_copy):
    """Its bytes did not change, but its problems name it by number: the memo must not answer for it."""
    conclusion = content_copy / CONCLUSION
    conclusion.write_bytes(conclusion.read_bytes().replace(b'"id": "', b'"id": "X', 1))
    memo = FileMemo()
    before = read_content(content_copy, "content", memo=memo)[1]
    first = content_copy / "sections/1-why-become-a-medical-director.json"
    first.write_bytes(first.read_bytes().replace(b'"numbered": true', b'"numbered": false', 1))
    after = read_content(content_copy, "content", memo=memo)[1]
    assert after == read_content(content_copy, "content")[1]
    assert after != before
