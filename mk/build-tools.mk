# System packages the *build* needs (not only the tests): liblouis for braille.
# The PDFs need none: Typst comes in its wheel, the fonts in the package.
# `make bench` also needs Pango for WeasyPrint, the PDF engine bench/pdf_engines.py
# measures Typst against. Installed through apt when missing and we are root;
# otherwise we say what to install and stop.
BUILD_APT ?= liblouis-bin liblouis-data
BENCH_APT ?= libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation

.PHONY: build-tools bench-tools
build-tools:
	@$(call _apt_ensure,$(BUILD_APT))

bench-tools: build-tools
	@$(call _apt_ensure,$(BENCH_APT))

# $(call _apt_ensure,PACKAGES): install the Debian packages that are missing.
define _apt_ensure
ok=" $$(dpkg-query -W -f='$${Package} $${db:Status-Abbrev}\n' $(1) 2>/dev/null \
	| awk '$$2 == "ii" {printf "%s ", $$1}')"; \
missing=""; \
for p in $(1); do \
	case "$$ok" in *" $$p "*) ;; *) missing="$$missing $$p" ;; esac; \
done; \
if [ -n "$$missing" ]; then \
  if [ "$$(id -u)" = 0 ]; then \
    echo "Installing$$missing (apt)"; \
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
  else \
    echo "mdguide needs:$$missing. Run: sudo apt-get install$$missing" >&2; exit 1; \
  fi; \
fi
endef
