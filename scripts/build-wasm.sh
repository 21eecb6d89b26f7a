#!/usr/bin/env bash
# WebAssembly build: wasm/dist/storelink-core.{mjs,wasm}, what the npm package loads.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs   # em++'s JS optimizer needs Debian's acorn
[[ -f build/wasm/CMakeCache.txt ]] || cmake --preset wasm >/dev/null
cmake --build --preset wasm
mkdir -p wasm/dist
cp build/wasm/storelink-core.wasm wasm/dist/
# Emscripten's glue keeps its local names (3.1.6 would need the Closure Compiler, which Debian
# does not package): esbuild renames them and drops dead branches, ~12.5 → ~9.4 KB gzip.
# No property renaming, so the Module["…"] and Embind names the package uses stay as they are.
esbuild=node_modules/.bin/esbuild
[[ -x $esbuild ]] || { echo "build-wasm: $esbuild missing; run scripts/bootstrap.sh first" >&2; exit 1; }
"$esbuild" build/wasm/storelink-core.mjs --minify --format=esm --target=es2020 --log-level=warning \
  --outfile=wasm/dist/storelink-core.mjs
