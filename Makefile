# Quick start: `make site` renders site/ from lessons/; `make test` runs the unit tests and verifies every lesson.
SWIFT ?= swift
BIN := .build/debug
TOOL := $(BIN)/arcface-lessons

.PHONY: all deps build site test verify golden bench-site clean install torch verify-python

all: site

# Debian packages the build needs (cmark-gfm, OpenBLAS); installs only what is missing.
deps:
	@scripts/install-deps.sh

# `swift build` builds every product, libArcFaceKit.so included: lesson programs link against it.
build: deps
	$(SWIFT) build

site: build
	$(TOOL) build

verify: build
	$(TOOL) verify --check-site

# PyTorch from PyPI in .venv/ (about 1 GB with its CUDA wheels): `verify --python` finds it there
# and checks the lessons' ```python cells against it. `make test` does not need it.
torch:
	@scripts/install-deps.sh --python
	@[ -x .venv/bin/python ] || python3 -m venv .venv
	.venv/bin/pip install --quiet torch numpy
	@.venv/bin/python -c 'import torch; print("torch", torch.__version__, "in .venv/")'

verify-python: build
	$(TOOL) verify --python

# The browser tests need Debian's chromium.
test: build
	@scripts/install-deps.sh --browser
	$(SWIFT) test
	$(TOOL) verify --check-site

# Rewrite the golden HTML of the test fixtures after an intended rendering change; review the diff.
golden: build
	UPDATE_GOLDEN=1 $(SWIFT) test --filter Golden

# Timings of build (release tool and kit): cold, warm, prose-only edit, one-cell edit (prints a table).
bench-site: deps
	$(SWIFT) build -c release --product arcface-lessons
	$(SWIFT) build -c release --product ArcFaceKit
	$(SWIFT) build -c release --product LessonRuntime
	tools/bench_site.sh

# Installs the release tool and kit under $(PREFIX) (bin/, lib/arcface-lessons/); an installed tool
# builds a course in any folder, with no checkout around.
PREFIX ?= /usr/local
install: deps
	$(SWIFT) build -c release --product arcface-lessons
	$(SWIFT) build -c release --product ArcFaceKit
	$(SWIFT) build -c release --product LessonRuntime
	scripts/install.sh "$(PREFIX)" "$$($(SWIFT) build -c release --show-bin-path)"

clean:
	rm -rf .build .build-fuzz

# Fuzzing (README "Fuzzing"): Fuzz/ is a package of its own, built with libFuzzer and AddressSanitizer
# into .build-fuzz, so the normal build is untouched. Each target runs FUZZ_SECONDS in turn, one job;
# new corpus inputs, crashing inputs and logs go to $(FUZZ_WORK) (outside git). FUZZ_SANITIZE=fuzzer
# builds without AddressSanitizer.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= lesson frontmatter tex compare plots parity
FUZZ_SANITIZE ?= fuzzer,address
FUZZ_WORK ?= .build-fuzz/work
.PHONY: fuzz fuzz-build
fuzz-build: deps
	$(SWIFT) build -c release --package-path Fuzz --scratch-path .build-fuzz -Xswiftc -sanitize=$(FUZZ_SANITIZE) -Xswiftc -enable-testing

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_TARGETS="$(FUZZ_TARGETS)" FUZZ_WORK=$(FUZZ_WORK) Fuzz/run.sh

# Benchmarks (README "Performance"): every figure of issue 18 beside its goal, in one run. The fused
# ArcFace head and toy trainers (release build); the same workloads in PyTorch interleaved with them
# if $(TORCH_PYTHON) has torch (H1 against MKL's three GEMMs, T1/T2 speed-ups per round); the BLAS
# libraries on the fast paths' shapes; serve's edit-to-page latencies; the site build timings; the
# other benchmarks below if present; then the goal table (tools/bench_goals.py). Each script appends
# its goal figures to $(BENCH_SUMMARY). Figures only, no assertions; the machine's load is printed.
TORCH_PYTHON ?= $(if $(wildcard .venv/bin/python),.venv/bin/python,python3)
BENCH_ROUNDS ?= 5
BENCH_SUMMARY ?= $(CURDIR)/.build/bench-summary.jsonl
# Other benchmarks (make test, cold verify, REPL), owned elsewhere: each runs if it exists and is
# executable, and may append {"figure", "value", "goal", "met", "load"} lines to $$BENCH_SUMMARY
# (figures named "make test ...", "cold verify ...", "repl ..." land on goals 1, 2 and 3).
BENCH_OTHER ?= tools/bench_test.sh tools/bench_verify.sh tools/bench_repl.sh
.PHONY: bench
bench: deps
	$(SWIFT) build -c release --product arcface-bench
	$(SWIFT) build -c release --product arcface-lessons
	$(SWIFT) build -c release --product ArcFaceKit
	$(SWIFT) build -c release --product LessonRuntime
	@mkdir -p .build && : > $(BENCH_SUMMARY)
	.build/release/arcface-bench
	@if $(TORCH_PYTHON) -c 'import torch' 2>/dev/null; then \
	  BENCH_SUMMARY=$(BENCH_SUMMARY) $(TORCH_PYTHON) tools/bench_torch.py --rounds $(BENCH_ROUNDS); \
	else echo "(no torch for $(TORCH_PYTHON): PyTorch comparison skipped; make bench TORCH_PYTHON=/path/to/python)"; fi
	ROUNDS=3 TORCH_PYTHON=$(TORCH_PYTHON) tools/bench_blas.sh
	BENCH_SUMMARY=$(BENCH_SUMMARY) python3 tools/bench_serve.py
	BENCH_SUMMARY=$(BENCH_SUMMARY) tools/bench_site.sh
	@# ---- other helpers' benchmarks (make test, cold verify, REPL): run when present ----
	@for b in $(BENCH_OTHER); do \
	  if [ -x "$$b" ]; then echo "== $$b"; BENCH_SUMMARY=$(BENCH_SUMMARY) "$$b" || echo "($$b failed: $$?)"; \
	  else echo "($$b not present: its figures are not measured in this run)"; fi; \
	done
	@python3 tools/bench_goals.py $(BENCH_SUMMARY)
