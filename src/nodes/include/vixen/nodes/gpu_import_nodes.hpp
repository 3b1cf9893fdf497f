#pragma once

// Resources crossing the graph's boundary. An import node brings in a buffer or an image
// owned outside the graph (a cache's, a scene built elsewhere) with the state its owner
// left it in; consumers use it through their slots, with barriers like any slot's, and the
// node tells the owner the state the graph left it in. Exporting goes the other way:
// GpuNode::detachOutput moves a node's output out of the graph.

#include "vixen/nodes/gpu_image_nodes.hpp"
#include "vixen/nodes/gpu_node.hpp"

namespace vixen::nodes {

struct GpuImportBufferConfig {
    static constexpr std::string_view kTypeName = "GpuImportBuffer";
    static constexpr graph::Output<"buffer", GpuBuffer, kTransferWrite> buffer{};
    static constexpr graph::SlotList slots{buffer};
};

struct GpuImportImageConfig {
    static constexpr std::string_view kTypeName = "GpuImportImage";
    static constexpr graph::Output<"image", GpuImage, kTransferWrite> image{};
    static constexpr graph::SlotList slots{image};
};

namespace detail {

template <class T>
T borrowed(const gpu::Buffer& buffer) noexcept {
    return T{gpu::Buffer::borrow(buffer.handle(), buffer.desc(), buffer.deviceAddress())};
}
template <class T>
T borrowed(const gpu::Image& image) noexcept {
    return T{gpu::Image::borrow(image.handle(), image.view(), image.desc())};
}

}  // namespace detail

/// Brings `resource` (a gpu::Buffer or gpu::Image someone else owns) into the graph as
/// output `Config`'s only slot, starting from `state` (what its last use left: say
/// ResourceState::settled(layout) after a finished upload). The owner keeps it alive until
/// the GPU is done with the graph's frames (GpuRuntime::waitIdle) or the node leaves.
template <class Config, class Resource>
class GpuImportNode final : public GpuNode<Config> {
    static constexpr auto kSlot = [] {
        if constexpr (std::is_same_v<Resource, gpu::Buffer>) {
            return GpuImportBufferConfig::buffer;
        } else {
            return GpuImportImageConfig::image;
        }
    }();

public:
    GpuImportNode(GpuRuntime& runtime, const Resource& resource, gpu::ResourceState state)
        : GpuNode<Config>(runtime), resource_(resource), state_(state) {}

    /// Where the graph's frames left the resource: its state once the GPU has finished
    /// them, for the owner's next use outside the graph.
    [[nodiscard]] gpu::ResourceState state() const noexcept {
        return this->slotsBound() ? this->Out(kSlot).state : state_;
    }

protected:
    /// It owns nothing: the resource stays its owner's.
    [[nodiscard]] bool retiresReplacedObjects() const noexcept override { return true; }
    Result<void> compile(const graph::CompileContext& /*context*/) override {
        auto& target = this->Out(kSlot);
        target = detail::borrowed<std::remove_cvref_t<decltype(target)>>(resource_);
        target.state = state_;
        return {};
    }
    void record(VkCommandBuffer /*commandBuffer*/,
                const graph::ExecuteContext& /*context*/) override {}
    /// The graph reads and writes it; the import itself records nothing.
    [[nodiscard]] bool writesOutputsEachFrame() const noexcept override { return false; }
    void release(const graph::CleanupContext& context) override {
        if (context.slotsBound) {
            state_ = this->Out(kSlot).state;  // a recompile starts from where frames left it
        }
    }

private:
    const Resource& resource_;
    gpu::ResourceState state_;
};

using GpuImportBufferNode = GpuImportNode<GpuImportBufferConfig, gpu::Buffer>;
using GpuImportImageNode = GpuImportNode<GpuImportImageConfig, gpu::Image>;

}  // namespace vixen::nodes
