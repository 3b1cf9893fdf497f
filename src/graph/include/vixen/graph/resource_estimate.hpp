#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vixen::graph {

enum class MemoryKind : std::uint8_t { DeviceLocal, HostVisible, HostHeap };
inline constexpr std::size_t kMemoryKindCount = 3;

enum class DescriptorKind : std::uint8_t {
    UniformBuffer,
    StorageBuffer,
    SampledImage,
    StorageImage,
    Sampler,
    CombinedImageSampler,
    AccelerationStructure,
};
inline constexpr std::size_t kDescriptorKindCount = 7;

std::string_view toString(MemoryKind kind) noexcept;
std::string_view toString(DescriptorKind kind) noexcept;

/// What a node will need, reported at setup. The graph sums the estimates of the
/// nodes it keeps and sizes every pool once from the sum.
struct ResourceEstimate {
    std::array<std::uint64_t, kMemoryKindCount> memoryBytes{};
    std::array<std::uint32_t, kDescriptorKindCount> descriptors{};
    std::uint32_t commandBuffers = 0;
    /// Bytes uploaded at compile (textures, scene data) through the staging uploader.
    std::uint64_t stagingBytes = 0;
    /// Bytes uploaded every frame (constants, edits) and read back every frame (statistics,
    /// picking): the runtime sizes its per-frame rings from these.
    std::uint64_t streamBytesPerFrame = 0;
    std::uint64_t readbackBytesPerFrame = 0;
    std::uint32_t eventsPerFrame = 0;
    /// Bytes the node holds while its execute runs; the scheduler throttles on it.
    std::uint64_t executeBytes = 0;
    /// Scratch the node takes from ExecuteContext::scratch each frame.
    std::uint64_t frameScratchBytes = 0;
    /// The part of the device-local bytes held by outputs that live only from this node's
    /// execute to its last consumer's: the graph plans them so that transients whose
    /// lifetimes do not overlap share memory (aliasing).
    std::uint64_t transientBytes = 0;

    [[nodiscard]] std::uint64_t& memory(MemoryKind kind) noexcept {
        return memoryBytes[static_cast<std::size_t>(kind)];
    }
    [[nodiscard]] std::uint64_t memory(MemoryKind kind) const noexcept {
        return memoryBytes[static_cast<std::size_t>(kind)];
    }
    [[nodiscard]] std::uint32_t& descriptor(DescriptorKind kind) noexcept {
        return descriptors[static_cast<std::size_t>(kind)];
    }

    /// True when the node asked for nothing; cheaper than comparing with {}.
    [[nodiscard]] bool empty() const noexcept {
        std::uint64_t wide = stagingBytes | streamBytesPerFrame | readbackBytesPerFrame |
                             executeBytes | frameScratchBytes | transientBytes;
        for (const std::uint64_t bytes : memoryBytes) {
            wide |= bytes;
        }
        std::uint32_t narrow = commandBuffers | eventsPerFrame;
        for (const std::uint32_t count : descriptors) {
            narrow |= count;
        }
        return (wide | narrow) == 0;
    }

    ResourceEstimate& operator+=(const ResourceEstimate& other) noexcept;
    friend bool operator==(const ResourceEstimate&, const ResourceEstimate&) = default;
};

/// Limits the compile checks the summed estimate against; 0 means unlimited.
struct GraphBudget {
    std::array<std::uint64_t, kMemoryKindCount> memoryBytes{};
    std::uint64_t stagingBytes = 0;
    /// Fraction of the execute budget after which further tasks wait (see ExecutionBudget).
    double throttleFraction = 0.85;
};

}  // namespace vixen::graph
