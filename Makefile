# vitrel — build, test and demo on a fresh Debian machine (run as root, or with sudo).
SWIFT  ?= swift
CONFIG ?= release
APT_PACKAGES := libopenblas-dev libdnnl-dev libpng-dev libjpeg-dev libdcmtk-dev
BIN := .build/$(CONFIG)/vitrel

.PHONY: deps deps-cluster build test test-cluster fuzz demo clean

# Installs the Debian packages named in $(1) that are missing (apt-get, as root or with sudo).
define install_missing
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
endef

# The C libraries vitrel links against.
deps:
	$(call install_missing,$(APT_PACKAGES))

# The cluster test's daemons (munge, Slurm's controller and node daemon), only for test-cluster.
CLUSTER_PACKAGES := munge slurm-wlm
deps-cluster:
	$(call install_missing,$(CLUSTER_PACKAGES))

build: deps
	$(SWIFT) build -c $(CONFIG)

# The README's test command: builds everything, runs the whole suite, the GEMM tests again with
# oneDNN held to AVX2 kernels (as on a machine without AVX-512), then a one-minute fuzz
# run with a fixed seed (a finding fails the target and is kept under Tests/VitRelTests/Fixtures/fuzz/).
test: deps
	$(SWIFT) build -c $(CONFIG) --build-tests -Xswiftc -enable-testing
	$(SWIFT) test -c $(CONFIG) --skip-build --disable-swift-testing -Xswiftc -enable-testing
	ONEDNN_MAX_CPU_ISA=AVX2 $(SWIFT) test -c $(CONFIG) --skip-build --disable-swift-testing -Xswiftc -enable-testing --filter "GEMMBlocksTests|BFloat16InferenceTests|BFloat16TracedPassTests|BFloat16TrainingTests"
	.build/$(CONFIG)/vitrel-fuzz --seed 1 --duration 60 --executable $(BIN)

# A sharded compare on a real single-node Slurm cluster started for the test (root needed):
# an array of 4 shards, one requeued while it runs, a dependent assembly job, and the result
# checked against an unsharded run; every daemon is stopped by its pid (Tools/slurm/test-cluster.sh).
# Built as `test` builds it, so after `make test` the build is already done.
test-cluster: deps deps-cluster
	$(SWIFT) build -c $(CONFIG) --build-tests -Xswiftc -enable-testing
	bash Tools/slurm/test-cluster.sh

# A longer fuzz run: make fuzz SEED=7 DURATION=600. Mutated model folders, images and command
# lines against the built vitrel; fails on a crash, trap, abort, hang, an exit status outside
# 0/1/2/64, a failure without an error line or a non-finite number printed. Each finding is
# written to Tests/VitRelTests/Fixtures/fuzz/seed<S>-case<N>/case.json, which the test suite
# replays (FuzzRegressionTests): commit it with the fix.
SEED     ?= $(shell date +%s)
DURATION ?= 600
TIMEOUT  ?= 20
fuzz: deps
	$(SWIFT) build -c $(CONFIG) --build-tests -Xswiftc -enable-testing
	.build/$(CONFIG)/vitrel-fuzz --seed $(SEED) --duration $(DURATION) --timeout $(TIMEOUT) --executable $(BIN)

# The main job on the shipped model (Models/vit-radiography-dinov2-112-ld, fine-tuned on real radiographs):
# its validation report and calibration, predictions on a fixed handful of real validation
# films, `vitrel compare` of Chefer-LRP against LIME on 2 validation films per class and on the
# 12 real COVID-QU-Ex samples (COVID-19 -> COVID; Non-COVID has no class of its own in this
# model and is mapped to its nearest, Viral Pneumonia), and a shortcut audit. The phantom model
# stays for the benchmark with known evidence: a compare on fresh phantoms (seed 2024).
# Everything goes to Notebooks-export/demo/ (open index.html, report.ipynb or audit.md).
DEMO_OUT  := Notebooks-export/demo
SHARED    := ../shared/data
RADIOGRAPHY := $(SHARED)/covid19-radiography
SAMPLES   := $(SHARED)/covid-qu-ex-samples
PHANTOM   := Models/vit-phantom-128
VAL       := $(RADIOGRAPHY)/validation

demo: build
	@mkdir -p $(DEMO_OUT)
	$(BIN) inspect | tee $(DEMO_OUT)/model.txt
	@if [ -d "$(RADIOGRAPHY)" ]; then \
	  set -e; \
	  $(BIN) predict --image "$(VAL)/COVID/COVID-1009.png" "$(VAL)/COVID/COVID-1013.png" "$(VAL)/Normal/Normal-10005.png" \
	    "$(VAL)/Normal/Normal-10039.png" "$(VAL)/Viral Pneumonia/Viral Pneumonia-1027.png" "$(VAL)/Viral Pneumonia/Viral Pneumonia-1047.png" \
	    | tee $(DEMO_OUT)/predictions.tsv; \
	  $(BIN) evaluate --data "$(RADIOGRAPHY)" --split val --reliability-diagram $(DEMO_OUT)/reliability-validation.png | tee $(DEMO_OUT)/evaluation-validation.txt; \
	  $(BIN) compare --data "$(RADIOGRAPHY)" --split val --per-class 2 --methods chefer-lrp,lime --mask border --fresh --out $(DEMO_OUT)/radiography-compare; \
	  $(BIN) audit --data "$(RADIOGRAPHY)" --split val --per-class 4 --methods chefer-lrp,attention-rollout,lime --out $(DEMO_OUT)/radiography-audit; \
	else echo "(../shared absent: the real radiographs are skipped)"; fi
	@if [ -d "$(SAMPLES)" ]; then \
	  $(BIN) compare --data "$(SAMPLES)" --class-map "COVID-19=COVID,Non-COVID=Viral Pneumonia" --methods chefer-lrp,lime --fresh --out $(DEMO_OUT)/covid-qu-ex-compare; \
	else echo "(../shared absent: the COVID-QU-Ex samples are skipped)"; fi
	$(BIN) conservation --model $(PHANTOM) --image Models/examples/phantom-covid-19.png --rule-set lrp-0 > $(DEMO_OUT)/conservation-lrp0.txt
	rm -rf $(DEMO_OUT)/phantoms
	$(BIN) synth --out $(DEMO_OUT)/phantoms --per-class 40 --seed 2024
	$(BIN) compare --model $(PHANTOM) --data $(DEMO_OUT)/phantoms --per-class 5 --fresh --out $(DEMO_OUT)/phantoms-compare
	@echo "demo report written to $(DEMO_OUT)/: radiography-compare/index.html, radiography-audit/audit.md, covid-qu-ex-compare/index.html, phantoms-compare/index.html"

clean:
	rm -rf .build
