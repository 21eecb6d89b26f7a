#!/usr/bin/env bash
# Everything: set up, build both targets, run the GoogleTest suite and the Node tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
echo "== native build + GoogleTest"
bash scripts/build-native.sh
ctest --preset native --output-on-failure -j2
echo "== wasm build"
bash scripts/build-wasm.sh
echo "== dashboard build"
bash scripts/build-dashboard.sh
echo "== Node tests (wasm package, simulators, server on SQLite and a throwaway PostgreSQL)"
eval "$(bash scripts/pg-test.sh start)"
export STORELINK_TEST_DATABASE_URL
trap 'bash scripts/pg-test.sh stop "$PG_TEST_DIR"' EXIT
node --test --test-concurrency=2 tests/js/
