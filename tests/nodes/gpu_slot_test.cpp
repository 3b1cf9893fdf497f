// How slot declarations map to GPU usages, without a device: every stage kind is mapped or
// refused, and each resource type refuses the stage kinds that mean nothing for it.
#include <gtest/gtest.h>

#include "vixen/nodes/gpu_resource.hpp"

namespace vixen::nodes {
namespace {

using graph::Access;
using graph::SlotOptions;
using graph::StageKind;

TEST(GpuSlotTest, EveryStageKindMapsToAUsageOrIsRefused) {
    struct Case {
        StageKind stage;
        Access access;
        std::optional<gpu::ResourceUsage> usage;
    };
    const Case cases[] = {
        {StageKind::Any, Access::Read, std::nullopt},
        {StageKind::Host, Access::Read, gpu::ResourceUsage::HostRead},
        {StageKind::Host, Access::Write, gpu::ResourceUsage::HostWrite},
        {StageKind::Transfer, Access::Read, gpu::ResourceUsage::TransferRead},
        {StageKind::Transfer, Access::Write, gpu::ResourceUsage::TransferWrite},
        {StageKind::Compute, Access::Read, gpu::ResourceUsage::ComputeRead},
        {StageKind::Compute, Access::ReadWrite, gpu::ResourceUsage::ComputeWrite},
        {StageKind::Graphics, Access::Read, gpu::ResourceUsage::FragmentRead},
        {StageKind::Graphics, Access::Write, gpu::ResourceUsage::ColorAttachment},
        {StageKind::RayTracing, Access::Read, gpu::ResourceUsage::RayTracingRead},
        {StageKind::RayTracing, Access::Write, gpu::ResourceUsage::RayTracingWrite},
        {StageKind::Present, Access::Read, gpu::ResourceUsage::Present},
        {StageKind::Present, Access::Write, std::nullopt},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(usageOf(SlotOptions{.access = c.access, .stage = c.stage}), c.usage)
            << graph::toString(c.stage) << " " << graph::toString(c.access);
    }
}

TEST(GpuSlotTest, ImagesAreNeverHostSlotsAndBuffersNeverPresented) {
    constexpr SlotOptions kHostRead{.stage = StageKind::Host};
    constexpr SlotOptions kPresent{.stage = StageKind::Present};
    constexpr SlotOptions kRayTracing{.stage = StageKind::RayTracing};
    static_assert(!gpuSlotDeclarationValid<GpuImage>(kHostRead));
    static_assert(gpuSlotDeclarationValid<GpuImage>(kPresent));
    static_assert(gpuSlotDeclarationValid<GpuImage>(kRayTracing));
    static_assert(gpuSlotDeclarationValid<GpuBuffer>(kHostRead));
    static_assert(!gpuSlotDeclarationValid<GpuBuffer>(kPresent));
    static_assert(gpuSlotDeclarationValid<GpuBuffer>(kRayTracing));
    static_assert(!gpuSlotDeclarationValid<GpuBuffer>(SlotOptions{}), "no stage declared");
    static_assert(gpuSlotDeclarationValid<float>(SlotOptions{}), "not a GPU resource");
    EXPECT_TRUE(GpuResource<GpuImage> && GpuResource<GpuBuffer> && !GpuResource<float>);
}

}  // namespace
}  // namespace vixen::nodes
