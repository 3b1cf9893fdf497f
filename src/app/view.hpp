#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace vixen::app {

struct ViewOptions {
    std::string scene = "cityscape";
    std::uint32_t voxels = 256;
    std::uint64_t seed = 1;
    std::string structure = "brickmap";
    std::string pipeline = "compute";  ///< nodes::VoxelPipeline by name
    std::uint32_t width = 1280;
    std::uint32_t height = 720;
    bool shadows = false;
    /// Temporal anti-aliasing: a Halton-jittered camera and a TAA node before presentation.
    bool taa = false;
    float fov = 50.0F;
    /// 0: run until the window closes. N: a scripted run of N frames (the camera orbits the
    /// scene once, the window is resized to 3/4 halfway) that then exits, for tests.
    std::uint32_t frames = 0;
    std::optional<std::uint32_t> device;
    bool validation = true;
    /// The cache root (empty: $VIXEN_CACHE_DIR, $XDG_CACHE_HOME/vixen or ~/.cache/vixen).
    std::string cacheDir;
    bool noCache = false;
    /// Compile the shaders from this directory at run time (src/nodes/shaders is the
    /// engine's); `vixen view` reloads them when their files change. Empty: embedded.
    std::string shaderDir;
};

/// `vixen view`: the voxel renderer's graph presented to a window. Left-drag orbits, right-
/// drag zooms, WASD (QE for down and up, Shift faster) flies, Escape quits; the window resizes
/// freely. The title shows the frame time and primary rays per second. Returns the exit code.
int runView(const ViewOptions& options);

}  // namespace vixen::app
