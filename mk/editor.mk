# mk/editor.mk -- the browser editor's front end (mdguide serve --edit).
#
#   make editor-bundle   rebuild src/mdguide_build/tools/editor/static/editor.{js,css} from frontend/src
#
# The bundle is committed, so running mdguide needs no Node.js. Its npm dependencies (ProseMirror,
# esbuild; pinned by frontend/package-lock.json) are installed outside the Python package, in
# $(EDITOR_NODE), because every file of the package is part of the outputs' fingerprints.
# `make test` installs them too: tests/test_editor_bundle.py rebuilds the bundle and compares.

TOOLS_DIR ?= .tools
NPM ?= npm
EDITOR_FRONTEND := src/mdguide_build/tools/editor/frontend
EDITOR_STATIC := src/mdguide_build/tools/editor/static
EDITOR_NODE ?= $(TOOLS_DIR)/editor-frontend
_EDITOR_STAMP := $(EDITOR_NODE)/node_modules/.mdguide-editor.stamp

.PHONY: editor-node editor-bundle

editor-node: $(_EDITOR_STAMP)

$(_EDITOR_STAMP): $(EDITOR_FRONTEND)/package.json $(EDITOR_FRONTEND)/package-lock.json | test-tools-apt
	@mkdir -p $(EDITOR_NODE)
	cp $(EDITOR_FRONTEND)/package.json $(EDITOR_FRONTEND)/package-lock.json $(EDITOR_NODE)/
	cd $(EDITOR_NODE) && $(NPM) ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@test -x $(EDITOR_NODE)/node_modules/.bin/esbuild \
		|| { echo "editor: npm install in $(EDITOR_NODE) is incomplete" >&2; exit 1; }
	@touch $@

editor-bundle: $(_EDITOR_STAMP)
	$(PY) -m mdguide_build.tools.editor.bundle --node-modules $(EDITOR_NODE)/node_modules --out $(EDITOR_STATIC)

test-tools: editor-node
