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
