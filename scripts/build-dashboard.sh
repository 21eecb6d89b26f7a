#!/usr/bin/env bash
# The "Quản lý liên kết" page: Vite 7 bundle in web/dashboard/dist (needs wasm/dist first).
# Skips the build when dist is newer than every source it is made of (pass --force to rebuild).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f wasm/dist/storelink-core.wasm ]] || bash scripts/build-wasm.sh
if [[ "${1:-}" != "--force" && -f web/dashboard/dist/index.html ]]; then
  newer=$(find web/dashboard/src web/dashboard/index.html web/dashboard/vite.config.js wasm/js wasm/dist \
    -newer web/dashboard/dist/index.html -type f 2>/dev/null | head -1)
  [[ -z "$newer" ]] && exit 0
fi
npx --no-install vite build web/dashboard --logLevel warn
