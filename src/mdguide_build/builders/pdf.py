"""Accessible PDF of the standard edition: tagged PDF/UA-1 on A4, laid out by Typst.

The print layout, tagging, metadata and reproducibility are ``print_pdf``'s;
this builder picks the standard sizes (11 pt text, notes at the foot of the
page in smaller type, note numbers as superscripts).
"""

from __future__ import annotations

from pathlib import Path

from mdguide_build.builders.base import Builder, Output
from mdguide_build.guide.content import Content
from mdguide_build.writers import pdf as print_pdf


class PdfBuilder(Builder):
    name = "pdf"
    summary = (
        "Accessible PDF (tagged PDF/UA-1, A4, bookmarks, addresses in footnotes): "
        "for printing and for PDF readers and screen readers."
    )
    assets = print_pdf.ASSET_FILES

    def outputs(self, content: Content) -> list[Output]:
        document = print_pdf.print_document(content, large_print=False).to_json_text()
        look, date = print_pdf.STANDARD, print_pdf.edition_date(content)

        def write(path: Path) -> None:
            print_pdf.write_pdf(document, path, template=print_pdf.GUIDE_TEMPLATE, look=look, date=date)

        fingerprint = self.fingerprint(document, repr(look), repr(date))
        return [Output(f"{content.guide.slug}.pdf", fingerprint, write)]
