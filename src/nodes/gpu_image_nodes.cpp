#include "vixen/nodes/gpu_image_nodes.hpp"

#include <algorithm>
#include <string>

#include "vixen/events/engine_events.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/format.hpp"
#include "vixen/nodes/png.hpp"
#include "vixen_nodes_shaders.hpp"

namespace vixen::nodes {
namespace {

constexpr VkFormat kFormat = VK_FORMAT_R8G8B8A8_UNORM;
constexpr std::uint64_t kBytesPerPixel = 4;

std::uint64_t imageBytes(const GpuImageShape& shape) {
    return std::uint64_t{shape.width} * shape.height * kBytesPerPixel;
}

}  // namespace

namespace detail {

void estimateImage(const GpuImageShape& shape, graph::ResourceEstimate& estimate) {
    estimate.memory(graph::MemoryKind::DeviceLocal) = imageBytes(shape);
    estimate.transientBytes = shape.transient ? imageBytes(shape) : 0;
}

void followWindow(GpuImageShape& shape, graph::SetupContext& context) {
    if (!shape.followWindow) {
        return;
    }
    context.estimate().eventsPerFrame = std::max(context.estimate().eventsPerFrame, 1U);
    context.subscribe<events::WindowResized>(
        [&shape, markDirty = context.dirtyMarker()](const events::WindowResized& resized) {
            shape.width = resized.width;
            shape.height = resized.height;
            markDirty();
        });
}

Result<void> checkShape(const GpuImageShape& shape, std::string_view node) {
    if (shape.width == 0 || shape.height == 0) {
        return fail(ErrorCode::InvalidArgument,
                    "node '{}': image size {}x{} is empty (set 'width' and 'height', or resize "
                    "to a non-empty window)",
                    node, shape.width, shape.height);
    }
    return {};
}

gpu::ImageDesc colorImage(const GpuImageShape& shape) {
    return gpu::ImageDesc{shape.width, shape.height, kFormat,
                          VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT |
                              VK_IMAGE_USAGE_STORAGE_BIT | VK_IMAGE_USAGE_SAMPLED_BIT,
                          VK_IMAGE_ASPECT_COLOR_BIT};
}

}  // namespace detail

// ---- GpuPattern -------------------------------------------------------------------------

GpuPatternNode::GpuPatternNode(GpuRuntime& runtime, GpuImageShape shape, std::array<float, 4> color)
    : GpuImageProducer(runtime, shape), color_(color) {}

Result<void> GpuPatternNode::compile(const graph::CompileContext& /*context*/) {
    VIXEN_TRY(createImage());
    return {};
}

void GpuPatternNode::record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) {
    const GpuImage& image = Out(GpuPatternConfig::image);
    VkClearColorValue clear{};
    clear.float32[0] = static_cast<float>(context.frameIndex % 256) / 255.0F;
    clear.float32[1] = color_[1];
    clear.float32[2] = color_[2];
    clear.float32[3] = color_[3];
    if (context.frameIndex == 0) {
        clear.float32[0] = color_[0];
    }
    const VkImageSubresourceRange range{VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    vkCmdClearColorImage(commandBuffer, image.image.handle(), VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                         &clear, 1, &range);
}

// ---- GpuGradient ------------------------------------------------------------------------

GpuGradientNode::GpuGradientNode(GpuRuntime& runtime, GpuImageShape shape, bool asyncCompute)
    : GpuImageProducer(runtime, shape), asyncCompute_(asyncCompute) {}

void GpuGradientNode::setup(graph::SetupContext& context) {
    GpuImageProducer::setup(context);
    context.estimate().descriptor(graph::DescriptorKind::StorageImage) = 1;
}

Result<void> GpuGradientNode::compile(const graph::CompileContext& /*context*/) {
    VIXEN_TRY(kernel_.prepare(runtime(), shaders::gradientComp(), "gradient.comp"));
    VIXEN_TRY(createImage());
    VIXEN_TRY(kernel_.bind(0, Out(GpuGradientConfig::image)));
    kernel_.commit(runtime().device());
    return {};
}

void GpuGradientNode::record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) {
    struct Params {
        std::uint32_t width;
        std::uint32_t height;
        float phase;
    };
    // The image's own size: a refused resize may have changed shape_ without a rebuild.
    const gpu::ImageDesc& target = Out(GpuGradientConfig::image).desc();
    const Params params{target.width, target.height,
                        static_cast<float>(context.frameIndex % 360) * 0.0174533F};
    kernel_.dispatch(commandBuffer, params, target.width, target.height);
}

void GpuGradientNode::release(const graph::CleanupContext& context) {
    if (!context.forRecompile) {
        kernel_.reset();
    }
}

// ---- GpuCompose -------------------------------------------------------------------------

GpuComposeNode::GpuComposeNode(GpuRuntime& runtime, GpuImageShape shape)
    : GpuImageProducer(runtime, shape) {}

Result<void> GpuComposeNode::compile(const graph::CompileContext& /*context*/) {
    for (const GpuImage& layer : In(GpuComposeConfig::layers)) {
        if (layer.image.desc().format != kFormat) {
            return fail(ErrorCode::TypeMismatch,
                        "node '{}': input 'layers' must be RGBA8 (VkFormat {}), got VkFormat {}",
                        name(), static_cast<int>(kFormat),
                        static_cast<int>(layer.image.desc().format));
        }
    }
    VIXEN_TRY(createImage());
    return {};
}

void GpuComposeNode::record(VkCommandBuffer commandBuffer,
                            const graph::ExecuteContext& /*context*/) {
    const GpuImage& target = Out(GpuComposeConfig::image);
    const auto layers = In(GpuComposeConfig::layers);
    const auto columns = static_cast<std::uint32_t>(std::max<std::size_t>(layers.size(), 1));
    const std::uint32_t width = target.image.desc().width;
    const std::uint32_t height = target.image.desc().height;
    for (std::uint32_t i = 0; i < layers.size(); ++i) {
        const gpu::ImageDesc& source = layers[i].image.desc();
        VkImageBlit region{};
        region.srcSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
        region.srcOffsets[1] = {static_cast<std::int32_t>(source.width),
                                static_cast<std::int32_t>(source.height), 1};
        region.dstSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
        region.dstOffsets[0] = {static_cast<std::int32_t>(width * i / columns), 0, 0};
        region.dstOffsets[1] = {static_cast<std::int32_t>(width * (i + 1) / columns),
                                static_cast<std::int32_t>(height), 1};
        vkCmdBlitImage(commandBuffer, layers[i].image.handle(),
                       VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, target.image.handle(),
                       VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &region, VK_FILTER_LINEAR);
    }
}

// ---- GpuCheckerboard --------------------------------------------------------------------

GpuCheckerboardNode::GpuCheckerboardNode(GpuRuntime& runtime, GpuImageShape shape,
                                         std::uint32_t cellPixels)
    // Uploaded once and read every frame: its memory is never shared.
    : GpuImageProducer(runtime,
                       GpuImageShape{shape.width, shape.height, shape.followWindow, false}),
      cellPixels_(std::max(cellPixels, 1U)) {}

void GpuCheckerboardNode::setup(graph::SetupContext& context) {
    GpuImageProducer::setup(context);
    context.estimate().stagingBytes = imageBytes(shape_);
}

void GpuCheckerboardNode::reestimate(graph::ResourceEstimate& estimate) {
    GpuImageProducer::reestimate(estimate);
    estimate.stagingBytes = imageBytes(shape_);
}

Result<void> GpuCheckerboardNode::compile(const graph::CompileContext& /*context*/) {
    gpu::Uploader* uploader = runtime().uploader();
    if (uploader == nullptr) {
        return fail(ErrorCode::InvalidState,
                    "node '{}': the GPU runtime has no staging uploader (was it created before "
                    "the graph compiled?)",
                    name());
    }
    VIXEN_TRY(createImage());
    texels_.resize(imageBytes(shape_));
    for (std::uint32_t y = 0; y < shape_.height; ++y) {
        for (std::uint32_t x = 0; x < shape_.width; ++x) {
            const bool light = ((x / cellPixels_) + (y / cellPixels_)) % 2 == 0;
            const std::byte value = light ? std::byte{230} : std::byte{40};
            std::byte* texel = texels_.data() + (std::size_t{y} * shape_.width + x) * 4;
            texel[0] = value;
            texel[1] = value;
            texel[2] = value;
            texel[3] = std::byte{255};
        }
    }
    const GpuImage& image = Out(GpuCheckerboardConfig::image);
    const gpu::ImageUpload target{image.image.handle(),
                                  VK_IMAGE_ASPECT_COLOR_BIT,
                                  VkExtent2D{shape_.width, shape_.height},
                                  4,
                                  VK_IMAGE_LAYOUT_UNDEFINED,
                                  VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL};
    if (Result<void> uploaded = uploader->uploadImage(target, texels_); !uploaded) {
        return uploaded;
    }
    // The upload's batch ends with a barrier that makes it visible to later work.
    image.state = gpu::ResourceState::settled(VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
    return {};
}

void GpuCheckerboardNode::record(VkCommandBuffer /*commandBuffer*/,
                                 const graph::ExecuteContext& /*context*/) {}

// ---- GpuReadback ------------------------------------------------------------------------

GpuReadbackNode::GpuReadbackNode(GpuRuntime& runtime) : GpuNode(runtime) {}

Result<void> GpuReadbackNode::compile(const graph::CompileContext& /*context*/) {
    const gpu::ImageDesc& source = In(GpuReadbackConfig::image).desc();
    // The first mip level of the first layer, every depth slice, tightly packed.
    desc_ = gpu::ImageDesc{.width = source.width,
                           .height = source.height,
                           .format = source.format,
                           .aspect = source.aspect,
                           .depth = source.depth};
    runtime().retire(std::move(buffer_));  // frames in flight may still copy into it
    buffer_ = gpu::Buffer{};
    auto buffer = gpu::Buffer::create(
        runtime().device(), runtime().allocator(),
        gpu::BufferDesc{gpu::imageBytes(desc_), VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                        gpu::MemoryUsage::Readback},
        "GpuReadback buffer");
    if (!buffer) {
        return std::unexpected(std::move(buffer.error()));
    }
    buffer_ = std::move(*buffer);
    bufferState_ = gpu::ResourceState{};
    copiedInFrame_ = 0;
    return {};
}

void GpuReadbackNode::record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) {
    const GpuImage& image = In(GpuReadbackConfig::image);
    gpu::BarrierBatch& barriers = runtime().barriers(context.workerIndex);
    // The buffer is the node's own, not a slot's: the same rules bring it to each use.
    barriers.buffer(commandBuffer, buffer_.handle(), bufferState_,
                    gpu::ResourceUsage::TransferWrite);
    barriers.record(commandBuffer);
    VkBufferImageCopy region{};
    region.imageSubresource = {desc_.aspect, 0, 0, 1};
    region.imageExtent = {desc_.width, desc_.height, desc_.depth};
    vkCmdCopyImageToBuffer(commandBuffer, image.image.handle(),
                           VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, buffer_.handle(), 1, &region);
    barriers.buffer(commandBuffer, buffer_.handle(), bufferState_, gpu::ResourceUsage::HostRead);
    barriers.record(commandBuffer);
    copiedInFrame_ = runtime().pacer().submittedFrame() + 1;
}

void GpuReadbackNode::release(const graph::CleanupContext& /*context*/) {
    runtime().retire(std::move(buffer_));
    buffer_ = gpu::Buffer{};
    copiedInFrame_ = 0;
}

Result<std::span<const std::byte>> GpuReadbackNode::pixels() const {
    if (copiedInFrame_ == 0) {
        return fail(ErrorCode::InvalidState, "node '{}': no frame has been read back yet", name());
    }
    auto completed = runtime().pacer().completedFrame();
    if (!completed) {
        return std::unexpected(std::move(completed.error()));
    }
    if (*completed < copiedInFrame_) {
        return fail(ErrorCode::InvalidState,
                    "node '{}': frame {} is still on the GPU (done: {}); wait for it first", name(),
                    copiedInFrame_, *completed);
    }
    return std::span<const std::byte>(buffer_.mapped());
}

Result<void> GpuReadbackNode::writePng(const std::string& path) const {
    if (desc_.format != kFormat || desc_.depth != 1) {
        return fail(ErrorCode::TypeMismatch,
                    "node '{}': only a 2D RGBA8 image is written as PNG, this one is {} "
                    "{}x{}x{}; read its pixels() instead",
                    name(), gpu::formatName(desc_.format), desc_.width, desc_.height, desc_.depth);
    }
    auto data = pixels();
    if (!data) {
        return std::unexpected(std::move(data.error()));
    }
    return writePngRgba8(path, desc_.width, desc_.height, *data);
}

}  // namespace vixen::nodes
