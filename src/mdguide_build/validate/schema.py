"""JSON Schemas for content files, generated from the pydantic models.

The models are the single source of truth; ``schema/*.schema.json`` are
generated files that editors' tools (VS Code, JetBrains) read through each
content file's ``"$schema"`` key.  ``stale_schemas`` reports drift (`mdguide schema --check`).
"""

from __future__ import annotations

import json
from pathlib import Path

from mdguide_build.guide.models import FILE_MODELS

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_filename(kind: str) -> str:
    return f"{kind}.schema.json"


def build_schema(kind: str) -> dict:
    """The Draft 2020-12 schema for one kind of content file."""
    model = FILE_MODELS[kind]
    schema = model.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": DIALECT, "$id": schema_filename(kind), **schema}


def render_schema(kind: str) -> str:
    return json.dumps(build_schema(kind), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write_schemas(directory: Path) -> list[Path]:
    """Write every schema into ``directory``; return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in FILE_MODELS:
        path = directory / schema_filename(kind)
        path.write_text(render_schema(kind), encoding="utf-8")
        written.append(path)
    return written


def stale_schemas(directory: Path) -> list[Path]:
    """Schema files that are missing or differ from what the models generate."""
    stale = []
    for kind in FILE_MODELS:
        path = directory / schema_filename(kind)
        if not path.is_file() or path.read_text(encoding="utf-8") != render_schema(kind):
            stale.append(path)
    return stale
