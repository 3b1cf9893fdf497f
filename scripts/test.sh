#!/usr/bin/env bash
# Installs what is missing, builds and runs the whole test suite twice: under
# AddressSanitizer + UndefinedBehaviorSanitizer (Debug), then optimised (Release, which
# also builds the benchmarks). Warnings are errors.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
export VIXEN_WERROR=ON
for preset in asan release; do
    echo "== ${preset}: configure, build, test"
    cmake --preset "${preset}" >/dev/null
    cmake --build --preset "${preset}"
    ctest --preset "${preset}"
done
