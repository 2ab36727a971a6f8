"""Output formats by their --format name.

Builders are imported only when used, so `mdguide validate` stays fast.  To
add a format: write ``builders/<name>.py`` with a ``Builder`` subclass and add
one line here.
"""

from __future__ import annotations

import importlib

from mdguide_build.errors import MdguideError
from mdguide_build.guide.hints import closest

# name -> "module:Class", in the order `mdguide build` runs them and `mdguide formats` lists them.
FORMATS: dict[str, str] = {
    "html": "html:HtmlBuilder",
    "epub": "epub:EpubBuilder",
    "docx": "docx:DocxBuilder",
    "handouts": "handouts:HandoutsBuilder",
    "pdf": "pdf:PdfBuilder",
    "large-print-pdf": "large_print:LargePrintPdfBuilder",
    "large-print-docx": "large_print:LargePrintDocxBuilder",
    "txt": "txt:TxtBuilder",
    "brf": "brf:BrfBuilder",
}


# Other words readers and staff use for a format: not accepted (each format has one name, the
# one scripts and docs use) but suggested, since no spelling mistake leads from "braille" to "brf".
ALIASES: dict[str, str] = {
    "braille": "brf",
    "text": "txt",
    "plain-text": "txt",
    "plain": "txt",
    "word": "docx",
    "web": "html",
    "ebook": "epub",
    "e-book": "epub",
    "handout": "handouts",
    "large-print": "large-print-pdf",
    "largeprint": "large-print-pdf",
}


class UnknownFormat(MdguideError):
    pass


def names() -> list[str]:
    return list(FORMATS)


def get(name: str):
    try:
        module_name, class_name = FORMATS[name].split(":")
    except KeyError:
        typed = name.strip().lower()
        close = ALIASES.get(typed) or closest(typed, FORMATS) or ALIASES.get(closest(typed, ALIASES) or "")
        guess = f"did you mean '{close}'? " if close else ""
        raise UnknownFormat(
            f"unknown format '{name}' (hint: {guess}formats are {', '.join(FORMATS)}; "
            "`mdguide formats` describes them)"
        ) from None
    module = importlib.import_module(f"{__package__}.{module_name}")
    return getattr(module, class_name)


def check(names: list[str]) -> None:
    """Refuse unknown format names without importing any builder."""
    for name in names:
        if name not in FORMATS:
            get(name)  # raises UnknownFormat with the list of formats
