#include "vixen/core/alloc_profile.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace vixen::core {
namespace {

TEST(AllocationProfileTest, AttributesAllocationsToPhasesAndFrames) {
    AllocationProfile profile;
    std::vector<int> storage;

    profile.beginPhase(Phase::Setup);
    storage.reserve(256);
    profile.endPhase();

    for (int frame = 0; frame < 3; ++frame) {
        profile.beginPhase(Phase::Execute);
        if (frame == 1) {
            std::vector<char> oneOff(500);
            static_cast<void>(oneOff);
        }
        storage.push_back(frame);  // within capacity: no allocation
        profile.endPhase();
    }

    EXPECT_EQ(profile.phase(Phase::Setup).counts.allocations, 1U);
    EXPECT_EQ(profile.phase(Phase::Setup).counts.largest, 256 * sizeof(int));
    EXPECT_EQ(profile.phase(Phase::Execute).entries, 3U);
    EXPECT_EQ(profile.phase(Phase::Execute).counts.allocations, 1U);
    EXPECT_EQ(profile.phase(Phase::Execute).counts.largest, 500U);
    EXPECT_EQ(profile.frames().frames, 3U);
    EXPECT_EQ(profile.frames().framesThatAllocated, 1U);
    EXPECT_EQ(profile.frames().maxAllocationsInAFrame, 1U);
    EXPECT_EQ(profile.frames().lastFrame.allocations, 0U);

    const std::string report = profile.report();
    EXPECT_NE(report.find("execute"), std::string::npos);
    EXPECT_NE(report.find("3 frames, 1 allocated"), std::string::npos) << report;
}

TEST(AllocationProfileTest, MarkingBoundariesAllocatesNothing) {
    AllocationProfile profile;
    NoAllocationGuard guard;
    for (int i = 0; i < 100; ++i) {
        profile.beginPhase(Phase::Execute);
        profile.endPhase();
    }
    EXPECT_TRUE(guard.ok()) << guard.describe();
}

TEST(AllocationProfileTest, ShowsResourceTakesBesideHeapAllocations) {
    AllocationProfile profile;
    profile.beginPhase(Phase::Compile);
    ResourceTakes::note(ResourceTake::DeviceMemory, 4096, "node 'blur': result");
    ResourceTakes::note(ResourceTake::DeviceMemory, 1 << 20, "node 'gbuffer': albedo");
    ResourceTakes::note(ResourceTake::DescriptorSet, 3, "node 'blur': sets");
    profile.endPhase();
    profile.beginPhase(Phase::Execute);
    profile.endPhase();
    profile.beginPhase(Phase::Execute);
    ResourceTakes::note(ResourceTake::StagingBuffer, 256, "node 'upload': vertices");
    profile.endPhase();

    const ResourceTakeCounts& memory =
        profile.phase(Phase::Compile).take(ResourceTake::DeviceMemory);
    EXPECT_EQ(memory.takes, 2U);
    EXPECT_EQ(memory.amount, 4096U + (1U << 20));
    EXPECT_EQ(memory.largest, 1U << 20);
    EXPECT_EQ(memory.largestWhat(), "node 'gbuffer': albedo");
    EXPECT_EQ(profile.phase(Phase::Compile).take(ResourceTake::DescriptorSet).amount, 3U);
    EXPECT_EQ(profile.phase(Phase::Execute).take(ResourceTake::DeviceMemory).takes, 0U);
    EXPECT_EQ(profile.phase(Phase::Execute).take(ResourceTake::StagingBuffer).largestWhat(),
              "node 'upload': vertices");
    EXPECT_EQ(profile.frames().framesThatTookResources, 1U);

    const std::string report = profile.report();
    EXPECT_NE(report.find("node 'gbuffer': albedo"), std::string::npos) << report;
    EXPECT_NE(report.find("1 of 2 frames took resources"), std::string::npos) << report;
}

}  // namespace
}  // namespace vixen::core
