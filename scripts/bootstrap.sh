#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build, run and test StoreLink.
# Idempotent: a second run installs nothing. Works as root (CI) or with sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  cmake g++ make            # native build
  libgtest-dev              # GoogleTest (Debian's googletest)
  nlohmann-json3-dev        # the only C++ dependency
  emscripten                # em++ 3.1.6 with a prebuilt sysroot
  clang-14 libclang-rt-14-dev  # libFuzzer + sanitizer runtimes (scripts/fuzz.sh)
  valgrind                  # memcheck run of the GoogleTest suite (scripts/test.sh)
  nodejs npm                # normally already there (Node 20)
  chromium fonts-liberation # dashboard end-to-end tests (playwright-core drives Debian's Chromium)
  postgresql                # the server's test suite also runs against a throwaway PostgreSQL
  python3                   # node-gyp, should better-sqlite3 need building from source
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    # node/npm may come from elsewhere than Debian; accept a working binary.
    if [[ "$p" == nodejs && -x "$(command -v node)" ]] || [[ "$p" == npm && -x "$(command -v npm)" ]]; then continue; fi
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}"
  SUDO=""
  [[ "$(id -u)" -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Debian's postgresql package starts a cluster of its own; the tests start their own instead.
# npm dependencies: the server's (fastify, better-sqlite3, pg) and the test tools.
# better-sqlite3 builds from source when no prebuilt binary can be fetched: use the Node
# headers Debian ships instead of downloading them.
if [[ -z "${npm_config_nodedir:-}" && -f /usr/include/node/node_version.h ]]; then export npm_config_nodedir=/usr; fi
if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  if [[ -f package-lock.json ]]; then
    npm ci --no-audit --no-fund --loglevel=error
  else
    npm install --no-audit --no-fund --loglevel=error
  fi
fi
