#include "demo.hpp"

#include <fmt/format.h>

#include <chrono>

#include "vixen/core/alloc_tracker.hpp"
#include "vixen/events/engine_events.hpp"
#include "vixen/graph/render_graph.hpp"
#include "vixen/nodes/cpu_image_nodes.hpp"

namespace vixen::app {
namespace {

using nodes::BlendConfig;
using nodes::BlendNode;
using nodes::BlurConfig;
using nodes::BlurNode;
using nodes::GradientConfig;
using nodes::GradientNode;
using nodes::ImageStatsConfig;
using nodes::ImageStatsNode;

struct DemoGraph {
    graph::NodeHandle<GradientNode> gradient;
    graph::NodeHandle<BlurNode> soft;
    graph::NodeHandle<BlurNode> wide;
    graph::NodeHandle<BlendNode> blend;
    graph::NodeHandle<ImageStatsNode> stats;
    graph::NodeHandle<BlurNode> unused;
};

// gradient -> soft blur -> blend <- wide blur <- gradient; blend -> stats.
// "debug_blur" consumes the gradient but nothing consumes it: the compile culls it.
DemoGraph wire(graph::RenderGraph& graph, const DemoOptions& options) {
    DemoGraph g;
    g.gradient = graph.addNode<GradientNode>("gradient", options.width, options.height, true);
    g.soft = graph.addNode<BlurNode>("soft_blur", 1U);
    g.wide = graph.addNode<BlurNode>("wide_blur", 4U);
    g.blend = graph.addNode<BlendNode>("blend");
    g.stats = graph.addNode<ImageStatsNode>("stats");
    g.unused = graph.addNode<BlurNode>("debug_blur", 2U);
    graph.connect(g.gradient, GradientConfig::image, g.soft, BlurConfig::source);
    graph.connect(g.gradient, GradientConfig::image, g.wide, BlurConfig::source);
    graph.connect(g.gradient, GradientConfig::image, g.unused, BlurConfig::source);
    graph.connect(g.soft, BlurConfig::result, g.blend, BlendConfig::layers);
    graph.connect(g.wide, BlurConfig::result, g.blend, BlendConfig::layers);
    graph.connect(g.blend, BlendConfig::result, g.stats, ImageStatsConfig::image);
    return g;
}

}  // namespace

int runDemo(const DemoOptions& options) {
    if (options.allocationCallSites) {
        core::AllocationTracker::setCallSiteCapture(true);
    }
    graph::GraphOptions graphOptions;
    graphOptions.mode =
        options.parallel ? graph::ExecutionMode::Parallel : graph::ExecutionMode::Sequential;
    graphOptions.workerThreads = options.workers;
    graph::RenderGraph graph(graphOptions);
    const DemoGraph g = wire(graph, options);

    fmt::print("VIXEN demo: CPU image graph, {} frames, {} execution, {}x{} pixels\n\n",
               options.frames, options.parallel ? "parallel" : "sequential", options.width,
               options.height);
    const Result<void> compiled = graph.compile();
    fmt::print("{}\n", graph.report().describe(graph));
    if (!compiled) {
        fmt::print(stderr, "error: {}\n", compiled.error().message);
        return 1;
    }

    const auto& stats = static_cast<const ImageStatsNode&>(graph.node(g.stats.id));
    std::chrono::nanoseconds executeTime{0};
    std::uint64_t executedFrames = 0;
    for (std::uint32_t frame = 0; frame < options.frames; ++frame) {
        if (options.resizeAtFrame != 0 && frame == options.resizeAtFrame) {
            const events::WindowResized resized{options.width / 2, options.height / 2 + 16};
            if (!graph.events().emit(resized)) {
                fmt::print(stderr, "error: event queue full at frame {}\n", frame);
                return 1;
            }
            fmt::print("frame {:>4}: WindowResized {}x{} emitted\n", frame, resized.width,
                       resized.height);
        }
        const auto before = std::chrono::steady_clock::now();
        const Result<void> result = graph.frame();
        executeTime += std::chrono::steady_clock::now() - before;
        ++executedFrames;
        if (!result) {
            fmt::print(stderr, "error at frame {}: {}\n", frame, result.error().message);
            return 1;
        }
        const bool resizedNow = options.resizeAtFrame != 0 && frame == options.resizeAtFrame;
        if (!options.quiet && (frame % 60 == 0 || resizedNow || frame + 1 == options.frames)) {
            fmt::print("frame {:>4}: {}x{} mean {:.4f} min {:.4f} max {:.4f}\n", frame,
                       stats.last().width, stats.last().height, stats.last().mean,
                       stats.last().minimum, stats.last().maximum);
        }
        if (resizedNow) {
            fmt::print(
                "            one batch recompiled each dependent once; compile counts now: "
                "gradient {}, soft_blur {}, wide_blur {}, blend {}, stats {}\n",
                graph.compileCount(g.gradient.id), graph.compileCount(g.soft.id),
                graph.compileCount(g.wide.id), graph.compileCount(g.blend.id),
                graph.compileCount(g.stats.id));
        }
    }
    graph.cleanup();
    fmt::print("\n{}", graph.allocations().report());
    if (options.allocationCallSites) {
        core::AllocationTracker::setCallSiteCapture(false);
        fmt::print("allocation call sites (all phases, busiest first):\n{}",
                   core::AllocationTracker::callSiteReport(6));
    }
    if (executedFrames > 0) {
        fmt::print(
            "frame time: {:.1f} us mean over {} frames (steady_clock around "
            "RenderGraph::frame, event dispatch and recompiles included)\n",
            static_cast<double>(executeTime.count()) / 1000.0 / static_cast<double>(executedFrames),
            executedFrames);
    }
    const auto& execute = graph.allocations().phase(core::Phase::Execute);
    if (execute.counts.allocations != 0) {
        fmt::print(stderr, "error: execute allocated {} times; the runtime must allocate nothing\n",
                   execute.counts.allocations);
        return 1;
    }
    return 0;
}

}  // namespace vixen::app
