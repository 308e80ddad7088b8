# berth: the two commands a new user needs are `make run` and `make test`.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
ARGS ?=

.PHONY: deps deps-build build run test unit integration bench bench-sts clean

deps:
	scripts/deps.sh build test bench

deps-build:
	scripts/deps.sh build

build: deps-build
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/berth serve $(ARGS)

unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

integration: build
	scripts/deps.sh test
	BERTH_BINARY=$(abspath $(BUILD_DIR)/berth) /usr/bin/python3 -m pytest -q tests/integration

test: deps
	$(MAKE) unit
	$(MAKE) integration

bench: deps build
	bench/run.sh

bench-sts: deps build
	BERTH_BINARY=$(abspath $(BUILD_DIR)/berth) /usr/bin/python3 bench/sts_bench.py

clean:
	rm -rf $(BUILD_DIR)
