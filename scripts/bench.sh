#!/usr/bin/env bash
# `npm run bench`: builds the native normalize bench (Release, build/bench) and the wasm
# module, then measures everything in one run and rewrites bench/RESULTS.md.
# About 8-15 minutes on 2 shared cores: the dashboard syncing 100,000 products in Chromium
# (bench/ui.js) is most of it, then the 100,000-row syncs (BENCH_UI_N=0 skips the UI row).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
[[ -f build/bench/CMakeCache.txt ]] || cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DSTORELINK_TESTS=OFF -DSTORELINK_BENCH=ON >/dev/null
cmake --build build/bench -j2 --target storelink_normalize_bench
bash scripts/build-wasm.sh
node bench/run.js
