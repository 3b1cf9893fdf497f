#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace vixen::app {

struct VoxelRenderOptions {
    std::string scene = "cityscape";
    std::uint32_t voxels = 256;  ///< the scene's side
    std::uint64_t seed = 1;
    std::string structure = "brickmap";
    std::string pipeline = "compute";  ///< nodes::VoxelPipeline by name
    std::uint32_t width = 1280;
    std::uint32_t height = 720;
    bool shadows = false;
    /// Temporal anti-aliasing: a Halton-jittered camera, a TAA node, and its image written;
    /// with a still camera `frames` frames accumulate (16 unless --frames says otherwise).
    bool taa = false;
    /// Also render a 16-samples-per-pixel reference of the last frame's view (a 4x4 grid of
    /// jittered frames, averaged) and print the PSNR of the image (and of one sample) to it.
    bool reference = false;
    /// "front", "orbit" or "orbit:DEGREES" (about the scene's vertical axis), or
    /// "X,Y,Z:TX,TY,TZ" (eye and target, in voxels); empty: the scene's own view (front for
    /// the Cornell box, orbit:35 otherwise).
    std::string camera;
    float fov = 50.0F;
    std::uint32_t frames = 4;
    /// Caps the graph's device-local memory budget (MiB); 0: the device's.
    std::uint64_t memoryBudgetMiB = 0;
    std::string out = "vixen.png";
    std::string trace;
    std::optional<std::uint32_t> device;
    bool validation = true;
    /// The cache root (empty: $VIXEN_CACHE_DIR, $XDG_CACHE_HOME/vixen or ~/.cache/vixen).
    std::string cacheDir;
    bool noCache = false;
    /// Compile the shaders from this directory at run time (src/nodes/shaders is the
    /// engine's); `vixen view` reloads them when their files change. Empty: embedded.
    std::string shaderDir;
    bool quiet = false;
};

/// `vixen render`: builds a procedural voxel scene, renders it through the render graph
/// (scene upload, streamed camera, compute ray marcher over the chosen structure) on the best
/// device, writes the last frame as a PNG and prints the device, the scene's build, the GPU
/// time of the ray march (timestamps) and primary rays per second. Returns the exit code.
int runVoxelRender(const VoxelRenderOptions& options);

}  // namespace vixen::app
