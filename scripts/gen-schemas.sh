#!/usr/bin/env bash
# Regenerates the committed FlatBuffers TypeScript in src/events/generated from schemas/*.fbs.
# CI runs this and then `git diff --exit-code`, so output must be byte-identical for the same
# flatc: the generated files were produced by Debian's flatbuffers-compiler (flatc 2.0.8);
# another flatc version may format differently and is reported below.
# Install: apt-get install -y flatbuffers-compiler
set -euo pipefail

cd "$(dirname "$0")/.."

EXPECTED_FLATC="flatc version 2.0.8"
if ! command -v flatc >/dev/null 2>&1; then
  echo "gen-schemas: flatc not found (apt-get install -y flatbuffers-compiler)" >&2
  exit 1
fi
actual="$(flatc --version)"
if [ "$actual" != "$EXPECTED_FLATC" ]; then
  echo "gen-schemas: warning: $actual, generated files were made with $EXPECTED_FLATC" >&2
fi

out=src/events/generated
rm -rf "$out"
mkdir -p "$out"
# --ts-flat-files: one self-contained module per schema, so there are no extension-less relative
# imports (NodeNext resolution requires `.js` suffixes that flatc does not write).
flatc --ts --ts-flat-files -o "$out" schemas/events.fbs schemas/feed-log.fbs
ls "$out"
