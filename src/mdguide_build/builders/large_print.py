"""Large print, after UKAAF and RNIB clear-print guidance: a Word document and a tagged PDF.

Both come from the guide's own AST, rewritten only in how it is shown
(``ast_rewrite``): emphasis becomes bold, and a link's address is printed
after it unless a note in the same paragraph gives it.  The body size is
``BuildOptions.point_size`` (18 pt unless ``--point-size`` says more; the CLI
refuses less than 16), and it is in the file names, so a 24 pt copy made for
one reader sits beside the usual 18 pt one.

* DOCX: Word's own styles from the large-print reference document
  (``large_print_docx``), Word footnotes, a contents list; dated and packed
  like the standard DOCX (``builders.docx``).
* PDF: the print layout of the standard PDF (``print_pdf``) at large sizes:
  sans-serif, 1.5 line spacing, notes at the foot of the page at full size.
"""

from __future__ import annotations

from pathlib import Path

from mdguide_build.builders.base import Builder, Output
from mdguide_build.builders.docx import (
    CONTENTS_DEPTH,
    contents_entries,
    convert_with_reference,
    document_dates,
    docx_document,
    finish,
)
from mdguide_build.errors import MdguideError
from mdguide_build.guide.content import Content
from mdguide_build.pandoc.rewrite import emphasis_to_strong, spell_out_urls
from mdguide_build.writers import pdf as print_pdf
from mdguide_build.writers.large_print_docx import large_print_reference

MINIMUM_POINT_SIZE = 16


class LargePrintError(MdguideError):
    """Large print was asked for at a size that is not large print."""


def _file_name(content: Content, point_size: int, suffix: str) -> str:
    return f"{content.guide.slug}-large-print-{point_size}pt{suffix}"


def _checked(point_size: int) -> int:
    if point_size < MINIMUM_POINT_SIZE:
        raise LargePrintError(
            f"large print must be at least {MINIMUM_POINT_SIZE} pt, not {point_size} "
            "(hint: RNIB clear print guidance; use --point-size 16 or more)"
        )
    return point_size


class LargePrintDocxBuilder(Builder):
    name = "large-print-docx"
    summary = (
        "Large print Word document (18 pt sans-serif, or --point-size): for readers with "
        "low vision who want to adjust it further."
    )

    def outputs(self, content: Content) -> list[Output]:
        point_size = _checked(self.options.point_size)
        ast = spell_out_urls(emphasis_to_strong(docx_document(content)))
        document = ast.to_json_text()
        contents = contents_entries(ast)
        reference = large_print_reference(content.guide.language, point_size)
        created, modified = document_dates(content, self.options.source_date_epoch)

        def write(path: Path) -> None:
            written = convert_with_reference(
                document,
                path,
                reference,
                [
                    "--toc",
                    f"--toc-depth={CONTENTS_DEPTH}",
                    # pandoc would add code-highlighting styles, some italic; the guide has no code.
                    "--syntax-highlighting=none",
                ],
            )
            path.write_bytes(finish(written, contents, created, modified))

        fingerprint = self.fingerprint(document, reference, created.isoformat(), modified.isoformat())
        return [Output(_file_name(content, point_size, ".docx"), fingerprint, write)]


class LargePrintPdfBuilder(Builder):
    name = "large-print-pdf"
    summary = (
        "Large print tagged PDF (18 pt sans-serif, or --point-size), A4: for readers with "
        "low vision, to print or read on screen."
    )
    assets = print_pdf.ASSET_FILES

    def outputs(self, content: Content) -> list[Output]:
        point_size = _checked(self.options.point_size)
        document = print_pdf.print_document(content, large_print=True).to_json_text()
        look, date = print_pdf.large_print_look(point_size), print_pdf.edition_date(content)

        def write(path: Path) -> None:
            print_pdf.write_pdf(document, path, template=print_pdf.GUIDE_TEMPLATE, look=look, date=date)

        fingerprint = self.fingerprint(document, repr(look), repr(date))
        return [Output(_file_name(content, point_size, ".pdf"), fingerprint, write)]
