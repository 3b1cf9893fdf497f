// GPU frames beyond the small-node graph of gpu_graph_bench.cpp:
// - BM_GpuGraphFrameBusy: the same 10 chains, each node recording `commands` clears of its
//   image and a copy of its input, sequentially or in parallel (workers:N): where parallel
//   recording starts to pay. commands:0 records no command in the passes (only their slot
//   barriers, and the readbacks' copies): what the engine itself costs per node.
// - BM_GpuStreamFrame: a buffer updated by `bytes` from the CPU every frame through the
//   upload ring (64 KiB writes) and 256 bytes of it read back every frame through the
//   readback ring: per-frame throughput, ring waits, and readback_age_frames: after each
//   frame's submit, how many frames newer that frame is than the newest readback that has
//   landed on the CPU (0 would mean the frame just submitted).
// Counters are averages over the iterations; allocs_per_iter counts heap allocations of
// every thread in the timed loop (0 expected but for the resize frames).
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <span>
#include <string>
#include <vector>

#include "gpu_bench_context.hpp"
#include "vixen/core/alloc_tracker.hpp"
#include "vixen/nodes/gpu_image_nodes.hpp"
#include "vixen/nodes/gpu_pass.hpp"
#include "vixen/nodes/gpu_runtime.hpp"
#include "vixen/nodes/gpu_stream_nodes.hpp"

namespace {

using namespace vixen;

struct BusyConfig {
    static constexpr std::string_view kTypeName = "Busy";
    static constexpr graph::Input<"source", nodes::GpuImage,
                                  graph::SlotOptions{.stage = graph::StageKind::Transfer,
                                                     .nullable = true}>
        source{};
    static constexpr graph::Output<"image", nodes::GpuImage, nodes::kTransferWrite> image{};
    static constexpr graph::SlotList slots{source, image};
};
using BusyPass = nodes::GpuPass<BusyConfig>;

/// A pass that clears its 16x16 image `commands` times and copies its source into it.
graph::NodeHandle<BusyPass> addBusy(graph::RenderGraph& graph, nodes::GpuRuntime& runtime,
                                    std::string name, std::uint32_t commands,
                                    const std::uint32_t& size) {
    graph::ResourceEstimate estimate;
    estimate.memory(graph::MemoryKind::DeviceLocal) = 16 * 16 * 4;
    auto node = graph.addNode<BusyPass>(
        std::move(name), runtime,
        [&size](BusyPass& pass) -> Result<void> {
            VIXEN_TRY(pass.createOutput(BusyConfig::image,
                                        gpu::ImageDesc{.width = size,
                                                       .height = size,
                                                       .usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT |
                                                                VK_IMAGE_USAGE_TRANSFER_DST_BIT}));
            return {};
        },
        [commands](BusyPass& pass, VkCommandBuffer commandBuffer, const graph::ExecuteContext&) {
            const nodes::GpuImage& image = pass.Out(BusyConfig::image);
            const VkImageSubresourceRange range{VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
            const VkClearColorValue grey{{0.5F, 0.5F, 0.5F, 1.0F}};
            for (std::uint32_t c = 0; c < commands; ++c) {
                vkCmdClearColorImage(commandBuffer, image.image.handle(),
                                     VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &grey, 1, &range);
            }
            const nodes::GpuImage* source = pass.In(BusyConfig::source);
            if (commands > 0 && source != nullptr) {
                const std::uint32_t extent = std::min(source->desc().width, image.desc().width);
                VkImageCopy region{};
                region.srcSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
                region.dstSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
                region.extent = {extent, extent, 1};
                vkCmdCopyImage(commandBuffer, source->image.handle(),
                               VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, image.image.handle(),
                               VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &region);
            }
        },
        estimate);
    return node;
}

/// 10 chains of busy passes, each chain's last feeding a readback. Returns the node count.
std::size_t buildBusyChains(graph::RenderGraph& graph, nodes::GpuRuntime& runtime,
                            std::uint32_t nodesPerChain, std::uint32_t commands,
                            const std::uint32_t& size) {
    constexpr std::uint32_t kChains = 10;
    for (std::uint32_t c = 0; c < kChains; ++c) {
        auto last = addBusy(graph, runtime, fmt::format("busy{}.0", c), commands, size);
        for (std::uint32_t i = 1; i < nodesPerChain; ++i) {
            auto next = addBusy(graph, runtime, fmt::format("busy{}.{}", c, i), commands, size);
            graph.connect(last, BusyConfig::image, next, BusyConfig::source);
            last = next;
        }
        auto readback =
            graph.addNode<nodes::GpuReadbackNode>(fmt::format("readback{}", c), runtime);
        graph.connect(last, BusyConfig::image, readback, nodes::GpuReadbackConfig::image);
    }
    return graph.nodeCount();
}

struct Counters {
    std::uint64_t record = 0;
    std::uint64_t submit = 0;
    std::uint64_t wait = 0;
    void add(const nodes::FrameTimings& timings) {
        record += timings.recordNanoseconds;
        submit += timings.submitNanoseconds;
        wait += timings.waitNanoseconds;
    }
    void report(benchmark::State& state, double nodes) const {
        const auto iterations = static_cast<double>(state.iterations());
        state.counters["record_us"] = static_cast<double>(record) / iterations / 1000.0;
        state.counters["submit_us"] = static_cast<double>(submit) / iterations / 1000.0;
        state.counters["wait_us"] = static_cast<double>(wait) / iterations / 1000.0;
        state.counters["ns_per_node"] = static_cast<double>(record) / iterations / nodes;
    }
};

graph::GraphOptions optionsFor(std::uint32_t workers) {
    return graph::GraphOptions{
        .mode = workers == 0 ? graph::ExecutionMode::Sequential : graph::ExecutionMode::Parallel,
        .workerThreads = workers};
}

void BM_GpuGraphFrameBusy(benchmark::State& state) {
    const auto commands = static_cast<std::uint32_t>(state.range(0));
    const auto workers = static_cast<std::uint32_t>(state.range(1));
    bench::GpuContext& gpu = bench::context();
    if (gpu.device() == nullptr) {
        state.SkipWithError(("no Vulkan device: " + gpu.error()).c_str());
        return;
    }
    graph::RenderGraph graph(optionsFor(workers));
    auto runtime = nodes::GpuRuntime::create(graph, *gpu.device(), gpu.allocator(),
                                             nodes::GpuRuntimeOptions{.timestamps = false});
    if (!runtime) {
        state.SkipWithError(runtime.error().message.c_str());
        return;
    }
    std::uint32_t size = 16;
    const auto nodeCount =
        static_cast<double>(buildBusyChains(graph, **runtime, 9, commands, size));
    if (Result<void> compiled = graph.compile(); !compiled) {
        state.SkipWithError(compiled.error().message.c_str());
        return;
    }
    for (int warm = 0; warm < 8; ++warm) {
        static_cast<void>((*runtime)->frame());
    }
    Counters counters;
    const auto heapBefore = core::AllocationTracker::allThreads().allocations;
    for (auto _ : state) {
        if (!(*runtime)->frame()) {
            state.SkipWithError("frame failed");
            break;
        }
        counters.add((*runtime)->lastFrameTimings());
    }
    const auto heapAfter = core::AllocationTracker::allThreads().allocations;
    counters.report(state, nodeCount);
    state.counters["nodes"] = nodeCount;
    state.counters["allocs_per_iter"] =
        static_cast<double>(heapAfter - heapBefore) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_GpuGraphFrameBusy)
    ->ArgNames({"commands", "workers"})
    ->Args({0, 0})
    ->Args({1, 0})
    ->Args({1, 3})
    ->Args({16, 0})
    ->Args({16, 3})
    ->Args({64, 0})
    ->Args({64, 3})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

constexpr std::size_t kPiece = std::size_t{64} << 10;  ///< the stream's writes

void BM_GpuStreamFrame(benchmark::State& state) {
    const auto bytes = static_cast<std::size_t>(state.range(0));
    bench::GpuContext& gpu = bench::context();
    if (gpu.device() == nullptr) {
        state.SkipWithError(("no Vulkan device: " + gpu.error()).c_str());
        return;
    }
    graph::RenderGraph graph(optionsFor(0));
    auto runtime = nodes::GpuRuntime::create(graph, *gpu.device(), gpu.allocator(),
                                             nodes::GpuRuntimeOptions{.timestamps = false});
    if (!runtime) {
        state.SkipWithError(runtime.error().message.c_str());
        return;
    }
    std::vector<std::byte> source(kPiece, std::byte{0x5A});
    auto stream = graph.addNode<nodes::GpuStreamNode>(
        "stream", **runtime,
        gpu::BufferDesc{std::max<VkDeviceSize>(bytes, 256),
                        VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                        gpu::MemoryUsage::DeviceLocal},
        VkDeviceSize{bytes}, [&source, bytes](nodes::StreamWriter& writer, std::uint64_t) {
            for (std::size_t at = 0; at < bytes; at += kPiece) {
                writer.write(at, std::span(source).first(std::min(kPiece, bytes - at)));
            }
        });
    auto readback =
        graph.addNode<nodes::GpuBufferReadbackNode>("readback", **runtime, VkDeviceSize{256});
    graph.connect(stream, nodes::GpuStreamConfig::buffer, readback,
                  nodes::GpuBufferReadbackConfig::buffer);
    if (Result<void> compiled = graph.compile(); !compiled) {
        state.SkipWithError(compiled.error().message.c_str());
        return;
    }
    auto& reader = static_cast<nodes::GpuBufferReadbackNode&>(graph.node(readback.id));
    for (int warm = 0; warm < 8; ++warm) {
        static_cast<void>((*runtime)->frame());
    }
    const gpu::StreamRingStats before = (*runtime)->uploadRingStats();
    std::uint64_t latency = 0;
    std::uint64_t landed = 0;
    const auto heapBefore = core::AllocationTracker::allThreads().allocations;
    for (auto _ : state) {
        if (!(*runtime)->frame()) {
            state.SkipWithError("frame failed");
            break;
        }
        if (const auto newest = reader.latest()) {
            latency += (*runtime)->pacer().submittedFrame() - newest->frame;
            ++landed;
        }
    }
    const auto heapAfter = core::AllocationTracker::allThreads().allocations;
    const gpu::StreamRingStats after = (*runtime)->uploadRingStats();
    const auto iterations = static_cast<double>(state.iterations());
    state.SetBytesProcessed(static_cast<std::int64_t>(after.bytes - before.bytes));
    state.counters["ring_waits_per_frame"] =
        static_cast<double>(after.waits - before.waits) / iterations;
    state.counters["readback_age_frames"] =
        landed == 0 ? 0.0 : static_cast<double>(latency) / static_cast<double>(landed);
    state.counters["allocs_per_iter"] = static_cast<double>(heapAfter - heapBefore) / iterations;
}
BENCHMARK(BM_GpuStreamFrame)
    ->ArgName("bytes")
    ->Arg(4 << 10)
    ->Arg(256 << 10)
    ->Arg(4 << 20)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace
