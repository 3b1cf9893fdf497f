#!/usr/bin/env bash
# Installs what is missing, builds VIXEN (Release) and runs the main job: `vixen demo` (the
# sample CPU graph, with its compile and allocation reports), then `vixen render` (the sample
# GPU graph, headless, on the best Vulkan device, lavapipe on a machine without a GPU),
# which writes its last frame to build/render.png. Extra arguments go to `vixen render`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target vixen
build/release/src/app/vixen demo --quiet
build/release/src/app/vixen render --no-validation --png build/render.png "$@"
