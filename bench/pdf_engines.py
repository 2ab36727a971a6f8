"""Typst against WeasyPrint: the guide's PDF, the large-print PDF and one handout, made by both.

    .venv/bin/python bench/pdf_engines.py            # part of `make bench` (needs the `bench` extra)
    .venv/bin/python bench/pdf_engines.py --runs 1   # quicker

Each PDF is made by a fresh process (``--make``), timed with its peak memory
(pandoc included, as in a build); the process also reports the seconds from
the finished AST to the written PDF.  Then each PDF is checked the way the
tests check mdguide's PDFs: tagging (Tagged, /Lang, title shown as the window
title, PDF/UA claim, bookmarks and structure headings against the guide's
headings), large print (smallest text size, italic fonts), text fidelity (the
units of content/ that pdftotext's reading lacks, aligned as
tests/test_readback_alignment.py aligns every output, and the addresses it
lacks), pages and size.  Expectations come from content/ through the tests'
own reader (tests/expected.py), never from mdguide_build.  PNGs of the first
pages go to bench/results/pdf-engines/ to look at.  Results:
bench/results/pdf_engines.json and a table on stdout.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT / "tests")]
from run import run  # noqa: E402

ENGINES = ("typst", "weasyprint")
DOCUMENTS = ("guide", "large-print", "handout")
ROLE = "consultant"


# --- one PDF, in its own process -------------------------------------------------------------


def make(engine: str, document: str, out: Path) -> None:
    from mdguide_build.validate.loader import load_content

    content, _ = load_content(ROOT / "content")
    started = time.perf_counter()
    if engine == "typst":
        from mdguide_build.builders.html import Endnotes
        from mdguide_build.guide import handouts as ho
        from mdguide_build.pandoc.handout import web_document
        from mdguide_build.writers import handout_pdf, pdf

        date = pdf.edition_date(content)
        if document == "handout":
            notes = Endnotes()
            web = web_document(content, ho.select(content, ROLE), notes)
            handout_pdf.write_pdf(handout_pdf.paper_document(web, notes.urls), out, out.name, date)
        else:
            large = document == "large-print"
            look = pdf.large_print_look(18) if large else pdf.STANDARD
            pdf.write_pdf(
                pdf.print_document(content, large_print=large),
                out,
                template=pdf.GUIDE_TEMPLATE,
                look=look,
                date=date,
            )
    else:
        from weasyprint_engine import engine as wp

        html = (
            wp.handout_html(content, ROLE)
            if document == "handout"
            else wp.guide_html(content, large_print=document == "large-print")
        )
        wp.write_pdf(html, out, document)
    out.with_suffix(".json").write_text(json.dumps({"pdf_seconds": time.perf_counter() - started}))


# --- checks ---------------------------------------------------------------------------------


def check(path: Path, document: str, guide) -> dict:
    """``path`` checked as the tests check mdguide's PDFs, against ``guide`` (the tests' ``expected.Guide``)."""
    from pypdf import PdfReader

    from alignment import guide_alignments, handout_alignments
    from expected import handout_resources, pdf_heading_tags, pdf_headings, pick
    from readback import outline_titles, pdf_text_sizes, pdfua_part, squeeze, structure_headings
    from validators import pdfinfo, pdftotext

    info = pdfinfo(path)
    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8") if "/Metadata" in root else ""
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout.splitlines()[2:]
    sizes = pdf_text_sizes(path)
    printed = squeeze(pdftotext(path))
    result = {
        "pages": info["Pages"],
        "kib": round(path.stat().st_size / 1024),
        "tagged": info["Tagged"],
        "lang": str(root.get("/Lang")),
        "title": info.get("Title"),
        "title_shown": bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle")),
        "pdfua_claimed": pdfua_part(xmp) == "1" if xmp else False,
        "struct_elements": _count_struct(root["/StructTreeRoot"]),
        "fonts": sorted({line.split()[0].split("+")[-1] for line in fonts if line.strip()}),
        "italic_fonts": [
            f for f in (line.split()[0] for line in fonts) if re.search("Italic|Oblique", f, re.I)
        ],
        "smallest_pt": min(sizes),
        "main_pt": max(sizes, key=sizes.get),
    }
    if document == "handout":
        alignments = handout_alignments(guide, ROLE, "pdf", path)
        cited = handout_resources(guide, pick(guide, ROLE))
        wanted = [r["url"] for rid, r in guide.resources.items() if rid in cited]
    else:
        fmt = "large-print-pdf" if document == "large-print" else "pdf"
        alignments = guide_alignments(guide, fmt, path)
        wanted = [r["url"] for r in guide.resources.values()]
    result["texts_missing"] = sum(len(a.missing) for a in alignments)
    result["urls_missing"] = len([u for u in wanted if squeeze(u) not in printed])
    if document == "handout":
        result["bookmarks"] = len(outline_titles(path))
        return result
    headings = pdf_headings(guide)
    result["bookmarks_match"] = outline_titles(path) == headings
    result["structure_headings_match"] = structure_headings(path) == pdf_heading_tags(headings)
    return result


def _count_struct(element, seen=None) -> int:
    element = element.get_object()
    if not hasattr(element, "get"):
        return 0
    kids = element.get("/K")
    kids = kids if isinstance(kids, list) else [kids] if kids is not None else []
    return 1 + sum(_count_struct(k) for k in kids if hasattr(k, "get_object"))


# --- the comparison -------------------------------------------------------------------------


def compare(runs: int, pictures: Path) -> dict:
    from expected import Guide

    guide = Guide(ROOT / "content")
    results: dict = {}
    pictures.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mdguide-pdf-engines-") as tmp:
        for document in DOCUMENTS:
            for engine in ENGINES:
                out = Path(tmp) / f"{engine}-{document}.pdf"
                seconds, peaks, inner = [], [], []
                for _ in range(runs):
                    elapsed, peak, _err = run(
                        [sys.executable, __file__, "--make", engine, document, str(out)]
                    )
                    seconds.append(elapsed)
                    peaks.append(peak)
                    inner.append(json.loads(out.with_suffix(".json").read_text())["pdf_seconds"])
                row = {
                    "process_s": statistics.median(seconds),
                    "pdf_s": statistics.median(inner),
                    "peak_mib": max(peaks) / 2**20,
                    **check(out, document, guide),
                }
                again = Path(tmp) / f"again-{engine}-{document}.pdf"
                run([sys.executable, __file__, "--make", engine, document, str(again)])
                row["byte_identical"] = again.read_bytes() == out.read_bytes()
                for old in pictures.glob(f"{engine}-{document}-*.png"):
                    old.unlink()
                subprocess.run(
                    [
                        "pdftoppm",
                        "-png",
                        "-r",
                        "40",
                        "-l",
                        "4",
                        str(out),
                        str(pictures / f"{engine}-{document}"),
                    ],
                    check=True,
                )
                results.setdefault(document, {})[engine] = row
                print(f"  {document:<12} {engine:<10} {row['process_s']:.2f} s", file=sys.stderr, flush=True)
    return results


ROWS = [
    ("process s (median)", "process_s", "{:.2f}"),
    ("AST to PDF s", "pdf_s", "{:.2f}"),
    ("peak MiB", "peak_mib", "{:.0f}"),
    ("pages", "pages", "{}"),
    ("KiB", "kib", "{}"),
    ("tagged", "tagged", "{}"),
    ("/Lang", "lang", "{}"),
    ("title shown", "title_shown", "{}"),
    ("PDF/UA-1 claimed", "pdfua_claimed", "{}"),
    ("structure elements", "struct_elements", "{}"),
    ("bookmarks = headings", "bookmarks_match", "{}"),
    ("H1-H6 = headings", "structure_headings_match", "{}"),
    ("texts missing", "texts_missing", "{}"),
    ("addresses missing", "urls_missing", "{}"),
    ("smallest text pt", "smallest_pt", "{}"),
    ("main text pt", "main_pt", "{}"),
    ("italic fonts", "italic_fonts", "{}"),
    ("byte-identical rebuild", "byte_identical", "{}"),
]


def table(results: dict) -> str:
    lines = [
        "PDF engines: Typst (pandoc -t typst + typst wheel) against WeasyPrint (pandoc HTML + WeasyPrint)",
        "",
    ]
    for document, engines in results.items():
        lines.append(f"{document:<24} {'typst':>22} {'weasyprint':>22}")
        for label, key, fmt in ROWS:
            if key not in engines["typst"]:
                continue
            cells = [
                fmt.format(engines[e][key])
                if not isinstance(engines[e][key], list)
                else (", ".join(engines[e][key]) or "none")
                for e in ENGINES
            ]
            lines.append(f"  {label:<22} {cells[0]:>22} {cells[1]:>22}")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--make", nargs=3, metavar=("ENGINE", "DOCUMENT", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, default=HERE / "results" / "pdf_engines.json")
    args = parser.parse_args()
    if args.make:
        engine, document, out = args.make
        make(engine, document, Path(out))
        return
    results = compare(args.runs, args.json.parent / "pdf-engines")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))


if __name__ == "__main__":
    main()
