#pragma once

// The first GPU nodes: a compute gradient and a clear pattern as sources, a compositor and a
// readback sink. They run on any Vulkan device; the barriers between them come from their
// slots.

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "vixen/gpu/buffer.hpp"
#include "vixen/nodes/compute_kernel.hpp"
#include "vixen/nodes/gpu_node.hpp"

namespace vixen::nodes {

inline constexpr graph::SlotOptions kTransferRead{.stage = graph::StageKind::Transfer};
inline constexpr graph::SlotOptions kTransferWrite{.access = graph::Access::Write,
                                                   .stage = graph::StageKind::Transfer};

/// Size and placement of an image a node produces.
struct GpuImageShape {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    bool followWindow = false;  ///< a WindowResized event resizes it (and its dependents)
    bool transient = false;     ///< may share memory with transients of other lifetimes
};

namespace detail {
void estimateImage(const GpuImageShape& shape, graph::ResourceEstimate& estimate);
void followWindow(GpuImageShape& shape, graph::SetupContext& context);
[[nodiscard]] Result<void> checkShape(const GpuImageShape& shape, std::string_view node);
[[nodiscard]] gpu::ImageDesc colorImage(const GpuImageShape& shape);
}  // namespace detail

/// A GPU node whose output `Config::image` is one RGBA8 image of a shape: it estimates
/// the image's bytes, follows the window when asked (re-estimating before a resize
/// rebuilds it) and creates the image at compile; the runtime releases it.
template <class Config>
class GpuImageProducer : public GpuNode<Config> {
protected:
    GpuImageProducer(GpuRuntime& runtime, GpuImageShape shape) noexcept
        : GpuNode<Config>(runtime), shape_(shape) {}

    void setup(graph::SetupContext& context) override {
        detail::estimateImage(shape_, context.estimate());
        detail::followWindow(shape_, context);
    }
    void reestimate(graph::ResourceEstimate& estimate) override {
        detail::estimateImage(shape_, estimate);
    }
    /// Checks the shape and creates the output image (again, at the current shape).
    Result<OutputOrigin> createImage() {
        if (Result<void> shaped = detail::checkShape(shape_, this->name()); !shaped) {
            return std::unexpected(std::move(shaped.error()));
        }
        return this->createOutput(Config::image, detail::colorImage(shape_), shape_.transient);
    }

    GpuImageShape shape_;
};

struct GpuPatternConfig {
    static constexpr std::string_view kTypeName = "GpuPattern";
    static constexpr graph::Output<"image", GpuImage, kTransferWrite> image{};
    static constexpr graph::SlotList slots{image};
};

/// Fills an RGBA8 image with one colour each frame: `color` with its red channel cycling
/// with the frame number, so consecutive frames differ.
class GpuPatternNode : public GpuImageProducer<GpuPatternConfig> {
public:
    GpuPatternNode(GpuRuntime& runtime, GpuImageShape shape, std::array<float, 4> color);

protected:
    /// Everything it replaces goes through the runtime (outputs, retired).
    [[nodiscard]] bool retiresReplacedObjects() const noexcept override { return true; }
    Result<void> compile(const graph::CompileContext& context) override;
    void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) override;

private:
    std::array<float, 4> color_;
};

struct GpuGradientConfig {
    static constexpr std::string_view kTypeName = "GpuGradient";
    static constexpr graph::Output<"image", GpuImage,
                                   graph::SlotOptions{.access = graph::Access::Write,
                                                      .stage = graph::StageKind::Compute}>
        image{};
    static constexpr graph::SlotList slots{image};
};

/// A moving gradient computed into a storage image (shaders/gradient.comp). The pipeline
/// and its descriptor set layouts come from the shader's reflection; the descriptor pool
/// is sized from it and its one set is allocated and written at compile (ComputeKernel).
/// With `asyncCompute` it may run on the compute queue (GpuNodeBase::asyncCompute).
class GpuGradientNode : public GpuImageProducer<GpuGradientConfig> {
public:
    GpuGradientNode(GpuRuntime& runtime, GpuImageShape shape, bool asyncCompute = false);

    [[nodiscard]] bool asyncCompute() const noexcept override { return asyncCompute_; }

protected:
    /// Everything it replaces goes through the runtime (outputs, retired).
    [[nodiscard]] bool retiresReplacedObjects() const noexcept override { return true; }
    void setup(graph::SetupContext& context) override;
    Result<void> compile(const graph::CompileContext& context) override;
    void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) override;
    void release(const graph::CleanupContext& context) override;

private:
    ComputeKernel kernel_;
    bool asyncCompute_ = false;
};

struct GpuComposeConfig {
    static constexpr std::string_view kTypeName = "GpuCompose";
    static constexpr graph::Input<
        "layers", GpuImage, graph::SlotOptions{.stage = graph::StageKind::Transfer, .array = true}>
        layers{};
    static constexpr graph::Output<"image", GpuImage, kTransferWrite> image{};
    static constexpr graph::SlotList slots{layers, image};
};

/// Scales its layers side by side into one image (vkCmdBlitImage, linear filter): layer i
/// fills column i of as many equal columns as there are layers.
class GpuComposeNode : public GpuImageProducer<GpuComposeConfig> {
public:
    GpuComposeNode(GpuRuntime& runtime, GpuImageShape shape);

protected:
    /// Everything it replaces goes through the runtime (outputs, retired).
    [[nodiscard]] bool retiresReplacedObjects() const noexcept override { return true; }
    Result<void> compile(const graph::CompileContext& context) override;
    void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) override;
};

struct GpuCheckerboardConfig {
    static constexpr std::string_view kTypeName = "GpuCheckerboard";
    static constexpr graph::Output<"image", GpuImage, kTransferWrite> image{};
    static constexpr graph::SlotList slots{image};
};

/// A checkerboard made on the CPU and uploaded through the runtime's staging uploader at
/// compile (its estimate asks for the staging bytes); frames only read it.
class GpuCheckerboardNode : public GpuImageProducer<GpuCheckerboardConfig> {
public:
    GpuCheckerboardNode(GpuRuntime& runtime, GpuImageShape shape, std::uint32_t cellPixels);

protected:
    /// Everything it replaces goes through the runtime (outputs, retired).
    [[nodiscard]] bool retiresReplacedObjects() const noexcept override { return true; }
    void setup(graph::SetupContext& context) override;
    void reestimate(graph::ResourceEstimate& estimate) override;
    Result<void> compile(const graph::CompileContext& context) override;
    void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) override;
    [[nodiscard]] bool writesOutputsEachFrame() const noexcept override { return false; }

private:
    std::uint32_t cellPixels_;
    std::vector<std::byte> texels_;  // the CPU image, rebuilt at each compile
};

struct GpuReadbackConfig {
    static constexpr std::string_view kTypeName = "GpuReadback";
    static constexpr graph::Input<"image", GpuImage, kTransferRead> image{};
    static constexpr graph::SlotList slots{image};
};

/// Copies its input (any format; the first mip level and layer, every depth slice) into a
/// host-visible buffer every frame: the headless target. After the GPU finished a frame
/// (GpuRuntime::waitIdle), `pixels()` holds that frame, tightly packed texel blocks, and
/// `writePng` saves an RGBA8 one.
class GpuReadbackNode : public GpuNode<GpuReadbackConfig> {
public:
    explicit GpuReadbackNode(GpuRuntime& runtime);

    [[nodiscard]] std::uint32_t width() const noexcept { return desc_.width; }
    [[nodiscard]] std::uint32_t height() const noexcept { return desc_.height; }
    [[nodiscard]] VkFormat format() const noexcept { return desc_.format; }
    /// The last frame copied; InvalidState until the GPU has finished it.
    [[nodiscard]] Result<std::span<const std::byte>> pixels() const;
    /// Writes `pixels()` as a PNG, to a temporary name first and then renamed into place;
    /// TypeMismatch for anything but a 2D RGBA8 image.
    [[nodiscard]] Result<void> writePng(const std::string& path) const;

protected:
    /// Everything it replaces goes through the runtime (outputs, retired).
    [[nodiscard]] bool retiresReplacedObjects() const noexcept override { return true; }
    Result<void> compile(const graph::CompileContext& context) override;
    void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) override;
    void release(const graph::CleanupContext& context) override;

private:
    gpu::Buffer buffer_;
    mutable gpu::ResourceState bufferState_{};
    gpu::ImageDesc desc_{};            ///< what is read back
    std::uint64_t copiedInFrame_ = 0;  ///< the pacer frame number of the last copy
};

}  // namespace vixen::nodes
