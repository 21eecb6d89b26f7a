#!/usr/bin/env bash
# Sets up, builds, and runs the product. For now: a headless demo sync of every KiotViet
# entity against the local simulator (the dashboard issue turns this into the web page).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
bash scripts/build-wasm.sh >/dev/null
bash scripts/build-dashboard.sh
exec node wasm/js/cli.js demo "$@"
