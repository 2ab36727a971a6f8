"""Synthetic guides N times the size of the real one, for scaling benchmarks.

Every section, resource, figure and person-specification group is repeated N
times with unique ids (suffix ``-xK``), and references inside the text are
rewritten to match, so the result is a valid guide with N× the content.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

_REF = re.compile(r"\[\^([a-z0-9-]+)\]|\]\[([a-z0-9-]+)\]")
ID_KEYS = {"id", "figure"}


def _suffix_ids(value, k: int):
    """Copy ``value`` with every id, figure reference and text reference suffixed."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in ID_KEYS and isinstance(item, str):
                out[key] = f"{item}-x{k}"
            elif key == "cites":
                out[key] = [f"{i}-x{k}" for i in item]
            else:
                out[key] = _suffix_ids(item, k)
        return out
    if isinstance(value, list):
        return [_suffix_ids(v, k) for v in value]
    if isinstance(value, str):
        return _REF.sub(lambda m: f"[^{m.group(1)}-x{k}]" if m.group(1) else f"][{m.group(2)}-x{k}]", value)
    return value


def _load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def _dump(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def synthesise(source: Path, target: Path, factor: int) -> int:
    """Write a guide ``factor`` times the size of ``source`` into ``target``; return its size in bytes."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    if factor == 1:
        return sum(p.stat().st_size for p in target.rglob("*.json"))
    guide = _load(source / "guide.json")
    sections = []
    for k in range(factor):
        for rel in guide["sections"]:
            data = _load(source / rel)
            if k:
                data = _suffix_ids(data, k)
                # One person specification per guide: later copies keep their text, not the placement.
                data = json.loads(
                    json.dumps(data).replace(
                        '{"type": "person-specification"}', '{"type": "editorial-note", "text": "Copy."}'
                    )
                )
            name = rel if not k else rel.replace(".json", f"-x{k}.json")
            _dump(target / name, data)
            sections.append(name)
    guide["sections"] = sections
    _dump(target / "guide.json", guide)
    for name, key in (("resources.json", "resources"), ("figures.json", "figures")):
        data = _load(source / name)
        data[key] = data[key] + [item for k in range(1, factor) for item in _suffix_ids(data[key], k)]
        if key == "resources":
            for i, item in enumerate(data[key]):
                item["footnote_2017"] = None if i >= 40 else item.get("footnote_2017")
        _dump(target / name, data)
    return sum(p.stat().st_size for p in target.rglob("*.json"))
