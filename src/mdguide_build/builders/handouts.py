""" "What to do next" handouts: for each reader role an HTML page, a Word document and an A4 PDF.

What a handout holds is ``guide.handouts.select``; its AST is
``pandoc.handout``; the web page is finished by ``writers.handout_html``, and
the same document made for paper is the PDF (``writers.handout_pdf``, with
the guide's PDF writer); the Word document is finished as the main DOCX is.  ``handouts/index.html`` lists every role with
links to its three files.

Each file is one ``Output`` whose fingerprint covers only what that file is
made of, so editing a part of the guide a handout does not quote leaves that
handout alone.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from mdguide_build.builders.base import Builder, Output
from mdguide_build.builders.docx import convert_with_reference, document_dates, finish
from mdguide_build.builders.html import Endnotes
from mdguide_build.guide import handouts as ho
from mdguide_build.guide.content import Content
from mdguide_build.pandoc.handout import docx_document, index_document, web_document
from mdguide_build.writers import handout_html, handout_pdf
from mdguide_build.writers import pdf as print_pdf
from mdguide_build.writers.reference_docx import reference_docx

FOLDER = "handouts"
# Headings from Heading 2 (the main DOCX's Heading 1 starts a new page, and a handout is short);
# no code, so none of pandoc's highlighting styles, as in the main DOCX.
DOCX_ARGS = ("--shift-heading-level-by=1", "--syntax-highlighting=none")


def write_docx(path: Path, document: str, reference: bytes, created: datetime, modified: datetime) -> None:
    """One handout's DOCX at ``path``, from its AST as JSON (also `mdguide review export --role`)."""
    written = convert_with_reference(document, path, reference, list(DOCX_ARGS))
    path.write_bytes(finish(written, None, created, modified))


class HandoutsBuilder(Builder):
    name = "handouts"
    summary = (
        "'What to do next' handouts, one per reader role, as web page, Word document and A4 PDF, "
        "with a list of them: for readers who want the next steps only."
    )
    assets = (*handout_html.ASSET_FILES, *handout_pdf.ASSET_FILES)

    def outputs(self, content: Content) -> list[Output]:
        wanted = self.options.roles or tuple(role.id for role in ho.roles_in_order(content))
        roles = [ho.find_role(content, ident) for ident in dict.fromkeys(wanted)]
        outputs = [self._html(f"{FOLDER}/index.html", index_document(content).to_json_text())]
        for role in roles:
            handout = ho.select(content, role.id)
            notes = Endnotes()
            document = web_document(content, handout, notes)
            outputs.append(self._html(f"{FOLDER}/{role.id}.html", document.to_json_text()))
            paper = handout_pdf.paper_document(document, notes.urls).to_json_text()
            outputs.append(self._pdf(f"{FOLDER}/{role.id}.pdf", paper, print_pdf.edition_date(content)))
            outputs.append(self._docx(f"{FOLDER}/{role.id}.docx", content, handout))
        return outputs

    def _html(self, relpath: str, document: str) -> Output:
        def write(path: Path) -> None:
            path.write_bytes(handout_html.render_html(document))

        return Output(relpath, self.fingerprint("html", document, *handout_html.html_args()), write)

    def _pdf(self, relpath: str, document: str, date: tuple[int, int, int]) -> Output:
        def write(path: Path) -> None:
            handout_pdf.write_pdf(document, path, relpath, date)

        return Output(relpath, self.fingerprint("pdf", document, repr(print_pdf.HANDOUT), repr(date)), write)

    def _docx(self, relpath: str, content: Content, handout: ho.Handout) -> Output:
        document = docx_document(content, handout).to_json_text()
        reference = reference_docx(content.guide.language)
        created, modified = document_dates(content, self.options.source_date_epoch)

        def write(path: Path) -> None:
            write_docx(path, document, reference, created, modified)

        return Output(
            relpath,
            self.fingerprint(
                "docx", document, reference, *DOCX_ARGS, created.isoformat(), modified.isoformat()
            ),
            write,
        )

    def options_fingerprint(self) -> str:
        """No build options: ``--role`` chooses which files to build, not what is in
        them, and the rest do not touch handouts (the DOCX passes its dates in parts)."""
        return ""
