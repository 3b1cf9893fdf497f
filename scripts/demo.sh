#!/usr/bin/env bash
# Installs what is missing, builds VIXEN (Release) and runs the main job.
# Until the renderer exists the main job is `vixen demo`: a sample graph, compiled and
# executed, with its compile report and allocation report. Extra arguments go to `vixen demo`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target vixen
build/release/src/app/vixen demo "$@"
