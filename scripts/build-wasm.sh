#!/usr/bin/env bash
# WebAssembly build: wasm/dist/storelink-core.{mjs,wasm}, what the npm package loads.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs   # em++'s JS optimizer needs Debian's acorn
[[ -f build/wasm/CMakeCache.txt ]] || cmake --preset wasm >/dev/null
cmake --build --preset wasm
mkdir -p wasm/dist
cp build/wasm/storelink-core.mjs build/wasm/storelink-core.wasm wasm/dist/
