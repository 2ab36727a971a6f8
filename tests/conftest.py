"""Shared fixtures: the real content, outputs built once per session, one browser.

Outputs are built once per test session into a temporary folder (the build is
incremental, so asking for a format twice costs nothing), and Chromium starts
once for every browser-based check (axe, screenshots, zoom checks).
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
sys.path.insert(0, str(Path(__file__).resolve().parent))  # for `import validators`

# mdguide's cache (mdguide_build.cache) starts empty for each test session, here and in every
# `mdguide` the tests run, and never touches the developer's own ~/.cache.
_CACHE = tempfile.mkdtemp(prefix="mdguide-test-cache-")
os.environ["MDGUIDE_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)

from mdguide_build.build import build  # noqa: E402
from mdguide_build.validate.loader import load_content  # noqa: E402

# Tests send Ctrl+C (SIGINT) to the mdguide processes they start. A shell that runs pytest in the
# background starts it with SIGINT ignored, and children inherit "ignored" across exec, so those
# processes would never see it. A handler (unlike "ignored") is reset to the default by exec.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def content():
    """The real guide, loaded and validated."""
    loaded, _ = load_content(CONTENT, "content")
    return loaded


class GuideOutputs:
    """Builds the real guide's formats on demand into one session folder."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.built_at: dict[str, float] = {}  # time.monotonic() when each format was first built

    def __call__(self, fmt: str) -> list[Path]:
        """Build ``fmt`` (if not built yet) and return the paths of its outputs."""
        report = build(CONTENT, self.out_dir, [fmt])
        self.built_at.setdefault(fmt, time.monotonic())
        return report.paths()

    def one(self, fmt: str, suffix: str) -> Path:
        matches = [p for p in self(fmt) if p.name.endswith(suffix)]
        assert len(matches) == 1, f"{fmt}: expected one *{suffix} output, got {matches}"
        return matches[0]


@pytest.fixture(scope="session")
def guide_outputs(tmp_path_factory) -> GuideOutputs:
    return GuideOutputs(tmp_path_factory.mktemp("outputs"))


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (see tests/validators.py)."""
    from validators import Browser

    with Browser() as running:
        yield running


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A private copy of content/ that a test may edit (and a schema/ beside it)."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    return target


@pytest.fixture
def conversions(monkeypatch) -> list[str]:
    """The JSON of every pandoc conversion made from now on, in the order they began."""
    from mdguide_build.pandoc import runner

    made: list[str] = []
    real = runner.convert
    monkeypatch.setattr(
        runner, "convert", lambda source, *a, **k: made.append(source) or real(source, *a, **k)
    )
    return made


def edit_json(path: Path, change: Callable[[Any], object]) -> Path:
    """Edit a JSON file in place: ``change`` alters the value it is given (what it returns is ignored,
    so ``lambda v: v.pop("x")`` is fine), and the file is written back as mdguide writes content
    (two-space indent, UTF-8, a final newline), so reported lines and columns stay meaningful."""
    value = json.loads(path.read_text(encoding="utf-8"))
    change(value)
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def edit_content(content_copy) -> Callable[[str, Callable[[Any], object]], Path]:
    """Edits a file of the test's copy of content/ (see ``edit_json``); returns the file's path.

    edit_content("foreword.json", lambda v: v["paragraphs"].pop())
    """
    return lambda relpath, change: edit_json(content_copy / relpath, change)


# Fixtures that drive an external program: Chromium (axe, layout, the preview), LibreOffice through UNO.
SLOW_FIXTURES = {"browser", "libreoffice_edited"}


def pytest_collection_modifyitems(items):
    """Tests that drive Chromium or LibreOffice, and property tests (hypothesis), are slow:
    ``make test-fast`` leaves them out, ``make test`` runs them."""
    for item in items:
        uses = set(getattr(item, "fixturenames", ()))
        if uses & SLOW_FIXTURES or getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.slow)


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden", action="store_true", help="Rewrite golden files from the current output."
    )
