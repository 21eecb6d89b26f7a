#!/usr/bin/env bash
# Sets up, builds, and runs the product: the StoreLink server (API, webhooks, the local platform
# simulators in sandbox mode, and the dashboard at /) on http://localhost:8080 (PORT).
# Sandbox mode unless configured for production (see web/server/main.js and the README).
# The headless CLI demo sync is `npm run demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
bash scripts/build-wasm.sh >/dev/null
bash scripts/build-dashboard.sh
exec node web/server/main.js "$@"
