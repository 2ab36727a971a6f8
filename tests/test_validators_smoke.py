"""Smoke tests for tests/validators.py: every wrapper runs the real tool, and
each one is shown to FAIL on a deliberately broken input (so a green run of
the real suite means something). Install the tools with `make test-tools`."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pypandoc
import pytest

import validators as v

pytestmark = pytest.mark.slow  # each test runs a real validator

GOOD_HTML = """<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>Good page</title></head>
<body>
<header><p>Site</p></header>
<main><h1>Hello</h1><p id="intro">A tiny valid page.</p></main>
</body>
</html>
"""

BAD_HTML = """<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>Bad page</title></head>
<body>
<main><h1>Hello</h1>
<img src="missing.png">
<p id="dup">one</p><p id="dup">two</p>
</main>
</body>
</html>
"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("html")
    (d / "good.html").write_text(GOOD_HTML, encoding="utf-8")
    (d / "bad.html").write_text(BAD_HTML, encoding="utf-8")
    return {"good": d / "good.html", "bad": d / "bad.html"}


# `browser` is the session's one Chromium (conftest.py): a second Playwright
# started while it runs fails ("Sync API inside the asyncio loop").


def _rezip(
    src: Path, dst: Path, *, replace: dict[str, str] | None = None, add: dict[str, str] | None = None
) -> Path:
    """Copy an EPUB, replacing/adding entries; mimetype first and stored."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        zout.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", zipfile.ZIP_STORED)
        for info in zin.infolist():
            if info.filename == "mimetype":
                continue
            data = zin.read(info.filename)
            if info.filename in replace:
                data = replace[info.filename].encode("utf-8")
            zout.writestr(info.filename, data, zipfile.ZIP_DEFLATED)
        for name, text in add.items():
            zout.writestr(name, text, zipfile.ZIP_DEFLATED)
    return dst


@pytest.fixture(scope="module")
def epubs(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("epub")
    good = d / "good.epub"
    pypandoc.convert_text(
        "# Hi\n\nSome text.",
        "epub3",
        format="markdown",
        outputfile=str(good),
        extra_args=[
            "--metadata",
            "title=T",
            "--metadata",
            "lang=en-GB",
            "--metadata",
            "identifier=urn:uuid:5f0c1f4e-8a8e-4a51-9c1e-2b5a0d3c7e11",
            # Ace fails a book without an accessibility summary (metadata-accessibilitysummary).
            "--metadata",
            "accessibilitySummary=A short test book of text only.",
        ],
        verify_format=False,
    )
    with zipfile.ZipFile(good) as z:
        chapter = next(n for n in z.namelist() if n.endswith("ch001.xhtml"))
        text = z.read(chapter).decode("utf-8")
    broken_text = text.replace(
        "<p>Some text.</p>",
        '<p>Some text.</p>\n<img src="missing.png" />\n<p id="dup">a</p><p id="dup">b</p>',
    )
    assert broken_text != text, "pandoc output changed; adjust the test"
    broken = _rezip(
        good,
        d / "broken.epub",
        replace={chapter: broken_text},
        add={"EPUB/undeclared.txt": "not in the manifest\n"},
    )
    return {"good": good, "broken": broken}


# --------------------------------------------------------------------------- vnu


def test_vnu_passes_valid_html(pages):
    assert v.vnu(pages["good"]) == []


def test_vnu_reports_missing_alt_and_duplicate_id(pages):
    msgs = v.vnu([pages["good"], pages["bad"]])
    assert all(m["type"] == "error" for m in msgs)
    assert {Path(m["file"]).name for m in msgs} == {"bad.html"}
    text = " ".join(m["message"] for m in msgs)
    assert "alt" in text
    assert "Duplicate ID" in text


# --------------------------------------------------------------------------- Chromium + axe


def test_axe_passes_valid_html(browser, pages):
    assert browser.axe(pages["good"]) == []


def test_axe_reports_missing_alt(browser, pages):
    violations = browser.axe(pages["bad"])
    ids = {x["id"] for x in violations}
    assert "image-alt" in ids
    node = next(x for x in violations if x["id"] == "image-alt")["nodes"][0]
    assert "missing.png" in node["html"]


def test_browser_screenshot_and_custom_page_checks(browser, pages, tmp_path):
    png = browser.screenshot(pages["good"], tmp_path / "shot.png", viewport=(320, 480))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pg = browser.page(pages["good"], viewport=(320, 480))
    assert pg.evaluate("document.documentElement.lang") == "en-GB"
    # WCAG 1.4.12-style text spacing override: no horizontal overflow at 320 px.
    pg.add_style_tag(
        content="* { line-height: 1.5 !important; letter-spacing: .12em !important;"
        " word-spacing: .16em !important; }"
    )
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert browser.run_axe(pg)["violations"] == []


# --------------------------------------------------------------------------- EPUBCheck + Ace


def test_epubcheck_valid_epub_has_no_errors(epubs):
    msgs = v.epubcheck(epubs["good"])
    assert [m for m in msgs if m["severity"] in ("FATAL", "ERROR", "WARNING")] == []


def test_epubcheck_reports_broken_epub(epubs):
    msgs = v.epubcheck(epubs["broken"])
    by_id = {m["id"]: m for m in msgs}
    errors = [m for m in msgs if m["severity"] in ("ERROR", "FATAL")]
    assert errors, msgs
    assert "RSC-007" in by_id  # referenced resource missing
    assert "ch001.xhtml" in by_id["RSC-007"]["location"]
    # USAGE messages are reported (--usage): file present but not in the manifest.
    assert by_id.get("OPF-003", {}).get("severity") == "USAGE", msgs


def test_ace_runs_and_reports(epubs, tmp_path):
    good = v.ace(epubs["good"], tmp_path / "good")
    assert (good["outcome"], good["violations"]) == ("pass", [])
    assert (tmp_path / "good" / "report.json").exists()
    bad = v.ace(epubs["broken"], tmp_path / "bad")
    assert bad["outcome"] == "fail"
    rules = {x["rule"] for x in bad["violations"]}
    assert "image-alt" in rules, bad["violations"]


# --------------------------------------------------------------------------- LibreOffice, poppler, liblouis


def test_soffice_pdf_and_poppler(tmp_path):
    docx = tmp_path / "doc.docx"
    pypandoc.convert_text(
        "# Heading one\n\nHello from the DOCX.",
        "docx",
        format="markdown",
        outputfile=str(docx),
        verify_format=False,
    )
    pdf = v.soffice_to_pdf(docx, tmp_path / "out")
    assert pdf.exists() and pdf.suffix == ".pdf"
    text = v.pdftotext(pdf)
    assert "Heading one" in text and "Hello from the DOCX." in text
    info = v.pdfinfo(pdf)
    assert info["Pages"] == 1
    # LibreOffice tags a PDF only when asked to: pdfinfo says "Tagged: no", read as False
    # (the guide's PDFs are read as True: test_pdf.py).
    assert info["Tagged"] is False


def test_liblouis_round_trip():
    brf = v.lou_translate("The cat sat on the mat.")
    assert brf.strip() and brf != "The cat sat on the mat."
    assert v.lou_back_translate(brf).strip().lower() == "the cat sat on the mat."


# --------------------------------------------------------------------------- missing tools / versions


def test_missing_tool_raises(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH
    with pytest.raises(v.ToolMissing, match="soffice"):
        v.soffice_to_pdf(tmp_path, tmp_path)
    with pytest.raises(v.ToolMissing, match="lou_translate"):
        v.lou_back_translate(",HELLO")
    monkeypatch.undo()
    monkeypatch.setattr(v, "VNU_JAR", tmp_path / "nope.jar")
    (tmp_path / "x.html").write_text(GOOD_HTML)
    with pytest.raises(v.ToolMissing, match="vnu"):
        v.vnu(tmp_path / "x.html")


def test_versions_reports_every_tool():
    vers = v.versions()
    missing = {k: x for k, x in vers.items() if x.startswith(("unavailable", "unknown"))}
    assert not missing, missing
    assert vers["epubcheck"].startswith("EPUBCheck v5")
    assert vers["ace-cli"] == "1.4.6"
