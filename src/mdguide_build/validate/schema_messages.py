"""Turn JSON Schema errors into messages an editor can act on.

jsonschema's own messages ("'x' does not match '^[a-z0-9]+…'") are accurate
but written for programmers.  Each error here becomes a diagnostics code, a
sentence in plain words and a hint.  For a union of block kinds (``oneOf``),
only the branch the block's ``type`` names is reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jsonschema

from mdguide_build.guide.hints import did_you_mean
from mdguide_build.guide.models import DATE_PATTERN, ID_PATTERN, LINE_PATTERN, PATH_PATTERN, URL_PATTERN
from mdguide_build.validate.jsonpos import escape_pointer_token


@dataclass(frozen=True)
class SchemaProblem:
    code: str
    pointer: str
    message: str
    hint: str
    at_key: bool = False


_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list [ … ]",
    "object": "an object { … }",
    "null": "null",
}


def _kind_of(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _pointer(error: jsonschema.ValidationError) -> str:
    return "".join(f"/{escape_pointer_token(p)}" for p in error.absolute_path)


def _short(value: object, limit: int = 60) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pattern_problem(error: jsonschema.ValidationError, pointer: str) -> SchemaProblem:
    value, pattern = error.instance, error.validator_value
    if pattern == URL_PATTERN:
        scheme = value.split(":", 1)[0] if ":" in value else ""
        if scheme and scheme.lower() not in ("http", "https"):
            return SchemaProblem(
                "E206",
                pointer,
                f"'{_short(value)}' is a '{scheme}:' address, not a web address",
                "resources must be http:// or https:// addresses",
            )
        return SchemaProblem(
            "E206",
            pointer,
            f"'{_short(value)}' is not an http or https address",
            "write the full address, starting https:// (no spaces or quotes)",
        )
    if pattern == ID_PATTERN:
        return SchemaProblem(
            "E204",
            pointer,
            f"'{_short(value)}' is not a valid id",
            "ids use lower-case letters, digits and single hyphens, e.g. kings-fund-programmes",
        )
    if pattern == LINE_PATTERN:
        return SchemaProblem(
            "E204",
            pointer,
            "the text holds a line break, tab or other control character",
            "keep each text on one line; start a new paragraph for a new line",
        )
    if pattern == PATH_PATTERN:
        return SchemaProblem(
            "E107",
            pointer,
            f"'{_short(value)}' is not a path inside content/",
            "write a relative path such as sections/1-why.json, without '..' or a leading '/'",
        )
    if pattern == DATE_PATTERN:
        return SchemaProblem(
            "E204", pointer, f"'{_short(value)}' is not a date", "write YYYY-MM or YYYY-MM-DD, e.g. 2017-06"
        )
    return SchemaProblem(
        "E204", pointer, f"'{_short(value)}' is not in the expected form", f"it must match {pattern}"
    )


def _branch_errors(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError] | SchemaProblem:
    """For oneOf/anyOf: the errors of the branch the instance meant to take."""
    pointer = _pointer(error)
    instance = error.instance
    branches = error.validator_value
    if isinstance(instance, dict) and "discriminator" in error.schema:
        wanted = instance.get("type")
        kinds = sorted(error.schema["discriminator"]["mapping"])
        if wanted not in kinds:
            hint = did_you_mean(str(wanted), kinds, cutoff=0.6)
            what = 'has no "type"' if wanted is None else f"has unknown type '{_short(wanted)}'"
            return SchemaProblem(
                "E204", pointer, f"this block {what}", f"{hint}block types are: {', '.join(kinds)}"
            )
    by_branch: dict[int, list[jsonschema.ValidationError]] = {}
    for sub in error.context:
        by_branch.setdefault(sub.schema_path[0], []).append(sub)
    # The branch whose 'type' const matches, else the one that got furthest.
    for index, subs in by_branch.items():
        const = (
            branches[index].get("properties", {}).get("type", {}).get("const")
            if isinstance(branches[index], dict)
            else None
        )
        if const is not None and isinstance(instance, dict) and instance.get("type") == const:
            return subs
    non_type = [
        subs for subs in by_branch.values() if not all(s.validator == "type" and not s.path for s in subs)
    ]
    if non_type:
        return min(non_type, key=len)
    expected = " or ".join(
        _TYPE_NAMES.get(s.validator_value, str(s.validator_value))
        for subs in by_branch.values()
        for s in subs
        if s.validator == "type"
    )
    return SchemaProblem(
        "E203",
        pointer,
        f"expected {expected}, found {_kind_of(instance)}",
        "see the schema for what this field holds",
    )


def _problems(error: jsonschema.ValidationError, kind: str) -> list[SchemaProblem]:
    pointer = _pointer(error)
    validator = error.validator
    schema_file = f"schema/{kind}.schema.json"
    if validator in ("oneOf", "anyOf"):
        branch = _branch_errors(error)
        if isinstance(branch, SchemaProblem):
            return [branch]
        return [p for sub in branch for p in _problems(sub, kind)]
    if validator == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        return [
            SchemaProblem(
                "E201",
                pointer,
                f'missing required field "{name}"',
                f'add "{name}": … here (see {schema_file})',
            )
            for name in missing
        ]
    if validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extras = [k for k in error.instance if k not in allowed]
        out = []
        for name in extras:
            hint = (
                did_you_mean(name, allowed, cutoff=0.6, quote='"').rstrip()
                or f"allowed fields here: {', '.join(allowed)}"
            )
            out.append(
                SchemaProblem(
                    "E202",
                    f"{pointer}/{escape_pointer_token(name)}",
                    f'unknown field "{_short(name)}"',
                    hint,
                    at_key=True,
                )
            )
        return out
    if validator == "type":
        expected = error.validator_value
        names = " or ".join(
            _TYPE_NAMES.get(t, t) for t in ([expected] if isinstance(expected, str) else expected)
        )
        return [
            SchemaProblem(
                "E203",
                pointer,
                f"expected {names}, found {_kind_of(error.instance)}",
                "check the quotes and brackets of this value",
            )
        ]
    if validator == "pattern":
        return [_pattern_problem(error, pointer)]
    if validator in ("enum", "const"):
        options = error.validator_value if validator == "enum" else [error.validator_value]
        shown = ", ".join(f"'{o}'" if isinstance(o, str) else str(o).lower() for o in options)
        return [
            SchemaProblem(
                "E204", pointer, f"'{_short(error.instance)}' is not allowed here", f"use one of: {shown}"
            )
        ]
    if validator in ("maxLength", "minLength"):
        limit = error.validator_value
        if validator == "minLength":
            if not error.instance:
                return [
                    SchemaProblem("E205", pointer, "the text is empty", "write the text, or remove the field")
                ]
            return [
                SchemaProblem(
                    "E205",
                    pointer,
                    f"the text is {len(error.instance)} characters, fewer than {limit}",
                    "write it in full",
                )
            ]
        return [
            SchemaProblem(
                "E205",
                pointer,
                f"the text is {len(error.instance):,} characters, more than {limit:,}",
                "split it into shorter paragraphs",
            )
        ]
    if validator in ("maxItems", "minItems"):
        limit = error.validator_value
        relation = "at most" if validator == "maxItems" else "at least"
        return [
            SchemaProblem(
                "E205",
                pointer,
                f"the list has {len(error.instance)} items; it needs {relation} {limit}",
                "add or remove items",
            )
        ]
    if validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return [
            SchemaProblem(
                "E204",
                pointer,
                f"{_short(error.instance)} is out of range ({validator} {error.validator_value})",
                "use a number within the range",
            )
        ]
    return [SchemaProblem("E204", pointer, error.message, f"see {schema_file}")]


def describe(validator: jsonschema.Draft202012Validator, value: object, kind: str) -> list[SchemaProblem]:
    """Every schema problem in ``value``, in document order, without duplicates."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for error in sorted(validator.iter_errors(value), key=lambda e: [str(p) for p in e.absolute_path]):
        for problem in _problems(error, kind):
            key = (problem.code, problem.pointer, problem.message)
            if key not in seen:
                seen.add(key)
                out.append(problem)
    # A value in the wrong form is often also too short; the form is the real problem.
    wrong_form = {p.pointer for p in out if p.code in ("E204", "E206", "E107")}
    return [p for p in out if not (p.code == "E205" and p.pointer in wrong_form)]
