#include "sample.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "gpu_context.hpp"
#include "vixen/core/alloc_tracker.hpp"
#include "vixen/core/trace.hpp"
#include "vixen/core/units.hpp"
#include "vixen/events/engine_events.hpp"
#include "vixen/gpu/creation_gate.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/physical_device.hpp"
#include "vixen/graph/graph_loader.hpp"
#include "vixen/nodes/gpu_image_nodes.hpp"
#include "vixen/nodes/gpu_runtime.hpp"
#include "vixen/nodes/node_catalog.hpp"

namespace vixen::app {
namespace {

// Frames after the first compile or a resize that may still allocate: drivers build
// pipelines for new sizes lazily (lavapipe JIT-compiles its copy shaders on first use).
constexpr std::uint32_t kWarmupFrames = 4;

int failWith(const Error& error) {
    fmt::print(stderr, "vixen sample: {}\n", error.message);
    return 1;
}

struct FrameStats {
    std::vector<double> milliseconds;
    std::uint64_t steadyFrames = 0;
    std::uint64_t steadyFramesThatAllocated = 0;
    std::uint64_t steadyFramesThatCreated = 0;
};

/// The sample graph: sky (computed), board (uploaded at compile) and sea (cleared) side by
/// side in a transient scene, scaled twice more (the sources are dead by the time the last
/// step runs, so it reuses their memory), read back by "target".
void buildSampleGraph(graph::RenderGraph& graph, nodes::GpuRuntime& runtime,
                      const SampleOptions& options) {
    const nodes::GpuImageShape half{options.width / 2, options.height, true, true};
    auto sky = graph.addNode<nodes::GpuGradientNode>("sky", runtime, half);
    auto board = graph.addNode<nodes::GpuCheckerboardNode>("board", runtime, half, 16U);
    auto sea = graph.addNode<nodes::GpuPatternNode>("sea", runtime, half,
                                                    std::array<float, 4>{0.1F, 0.3F, 0.6F, 1.0F});
    const nodes::GpuImageShape full{options.width, options.height, true, true};
    auto scene = graph.addNode<nodes::GpuComposeNode>("scene", runtime, full);
    auto framed = graph.addNode<nodes::GpuComposeNode>("framed", runtime, full);
    auto output = graph.addNode<nodes::GpuComposeNode>(
        "output", runtime, nodes::GpuImageShape{options.width, options.height, true, false});
    auto target = graph.addNode<nodes::GpuReadbackNode>("target", runtime);
    graph.connect(sky, nodes::GpuGradientConfig::image, scene, nodes::GpuComposeConfig::layers);
    graph.connect(board, nodes::GpuCheckerboardConfig::image, scene,
                  nodes::GpuComposeConfig::layers);
    graph.connect(sea, nodes::GpuPatternConfig::image, scene, nodes::GpuComposeConfig::layers);
    graph.connect(scene, nodes::GpuComposeConfig::image, framed, nodes::GpuComposeConfig::layers);
    graph.connect(framed, nodes::GpuComposeConfig::image, output, nodes::GpuComposeConfig::layers);
    graph.connect(output, nodes::GpuComposeConfig::image, target, nodes::GpuReadbackConfig::image);
}

/// The last readback node in execution order (what --png writes), or null.
const nodes::GpuReadbackNode* findReadback(const graph::RenderGraph& graph) {
    const nodes::GpuReadbackNode* found = nullptr;
    for (const graph::NodeId id : graph.report().order) {
        if (const auto* readback = dynamic_cast<const nodes::GpuReadbackNode*>(&graph.node(id))) {
            found = readback;
        }
    }
    return found;
}

}  // namespace

int runSample(const SampleOptions& options) {
    auto context = GpuContext::open(options.validation, options.device);
    if (!context) {
        return failWith(context.error());
    }
    const gpu::Device& device = (*context)->device();
    if (!options.quiet) {
        (*context)->printDevice();
    }

    int exitCode = 0;
    {
        const graph::GraphOptions defaults{
            .budget = nodes::graphBudgetFrom((*context)->budget(), device)};
        // The graph outlives the runtime, whose destructor cleans it up.
        std::unique_ptr<graph::RenderGraph> owned;
        auto runtime = nodes::GpuRuntime::create(device, (*context)->allocator());
        if (!runtime) {
            return failWith(runtime.error());
        }
        if (options.graph.empty()) {
            owned = std::make_unique<graph::RenderGraph>(defaults);
            buildSampleGraph(*owned, **runtime, options);
        } else {
            graph::NodeRegistry registry;
            nodes::registerAllNodes(registry);
            nodes::registerGpuNodes(registry, **runtime);
            auto loaded = graph::loadGraphFile(options.graph, registry, defaults);
            if (!loaded) {
                return failWith(loaded.error());
            }
            owned = std::move(*loaded);
        }
        graph::RenderGraph& graph = *owned;
        (*runtime)->attach(graph);

        std::optional<core::TraceRecorder> trace;
        if (!options.trace.empty()) {
            // Per frame: 4 CPU spans and one GPU span per node, plus a compile or two.
            trace.emplace(std::size_t{options.frames} * (graph.nodeCount() + 4) + 64);
            (*runtime)->setTrace(&*trace);
        }
        {
            const core::TraceRecorder::Scope compileSpan(trace ? &*trace : nullptr, "compile",
                                                         "cpu", core::TraceTrack{0});
            if (Result<void> compiled = graph.compile(); !compiled) {
                return failWith(compiled.error());
            }
        }
        if (!options.quiet) {
            fmt::print("{}", graph.report().describe(graph));
        }

        FrameStats stats;
        stats.milliseconds.reserve(options.frames);
        std::uint32_t warmupLeft = kWarmupFrames;
        for (std::uint32_t frame = 1; frame <= options.frames; ++frame) {
            if (frame == options.resizeAtFrame) {
                const std::uint32_t width = options.width * 3 / 4;
                const std::uint32_t height = options.height * 3 / 4;
                if (!graph.events().emit(events::WindowResized{width, height})) {
                    return failWith(Error{ErrorCode::CapacityExceeded, "event queue full"});
                }
                if (!options.quiet) {
                    fmt::print("frame {}: window resized to {}x{}\n", frame, width, height);
                }
                warmupLeft = kWarmupFrames;
            }
            const std::uint64_t creationsBefore = gpu::CreationGate::count();
            const core::AllocationRegion allocations(core::TrackScope::AllThreads);
            const auto start = std::chrono::steady_clock::now();
            if (Result<void> ran = (*runtime)->frame(); !ran) {
                exitCode = failWith(ran.error());
                break;
            }
            const auto elapsed = std::chrono::steady_clock::now() - start;
            stats.milliseconds.push_back(
                std::chrono::duration<double, std::milli>(elapsed).count());
            if (warmupLeft > 0) {
                --warmupLeft;
                continue;
            }
            ++stats.steadyFrames;
            stats.steadyFramesThatAllocated += allocations.counts().allocations > 0 ? 1U : 0U;
            stats.steadyFramesThatCreated +=
                gpu::CreationGate::count() != creationsBefore ? 1U : 0U;
        }
        if (Result<void> idle = (*runtime)->waitIdle(); !idle) {
            return failWith(idle.error());
        }
        if (exitCode != 0) {
            return exitCode;
        }

        if (trace) {
            if (Result<void> written = trace->writeChromeTrace(options.trace); !written) {
                return failWith(written.error());
            }
            fmt::print("wrote {} ({} events, {} dropped; open it in ui.perfetto.dev)\n",
                       options.trace, trace->size(), trace->dropped());
        }
        if ((*runtime)->timestampsEnabled() && (*runtime)->timedFrames() > 0) {
            fmt::print("GPU time per node (timestamps, mean over {} frames):",
                       (*runtime)->timedFrames());
            for (const graph::NodeId id : graph.report().order) {
                fmt::print(" {} {:.1f} us", graph.node(id).name(),
                           static_cast<double>((*runtime)->gpuNanoseconds(id)) /
                               static_cast<double>((*runtime)->timedFrames()) / 1000.0);
            }
            fmt::print("\n");
        }
        if (!options.png.empty()) {
            const nodes::GpuReadbackNode* readback = findReadback(graph);
            if (readback == nullptr) {
                return failWith(Error{ErrorCode::NotFound,
                                      "--png: the graph has no GpuReadback node to write from"});
            }
            if (Result<void> written = readback->writePng(options.png); !written) {
                return failWith(written.error());
            }
            fmt::print("wrote {} ({}x{})\n", options.png, readback->width(), readback->height());
        }

        std::vector<double> sorted = stats.milliseconds;
        std::sort(sorted.begin(), sorted.end());
        const auto percentile = [&](std::size_t percent) {
            return sorted.empty() ? 0.0 : sorted[percent * (sorted.size() - 1) / 100];
        };
        fmt::print(
            "frames: {} (CPU wall time of GpuRuntime::frame, steady_clock, incl. waits for the "
            "GPU): median {:.3f} ms, p95 {:.3f} ms, max {:.3f} ms\n",
            sorted.size(), percentile(50), percentile(95), sorted.empty() ? 0.0 : sorted.back());
        const nodes::TransientMemoryStats transients = (*runtime)->transientStats();
        const nodes::RebuildStats rebuilds = (*runtime)->rebuildStats();
        fmt::print(
            "rebuilds (invalidation batches): {} with frames in flight ({} frame(s) on the GPU "
            "when they began, {} replaced objects destroyed once those finished), {} after "
            "waiting for the GPU\n",
            rebuilds.withoutWaiting, rebuilds.framesInFlightAtRebuild, rebuilds.retired,
            rebuilds.waited);
        fmt::print("transient arena: {} for {} placed in it ({} transients, {} fallbacks)\n",
                   core::formatBytes(transients.arenaBytes),
                   core::formatBytes(transients.placedBytes), transients.placed,
                   transients.fallbacks);
        fmt::print(
            "steady-state frames (after {} warm-up frames per build): {}; {} allocated on "
            "the heap, {} created Vulkan objects\n",
            kWarmupFrames, stats.steadyFrames, stats.steadyFramesThatAllocated,
            stats.steadyFramesThatCreated);
        fmt::print("{}", graph.allocations().report());
        if (stats.steadyFramesThatCreated > 0) {
            fmt::print(stderr, "vixen sample: steady-state frames created Vulkan objects\n");
            exitCode = 1;
        }
        if (!options.validation && stats.steadyFramesThatAllocated > 0) {
            fmt::print(stderr, "vixen sample: steady-state frames allocated on the heap\n");
            exitCode = 1;
        } else if (options.validation && !options.quiet) {
            fmt::print(
                "(the validation layer allocates on every submit; run with "
                "--no-validation for the zero-allocation check)\n");
        }
        graph.cleanup();
    }
    return (*context)->exitCodeAfterValidation("vixen sample", exitCode);
}

}  // namespace vixen::app
