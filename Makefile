# Entry points for people and CI. `make test` is what CI runs.
NODE      ?= node
TSX        = $(NODE) --import tsx
TEST_FILES = $(shell find test -name '*.test.ts' | sort)

.PHONY: install build check lint test bench run clean

node_modules: package-lock.json
	ONNXRUNTIME_NODE_INSTALL=skip npm ci
	@touch node_modules

install: node_modules

build: node_modules
	npx tsc -p tsconfig.build.json

check: node_modules
	npx tsc -p tsconfig.json --noEmit

lint: node_modules
	npx biome check src test bench scripts

test: node_modules
	$(TSX) --test --test-concurrency=2 --test-timeout=120000 $(TEST_FILES)

bench: build
	$(TSX) --expose-gc bench/run.ts

run: build
	$(NODE) dist/cli/main.js run

clean:
	rm -rf dist
