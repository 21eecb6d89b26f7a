#!/usr/bin/env bash
# `npm run bench`: builds the native normalize bench (Release, build/bench) and the wasm
# module, then measures everything in one run and rewrites bench/RESULTS.md.
# About 4-5 minutes on 2 cores (most of it the 100,000-product sync on a 6x clock).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
[[ -f build/bench/CMakeCache.txt ]] || cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DSTORELINK_TESTS=OFF -DSTORELINK_BENCH=ON >/dev/null
cmake --build build/bench -j2 --target storelink_normalize_bench
bash scripts/build-wasm.sh
node bench/run.js
