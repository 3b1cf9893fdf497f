#include "vixen/nodes/gpu_stream_nodes.hpp"

#include <algorithm>
#include <cstring>

namespace vixen::nodes {

// ---- StreamWriter -------------------------------------------------------------------------

StreamWriter::StreamWriter(GpuRuntime& runtime, VkCommandBuffer commandBuffer,
                           const gpu::Buffer& target)
    : runtime_(runtime), commandBuffer_(commandBuffer), target_(target) {}

bool StreamWriter::write(VkDeviceSize offset, std::span<const std::byte> data) noexcept {
    if (data.empty()) {
        return true;
    }
    if (offset > target_.size() || data.size() > target_.size() - offset) {
        ++refused_;
        return false;
    }
    const std::optional<gpu::RingRange> range = runtime_.streamUpload(data.size());
    if (!range) {
        ++refused_;
        return false;
    }
    std::memcpy(range->bytes.data(), data.data(), data.size());
    if (count_ == regions_.size()) {
        flush();
    }
    ring_ = range->buffer;
    regions_[count_++] = VkBufferCopy{range->offset, offset, data.size()};
    bytes_ += data.size();
    return true;
}

void StreamWriter::flush() noexcept {
    if (count_ > 0) {
        vkCmdCopyBuffer(commandBuffer_, ring_, target_.handle(), count_, regions_.data());
        count_ = 0;
    }
}

// ---- GpuStream ----------------------------------------------------------------------------

GpuStreamNode::GpuStreamNode(GpuRuntime& runtime, gpu::BufferDesc desc, VkDeviceSize bytesPerFrame,
                             Fill fill)
    : GpuNode(runtime), desc_(desc), bytesPerFrame_(bytesPerFrame), fill_(std::move(fill)) {
    desc_.usage |= VK_BUFFER_USAGE_TRANSFER_DST_BIT;
}

void GpuStreamNode::setup(graph::SetupContext& context) {
    context.estimate().memory(graph::MemoryKind::DeviceLocal) = desc_.size;
    context.estimate().streamBytesPerFrame = bytesPerFrame_;
}

Result<void> GpuStreamNode::compile(const graph::CompileContext& /*context*/) {
    VIXEN_TRY(createOutput(GpuStreamConfig::buffer, desc_));
    return {};
}

void GpuStreamNode::record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) {
    StreamWriter writer(runtime(), commandBuffer, Out(GpuStreamConfig::buffer).buffer);
    fill_(writer, context.frameIndex);
    writer.flush();
    streamed_ += writer.bytesWritten();
    refused_ += writer.refused();
}

// ---- GpuBufferReadback ----------------------------------------------------------------------

GpuBufferReadbackNode::GpuBufferReadbackNode(GpuRuntime& runtime, VkDeviceSize bytes)
    : GpuNode(runtime), bytes_(bytes) {}

void GpuBufferReadbackNode::setup(graph::SetupContext& context) {
    context.estimate().readbackBytesPerFrame = bytes_;
    copies_.assign(std::size_t{runtime().pacer().framesInFlight()} + 1, Copy{});
}

Result<void> GpuBufferReadbackNode::compile(const graph::CompileContext& /*context*/) {
    const gpu::BufferDesc& source = In(GpuBufferReadbackConfig::buffer).desc();
    if (bytes_ == 0 || source.size < bytes_) {
        return fail(ErrorCode::InvalidArgument,
                    "node '{}', input 'buffer': reads back {} bytes of a {}-byte buffer (ask for "
                    "1 to {} bytes)",
                    name(), bytes_, source.size, source.size);
    }
    if ((source.usage & VK_BUFFER_USAGE_TRANSFER_SRC_BIT) == 0) {
        return fail(ErrorCode::InvalidArgument,
                    "node '{}', input 'buffer': the buffer lacks VK_BUFFER_USAGE_TRANSFER_SRC_BIT, "
                    "so it cannot be copied out; add it where the buffer is made",
                    name());
    }
    std::fill(copies_.begin(), copies_.end(), Copy{});
    return {};
}

void GpuBufferReadbackNode::record(VkCommandBuffer commandBuffer,
                                   const graph::ExecuteContext& context) {
    const std::optional<gpu::RingRange> range = runtime().streamReadback(bytes_);
    if (!range) {
        return;  // frame() reports the ring's refusal
    }
    const VkBufferCopy region{0, range->offset, bytes_};
    vkCmdCopyBuffer(commandBuffer, In(GpuBufferReadbackConfig::buffer).buffer.handle(),
                    range->buffer, 1, &region);
    // The ring is the runtime's, not a slot: the host's earlier reads of the range precede
    // this submit, and the copy is made visible to the host after it.
    gpu::ResourceState copied{};
    copied.writeStages = VK_PIPELINE_STAGE_2_TRANSFER_BIT;
    copied.writeAccesses = VK_ACCESS_2_TRANSFER_WRITE_BIT;
    gpu::BarrierBatch& barriers = runtime().barriers(context.workerIndex);
    barriers.buffer(commandBuffer, range->buffer, copied, gpu::ResourceUsage::HostRead);
    barriers.record(commandBuffer);
    copies_[next_] = Copy{*range, runtime().recordingFrame()};
    next_ = (next_ + 1) % copies_.size();
}

std::optional<GpuBufferReadbackNode::Landed> GpuBufferReadbackNode::latest() const noexcept {
    const Copy* newest = nullptr;
    for (const Copy& copy : copies_) {
        if (copy.frame != 0 && (newest == nullptr || copy.frame > newest->frame) &&
            runtime().readbackStatus(copy.range, copy.frame) == gpu::ReadbackStatus::Ready) {
            newest = &copy;
        }
    }
    if (newest == nullptr) {
        return std::nullopt;
    }
    return Landed{newest->range.bytes, newest->frame};
}

}  // namespace vixen::nodes
