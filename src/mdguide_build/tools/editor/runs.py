"""A text field as the editor shows it: runs of formatted words and citation chips.

The browser never sees or types mdguide's inline markup.  A field travels as a
list of *runs*, each either words with their formatting or one citation::

    [{"text": "read "}, {"text": "Good medical practice", "em": True}, {"cite": "gmc-good-medical-practice"}]

``to_runs`` turns a stored text into runs (through ``inline.parse``, the one
parser of the markup); ``to_markup`` turns runs back into a stored text, and
proves it by parsing the result again.  Runs that equal the stored text's own
runs give back the stored text unchanged, so a save that changes nothing
changes no byte, whatever escapes the file happened to use.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from mdguide_build.guide import inline
from mdguide_build.guide.models import ID_PATTERN

# Formatting a run of words may carry; "link" holds the id of the resource the words link to.
MARKS = ("link", "strong", "em")
# Characters that are markup in a text and are written with a backslash when they are words.
_ESCAPED = ("\\", "*", "[", "]")
_ID = re.compile(ID_PATTERN)


class RunsError(ValueError):
    """Runs that are not a text field: ``message`` says what, ``hint`` what to do."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message, self.hint = message, hint


def to_runs(text: str) -> list[dict]:
    """The runs of a stored text (raises inline.MarkupError if its markup is malformed)."""
    out: list[dict] = []

    def walk(nodes: Sequence[inline.Inline], marks: dict) -> None:
        for node in nodes:
            if isinstance(node, inline.Plain):
                out.append({"text": node.text, **marks})
            elif isinstance(node, inline.Emph):
                walk(node.children, {**marks, "em": True})
            elif isinstance(node, inline.Strong):
                walk(node.children, {**marks, "strong": True})
            elif isinstance(node, inline.ResourceLink):
                walk(node.children, {**marks, "link": node.resource})
            elif isinstance(node, inline.NoteRef):
                out.append({"cite": node.resource, **marks})

    walk(inline.parse(text), {})
    return normalise(out)


def normalise(runs: Sequence[dict]) -> list[dict]:
    """Runs in one spelling: no empty words, no false marks, neighbours with equal formatting joined."""
    out: list[dict] = []
    for run in runs:
        run = {key: value for key, value in run.items() if value not in (False, None)}
        if "text" in run and not run["text"]:
            continue
        if out and "text" in run and "text" in out[-1] and _marks(run) == _marks(out[-1]):
            out[-1] = {**out[-1], "text": out[-1]["text"] + run["text"]}
        else:
            out.append(run)
    return out


def check_runs(value: object) -> list[dict]:
    """``value`` as runs, or RunsError saying what is wrong with it (it comes from a browser)."""
    if not isinstance(value, list):
        raise RunsError("a text must be a list of runs", "reload the page")
    for run in value:
        if not isinstance(run, dict) or len([k for k in ("text", "cite") if k in run]) != 1:
            raise RunsError("each run must hold either words or one citation", "reload the page")
        unknown = set(run) - {"text", "cite", *MARKS}
        if unknown:
            raise RunsError(f"unknown formatting {sorted(unknown)[0]!r}", "use italic, bold or a citation")
        words = run.get("text", run.get("cite"))
        if not isinstance(words, str) or any(not isinstance(run.get(m, False), (bool, str)) for m in MARKS):
            raise RunsError(
                "a run's words, citation and formatting must be text or true/false", "reload the page"
            )
        for key in ("cite", "link"):
            if key in run and not (isinstance(run[key], str) and _ID.fullmatch(run[key])):
                raise RunsError(f"{run[key]!r} is not a resource id", "choose the resource from the list")
    return normalise(value)


def to_markup(runs: Sequence[dict], stored: str | None = None) -> str:
    """The stored text for ``runs``: ``stored`` itself when it already says exactly that.

    Raises RunsError when no markup says it (mdguide's markup cannot write
    italic words directly followed by bold ones, for example).
    """
    runs = normalise(runs)
    if stored is not None:
        try:
            if to_runs(stored) == runs:
                return stored
        except inline.MarkupError:
            pass  # the stored text is broken; the runs replace it
    # Which formatting encloses which changes the markup's meaning where two begin or end
    # together, so try both orders and keep the one that reads back as the same runs.
    for order in (MARKS, ("link", "em", "strong")):
        text = _write(runs, order)
        try:
            if to_runs(text) == runs:
                return text
        except inline.MarkupError:
            continue
    raise RunsError(
        "this mix of italic and bold cannot be stored",
        "put a space between italic and bold words, or make the bold cover a word more or less than the italic",
    )


def _marks(run: dict) -> tuple:
    return tuple(run.get(mark) for mark in MARKS)


def _write(runs: Sequence[dict], order: Sequence[str]) -> str:
    if not order:
        return "".join(_atom(run) for run in runs)
    mark, rest = order[0], order[1:]
    out = []
    for value, group in itertools.groupby(runs, key=lambda run: run.get(mark)):
        inner = _write(list(group), rest)
        if not value:
            out.append(inner)
        elif mark == "em":
            out.append(f"*{inner}*")
        elif mark == "strong":
            out.append(f"**{inner}**")
        else:
            out.append(f"[{inner}][{value}]")
    return "".join(out)


def _atom(run: dict) -> str:
    if "cite" in run:
        return f"[^{run['cite']}]"
    text = run["text"]
    for char in _ESCAPED:
        text = text.replace(char, "\\" + char)
    return text
