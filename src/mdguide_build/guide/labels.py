"""How the guide names things in every output: dates, editions, attributions, reviews."""

from __future__ import annotations

from mdguide_build.guide import models as m

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def human_date(iso: str) -> str:
    """'2017-06' -> 'June 2017'; '2017-06-05' -> '5 June 2017' (the guide's style)."""
    parts = iso.split("-")
    month = f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return f"{int(parts[2])} {month}" if len(parts) == 3 else month


def attribution_text(attribution: m.Attribution) -> str:
    return ", ".join(p for p in (attribution.role, attribution.place, attribution.organisation) if p)


def edition_label(edition: m.Edition) -> str:
    """'Edition 1.1, March 2025'."""
    return f"Edition {edition.version}, {human_date(edition.date)}"


def review_line(reviewed: m.Review) -> str:
    return f"Last reviewed {human_date(reviewed.last)}; next review due {human_date(reviewed.next)}."


def edition_mark(part: object) -> str | None:
    """'New in 1.1', 'Revised in 1.2' or 'New in 1.1; revised in 1.2': a part a later edition brought.

    None for the 2017 text, which carries no marks.
    """
    since, revised = getattr(part, "since", None), getattr(part, "revised", None)
    if since and revised:
        return f"New in {since}; revised in {revised}"
    if revised:
        return f"Revised in {revised}"
    return f"New in {since}" if since else None
