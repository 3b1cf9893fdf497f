#pragma once

// Per-frame data between CPU and GPU without allocating: a buffer the CPU updates every
// frame through the runtime's upload ring, and a readback of a buffer through the readback
// ring whose results reach the CPU one or more frames later, without waiting.

#include <vulkan/vulkan.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "vixen/gpu/stream_ring.hpp"
#include "vixen/nodes/gpu_image_nodes.hpp"
#include "vixen/nodes/gpu_node.hpp"

namespace vixen::nodes {

/// Writes one frame's updates into a buffer: each write is copied from the upload ring, all
/// of them with one vkCmdCopyBuffer per batch of regions.
class StreamWriter {
public:
    static constexpr std::size_t kRegionsPerCopy = 32;

    StreamWriter(GpuRuntime& runtime, VkCommandBuffer commandBuffer, const gpu::Buffer& target);
    StreamWriter(const StreamWriter&) = delete;
    StreamWriter& operator=(const StreamWriter&) = delete;
    ~StreamWriter() { flush(); }

    /// Queues `data` for `offset` of the buffer. False, and nothing written, when the range
    /// lies outside the buffer or the upload ring has no room this frame (frame() then
    /// fails naming the ring).
    bool write(VkDeviceSize offset, std::span<const std::byte> data) noexcept;
    /// Records the queued copies (the destructor does too).
    void flush() noexcept;

    [[nodiscard]] std::uint64_t bytesWritten() const noexcept { return bytes_; }
    [[nodiscard]] std::uint64_t refused() const noexcept { return refused_; }

private:
    GpuRuntime& runtime_;
    VkCommandBuffer commandBuffer_;
    const gpu::Buffer& target_;
    VkBuffer ring_ = VK_NULL_HANDLE;
    std::array<VkBufferCopy, kRegionsPerCopy> regions_{};
    std::uint32_t count_ = 0;
    std::uint64_t bytes_ = 0;
    std::uint64_t refused_ = 0;
};

/// A buffer written by copies and kept across recompiles (uploaded or streamed data).
inline constexpr graph::SlotOptions kPersistentTransferWrite{
    .access = graph::Access::Write, .stage = graph::StageKind::Transfer, .persistent = true};

struct GpuStreamConfig {
    static constexpr std::string_view kTypeName = "GpuStream";
    static constexpr graph::Output<"buffer", GpuBuffer, kPersistentTransferWrite> buffer{};
    static constexpr graph::SlotList slots{buffer};
};

/// A device-local buffer the CPU updates every frame (camera constants, brick edits): `fill`
/// runs while the frame records and writes what changed through a StreamWriter. The buffer
/// is persistent: recompiles keep it and its contents. Its estimate asks for
/// `bytesPerFrame` of the upload ring; a frame that writes more waits for frames in flight
/// or, past the ring, is refused.
class GpuStreamNode : public GpuNode<GpuStreamConfig> {
public:
    using Fill = std::function<void(StreamWriter& writer, std::uint64_t frameIndex)>;

    GpuStreamNode(GpuRuntime& runtime, gpu::BufferDesc desc, VkDeviceSize bytesPerFrame, Fill fill);

    /// Bytes copied into the buffer so far, and writes refused for want of ring space.
    [[nodiscard]] std::uint64_t bytesStreamed() const noexcept { return streamed_; }
    [[nodiscard]] std::uint64_t refusedWrites() const noexcept { return refused_; }

protected:
    /// Everything it replaces goes through the runtime (outputs, retired).
    [[nodiscard]] bool retiresReplacedObjects() const noexcept override { return true; }
    void setup(graph::SetupContext& context) override;
    Result<void> compile(const graph::CompileContext& context) override;
    void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) override;

private:
    gpu::BufferDesc desc_;
    VkDeviceSize bytesPerFrame_;
    Fill fill_;
    std::uint64_t streamed_ = 0;
    std::uint64_t refused_ = 0;
};

struct GpuBufferReadbackConfig {
    static constexpr std::string_view kTypeName = "GpuBufferReadback";
    static constexpr graph::Input<"buffer", GpuBuffer, kTransferRead> buffer{};
    static constexpr graph::SlotList slots{buffer};
};

/// Copies the first `bytes` of its input buffer into the runtime's readback ring every frame;
/// `latest()` is the newest copy that has landed, with the frame that took it: GPU results
/// (statistics, picking) one or more frames later, never waiting for the GPU.
class GpuBufferReadbackNode : public GpuNode<GpuBufferReadbackConfig> {
public:
    GpuBufferReadbackNode(GpuRuntime& runtime, VkDeviceSize bytes);

    struct Landed {
        std::span<const std::byte> bytes;
        std::uint64_t frame = 0;  ///< the frame number (GpuRuntime::recordingFrame) it was taken in
    };
    /// The newest copy the GPU has finished and no later frame has overwritten.
    [[nodiscard]] std::optional<Landed> latest() const noexcept;

protected:
    /// Everything it replaces goes through the runtime (outputs, retired).
    [[nodiscard]] bool retiresReplacedObjects() const noexcept override { return true; }
    void setup(graph::SetupContext& context) override;
    Result<void> compile(const graph::CompileContext& context) override;
    void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) override;

private:
    struct Copy {
        gpu::RingRange range;
        std::uint64_t frame = 0;
    };
    VkDeviceSize bytes_;
    std::vector<Copy> copies_;  // circular, one per frame in flight and one more
    std::size_t next_ = 0;
};

}  // namespace vixen::nodes
