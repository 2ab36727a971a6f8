# System tools the *build* needs (not only the tests): liblouis for braille.
# Installed through apt when missing and we are root; otherwise say what to install.
BUILD_APT := liblouis-bin liblouis-data

.PHONY: build-tools
build-tools:
	@missing=""; \
	command -v lou_translate >/dev/null || missing="$(BUILD_APT)"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing $$missing (apt)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "mdguide needs: $$missing. Run: sudo apt-get install $$missing" >&2; exit 1; \
	  fi; \
	fi
