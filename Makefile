# berth: the two commands a new user needs are `make run` and `make test`.
# `make test SANITIZE=address,undefined`: the same build and tests with those -fsanitize checks, in a
# directory of their own so that the normal build stays as it is.
SANITIZE ?=
ifneq ($(SANITIZE),)
BUILD_DIR ?= build-asan
endif
BUILD_DIR ?= build
# libFuzzer targets (docs/fuzzing.md): clang's own build, and how long `make fuzz` runs each target.
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
ARGS ?=

.PHONY: deps deps-build build run test unit integration fuzz-build fuzz-regressions fuzz bench bench-sts bench-gc clean

deps:
	scripts/deps.sh build test bench

deps-build:
	scripts/deps.sh build

build: deps-build
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DBERTH_SANITIZE=$(SANITIZE) >/dev/null
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/berth serve $(ARGS)

# The unit tests start their own PostgreSQL (tests/unit/metadata/postgres_server.hpp).
unit: build
	scripts/deps.sh test
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

integration: build
	scripts/deps.sh test
	BERTH_BINARY=$(abspath $(BUILD_DIR)/berth) /usr/bin/python3 -m pytest -q tests/integration

# Every fuzz target replays its corpus and its past crashers: a crash once found stays a test.
fuzz-regressions: fuzz-build
	fuzz/run.sh replay $(FUZZ_BUILD_DIR)

fuzz: fuzz-build
	fuzz/run.sh fuzz $(FUZZ_BUILD_DIR) $(FUZZ_SECONDS)

fuzz-build: deps-build
	scripts/deps.sh test
	cmake -S . -B $(FUZZ_BUILD_DIR) -DBERTH_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(FUZZ_BUILD_DIR) --target fuzzers -j $(JOBS)

test: deps
	$(MAKE) unit
	$(MAKE) fuzz-regressions
	$(MAKE) integration

bench: deps build
	bench/run.sh

bench-sts: deps build
	BERTH_BINARY=$(abspath $(BUILD_DIR)/berth) /usr/bin/python3 bench/sts_bench.py

# Garbage collection against the reference registry's; BENCH_GC_BLOBS=100000 BENCH_GC_REPOS=100
# BENCH_RUNS=1 for a quick check (docs/benchmarks.md).
bench-gc: deps build
	BERTH_BINARY=$(abspath $(BUILD_DIR)/berth) /usr/bin/python3 bench/gc_bench.py

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_BUILD_DIR)
