"""schema/ is generated from the models, and the content fits it — checked independently.

The independent check is ajv (JavaScript, a separate JSON Schema 2020-12
implementation), run on each content file against the schema its own
"$schema" key names, exactly as an editor's tooling would resolve it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest

from mdguide_build.guide.models import FILE_MODELS
from mdguide_build.validate.schema import build_schema, render_schema, stale_schemas, write_schemas

ROOT = Path(__file__).resolve().parent.parent
AJV = ROOT / ".tools" / "node" / "node_modules" / ".bin" / "ajv"
CONTENT_FILES = sorted((ROOT / "content").rglob("*.json"))


def _schema_path(content_file: Path) -> Path:
    declared = json.loads(content_file.read_text(encoding="utf-8"))["$schema"]
    return (content_file.parent / declared).resolve()


def test_schema_files_match_the_models():
    assert stale_schemas(ROOT / "schema") == [], "run `mdguide schema` after changing models.py"


def test_drift_is_detected(tmp_path):
    write_schemas(tmp_path)
    assert stale_schemas(tmp_path) == []
    victim = tmp_path / "resources.schema.json"
    victim.write_text(victim.read_text().replace('"maxLength": 500', '"maxLength": 501'))
    assert stale_schemas(tmp_path) == [victim]


@pytest.mark.parametrize("kind", list(FILE_MODELS))
def test_schemas_are_valid_draft_2020_12(kind):
    schema = build_schema(kind)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert render_schema(kind).endswith("}\n")


@pytest.mark.slow
@pytest.mark.parametrize("path", CONTENT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_content_file_names_its_schema_and_ajv_accepts_it(path):
    schema = _schema_path(path)
    assert schema.parent == ROOT / "schema" and schema.is_file(), (
        f"{path}: $schema does not resolve to schema/"
    )
    done = subprocess.run(
        [
            str(AJV),
            "validate",
            "--spec=draft2020",
            "--strict=false",
            "--all-errors",
            "-s",
            str(schema),
            "-d",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_ajv_rejects_what_the_schema_forbids(tmp_path):
    """The independent validator is really checking: a javascript: URL and an unknown key fail."""
    data = json.loads((ROOT / "content" / "resources.json").read_text(encoding="utf-8"))
    data["resources"][0]["url"] = "javascript:alert(1)"
    data["resources"][1]["colour"] = "red"
    bad = tmp_path / "resources.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    done = subprocess.run(
        [
            str(AJV),
            "validate",
            "--spec=draft2020",
            "--strict=false",
            "--all-errors",
            "-s",
            str(ROOT / "schema" / "resources.schema.json"),
            "-d",
            str(bad),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "/resources/0/url" in done.stdout + done.stderr
    assert "additionalProperties" in done.stdout + done.stderr
