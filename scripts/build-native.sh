#!/usr/bin/env bash
# Native build: the core library + the GoogleTest suite (preset "native", or $1 e.g. "asan").
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-native}"
[[ -f "build/$preset/CMakeCache.txt" ]] || cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
