"""The committed editor bundle is what its sources and pinned packages make (esbuild is reproducible)."""

from __future__ import annotations

from pathlib import Path

from mdguide_build.tools.editor.bundle import STATIC, bundle

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / ".tools" / "editor-frontend" / "node_modules"  # installed by `make test` (mk/editor.mk)


def test_the_committed_bundle_is_built_from_its_sources(tmp_path):
    assert NODE_MODULES.is_dir(), (
        f"{NODE_MODULES} is missing: run make test-tools (it runs npm ci for the editor)"
    )
    written = bundle(NODE_MODULES, tmp_path)
    assert [p.name for p in written] == ["editor.js", "editor.css"]
    for path in written:
        assert path.read_bytes() == (STATIC / path.name).read_bytes(), (
            f"{STATIC / path.name} is out of date: run make editor-bundle and commit it"
        )
