#include "vixen/nodes/node_catalog.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <memory>

#include "vixen/nodes/cpu_image_nodes.hpp"
#include "vixen/nodes/gpu_image_nodes.hpp"

namespace vixen::nodes {
namespace {

constexpr std::uint32_t kMaxImageSide = 16384;
constexpr std::uint32_t kMaxBlurRadius = 64;

std::uint32_t imageSide(graph::ParamReader& params, std::string_view key) {
    const auto side = params.get<std::uint32_t>(key, 256);
    if (side == 0 || side > kMaxImageSide) {
        params.reject(key, "must be between 1 and 16384 pixels");
    }
    return side;
}

/// width, height, follow_window and transient: the shape of a GPU node's image.
GpuImageShape imageShape(graph::ParamReader& params) {
    GpuImageShape shape;
    shape.width = imageSide(params, "width");
    shape.height = imageSide(params, "height");
    shape.followWindow = params.get<bool>("follow_window", true);
    shape.transient = params.get<bool>("transient", false);
    return shape;
}

float unitChannel(graph::ParamReader& params, std::string_view key, float fallback) {
    const float value = params.get<float>(key, fallback);
    if (!(value >= 0.0F && value <= 1.0F)) {
        params.reject(key, "must be between 0 and 1");
    }
    return value;
}

constexpr std::string_view kShapeParams =
    "width, height (pixels, default 256), follow_window (bool, default true: a window resize "
    "resizes it), transient (bool, default false: may share memory with transients whose "
    "lifetimes do not overlap)";

}  // namespace

void registerGpuNodes(graph::NodeRegistry& registry, GpuRuntime& runtime) {
    registry.add<GpuGradientNode>(
        fmt::format("Moving gradient computed into an RGBA8 storage image (GpuImage); params: {}, "
                    "async_compute (bool, default false: may run on the compute queue)",
                    kShapeParams),
        [&runtime](graph::ParamReader& params) {
            const GpuImageShape shape = imageShape(params);
            return std::make_unique<GpuGradientNode>(runtime, shape,
                                                     params.get<bool>("async_compute", false));
        });
    registry.add<GpuPatternNode>(
        fmt::format("One colour cleared into an RGBA8 image each frame, its red cycling with the "
                    "frame; params: {}, red, green, blue, alpha (0-1, default 0.1, 0.3, 0.6, 1)",
                    kShapeParams),
        [&runtime](graph::ParamReader& params) {
            const GpuImageShape shape = imageShape(params);
            const std::array<float, 4> color{
                unitChannel(params, "red", 0.1F), unitChannel(params, "green", 0.3F),
                unitChannel(params, "blue", 0.6F), unitChannel(params, "alpha", 1.0F)};
            return std::make_unique<GpuPatternNode>(runtime, shape, color);
        });
    registry.add<GpuComposeNode>(
        fmt::format("Its RGBA8 layers scaled side by side into one image; params: {}",
                    kShapeParams),
        [&runtime](graph::ParamReader& params) {
            return std::make_unique<GpuComposeNode>(runtime, imageShape(params));
        });
    registry.add<GpuCheckerboardNode>(
        fmt::format("A checkerboard made on the CPU and uploaded at compile; params: {}, cell "
                    "(pixels per square, 1-4096, default 16)",
                    kShapeParams),
        [&runtime](graph::ParamReader& params) {
            const GpuImageShape shape = imageShape(params);
            const auto cell = params.get<std::uint32_t>("cell", 16);
            if (cell == 0 || cell > 4096) {
                params.reject("cell", "must be between 1 and 4096 pixels");
            }
            return std::make_unique<GpuCheckerboardNode>(runtime, shape, cell);
        });
    registry.add<GpuReadbackNode>(
        "Sink: copies its image to host memory every frame (vixen render --png writes it)",
        [&runtime](graph::ParamReader& /*params*/) {
            return std::make_unique<GpuReadbackNode>(runtime);
        });
}

void registerAllNodes(graph::NodeRegistry& registry) {
    registry.add<GradientNode>(
        "Animated diagonal gradient (CpuImage); params: width, height (pixels, default 256), "
        "follow_window (bool, default true: a window resize resizes it)",
        [](graph::ParamReader& params) {
            const std::uint32_t width = imageSide(params, "width");
            const std::uint32_t height = imageSide(params, "height");
            return std::make_unique<GradientNode>(width, height,
                                                  params.get<bool>("follow_window", true));
        });
    registry.add<BlurNode>("Separable box blur of its source; params: radius (0-64, default 2)",
                           [](graph::ParamReader& params) {
                               const auto radius = params.get<std::uint32_t>("radius", 2);
                               if (radius > kMaxBlurRadius) {
                                   params.reject("radius", "must be at most 64");
                               }
                               return std::make_unique<BlurNode>(radius);
                           });
    registry.add<BlendNode>("Average of any number of same-sized layers");
    registry.add<ImageStatsNode>("Sink: min, max and mean of an image every frame");
}

}  // namespace vixen::nodes
