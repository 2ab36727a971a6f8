"""Read ``content/`` into typed models, reporting every problem with its place.

Order of checks, per file: the path is safe → the bytes are UTF-8 → the text is
JSON (``jsonpos``, with positions) → it fits its JSON Schema (generated from the
models) → pydantic builds the model.  Then ``crossrefs`` checks the whole.
A file that fails one stage is not checked further, but every file is read,
so one run reports every problem.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path, PurePosixPath

import pydantic

from mdguide_build.errors import ContentError  # noqa: F401  (re-exported for callers of the loader)
from mdguide_build.guide.content import Content
from mdguide_build.guide.models import (
    FILE_MODELS,
    GuideFile,
)
from mdguide_build.validate import characters, crossrefs, jsonpos, schema_messages
from mdguide_build.validate.diagnostics import Diagnostic, Severity, in_order
from mdguide_build.validate.schema import build_schema
from mdguide_build.validate.sources import MAX_FILE_BYTES, SourceFile, Unreadable, read_regular, unsafe_path

# The files every guide has, by kind; sections are listed in guide.json.
FIXED_FILES = {
    "guide": "guide.json",
    "foreword": "foreword.json",
    "person-specification": "person-specification.json",
    "figures": "figures.json",
    "resources": "resources.json",
    "back-matter": "back-matter.json",
    "roles": "roles.json",
}


@cache
def _validator(kind: str):
    import jsonschema  # only needed to explain invalid files; keeps `validate` fast

    return jsonschema.Draft202012Validator(build_schema(kind))


def _display(root_display: str, relpath: str) -> str:
    return str(PurePosixPath(root_display) / relpath)


_UNREADABLE = {
    Unreadable.MISSING: (
        "E106",
        "file not found",
        "restore it from version control, or fix the name that points to it",
    ),
    Unreadable.LINK: (
        "E107",
        "the path is a symbolic link",
        "content files must be ordinary files inside content/",
    ),
    Unreadable.NOT_A_FILE: (
        "E108",
        "the path is {detail}, not an ordinary file",
        "put the JSON file itself here: mdguide reads only ordinary files",
    ),
    Unreadable.TOO_LARGE: (
        "E105",
        f"the file is {{detail}} bytes, more than the {MAX_FILE_BYTES:,} allowed",
        "split it, or check that it is the right file",
    ),
    Unreadable.DENIED: (
        "E109",
        "the file cannot be read: {detail}",
        "check the file's permissions (e.g. chmod a+r FILE), or restore it from version control",
    ),
}


def _read(root: Path, source: SourceFile, out: list[Diagnostic]) -> bytes | None:
    """One file's bytes, if it may be read; append problems to ``out``."""
    reason = unsafe_path(root, source.relpath)
    if reason:
        out.append(
            Diagnostic(
                source.display,
                0,
                0,
                "E107",
                "",
                reason,
                "content files must be ordinary files inside content/",
            )
        )
        return None
    try:
        return read_regular(root / source.relpath)
    except Unreadable as refused:
        code, message, hint = _UNREADABLE[refused.kind]
        out.append(Diagnostic(source.display, 0, 0, code, "", message.format(detail=refused.detail), hint))
        return None


def _parse(source: SourceFile, data: bytes, out: list[Diagnostic]) -> None:
    """Decode and parse one file's bytes into ``source``; append problems to ``out``."""
    if data.startswith(b"\xef\xbb\xbf"):
        out.append(
            Diagnostic(
                source.display,
                1,
                1,
                "W101",
                "",
                "the file starts with a byte-order mark (BOM)",
                "harmless, but save as 'UTF-8' rather than 'UTF-8 with BOM'",
                Severity.WARNING,
            )
        )
        data = data[3:]
    try:
        source.text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        out.append(
            Diagnostic(
                source.display,
                line,
                column,
                "E101",
                "",
                f"byte 0x{data[error.start]:02X} is not UTF-8 text",
                "save the file as UTF-8; this byte is probably from a Windows code page",
            )
        )
        return
    fast = _fast_parse(source.text)
    if fast is not None:
        source.parsed = jsonpos.Parsed(value=fast)
        return
    try:
        source.parsed = jsonpos.parse(source.text)
    except jsonpos.JsonSyntaxError as error:
        p = error.problem
        out.append(Diagnostic(source.display, p.line, p.column, p.code, p.pointer, p.message, p.hint))
        return
    out.extend(
        Diagnostic(source.display, p.line, p.column, p.code, p.pointer, p.message, p.hint)
        for p in source.parsed.problems
    )


class _NotPlainJson(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _NotPlainJson("duplicate key")
    return result


def _refuse(_value: str):
    raise _NotPlainJson("NaN or Infinity")


def _small_int(literal: str) -> int:
    if len(literal) > jsonpos.MAX_NUMBER_CHARS:
        raise _NotPlainJson("huge number")
    return int(literal)


def _fast_parse(text: str) -> object | None:
    """The value, parsed by Python's C JSON parser, when the file is plain, strict JSON.

    Valid files are the common case, and this is ten times faster than
    ``jsonpos``.  Anything unusual (a syntax error, a duplicate key, NaN, a
    huge number, deep nesting) returns None, and ``jsonpos`` then explains it
    with positions.
    """
    try:
        value = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_refuse, parse_int=_small_int)
    except (ValueError, RecursionError):
        return None
    return value if _depth_within(value, jsonpos.MAX_DEPTH) else None


def _depth_within(value: object, limit: int) -> bool:
    level: list = [value]
    for _ in range(limit + 1):
        level = [
            child
            for node in level
            if isinstance(node, (dict, list))
            for child in (node.values() if isinstance(node, dict) else node)
        ]
        if not level:
            return True
    return False


def _validate(source: SourceFile, out: list[Diagnostic]) -> None:
    """Build ``source``'s model; on failure, explain it through its JSON Schema.

    pydantic (strict, compiled) is fast, so valid files never pay for
    jsonschema; the schema, generated from the same models, gives the
    editor-friendly messages and positions when something is wrong.
    """
    value = source.parsed.value
    if source.parsed.problems:
        return  # NaN or duplicates make schema messages misleading; fix those first
    strange = characters.check(source)
    out.extend(strange)
    try:
        source.model = FILE_MODELS[source.kind].model_validate(value)
    except pydantic.ValidationError as error:
        found = schema_messages.describe(_validator(source.kind), value, source.kind)
        explained = {d.pointer for d in strange}
        for problem in found:
            if problem.code == "E204" and problem.pointer in explained:
                continue  # "a control character" says less than the character's own diagnostic
            out.append(
                source.diagnostic(
                    problem.code, problem.pointer, problem.message, problem.hint, key=problem.at_key
                )
            )
        if not found:  # the schema and the models disagree; still say where
            for item in error.errors():
                pointer = "".join(f"/{jsonpos.escape_pointer_token(p)}" for p in item["loc"])
                if pointer not in explained:
                    out.append(
                        source.diagnostic("E204", pointer, item["msg"], "see the schema for this file")
                    )
        return
    expected = f"schema/{source.kind}.schema.json"
    if not str(value.get("$schema", "")).endswith(expected):
        depth = "../" * (source.relpath.count("/") + 1)
        out.append(
            source.diagnostic(
                "W102",
                "/$schema",
                f'"$schema" should name {expected}',
                f'write "$schema": "{depth}{expected}" so your editor can check this file',
                severity=Severity.WARNING,
            )
        )


class FileMemo:
    """What the loader made of each file, by its bytes, for a process that loads the same folder again.

    The live preview keeps one: on each save every file's bytes are read
    again (~1 ms: a watcher's list of changes or a file's time could miss a
    change), but only a file whose bytes differ is parsed and checked again.
    The checks across files (``crossrefs``) always run on the whole. A file
    gives the same ``SourceFile`` and problems for the same bytes, name, kind
    and (a section) number, so the result is exactly what loading afresh gives.
    """

    def __init__(self) -> None:
        self._files: dict[tuple, tuple[bytes, SourceFile, list[Diagnostic]]] = {}

    @staticmethod
    def _key(source: SourceFile) -> tuple:
        # Everything besides the bytes that a file's problems depend on (a section's number names it).
        return source.relpath, source.display, source.kind, source.number

    def recall(self, source: SourceFile, data: bytes) -> tuple[SourceFile, list[Diagnostic]] | None:
        known = self._files.get(self._key(source))
        if known is None or known[0] != data:
            return None
        return known[1], known[2]

    def remember(self, source: SourceFile, data: bytes, problems: list[Diagnostic]) -> None:
        self._files[self._key(source)] = (data, source, problems)


def _load_file(
    root: Path,
    root_display: str,
    relpath: str,
    kind: str,
    out: list[Diagnostic],
    memo: FileMemo | None,
    number: int | None = None,
) -> SourceFile:
    source = SourceFile(relpath, _display(root_display, relpath), kind, number=number)
    try:
        data = _read(root, source, out)
    except OSError as error:  # e.g. no permission to read it or a folder on its way
        out.append(_unreadable(source.display, error))
        return source
    if data is None:
        return source
    known = memo.recall(source, data) if memo is not None else None
    if known is not None:
        out.extend(known[1])
        return known[0]
    problems: list[Diagnostic] = []
    _parse(source, data, problems)
    if source.parsed is not None:
        _validate(source, problems)
    out.extend(problems)
    if memo is not None:
        memo.remember(source, data, problems)
    return source


def _unreadable(display: str, error: OSError) -> Diagnostic:
    """E109 for an OSError on the way to a file (e.g. a folder on its path that may not be read)."""
    code, message, hint = _UNREADABLE[Unreadable.DENIED]
    return Diagnostic(display, 0, 0, code, "", message.format(detail=error.strerror or str(error)), hint)


def _missing(path: Path) -> bool:
    """Whether nothing is at ``path`` (not: whether it cannot be read; reading it says why)."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        pass
    return False


def read_content(
    root: Path, root_display: str | None = None, *, memo: FileMemo | None = None
) -> tuple[Content | None, list[Diagnostic]]:
    """Load and check ``root``; return the content (None on errors) and all diagnostics.

    With a ``memo``, files whose bytes are as the memo saw them are not parsed or checked again.
    """

    root_display = root_display or root.as_posix()
    if not root.is_dir():
        what = "is not a directory" if root.exists() else "does not exist"
        return None, [
            Diagnostic(
                root_display,
                0,
                0,
                "E100",
                "",
                f"the content directory {what}",
                "run mdguide from the project folder, or pass --content DIR",
            )
        ]
    out: list[Diagnostic] = []
    files = {
        kind: _load_file(root, root_display, name, kind, out, memo) for kind, name in FIXED_FILES.items()
    }
    sections: list[SourceFile] = []
    guide = files["guide"].model
    if isinstance(guide, GuideFile):
        seen: set[str] = set()
        for i, relpath in enumerate(guide.sections):
            if relpath in seen:
                out.append(
                    files["guide"].diagnostic(
                        "E307",
                        f"/sections/{i}",
                        f"'{relpath}' is listed twice",
                        "list each section file once",
                    )
                )
                continue
            seen.add(relpath)
            try:
                reason = unsafe_path(root, relpath)
            except OSError as error:
                out.append(_unreadable(_display(root_display, relpath), error))
                continue
            if reason:
                out.append(
                    files["guide"].diagnostic(
                        "E107",
                        f"/sections/{i}",
                        reason,
                        "list files inside content/, e.g. sections/1-why.json",
                    )
                )
                continue
            if _missing(root / relpath):
                out.append(
                    files["guide"].diagnostic(
                        "E106",
                        f"/sections/{i}",
                        f"section file '{relpath}' not found",
                        "check the file name, or remove it from the list",
                    )
                )
                continue
            # Its number if it is numbered: one more than the numbered sections before it.
            numbered = sum(1 for s in sections if s.parsed and _is_numbered(s.parsed.value))
            sections.append(_load_file(root, root_display, relpath, "section", out, memo, numbered + 1))
    all_files = list(files.values()) + sections
    if any(f.model is None for f in all_files) or any(d.is_error for d in out):
        return None, in_order(out)
    content = Content(
        root=root,
        guide=guide,
        foreword=files["foreword"].model,
        sections=[s.model for s in sections],
        person_specification=files["person-specification"].model,
        figures=files["figures"].model,
        resources=files["resources"].model,
        back_matter=files["back-matter"].model,
        roles=files["roles"].model,
        files=all_files,
    )
    out.extend(crossrefs.check(content))
    if any(d.is_error for d in out):
        return None, in_order(out)
    return content, in_order(out)


def _is_numbered(value: object) -> bool:
    return isinstance(value, dict) and value.get("numbered") is True


def load_content(
    root: Path, root_display: str | None = None, *, memo: FileMemo | None = None
) -> tuple[Content, list[Diagnostic]]:
    """Like ``read_content`` but raise ContentError when there are errors."""
    content, diagnostics = read_content(root, root_display, memo=memo)
    if content is None:
        raise ContentError(diagnostics, root_display or root.as_posix())
    return content, diagnostics


def dump_json(value: object) -> str:
    """The canonical way mdguide writes content JSON (two-space indent, UTF-8, newline)."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def content_files(root: Path) -> list[Path]:
    """Every JSON file under ``root`` (for hashing and watching)."""
    return sorted(p for p in root.rglob("*.json") if p.is_file() and not os.path.islink(p))
