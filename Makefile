# Entry points for people and CI. `make test` is what CI runs.
NODE      ?= node
TSX        = $(NODE) --import tsx
TEST_FILES = $(shell find test -name '*.test.ts' | sort)

.PHONY: install build check lint test bench run clean soak fuzz

FUZZ_SECONDS ?= 300

# Recipes that `make run` depends on print to stderr: its stdout starts with the engine's URL line.
# A node_modules that is a link (a git worktree sharing another checkout's install) is never
# reinstalled through: npm ci would empty the install the link points to.
node_modules: package-lock.json
	@if [ -L node_modules ]; then echo "node_modules is a link: not reinstalling through it" >&2; \
	else echo "npm ci" >&2 && ONNXRUNTIME_NODE_INSTALL=skip npm ci >&2; fi
	@touch node_modules

install: node_modules

build: node_modules
	@echo "tsc -p tsconfig.build.json" >&2
	@npx tsc -p tsconfig.build.json >&2

check: node_modules
	npx tsc -p tsconfig.json --noEmit

lint: node_modules
	npx biome check src test bench scripts

# Tests run with their own TMPDIR, removed when they pass (kept, and named, when they fail): no
# temp directory is left behind, even by a process a test had to kill.
test: node_modules
	@tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/kalshi-engine-test-XXXXXX") && echo "TMPDIR=$$tmp" >&2 && \
	TMPDIR=$$tmp $(TSX) --test --test-concurrency=2 --test-timeout=360000 $(TEST_FILES); rc=$$?; \
	if [ $$rc -eq 0 ]; then rm -rf "$$tmp"; else echo "make test: temp files kept in $$tmp" >&2; fi; exit $$rc

bench: build
	$(TSX) --expose-gc bench/run.ts

# Engine flags go in ARGS, e.g. make run ARGS="--markets 200 --duration 60".
# Coverage-guided fuzzing of every frame parser; new corpus entries land in test/fuzz/corpus/.
fuzz: node_modules
	$(TSX) test/fuzz/coverage-fuzz.ts --seconds $(FUZZ_SECONDS)

run: build
	@$(NODE) dist/cli/main.js run $(ARGS)

clean:
	rm -rf dist

# bounded soak under faults, kills and a decide crash; writes docs/reliability.md
SOAK_MINUTES ?= 10
soak: node_modules
	SOAK_MINUTES=$(SOAK_MINUTES) $(TSX) scripts/soak.ts
