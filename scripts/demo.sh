#!/usr/bin/env bash
# Installs what is missing, builds VIXEN (Release) and runs the main job: `vixen render`, a
# procedural voxel scene (cityscape, 256^3) ray marched through the render graph on the best
# Vulkan device (lavapipe on a machine without a GPU), written to build/vixen.png. Extra
# arguments go to `vixen render` (see `vixen render --help`).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target vixen
build/release/src/app/vixen render --out build/vixen.png "$@"
echo "the picture: $(pwd)/build/vixen.png"
