# System packages the *build* needs (not only the tests): liblouis for braille,
# Pango and fonts for WeasyPrint's PDFs. Installed through apt when missing and
# we are root; otherwise we say what to install and stop.
BUILD_APT ?= liblouis-bin liblouis-data libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation

.PHONY: build-tools
build-tools:
	@ok=" $$(dpkg-query -W -f='$${Package} $${db:Status-Abbrev}\n' $(BUILD_APT) 2>/dev/null \
		| awk '$$2 == "ii" {printf "%s ", $$1}')"; \
	missing=""; \
	for p in $(BUILD_APT); do \
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
