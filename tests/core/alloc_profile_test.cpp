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

}  // namespace
}  // namespace vixen::core
