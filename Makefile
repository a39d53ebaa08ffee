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

# The main job on the shipped model: `vitrel compare` of Chefer-LRP against LIME on freshly
# synthesised test phantoms (deterministic: seed 2024) and, when ../shared is present, on the
# real COVID-QU-Ex samples; plus predictions and a conservation audit of the bundled example
# phantoms. Everything goes to Notebooks-export/demo/ (open index.html or report.ipynb).
DEMO_OUT := Notebooks-export/demo
EXAMPLES := Models/examples/phantom-covid-19.png Models/examples/phantom-non-covid.png Models/examples/phantom-normal.png
SAMPLES  := ../shared/data/covid-qu-ex-samples

demo: build
	@mkdir -p $(DEMO_OUT)
	$(BIN) inspect | tee $(DEMO_OUT)/model.txt
	$(BIN) predict --image $(EXAMPLES) | tee $(DEMO_OUT)/predictions.tsv
	$(BIN) conservation --image Models/examples/phantom-covid-19.png --rule-set lrp-0 > $(DEMO_OUT)/conservation-lrp0.txt
	rm -rf $(DEMO_OUT)/phantoms
	$(BIN) synth --out $(DEMO_OUT)/phantoms --per-class 40 --seed 2024
	$(BIN) compare --data $(DEMO_OUT)/phantoms --per-class 5 --fresh --out $(DEMO_OUT)/phantoms-compare
	@if [ -d "$(SAMPLES)" ]; then \
	  echo "real COVID-QU-Ex samples:"; \
	  $(BIN) compare --data "$(SAMPLES)" --fresh --out $(DEMO_OUT)/real-compare; \
	else echo "(../shared absent: real samples skipped)"; fi
	@echo "demo report written to $(DEMO_OUT)/: phantoms-compare/index.html, real-compare/index.html"

clean:
	rm -rf .build
