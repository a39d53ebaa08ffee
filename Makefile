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

# The main job on the shipped model: predictions, Chefer-LRP and LIME explanations and a
# conservation audit of the bundled example phantoms (and of the real COVID-QU-Ex samples
# when ../shared is present), written to Notebooks-export/demo/.
DEMO_OUT := Notebooks-export/demo
EXAMPLES := Models/examples/phantom-covid-19.png Models/examples/phantom-non-covid.png Models/examples/phantom-normal.png
REAL     := ../shared/data/covid-qu-ex-samples/Infection Segmentation Data/Test

demo: build
	@mkdir -p $(DEMO_OUT)
	$(BIN) inspect | tee $(DEMO_OUT)/model.txt
	$(BIN) predict --image $(EXAMPLES) | tee $(DEMO_OUT)/predictions.tsv
	$(BIN) predict --image $(EXAMPLES) --json > $(DEMO_OUT)/predictions.json
	$(BIN) explain --image $(EXAMPLES) --method chefer-lrp --target all --out $(DEMO_OUT)/chefer-lrp
	$(BIN) explain --image $(EXAMPLES) --method lime --features 3,8 --samples 1000 --seed 0 --out $(DEMO_OUT)/lime
	$(BIN) conservation --image Models/examples/phantom-covid-19.png --rule-set lrp-0 | tee $(DEMO_OUT)/conservation-lrp0.txt
	@if [ -d "$(REAL)" ]; then \
	  echo "real COVID-QU-Ex samples:"; \
	  $(BIN) predict --image "$(REAL)"/*/images/*.png | tee $(DEMO_OUT)/real-predictions.tsv; \
	  $(BIN) explain --image "$(REAL)"/*/images/*.png --method chefer-lrp --target all --out $(DEMO_OUT)/real-chefer-lrp; \
	else echo "(../shared absent: real samples skipped)"; fi
	@echo "demo report written to $(DEMO_OUT)/"

clean:
	rm -rf .build
