""" "Did you mean …?": the one place that guesses which known name a mistyped one meant."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(name: str, known: Iterable[str], *, cutoff: float = 0.5) -> str | None:
    """The known name nearest to ``name``, or None if none is near enough."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=cutoff)
    return close[0] if close else None


def did_you_mean(name: str, known: Iterable[str], *, cutoff: float = 0.5, quote: str = "'") -> str:
    """``"did you mean 'x'? "`` (with its trailing space), or ``""`` when nothing is near."""
    guess = closest(name, known, cutoff=cutoff)
    return f"did you mean {quote}{guess}{quote}? " if guess else ""


def ids_hint(name: str, known: Iterable[str], what: str, where: str) -> str:
    """The hint for an unknown id: a guess if there is one, and where the ids are listed."""
    guess = closest(name, known)
    if guess:
        return f"did you mean '{guess}'? ids are listed in {where}"
    return f"the {what} ids are listed in {where}"
