#include "async_overlap.hpp"

#include <fmt/format.h>

#include <memory>

#include "gpu_context.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/nodes/gpu_image_nodes.hpp"
#include "vixen/nodes/gpu_runtime.hpp"

namespace vixen::app {
namespace {

// Frames before the measured ones: drivers compile pipelines and page memory in lazily.
constexpr std::uint32_t kWarmupFrames = 4;

enum class Branches : std::uint8_t { ComputeOnly, GraphicsOnly, Both };

struct Measured {
    double milliseconds = 0.0;  ///< GPU time per frame
    bool split = false;         ///< the frames were split onto the compute queue
};

/// GPU milliseconds per frame of `branches` under `mode`, from timestamps over the
/// measured frames.
Result<Measured> measure(GpuContext& context, Branches branches, nodes::AsyncCompute mode,
                         const AsyncOverlapOptions& options) {
    graph::RenderGraph graph(
        {.budget = nodes::graphBudgetFrom(context.budget(), context.device())});
    auto created = nodes::GpuRuntime::create(graph, context.device(), context.allocator(),
                                             {.asyncCompute = mode});
    if (!created) {
        return std::unexpected(std::move(created.error()));
    }
    // Declared after the graph: destroyed first, cleaning the graph up.
    const std::unique_ptr<nodes::GpuRuntime> runtime = std::move(*created);
    const nodes::GpuImageShape shape{options.size, options.size, false, false};
    for (std::uint32_t i = 0; i < options.nodesPerBranch; ++i) {
        if (branches != Branches::GraphicsOnly) {
            graph.setKeepAlive(graph
                                   .addNode<nodes::GpuGradientNode>(fmt::format("compute {}", i),
                                                                    *runtime, shape, true)
                                   .id);
        }
        if (branches != Branches::ComputeOnly) {
            graph.setKeepAlive(graph
                                   .addNode<nodes::GpuGradientNode>(fmt::format("graphics {}", i),
                                                                    *runtime, shape, false)
                                   .id);
        }
    }
    VIXEN_TRY(graph.compile());
    for (std::uint32_t frame = 0; frame < kWarmupFrames; ++frame) {
        VIXEN_TRY(runtime->frame());
    }
    VIXEN_TRY(runtime->waitIdle());
    const std::uint64_t framesBefore = runtime->timedFrames();
    const std::uint64_t nanosecondsBefore = runtime->gpuFrameNanoseconds();
    for (std::uint32_t frame = 0; frame < options.frames; ++frame) {
        VIXEN_TRY(runtime->frame());
    }
    VIXEN_TRY(runtime->waitIdle());
    const std::uint64_t timed = runtime->timedFrames() - framesBefore;
    if (timed == 0) {
        return fail(ErrorCode::Unsupported,
                    "the device's graphics queue writes no timestamps, so no GPU time can be "
                    "measured");
    }
    return Measured{static_cast<double>(runtime->gpuFrameNanoseconds() - nanosecondsBefore) / 1e6 /
                        static_cast<double>(timed),
                    runtime->splitsFrames()};
}

}  // namespace

int runAsyncOverlap(const AsyncOverlapOptions& options) {
    auto context = GpuContext::open(options.validation, options.device);
    if (!context) {
        fmt::print(stderr, "vixen async-overlap: {}\n", context.error().message);
        return 1;
    }
    (*context)->printDevice();
    const gpu::Device& device = (*context)->device();
    if (device.computeQueue() != VK_NULL_HANDLE) {
        fmt::print("compute queue: family {} (graphics: family {})\n", device.computeQueueFamily(),
                   device.queueFamily());
    } else {
        fmt::print(
            "compute queue: none (no compute-only queue family): the compute queue run falls back "
            "to one submission on the graphics queue, so it gains nothing here\n");
    }
    fmt::print(
        "two branches of {} compute gradients of {}x{} each, {} frames after {} of "
        "warm-up\n",
        options.nodesPerBranch, options.size, options.size, options.frames, kWarmupFrames);

    struct Run {
        const char* name;
        Branches branches;
        nodes::AsyncCompute mode;
    };
    constexpr Run kRuns[] = {
        {"opted-in branch alone", Branches::ComputeOnly, nodes::AsyncCompute::Auto},
        {"other branch alone", Branches::GraphicsOnly, nodes::AsyncCompute::Auto},
        {"both, one queue", Branches::Both, nodes::AsyncCompute::Off},
        {"both, compute queue", Branches::Both, nodes::AsyncCompute::Auto},
        {"both, split on one queue", Branches::Both, nodes::AsyncCompute::SplitOnGraphicsQueue},
    };
    double milliseconds[std::size(kRuns)] = {};
    fmt::print(
        "GPU time per frame (timestamps: first node's begin to last node's end, any "
        "queue; mean over the frames):\n");
    for (std::size_t r = 0; r < std::size(kRuns); ++r) {
        auto measured = measure(**context, kRuns[r].branches, kRuns[r].mode, options);
        if (!measured) {
            fmt::print(stderr, "vixen async-overlap: {}: {}\n", kRuns[r].name,
                       measured.error().message);
            return 1;
        }
        milliseconds[r] = measured->milliseconds;
        fmt::print("  {:<24} {:9.3f} ms{}\n", kRuns[r].name, milliseconds[r],
                   kRuns[r].branches == Branches::Both && kRuns[r].mode == nodes::AsyncCompute::Auto
                       ? (measured->split ? " (split: compute queue beside graphics)"
                                          : " (not split: one submission)")
                       : "");
    }
    const double gained = milliseconds[2] - milliseconds[3];
    fmt::print(
        "overlap gained: {:.3f} ms per frame ({:.1f}% of one queue's); the branches "
        "alone sum to {:.3f} ms; splitting alone costs {:.3f} ms\n",
        gained, milliseconds[2] > 0.0 ? 100.0 * gained / milliseconds[2] : 0.0,
        milliseconds[0] + milliseconds[1], milliseconds[4] - milliseconds[2]);
    return (*context)->exitCodeAfterValidation("async-overlap", 0);
}

}  // namespace vixen::app
