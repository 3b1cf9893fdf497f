#include "vixen/nodes/taa_node.hpp"

#include "vixen/gpu/device.hpp"
#include "vixen_nodes_shaders.hpp"

namespace vixen::nodes {
namespace {

constexpr VkFormat kResolvedFormat = VK_FORMAT_R8G8B8A8_UNORM;
constexpr VkFormat kAccumulationFormat = VK_FORMAT_R16G16B16A16_SFLOAT;
constexpr VkFormat kDepthFormat = VK_FORMAT_R32_SFLOAT;
/// Bytes a pixel: the resolved image, both accumulation images and both depth images.
constexpr std::uint64_t kBytesPerPixel = 4 + 2 * 8 + 2 * 4;

}  // namespace

TaaNode::TaaNode(GpuRuntime& runtime, GpuImageShape shape, TaaSettings settings)
    : GpuNode(runtime), shape_(shape), settings_(settings) {}

void TaaNode::setup(graph::SetupContext& context) {
    detail::followWindow(shape_, context);
    context.estimate().memory(graph::MemoryKind::DeviceLocal) =
        kBytesPerPixel * shape_.width * shape_.height;
    // One set per ring position of the accumulation.
    context.estimate().descriptor(graph::DescriptorKind::StorageImage) = 2 * 7;
    context.estimate().descriptor(graph::DescriptorKind::StorageBuffer) = 2;
}

Result<void> TaaNode::compile(const graph::CompileContext& /*context*/) {
    const auto capValid = [](std::uint32_t cap) { return cap >= 1 && cap <= TaaSettings::kMaxCap; };
    if (!capValid(settings_.stillCap) || !capValid(settings_.movingCap)) {
        return fail(ErrorCode::InvalidArgument,
                    "node '{}': TAA caps must be 1 to {} frames (still {}, moving {})", name(),
                    TaaSettings::kMaxCap, settings_.stillCap, settings_.movingCap);
    }
    const gpu::ImageDesc& input = In(TaaConfig::color).desc();
    if (In(TaaConfig::depth).desc().width != input.width ||
        In(TaaConfig::depth).desc().height != input.height) {
        return fail(ErrorCode::InvalidArgument,
                    "node '{}': colour ({}x{}) and depth ({}x{}) differ in size", name(),
                    input.width, input.height, In(TaaConfig::depth).desc().width,
                    In(TaaConfig::depth).desc().height);
    }
    const auto image = [&](VkFormat format) {
        return gpu::ImageDesc{
            .width = input.width,
            .height = input.height,
            .format = format,
            .usage = VK_IMAGE_USAGE_STORAGE_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT};
    };
    VIXEN_TRY(createOutput(TaaConfig::resolved, image(kResolvedFormat)));
    VIXEN_TRY(createOutput(TaaConfig::accumulated, image(kAccumulationFormat)));
    VIXEN_TRY(createOutput(TaaConfig::seenDepth, image(kDepthFormat)));
    const auto ring = HistoryRingOf(TaaConfig::accumulated);
    const auto depths = HistoryRingOf(TaaConfig::seenDepth);
    VIXEN_TRY(kernel_.prepare(runtime(), shaders::taaComp(), "taa.comp", ring.size()));
    for (std::uint32_t position = 0; position < ring.size(); ++position) {
        VIXEN_TRY(kernel_.bind(0, In(TaaConfig::color), position));
        VIXEN_TRY(kernel_.bind(1, In(TaaConfig::depth), position));
        VIXEN_TRY(kernel_.bind(2, In(TaaConfig::camera), position));
        VIXEN_TRY(kernel_.bind(3, Out(TaaConfig::resolved), position));
        VIXEN_TRY(kernel_.bind(4, ring.element(position), position));
        VIXEN_TRY(kernel_.bind(5, ring.element((position + 1) % ring.size()), position));
        VIXEN_TRY(kernel_.bind(6, depths.element(position), position));
        VIXEN_TRY(kernel_.bind(7, depths.element((position + 1) % depths.size()), position));
    }
    kernel_.commit(runtime().device());
    return {};
}

void TaaNode::record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& /*context*/) {
    struct Params {
        std::uint32_t width;
        std::uint32_t height;
        std::uint32_t historyValid;
        std::uint32_t stillCap;
        std::uint32_t movingCap;
    };
    const gpu::ImageDesc& target = Out(TaaConfig::resolved).desc();
    const bool valid = History(TaaConfig::accumulated, 1).valid;
    framesWithoutHistory_ += valid ? 0 : 1;
    const Params params{target.width, target.height, valid ? 1U : 0U, settings_.stillCap,
                        settings_.movingCap};
    kernel_.dispatchWithSet(HistoryRingOf(TaaConfig::accumulated).position(), commandBuffer, params,
                            target.width, target.height);
}

void TaaNode::release(const graph::CleanupContext& context) {
    if (!context.forRecompile) {
        kernel_.reset();
    }
}

graph::NodeHandle<TaaNode> addTaa(graph::RenderGraph& graph, GpuRuntime& runtime,
                                  const VoxelRenderer& renderer, GpuImageShape shape,
                                  TaaSettings settings) {
    auto taa = graph.addNode<TaaNode>("taa", runtime, shape, settings);
    renderer.connect(graph, VoxelOutput::Color, taa, TaaConfig::color);
    renderer.connect(graph, VoxelOutput::Depth, taa, TaaConfig::depth);
    graph.connect(renderer.camera, VoxelCameraConfig::camera, taa, TaaConfig::camera);
    return taa;
}

}  // namespace vixen::nodes
