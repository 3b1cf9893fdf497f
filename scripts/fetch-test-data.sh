#!/usr/bin/env bash
# Real files nobody here wrote, for the importer tests: fetched from the npm registry with
# `npm pack` into DIR (default build/test-data), never committed. Each package is unpacked
# into DIR/<package>/. The meshes (bunny: the Stanford bunny, teapot: the Utah teapot) are
# JavaScript modules; node writes each as DIR/meshes/NAME.obj, NAME.ply (binary) and
# NAME.ascii.ply.gz (scripts/convert-test-meshes.js). Exits 0 even when the registry cannot
# be reached: the tests that need a package then skip with a message saying so.
set -uo pipefail
dir=${1:-build/test-data}
mkdir -p "$dir"
packages=(parse-magica-voxel bunny teapot)
if ! command -v npm >/dev/null; then
    echo "fetch-test-data: npm is not installed; tests that need real files will skip"
    exit 0
fi
for package in "${packages[@]}"; do
    if [ -d "$dir/$package/package" ]; then
        echo "fetch-test-data: $package already in $dir"
        continue
    fi
    scratch=$(mktemp -d)
    if (cd "$scratch" && timeout 60 npm pack --silent "$package" >/dev/null 2>&1); then
        mkdir -p "$dir/$package"
        tar -xzf "$scratch"/*.tgz -C "$dir/$package"
        echo "fetch-test-data: $package fetched into $dir/$package"
    else
        echo "fetch-test-data: could not fetch $package from the npm registry; its tests will skip"
    fi
    rm -rf "$scratch"
done
# The mesh packages' modules, as files our importers read.
meshes=(bunny:index.js teapot:teapot.js)
mkdir -p "$dir/meshes"
for mesh in "${meshes[@]}"; do
    name=${mesh%%:*}
    module="$dir/$name/package/${mesh#*:}"
    if [ ! -f "$module" ] || [ -f "$dir/meshes/$name.ply" ]; then
        continue
    fi
    if node "$(dirname "$0")/convert-test-meshes.js" "$module" "$name" "$dir/meshes"; then
        echo "fetch-test-data: $name converted into $dir/meshes"
    else
        echo "fetch-test-data: could not convert $name; its tests will skip"
    fi
done
exit 0
