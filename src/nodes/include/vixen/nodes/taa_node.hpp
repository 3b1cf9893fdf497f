#pragma once

// Temporal accumulation of the voxel renderer's jittered frames: reprojection from depth and
// the previous camera with a clamp to the current neighbourhood while the camera moves, and a
// plain running average while it is still (progressive supersampling). Its accumulation is a
// history slot (depth 1): two images made at compile, one written per frame while the other
// is read, each bound by a descriptor set of its own ring position; so is the depth it saw,
// which tells a surface the camera just revealed from the one that hid it.

#include <cstdint>

#include "vixen/nodes/gpu_image_nodes.hpp"
#include "vixen/nodes/gpu_node.hpp"
#include "vixen/nodes/voxel_nodes.hpp"

namespace vixen::nodes {

inline constexpr graph::SlotOptions kComputeWriteWithPrevious{
    .access = graph::Access::Write, .stage = graph::StageKind::Compute, .history = 1};

struct TaaConfig {
    static constexpr std::string_view kTypeName = "Taa";
    /// The ray march's colour (RGBA8, gamma-encoded) and depth (R32F, -1 for a miss).
    static constexpr graph::Input<"color", GpuImage, kComputeRead> color{};
    static constexpr graph::Input<"depth", GpuImage, kComputeRead> depth{};
    /// The camera's voxel::TemporalCameraConstants (VoxelCameraNode).
    static constexpr graph::Input<"camera", GpuBuffer, kComputeRead> camera{};
    /// What is shown (RGBA8, like the marcher's colour).
    static constexpr graph::Output<"resolved", GpuImage, kComputeWrite> resolved{};
    /// The running result (RGBA16F; alpha: the samples it stands for).
    static constexpr graph::Output<"accumulated", GpuImage, kComputeWriteWithPrevious>
        accumulated{};
    /// The depth each frame saw (R32F), read back a frame later to tell revealed surfaces.
    static constexpr graph::Output<"seenDepth", GpuImage, kComputeWriteWithPrevious> seenDepth{};
    static constexpr graph::SlotList slots{color, depth, camera, resolved, accumulated, seenDepth};
};

struct TaaSettings {
    /// While the camera is still, the last `stillCap` frames at most are averaged: after n
    /// still frames each has weight 1/n (n up to the cap).
    std::uint32_t stillCap = 256;
    static constexpr std::uint32_t kMaxCap = 2048;
    /// While it moves, a frame's weight is at least 1/movingCap after the history was
    /// clamped to its neighbourhood: lower keeps more history (smoother, slower to follow).
    std::uint32_t movingCap = 8;
};

/// Temporal anti-aliasing over the voxel ray march (any pipeline): images the size of its
/// colour input; `shape` only sizes the estimate and follows the window with the marcher.
/// Where the history is not valid (the first frame, after a resize or a reset) it shows the
/// current frame. Compile refuses caps of 0, and above 2048 (the sample count is kept in a
/// 16-bit float, whose integers stop there).
class TaaNode : public GpuNode<TaaConfig> {
public:
    TaaNode(GpuRuntime& runtime, GpuImageShape shape, TaaSettings settings = {});

    /// Frames recorded without valid history so far.
    [[nodiscard]] std::uint64_t framesWithoutHistory() const noexcept {
        return framesWithoutHistory_;
    }

protected:
    [[nodiscard]] bool retiresReplacedObjects() const noexcept override { return true; }
    [[nodiscard]] bool readsOwnHistory() const noexcept override { return true; }
    void setup(graph::SetupContext& context) override;
    Result<void> compile(const graph::CompileContext& context) override;
    void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) override;
    void release(const graph::CleanupContext& context) override;

private:
    GpuImageShape shape_;
    TaaSettings settings_;
    ComputeKernel kernel_;
    std::uint64_t framesWithoutHistory_ = 0;
};

/// A TaaNode named "taa" over `renderer`'s colour and depth and its camera (whose jitter
/// the caller chose when adding the renderer); its "resolved" output is what to show.
graph::NodeHandle<TaaNode> addTaa(graph::RenderGraph& graph, GpuRuntime& runtime,
                                  const VoxelRenderer& renderer, GpuImageShape shape,
                                  TaaSettings settings = {});

}  // namespace vixen::nodes
