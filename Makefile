# Thin wrapper: install missing Debian packages, build with CMake presets, run.
PRESET ?= release
BUILD  := build/$(PRESET)
JOBS   ?= 2
MAKEFLAGS += --no-print-directory

.PHONY: all deps configure build run test test-asan test-asan-fast test-tsan fuzz bench clean
all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake --preset $(PRESET) >/dev/null

build: configure
	@cmake --build --preset $(PRESET) -j $(JOBS)

run: build
	@mkdir -p results
	$(BUILD)/apps/softpower run scenarios/polito_baseline.yaml -o results/polito_baseline.h5
	$(BUILD)/apps/softpower info results/polito_baseline.h5
	@$(BUILD)/apps/softpower report results/polito_baseline.h5 -o results/polito_baseline.html >/dev/null
	@echo "report: $(CURDIR)/results/polito_baseline.html"

# Chromium and Slurm serve only tests: `make test` installs them, `make run` does not.
test: build
	@bash scripts/install-deps.sh --test
	@ctest --preset $(PRESET) -j $(JOBS)

test-asan:
	@$(MAKE) --no-print-directory test PRESET=asan

# CI's sanitizer step (.ci/run, after `make test`): the tests labelled `fast` under address +
# undefined sanitizers.
test-asan-fast: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS) --target softpower_fast_tests
	@ctest --preset asan -j $(JOBS) -L fast

# ThreadSanitizer on the tests labelled `parallel` (engine, sweep executor, writer queue, graph
# builds, determinism), linked against a oneTBB built with the sanitizer from Debian's source
# package (scripts/build-tsan-tbb.sh, once), so that TBB's own synchronisation is visible.
test-tsan: deps
	@bash scripts/build-tsan-tbb.sh build/tbb-tsan
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan -j $(JOBS)
	@ctest --preset tsan -j $(JOBS)

# libFuzzer harnesses (fuzz/README.md), clang only: each runs FUZZ_SECONDS (0: only replay the
# corpus in fuzz/corpus/). New inputs and crashes go under build/fuzz/, never into the repo.
FUZZ_SECONDS ?= 60
FUZZERS ?= scenario edge_list graphml graph_cache result_reader
fuzz: deps
	@bash scripts/install-deps.sh --fuzz
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)
	@bash fuzz/run.sh build/fuzz $(FUZZ_SECONDS) $(FUZZERS)

# graph-tool is the bench's comparison point only: `deps` (build, run, test) never installs it,
# and without it the side-by-side bench leaves its columns out and says why.
bench: build
	@bash scripts/install-deps.sh --bench || echo "bench: graph-tool could not be installed; its columns will be skipped"
	@bash bench/run.sh $(BUILD)

clean:
	rm -rf build
