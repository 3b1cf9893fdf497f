// Per-frame CPU cost of a GPU graph: 10 chains of a pattern and composes, joined by one
// compose into a readback (92 nodes for nodes:100; 8x8 RGBA8 images so the GPU work is
// tiny) run by GpuRuntime::frame, with GPU timestamps per node off and on, recorded
// sequentially (workers:0) or in parallel on the graph's worker pool (workers:N, each node
// into its own secondary command buffer).
// Counters, averaged over the iterations (steady_clock inside the runtime):
//   record_us  recording the graph: barriers derived from slots plus each node's commands
//   submit_us  the vkQueueSubmit2
//   wait_us    waiting for the frame slot (the GPU, 2 frames in flight)
//   ns_per_node  record_us over the node count
// allocs_per_iter counts heap allocations in the timed loop, all threads (must be 0; the
// validation layer is off). Device: VIXEN_DEVICE, else the best one (lavapipe without a GPU).
// BM_GpuResizeFrame times a frame that follows a WindowResized event (alternating two sizes)
// and so recompiles every node of a similar graph of 64x64 images sized by the window; the
// steady frame before it is timed apart (steady_frame_us). `wait` 1 makes every rebuild wait
// for the GPU to go idle first (GpuRuntimeOptions::rebuildWithoutWaiting off, as every
// rebuild did before it existed); 0 rebuilds while the steady frame is still in flight
// (in_flight: frames on the GPU when the rebuild began, averaged; slot_wait_us: the resize
// frame's wait for its frame slot, after the rebuild).
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "gpu_bench_context.hpp"
#include "vixen/core/alloc_tracker.hpp"
#include "vixen/events/engine_events.hpp"
#include "vixen/nodes/gpu_image_nodes.hpp"
#include "vixen/nodes/gpu_runtime.hpp"

namespace {

using namespace vixen;

/// `chains` chains of a pattern and `composes` composes each, joined by one compose (of
/// `joinShape`) into a readback.
void addComposeChains(graph::RenderGraph& graph, nodes::GpuRuntime& runtime, std::uint32_t chains,
                      std::uint32_t composes, const nodes::GpuImageShape& shape,
                      const nodes::GpuImageShape& joinShape) {
    auto join = graph.addNode<nodes::GpuComposeNode>("join", runtime, joinShape);
    for (std::uint32_t c = 0; c < chains; ++c) {
        auto pattern =
            graph.addNode<nodes::GpuPatternNode>(fmt::format("pattern{}", c), runtime, shape,
                                                 std::array<float, 4>{0.2F, 0.4F, 0.6F, 1.0F});
        auto last =
            graph.addNode<nodes::GpuComposeNode>(fmt::format("compose{}.0", c), runtime, shape);
        graph.connect(pattern, nodes::GpuPatternConfig::image, last,
                      nodes::GpuComposeConfig::layers);
        for (std::uint32_t i = 1; i < composes; ++i) {
            auto next = graph.addNode<nodes::GpuComposeNode>(fmt::format("compose{}.{}", c, i),
                                                             runtime, shape);
            graph.connect(last, nodes::GpuComposeConfig::image, next,
                          nodes::GpuComposeConfig::layers);
            last = next;
        }
        graph.connect(last, nodes::GpuComposeConfig::image, join, nodes::GpuComposeConfig::layers);
    }
    auto readback = graph.addNode<nodes::GpuReadbackNode>("readback", runtime);
    graph.connect(join, nodes::GpuComposeConfig::image, readback, nodes::GpuReadbackConfig::image);
}

void BM_GpuGraphFrame(benchmark::State& state) {
    const auto wantedNodes = static_cast<std::uint32_t>(state.range(0));
    const bool timestamps = state.range(1) != 0;
    const auto workers = static_cast<std::uint32_t>(state.range(2));
    bench::GpuContext& gpu = bench::context();
    if (gpu.device() == nullptr) {
        state.SkipWithError(("no Vulkan device: " + gpu.error()).c_str());
        return;
    }
    graph::RenderGraph graph(graph::GraphOptions{
        .mode = workers == 0 ? graph::ExecutionMode::Sequential : graph::ExecutionMode::Parallel,
        .workerThreads = workers,
        .profileAllocations = false});
    auto runtime = nodes::GpuRuntime::create(graph, *gpu.device(), gpu.allocator(),
                                             nodes::GpuRuntimeOptions{.timestamps = timestamps});
    if (!runtime) {
        state.SkipWithError(runtime.error().message.c_str());
        return;
    }
    // 10 chains of a pattern and composes, joined by one compose into the readback.
    constexpr std::uint32_t kChains = 10;
    const std::uint32_t chainLength = std::max(2U, (wantedNodes - 2) / kChains);
    const nodes::GpuImageShape shape{8, 8, false, true};
    addComposeChains(graph, **runtime, kChains, chainLength - 1, shape, shape);
    const auto nodeCount = static_cast<double>(graph.nodeCount());
    if (Result<void> compiled = graph.compile(); !compiled) {
        state.SkipWithError(compiled.error().message.c_str());
        return;
    }
    for (int warm = 0; warm < 8; ++warm) {
        if (!(*runtime)->frame()) {
            state.SkipWithError("warm-up frame failed");
            return;
        }
    }

    std::uint64_t record = 0;
    std::uint64_t submit = 0;
    std::uint64_t wait = 0;
    const auto heapBefore = core::AllocationTracker::allThreads().allocations;
    for (auto _ : state) {
        if (!(*runtime)->frame()) {
            state.SkipWithError("frame failed");
            break;
        }
        const nodes::FrameTimings& timings = (*runtime)->lastFrameTimings();
        record += timings.recordNanoseconds;
        submit += timings.submitNanoseconds;
        wait += timings.waitNanoseconds;
    }
    const auto heapAfter = core::AllocationTracker::allThreads().allocations;
    const auto iterations = static_cast<double>(state.iterations());
    state.counters["record_us"] = static_cast<double>(record) / iterations / 1000.0;
    state.counters["submit_us"] = static_cast<double>(submit) / iterations / 1000.0;
    state.counters["wait_us"] = static_cast<double>(wait) / iterations / 1000.0;
    state.counters["nodes"] = nodeCount;
    state.counters["ns_per_node"] = static_cast<double>(record) / iterations / nodeCount;
    state.counters["allocs_per_iter"] = static_cast<double>(heapAfter - heapBefore) / iterations;
    state.counters["barrier_calls"] = static_cast<double>((*runtime)->steadySlotBarrierCalls());
}
BENCHMARK(BM_GpuGraphFrame)
    ->ArgNames({"nodes", "timestamps", "workers"})
    ->Args({100, 0, 0})
    ->Args({100, 1, 0})
    ->Args({100, 0, 3})
    ->Args({100, 1, 3})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

void BM_GpuResizeFrame(benchmark::State& state) {
    bench::GpuContext& gpu = bench::context();
    if (gpu.device() == nullptr) {
        state.SkipWithError(("no Vulkan device: " + gpu.error()).c_str());
        return;
    }
    const bool wait = state.range(0) != 0;
    graph::RenderGraph graph;
    auto runtime = nodes::GpuRuntime::create(
        graph, *gpu.device(), gpu.allocator(),
        nodes::GpuRuntimeOptions{.timestamps = false, .rebuildWithoutWaiting = !wait});
    if (!runtime) {
        state.SkipWithError(runtime.error().message.c_str());
        return;
    }
    // 10 chains of a pattern and 8 composes into one compose and a readback, every image
    // following the window.
    addComposeChains(graph, **runtime, 10, 8, nodes::GpuImageShape{64, 64, true, true},
                     nodes::GpuImageShape{64, 64, true, false});
    if (Result<void> compiled = graph.compile(); !compiled) {
        state.SkipWithError(compiled.error().message.c_str());
        return;
    }
    for (int warm = 0; warm < 8; ++warm) {
        static_cast<void>((*runtime)->frame());
    }
    std::uint64_t steadyNs = 0;
    std::uint64_t slotWaitNs = 0;
    std::uint64_t iteration = 0;
    for (auto _ : state) {
        // One steady frame (timed apart), then the resize frame the benchmark times.
        state.PauseTiming();
        const auto steadyStart = std::chrono::steady_clock::now();
        static_cast<void>((*runtime)->frame());
        steadyNs += static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                   std::chrono::steady_clock::now() - steadyStart)
                                                   .count());
        const std::uint32_t side = (iteration++ % 2 == 0) ? 80 : 64;
        static_cast<void>(graph.events().emit(events::WindowResized{side, side}));
        state.ResumeTiming();
        if (!(*runtime)->frame()) {
            state.SkipWithError("resize frame failed");
            break;
        }
        slotWaitNs += (*runtime)->lastFrameTimings().waitNanoseconds;
    }
    const auto iterations = static_cast<double>(state.iterations());
    const nodes::RebuildStats rebuilds = (*runtime)->rebuildStats();
    state.counters["steady_frame_us"] = static_cast<double>(steadyNs) / iterations / 1000.0;
    state.counters["nodes"] = static_cast<double>(graph.nodeCount());
    state.counters["waited"] = static_cast<double>(rebuilds.waited) / iterations;
    state.counters["slot_wait_us"] = static_cast<double>(slotWaitNs) / iterations / 1000.0;
    state.counters["in_flight"] =
        static_cast<double>(rebuilds.framesInFlightAtRebuild) / iterations;
}
BENCHMARK(BM_GpuResizeFrame)
    ->ArgName("wait")
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace
