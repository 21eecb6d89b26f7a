#!/usr/bin/env bash
# Fuzz smoke: builds the libFuzzer targets (preset "fuzz": clang 14, ASan + UBSan), seeds each
# corpus from tests/fixtures + tests/fuzz/seeds, and runs every target for a fixed time.
#   FUZZ_SECONDS=20 (per target)   FUZZ_TARGETS="fuzz_normalize fuzz_api" (default: all)
#   FUZZ_SEED=1 (libFuzzer's -seed: CI runs are repeatable; vary it locally to explore more)
# Any crash, leak, UB report or broken invariant fails the script; the input is kept under
# build/fuzz/artifacts/<target>/ — reproduce with: build/fuzz/<target> <that file>.
# Corpora grow across local runs in build/fuzz/corpus/ (CI starts from the seeds).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-20}"

[[ -f build/fuzz/CMakeCache.txt ]] || cmake --preset fuzz >/dev/null
cmake --build --preset fuzz >/dev/null

fixtures=(tests/fixtures/*/*)
seed_corpus() {  # target dir
  local target=$1 dir=$2 f n=0
  mkdir -p "$dir"
  [[ -d "tests/fuzz/seeds/$target" ]] && cp tests/fuzz/seeds/"$target"/* "$dir"/ 2>/dev/null || true
  for f in "${fixtures[@]}"; do
    n=$((n + 1))
    case "$target" in
      fuzz_webhook)  # "header lines, @secret, empty line, body"
        { printf 'x-hub-signature: sha256=00\n@secret: whsec\n\n'; cat "$f"; } >"$dir/fixture$n"
        { printf '\n'; cat "$f"; } >"$dir/fixture${n}_nosig" ;;
      fuzz_placeholders)
        { printf '@accessToken: eyJ\n\n'; cat "$f"; } >"$dir/fixture$n" ;;
      fuzz_checkpoint)  # byte 0 picks the entity; no checkpoint; a token, then the body
        { printf "\\$(printf '%03o' $((n % 4)))\n--\n@status: 200\n\n"
          printf '{"access_token":"{{secret.accessToken}}","expires_in":86400}\n--\n@status: 200\n\n'
          cat "$f"; } >"$dir/fixture$n" ;;
      *) cp "$f" "$dir/fixture$n" ;;
    esac
  done
}

targets=(${FUZZ_TARGETS:-$(cd build/fuzz && ls fuzz_* | grep -v '\.' | sort)})
status=0
summary=()
for t in "${targets[@]}"; do
  corpus="build/fuzz/corpus/$t"
  artifacts="build/fuzz/artifacts/$t"
  seed_corpus "$t" "$corpus"
  mkdir -p "$artifacts"
  log="build/fuzz/$t.log"
  dict=()
  [[ -f "tests/fuzz/$t.dict" ]] && dict=(-dict="tests/fuzz/$t.dict")
  if build/fuzz/"$t" "$corpus" "${dict[@]}" -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
      -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1; then
    result="ok"
  else
    result="FAILED (see $log; input in $artifacts/)"
    status=1
    grep -E "ERROR|FUZZ_CHECK|runtime error|SUMMARY" "$log" | head -5 >&2 || true
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 || true)
  files=$(ls "$corpus" | wc -l)
  summary+=("$(printf '%-20s %10s execs in %ss  %-10s corpus %5s  %s' "$t" "${execs:-?}" "$seconds" "$cov" "$files" "$result")")
done
echo "== fuzz smoke (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
exit $status
