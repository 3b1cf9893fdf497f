#pragma once

// A GPU graph on the lavapipe fixture's device (budget, allocator, graph, runtime) and the
// fixture GPU graph tests share.

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>

#include "lavapipe_fixture.hpp"
#include "vixen/core/alloc_tracker.hpp"
#include "vixen/gpu/budget_manager.hpp"
#include "vixen/gpu/creation_gate.hpp"
#include "vixen/gpu/memory_allocator.hpp"
#include "vixen/nodes/gpu_image_nodes.hpp"
#include "vixen/nodes/gpu_runtime.hpp"

namespace vixen::nodes {

inline constexpr std::array<float, 4> kRed{1.0F, 0.0F, 0.0F, 1.0F};
inline constexpr std::array<float, 4> kTeal{0.0F, 0.5F, 1.0F, 1.0F};

/// The pixel at (x, y) of RGBA8 rows.
inline std::array<int, 4> pixelAt(std::span<const std::byte> pixels, std::uint32_t width,
                                  std::uint32_t x, std::uint32_t y) {
    const std::size_t at = (std::size_t{y} * width + x) * 4;
    return {static_cast<int>(pixels[at]), static_cast<int>(pixels[at + 1]),
            static_cast<int>(pixels[at + 2]), static_cast<int>(pixels[at + 3])};
}

/// A graph of GPU nodes on the fixture's device: budget, allocator, graph, runtime.
struct GpuGraph {
    GpuGraph(const gpu::Device& device, graph::GraphOptions options = {},
             GpuRuntimeOptions runtimeOptions = {})
        : budget(device.physical()), allocator(device, budget), graph(options) {
        auto created = GpuRuntime::create(graph, device, allocator, runtimeOptions);
        if (created) {
            runtime = std::move(*created);
        } else {
            runtimeError = created.error();
        }
    }
    ~GpuGraph() {
        if (runtime) {
            static_cast<void>(runtime->waitIdle());
        }
        graph.cleanup();
        runtime.reset();
    }
    GpuGraph(const GpuGraph&) = delete;
    GpuGraph& operator=(const GpuGraph&) = delete;

    /// pattern(red) and pattern(teal) side by side in a compose, read back.
    GpuReadbackNode& buildSideBySide(std::uint32_t width, std::uint32_t height,
                                     bool followWindow = false) {
        const GpuImageShape half{width / 2, height, followWindow, true};
        auto left = graph.addNode<GpuPatternNode>("left", *runtime, half, kRed);
        auto right = graph.addNode<GpuPatternNode>("right", *runtime, half, kTeal);
        auto compose = graph.addNode<GpuComposeNode>(
            "compose", *runtime, GpuImageShape{width, height, followWindow, false});
        auto readback = graph.addNode<GpuReadbackNode>("readback", *runtime);
        graph.connect(left, GpuPatternConfig::image, compose, GpuComposeConfig::layers);
        graph.connect(right, GpuPatternConfig::image, compose, GpuComposeConfig::layers);
        graph.connect(compose, GpuComposeConfig::image, readback, GpuReadbackConfig::image);
        return static_cast<GpuReadbackNode&>(graph.node(readback.id));
    }

    gpu::BudgetManager budget;
    gpu::DeviceMemoryAllocator allocator;
    graph::RenderGraph graph;
    std::unique_ptr<GpuRuntime> runtime;
    std::optional<Error> runtimeError;
};

class GpuGraphTest : public gpu::testing::LavapipeFixture {
protected:
    void releaseDeviceObjects() override { gpuGraph_.reset(); }

    GpuGraph& makeGraph(graph::GraphOptions options = {}, GpuRuntimeOptions runtime = {}) {
        gpuGraph_.emplace(*device_, options, runtime);
        EXPECT_FALSE(gpuGraph_->runtimeError) << gpuGraph_->runtimeError->message;
        return *gpuGraph_;
    }

    std::optional<GpuGraph> gpuGraph_;
};

/// A few warm-up frames (lavapipe JIT-compiles, on its own threads and through operator new,
/// the copy shaders for a size on their first use), then `frames` frames that must allocate
/// nothing on any thread and create no Vulkan object.
inline void expectSteadyFrames(GpuGraph& gpu, int frames) {
    ASSERT_TRUE(core::AllocationTracker::installed())
        << "the allocation hooks must be linked in, or every count reads zero";
    for (int warm = 0; warm < 4; ++warm) {
        ASSERT_TRUE(gpu.runtime->frame());
    }
    ASSERT_TRUE(gpu.runtime->waitIdle());
    const std::uint64_t creations = gpu::CreationGate::count();
    const core::NoAllocationGuard guard(core::TrackScope::AllThreads);
    for (int frame = 0; frame < frames; ++frame) {
        ASSERT_TRUE(gpu.runtime->frame()) << "frame " << frame;
    }
    EXPECT_TRUE(guard.ok()) << guard.describe();
    EXPECT_EQ(gpu::CreationGate::count(), creations);
}

}  // namespace vixen::nodes
