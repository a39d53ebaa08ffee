# vitrel — build, test and demo on a fresh Debian machine (run as root, or with sudo).
SWIFT  ?= swift
CONFIG ?= release
APT_PACKAGES := libopenblas-dev libpng-dev libjpeg-dev
BIN := .build/$(CONFIG)/vitrel

.PHONY: deps build test demo clean

# Installs the C libraries vitrel links against, only when one is missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build -c $(CONFIG)

# The README's test command: builds everything and runs the whole suite.
test: deps
	$(SWIFT) build -c $(CONFIG) --build-tests -Xswiftc -enable-testing
	$(SWIFT) test -c $(CONFIG) --skip-build --disable-swift-testing -Xswiftc -enable-testing

demo: build
	$(BIN) --version

clean:
	rm -rf .build
