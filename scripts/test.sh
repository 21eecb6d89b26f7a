#!/usr/bin/env bash
# Everything: set up, build both targets, run the GoogleTest suite and the Node tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
echo "== native build + GoogleTest"
bash scripts/build-native.sh
ctest --preset native --output-on-failure -j2
echo "== GoogleTest under ASan + UBSan"
bash scripts/build-native.sh asan
ctest --preset asan --output-on-failure -j2
echo "== GoogleTest under valgrind (memcheck)"
# All but the pacing tests, which replay an hour of paced requests or thousands of paced pages
# (minutes under valgrind; they run natively and under ASan above).
valgrind --error-exitcode=1 --leak-check=full -q \
  ./build/native/storelink_tests --gtest_brief=1 --gtest_filter=-SyncJob.PacingStaysUnderTheHourlyBudget:FamilyPacing.LongSyncsRunAtTheLeakRateAndNeverHit429
echo "== fuzz smoke (libFuzzer, ASan + UBSan)"
bash scripts/fuzz.sh
echo "== wasm build"
bash scripts/build-wasm.sh
echo "== dashboard build"
bash scripts/build-dashboard.sh
echo "== Node tests (wasm package, simulators, server on SQLite and a throwaway PostgreSQL)"
eval "$(bash scripts/pg-test.sh start)"
export STORELINK_TEST_DATABASE_URL
trap 'bash scripts/pg-test.sh stop "$PG_TEST_DIR"' EXIT
node --test --test-concurrency=2 tests/js/
