"""A handout's A4 PDF: WeasyPrint, tagged PDF/UA-1, from the page ``handout_html.print_html`` makes.

At most ``MAX_PAGES`` pages, or the build fails; it fetches nothing.
"""

from __future__ import annotations

from pathlib import Path

from mdguide_build.writers.handout_html import HandoutError

MAX_PAGES = 4


class _NoFetching:
    """WeasyPrint's URL fetcher: the page is self-contained, so any fetch is a bug."""

    def fetch(self, url: str, headers=None):
        from weasyprint.urls import FatalURLFetchingError

        raise FatalURLFetchingError(f"the handout PDF may not fetch {url}")

    __call__ = fetch


def write_pdf(page: bytes, path: Path, name: str) -> int:
    """Render ``page`` to a tagged A4 PDF at ``path``; return its page count."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    try:
        document = HTML(string=page.decode("utf-8"), base_url=None, url_fetcher=_NoFetching()).render(
            pdf_variant="pdf/ua-1"
        )
    except FatalURLFetchingError as error:
        raise HandoutError(str(error)) from None
    pages = len(document.pages)
    if pages > MAX_PAGES:
        raise HandoutError(
            f"{name}: {pages} pages, more than the {MAX_PAGES} a handout may have "
            "(hint: tag fewer items for this role in content/)"
        )
    document.write_pdf(path, pdf_variant="pdf/ua-1")
    return pages
