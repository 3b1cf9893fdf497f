#include "vixen/nodes/node_catalog.hpp"

#include <cstdint>
#include <memory>

#include "vixen/nodes/cpu_image_nodes.hpp"

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

}  // namespace

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
