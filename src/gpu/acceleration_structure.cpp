#include "vixen/gpu/acceleration_structure.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <utility>

#include "vixen/gpu/device.hpp"
#include "vixen/gpu/vk_result.hpp"

namespace vixen::gpu {
namespace {

constexpr VkBufferUsageFlags kBuildInput =
    VK_BUFFER_USAGE_ACCELERATION_STRUCTURE_BUILD_INPUT_READ_ONLY_BIT_KHR |
    VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT;

/// The command pool, buffer, fence and timestamp queries of one build, destroyed on every
/// way out.
struct BuildSubmission {
    VkDevice device = VK_NULL_HANDLE;
    VkCommandPool pool = VK_NULL_HANDLE;
    VkCommandBuffer commands = VK_NULL_HANDLE;
    VkFence fence = VK_NULL_HANDLE;
    VkQueryPool timestamps = VK_NULL_HANDLE;
    std::uint32_t validBits = 0;  ///< of the queue's timestamps

    BuildSubmission() = default;
    BuildSubmission(const BuildSubmission&) = delete;
    BuildSubmission& operator=(const BuildSubmission&) = delete;
    ~BuildSubmission() {
        if (device == VK_NULL_HANDLE) {
            return;
        }
        vkDestroyQueryPool(device, timestamps, nullptr);
        vkDestroyFence(device, fence, nullptr);
        vkDestroyCommandPool(device, pool, nullptr);
    }

    Result<void> begin(const Device& owner, bool withTimestamps, std::string_view name) {
        device = owner.handle();
        VkCommandPoolCreateInfo poolInfo{};
        poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
        poolInfo.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT;
        poolInfo.queueFamilyIndex = owner.queueFamily();
        VIXEN_TRY_VK_CREATE(vkCreateCommandPool(device, &poolInfo, nullptr, &pool), name);
        VkCommandBufferAllocateInfo allocateInfo{};
        allocateInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
        allocateInfo.commandPool = pool;
        allocateInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
        allocateInfo.commandBufferCount = 1;
        VIXEN_TRY_VK_CREATE(vkAllocateCommandBuffers(device, &allocateInfo, &commands), name);
        VkFenceCreateInfo fenceInfo{};
        fenceInfo.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
        VIXEN_TRY_VK_CREATE(vkCreateFence(device, &fenceInfo, nullptr, &fence), name);
        if (withTimestamps) {
            VkQueryPoolCreateInfo queryInfo{};
            queryInfo.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO;
            queryInfo.queryType = VK_QUERY_TYPE_TIMESTAMP;
            queryInfo.queryCount = 2;
            VIXEN_TRY_VK_CREATE(vkCreateQueryPool(device, &queryInfo, nullptr, &timestamps), name);
        }
        VkCommandBufferBeginInfo beginInfo{};
        beginInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
        beginInfo.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
        VIXEN_TRY_VK(vkBeginCommandBuffer(commands, &beginInfo), name);
        if (timestamps != VK_NULL_HANDLE) {
            vkCmdResetQueryPool(commands, timestamps, 0, 2);
            vkCmdWriteTimestamp2(commands, VK_PIPELINE_STAGE_2_TOP_OF_PIPE_BIT, timestamps, 0);
        }
        return {};
    }

    /// Orders what came before (structure writes) before `dstStage`'s `dstAccess`.
    void barrier(VkPipelineStageFlags2 dstStage, VkAccessFlags2 dstAccess) const noexcept {
        VkMemoryBarrier2 barrier{};
        barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER_2;
        barrier.srcStageMask = VK_PIPELINE_STAGE_2_ACCELERATION_STRUCTURE_BUILD_BIT_KHR;
        barrier.srcAccessMask = VK_ACCESS_2_ACCELERATION_STRUCTURE_WRITE_BIT_KHR;
        barrier.dstStageMask = dstStage;
        barrier.dstAccessMask = dstAccess;
        VkDependencyInfo dependency{};
        dependency.sType = VK_STRUCTURE_TYPE_DEPENDENCY_INFO;
        dependency.memoryBarrierCount = 1;
        dependency.pMemoryBarriers = &barrier;
        vkCmdPipelineBarrier2(commands, &dependency);
    }

    /// Submits, waits, and returns the GPU time between the timestamps (negative without).
    Result<double> submitAndWait(const Device& owner, std::string_view name) const {
        if (timestamps != VK_NULL_HANDLE) {
            vkCmdWriteTimestamp2(commands, VK_PIPELINE_STAGE_2_ACCELERATION_STRUCTURE_BUILD_BIT_KHR,
                                 timestamps, 1);
        }
        VIXEN_TRY_VK(vkEndCommandBuffer(commands), name);
        VkCommandBufferSubmitInfo commandInfo{};
        commandInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO;
        commandInfo.commandBuffer = commands;
        VkSubmitInfo2 submit{};
        submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO_2;
        submit.commandBufferInfoCount = 1;
        submit.pCommandBufferInfos = &commandInfo;
        VIXEN_TRY_VK(vkQueueSubmit2(owner.queue(), 1, &submit, fence), name);
        // Bounded: a build that never ends is a device fault to report, not a hang.
        constexpr std::uint64_t kBuildTimeoutNs = 60'000'000'000;
        VIXEN_TRY_VK(vkWaitForFences(device, 1, &fence, VK_TRUE, kBuildTimeoutNs), name);
        if (timestamps == VK_NULL_HANDLE) {
            return -1.0;
        }
        std::array<std::uint64_t, 2> ticks{};
        VIXEN_TRY_VK(vkGetQueryPoolResults(device, timestamps, 0, 2, sizeof ticks, ticks.data(),
                                           sizeof(std::uint64_t),
                                           VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT),
                     name);
        const std::uint64_t mask =
            validBits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << validBits) - 1;
        return static_cast<double>((ticks[1] - ticks[0]) & mask) *
               static_cast<double>(owner.physical().features.timestampPeriodNs) * 1e-6;
    }
};

/// The bits of a timestamp the device's queue writes; 0 when it writes none.
std::uint32_t timestampBits(const Device& device) noexcept {
    if (!device.physical().features.timestamps) {
        return 0;
    }
    for (const QueueFamily& family : device.physical().queueFamilies) {
        if (family.index == device.queueFamily()) {
            return family.timestampValidBits;
        }
    }
    return 0;
}

VkDeviceSize alignUp(VkDeviceSize value, VkDeviceSize alignment) noexcept {
    return alignment == 0 ? value : (value + alignment - 1) / alignment * alignment;
}

}  // namespace

Result<AabbAccelerationStructure> AabbAccelerationStructure::build(
    const Device& device, DeviceMemoryAllocator& allocator,
    std::span<const VkAabbPositionsKHR> boxes, std::string_view name) {
    if (!device.enabled().accelerationStructure) {
        return fail(ErrorCode::Unsupported,
                    "{}: device '{}' has no acceleration structures "
                    "(VK_KHR_acceleration_structure)",
                    name, device.physical().name);
    }
    const RayTracingProperties& properties = device.physical().rayTracing;
    if (boxes.size() > properties.maxPrimitiveCount) {
        return fail(ErrorCode::CapacityExceeded,
                    "{}: {} boxes, but device '{}' builds at most {} primitives a geometry", name,
                    boxes.size(), device.physical().name, properties.maxPrimitiveCount);
    }
    const RayTracingFunctions& rt = device.rayTracing();
    const auto started = std::chrono::steady_clock::now();
    AabbAccelerationStructure result;
    result.device_ = device.handle();
    result.destroy_ = rt.destroyAccelerationStructure;
    result.stats_.primitives = static_cast<std::uint32_t>(boxes.size());
    const bool empty = boxes.empty();

    // Bottom level: the boxes, one opaque geometry.
    Buffer boxBuffer;
    VkAccelerationStructureGeometryKHR boxGeometry{};
    boxGeometry.sType = VK_STRUCTURE_TYPE_ACCELERATION_STRUCTURE_GEOMETRY_KHR;
    boxGeometry.geometryType = VK_GEOMETRY_TYPE_AABBS_KHR;
    boxGeometry.flags = VK_GEOMETRY_OPAQUE_BIT_KHR;
    boxGeometry.geometry.aabbs.sType =
        VK_STRUCTURE_TYPE_ACCELERATION_STRUCTURE_GEOMETRY_AABBS_DATA_KHR;
    boxGeometry.geometry.aabbs.stride = sizeof(VkAabbPositionsKHR);
    VkAccelerationStructureBuildGeometryInfoKHR bottomInfo{};
    bottomInfo.sType = VK_STRUCTURE_TYPE_ACCELERATION_STRUCTURE_BUILD_GEOMETRY_INFO_KHR;
    bottomInfo.type = VK_ACCELERATION_STRUCTURE_TYPE_BOTTOM_LEVEL_KHR;
    bottomInfo.flags = VK_BUILD_ACCELERATION_STRUCTURE_PREFER_FAST_TRACE_BIT_KHR;
    bottomInfo.mode = VK_BUILD_ACCELERATION_STRUCTURE_MODE_BUILD_KHR;
    bottomInfo.geometryCount = 1;
    bottomInfo.pGeometries = &boxGeometry;
    VkAccelerationStructureBuildSizesInfoKHR bottomSizes{};
    bottomSizes.sType = VK_STRUCTURE_TYPE_ACCELERATION_STRUCTURE_BUILD_SIZES_INFO_KHR;
    if (!empty) {
        auto created =
            Buffer::create(device, allocator,
                           BufferDesc{boxes.size_bytes(), kBuildInput, MemoryUsage::Upload}, name);
        if (!created) {
            return std::unexpected(std::move(created.error()));
        }
        boxBuffer = std::move(*created);
        std::memcpy(boxBuffer.mapped().data(), boxes.data(), boxes.size_bytes());
        boxGeometry.geometry.aabbs.data.deviceAddress = boxBuffer.deviceAddress();
        const auto count = static_cast<std::uint32_t>(boxes.size());
        rt.getBuildSizes(device.handle(), VK_ACCELERATION_STRUCTURE_BUILD_TYPE_DEVICE_KHR,
                         &bottomInfo, &count, &bottomSizes);
        VIXEN_TRY(createLevel(device, allocator, result.bottom_,
                              VK_ACCELERATION_STRUCTURE_TYPE_BOTTOM_LEVEL_KHR,
                              bottomSizes.accelerationStructureSize, name));
        bottomInfo.dstAccelerationStructure = result.bottom_.handle;
    }

    // Top level: one instance of the bottom level, untransformed (none for an empty scene).
    VkAccelerationStructureInstanceKHR instance{};
    instance.transform.matrix[0][0] = 1.0F;
    instance.transform.matrix[1][1] = 1.0F;
    instance.transform.matrix[2][2] = 1.0F;
    instance.mask = 0xFF;
    instance.flags = VK_GEOMETRY_INSTANCE_TRIANGLE_FACING_CULL_DISABLE_BIT_KHR;
    if (!empty) {
        VkAccelerationStructureDeviceAddressInfoKHR addressInfo{};
        addressInfo.sType = VK_STRUCTURE_TYPE_ACCELERATION_STRUCTURE_DEVICE_ADDRESS_INFO_KHR;
        addressInfo.accelerationStructure = result.bottom_.handle;
        instance.accelerationStructureReference =
            rt.getAccelerationStructureAddress(device.handle(), &addressInfo);
    }
    auto instanceBuffer = Buffer::create(
        device, allocator, BufferDesc{sizeof instance, kBuildInput, MemoryUsage::Upload}, name);
    if (!instanceBuffer) {
        return std::unexpected(std::move(instanceBuffer.error()));
    }
    std::memcpy(instanceBuffer->mapped().data(), &instance, sizeof instance);
    VkAccelerationStructureGeometryKHR instanceGeometry{};
    instanceGeometry.sType = VK_STRUCTURE_TYPE_ACCELERATION_STRUCTURE_GEOMETRY_KHR;
    instanceGeometry.geometryType = VK_GEOMETRY_TYPE_INSTANCES_KHR;
    instanceGeometry.geometry.instances.sType =
        VK_STRUCTURE_TYPE_ACCELERATION_STRUCTURE_GEOMETRY_INSTANCES_DATA_KHR;
    instanceGeometry.geometry.instances.data.deviceAddress = instanceBuffer->deviceAddress();
    VkAccelerationStructureBuildGeometryInfoKHR topInfo{};
    topInfo.sType = VK_STRUCTURE_TYPE_ACCELERATION_STRUCTURE_BUILD_GEOMETRY_INFO_KHR;
    topInfo.type = VK_ACCELERATION_STRUCTURE_TYPE_TOP_LEVEL_KHR;
    topInfo.flags = VK_BUILD_ACCELERATION_STRUCTURE_PREFER_FAST_TRACE_BIT_KHR;
    topInfo.mode = VK_BUILD_ACCELERATION_STRUCTURE_MODE_BUILD_KHR;
    topInfo.geometryCount = 1;
    topInfo.pGeometries = &instanceGeometry;
    const std::uint32_t instances = empty ? 0U : 1U;
    VkAccelerationStructureBuildSizesInfoKHR topSizes{};
    topSizes.sType = VK_STRUCTURE_TYPE_ACCELERATION_STRUCTURE_BUILD_SIZES_INFO_KHR;
    rt.getBuildSizes(device.handle(), VK_ACCELERATION_STRUCTURE_BUILD_TYPE_DEVICE_KHR, &topInfo,
                     &instances, &topSizes);
    VIXEN_TRY(createLevel(device, allocator, result.top_,
                          VK_ACCELERATION_STRUCTURE_TYPE_TOP_LEVEL_KHR,
                          topSizes.accelerationStructureSize, name));
    topInfo.dstAccelerationStructure = result.top_.handle;

    // One scratch buffer serves both builds, one after the other.
    const VkDeviceSize alignment = std::max<VkDeviceSize>(properties.minScratchOffsetAlignment, 1);
    const VkDeviceSize scratchBytes =
        std::max(bottomSizes.buildScratchSize, topSizes.buildScratchSize) + alignment;
    auto scratch = Buffer::create(
        device, allocator,
        BufferDesc{scratchBytes,
                   VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT,
                   MemoryUsage::DeviceLocal},
        name);
    if (!scratch) {
        return std::unexpected(std::move(scratch.error()));
    }
    const VkDeviceAddress scratchAddress = alignUp(scratch->deviceAddress(), alignment);
    bottomInfo.scratchData.deviceAddress = scratchAddress;
    topInfo.scratchData.deviceAddress = scratchAddress;

    BuildSubmission submission;
    submission.validBits = timestampBits(device);
    VIXEN_TRY(submission.begin(device, submission.validBits > 0, name));
    if (!empty) {
        const VkAccelerationStructureBuildRangeInfoKHR range{
            static_cast<std::uint32_t>(boxes.size()), 0, 0, 0};
        const VkAccelerationStructureBuildRangeInfoKHR* ranges = &range;
        rt.cmdBuildAccelerationStructures(submission.commands, 1, &bottomInfo, &ranges);
        submission.barrier(VK_PIPELINE_STAGE_2_ACCELERATION_STRUCTURE_BUILD_BIT_KHR,
                           VK_ACCESS_2_ACCELERATION_STRUCTURE_READ_BIT_KHR |
                               VK_ACCESS_2_ACCELERATION_STRUCTURE_WRITE_BIT_KHR);
    }
    const VkAccelerationStructureBuildRangeInfoKHR topRange{instances, 0, 0, 0};
    const VkAccelerationStructureBuildRangeInfoKHR* topRanges = &topRange;
    rt.cmdBuildAccelerationStructures(submission.commands, 1, &topInfo, &topRanges);
    submission.barrier(VK_PIPELINE_STAGE_2_RAY_TRACING_SHADER_BIT_KHR,
                       VK_ACCESS_2_ACCELERATION_STRUCTURE_READ_BIT_KHR);
    auto gpuMilliseconds = submission.submitAndWait(device, name);
    if (!gpuMilliseconds) {
        return std::unexpected(std::move(gpuMilliseconds.error()));
    }
    result.stats_.bottomLevelBytes = result.bottom_.buffer.size();
    result.stats_.topLevelBytes = result.top_.buffer.size();
    result.stats_.scratchBytes = scratchBytes;
    result.stats_.buildGpuMilliseconds = *gpuMilliseconds;
    result.stats_.buildWallMilliseconds =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    return result;
}

Result<void> AabbAccelerationStructure::createLevel(const Device& device,
                                                    DeviceMemoryAllocator& allocator, Level& level,
                                                    VkAccelerationStructureTypeKHR type,
                                                    VkDeviceSize bytes, std::string_view what) {
    auto buffer = Buffer::create(device, allocator,
                                 BufferDesc{bytes,
                                            VK_BUFFER_USAGE_ACCELERATION_STRUCTURE_STORAGE_BIT_KHR |
                                                VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT,
                                            MemoryUsage::DeviceLocal},
                                 what);
    if (!buffer) {
        return std::unexpected(std::move(buffer.error()));
    }
    level.buffer = std::move(*buffer);
    VkAccelerationStructureCreateInfoKHR info{};
    info.sType = VK_STRUCTURE_TYPE_ACCELERATION_STRUCTURE_CREATE_INFO_KHR;
    info.buffer = level.buffer.handle();
    info.size = bytes;
    info.type = type;
    VIXEN_TRY_VK_CREATE(device.rayTracing().createAccelerationStructure(device.handle(), &info,
                                                                        nullptr, &level.handle),
                        what);
    return {};
}

void AabbAccelerationStructure::destroyLevel(Level& level) noexcept {
    if (level.handle != VK_NULL_HANDLE) {
        destroy_(device_, level.handle, nullptr);
    }
    level.handle = VK_NULL_HANDLE;
    level.buffer.reset();
}

void AabbAccelerationStructure::reset() noexcept {
    if (device_ != VK_NULL_HANDLE) {
        destroyLevel(top_);
        destroyLevel(bottom_);
    }
    stats_ = {};
}

AabbAccelerationStructure::AabbAccelerationStructure(AabbAccelerationStructure&& other) noexcept
    : device_(other.device_),
      destroy_(other.destroy_),
      bottom_{std::move(other.bottom_.buffer), std::exchange(other.bottom_.handle, VK_NULL_HANDLE)},
      top_{std::move(other.top_.buffer), std::exchange(other.top_.handle, VK_NULL_HANDLE)},
      stats_(std::exchange(other.stats_, {})) {}

AabbAccelerationStructure& AabbAccelerationStructure::operator=(
    AabbAccelerationStructure&& other) noexcept {
    if (this != &other) {
        reset();
        device_ = other.device_;
        destroy_ = other.destroy_;
        bottom_.buffer = std::move(other.bottom_.buffer);
        bottom_.handle = std::exchange(other.bottom_.handle, VK_NULL_HANDLE);
        top_.buffer = std::move(other.top_.buffer);
        top_.handle = std::exchange(other.top_.handle, VK_NULL_HANDLE);
        stats_ = std::exchange(other.stats_, {});
    }
    return *this;
}

AabbAccelerationStructure::~AabbAccelerationStructure() {
    reset();
}

}  // namespace vixen::gpu
