// Render graph benchmarks on the shape used to compare frame graphs: layers of 10 nodes,
// each node writes one new resource and reads one resource of the previous layer plus
// 0-2 more from any earlier layer (std::mt19937(42)); the last layer is kept as output.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "vixen/core/alloc_tracker.hpp"
#include "vixen/graph/render_graph.hpp"

namespace {

using namespace vixen::graph;

constexpr std::size_t kLayerWidth = 10;

struct BenchResized {
    static constexpr vixen::events::EventCategory kCategory = vixen::events::category::kWindow;
    std::uint32_t width;
    std::uint32_t height;
};

struct PassConfig {
    static constexpr std::string_view kTypeName = "BenchPass";
    static constexpr Input<"reads", int, SlotOptions{.array = true}> reads{};
    static constexpr Output<"written", int> written{};
    static constexpr SlotList slots{reads, written};
};

class PassNode : public TypedNode<PassConfig> {
public:
    explicit PassNode(bool listensToResize = false) : listensToResize_(listensToResize) {}

protected:
    void setup(SetupContext& context) override {
        if (listensToResize_) {
            context.estimate().eventsPerFrame = 1;
            context.invalidateOn<BenchResized>();
        }
    }
    void execute(const ExecuteContext& context) override {
        Out(PassConfig::written) = static_cast<int>(context.frameIndex);
    }

private:
    bool listensToResize_;
};

struct Shape {
    std::vector<std::string> names;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> reads;  // (reader, written-by)
};

Shape makeShape(std::size_t nodeCount) {
    Shape shape;
    std::mt19937 random(42);
    for (std::size_t i = 0; i < nodeCount; ++i) {
        shape.names.push_back(fmt::format("pass{}", i));
        const std::size_t layer = i / kLayerWidth;
        if (layer == 0) {
            continue;
        }
        const std::size_t previousBegin = (layer - 1) * kLayerWidth;
        std::uniform_int_distribution<std::size_t> inPrevious(previousBegin,
                                                              previousBegin + kLayerWidth - 1);
        shape.reads.emplace_back(i, inPrevious(random));
        std::uniform_int_distribution<int> extraCount(0, 2);
        std::uniform_int_distribution<std::size_t> earlier(0, layer * kLayerWidth - 1);
        for (int extra = extraCount(random); extra > 0; --extra) {
            shape.reads.emplace_back(i, earlier(random));
        }
    }
    return shape;
}

/// Declares the shape into `graph`; nodes listed in `listeners` invalidate on BenchResized.
void declare(RenderGraph& graph, const Shape& shape,
             const std::vector<std::size_t>& listeners = {}) {
    std::vector<NodeHandle<PassNode>> handles;
    handles.reserve(shape.names.size());
    graph.reserve(shape.names.size(), shape.reads.size());
    for (std::size_t i = 0; i < shape.names.size(); ++i) {
        const bool listens = std::find(listeners.begin(), listeners.end(), i) != listeners.end();
        handles.push_back(graph.addNode<PassNode>(shape.names[i], listens));
    }
    for (const auto& [reader, writer] : shape.reads) {
        graph.connect(handles[writer], PassConfig::written, handles[reader], PassConfig::reads);
    }
    const std::size_t lastLayer = (shape.names.size() - 1) / kLayerWidth * kLayerWidth;
    for (std::size_t i = lastLayer; i < handles.size(); ++i) {
        graph.setKeepAlive(handles[i].id);
    }
}

void reportAllocations(benchmark::State& state, std::uint64_t allocationsBefore) {
    const std::uint64_t allocations =
        vixen::core::AllocationTracker::allThreads().allocations - allocationsBefore;
    state.counters["allocs_per_iter"] =
        static_cast<double>(allocations) / static_cast<double>(state.iterations());
}

void BM_GraphCompile(benchmark::State& state) {
    const Shape shape = makeShape(static_cast<std::size_t>(state.range(0)));
    const std::uint64_t before = vixen::core::AllocationTracker::allThreads().allocations;
    // Manual timing around declare + compile: destroying the graph is not measured, and
    // PauseTiming would cost more than a small compile.
    for (auto _ : state) {
        const auto started = std::chrono::steady_clock::now();
        auto graph = std::make_unique<RenderGraph>(GraphOptions{.profileAllocations = false});
        declare(*graph, shape);
        auto compiled = graph->compile();
        benchmark::DoNotOptimize(graph->report().order.data());
        state.SetIterationTime(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        if (!compiled) {
            state.SkipWithError(compiled.error().message.c_str());
            break;
        }
    }
    reportAllocations(state, before);
    state.counters["ns_per_node"] = benchmark::Counter(
        static_cast<double>(state.iterations()) * static_cast<double>(state.range(0)),
        benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_GraphCompile)
    ->Arg(100)
    ->Arg(700)
    ->Arg(2000)
    ->Arg(10000)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

void BM_GraphExecute(benchmark::State& state) {
    const bool parallel = state.range(1) != 0;
    RenderGraph graph(
        GraphOptions{.mode = parallel ? ExecutionMode::Parallel : ExecutionMode::Sequential,
                     .profileAllocations = false});
    declare(graph, makeShape(static_cast<std::size_t>(state.range(0))));
    if (auto compiled = graph.compile(); !compiled) {
        state.SkipWithError(compiled.error().message.c_str());
        return;
    }
    graph.execute();
    const std::uint64_t before = vixen::core::AllocationTracker::allThreads().allocations;
    for (auto _ : state) {
        graph.execute();
    }
    reportAllocations(state, before);
    state.counters["ns_per_node"] = benchmark::Counter(
        static_cast<double>(state.iterations()) * static_cast<double>(state.range(0)),
        benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.SetLabel(parallel ? "parallel" : "sequential");
}
BENCHMARK(BM_GraphExecute)
    ->ArgsProduct({{100, 700, 2000, 10000}, {0, 1}})
    ->ArgNames({"nodes", "parallel"});

void BM_RecompileCascade(benchmark::State& state) {
    const Shape shape = makeShape(1000);
    // A 3-node chain: a node of layer 0, a reader of it in layer 1, a reader of that in layer 2.
    std::vector<std::size_t> chain{0};
    for (std::size_t layer = 1; layer < 3; ++layer) {
        for (const auto& [reader, writer] : shape.reads) {
            if (writer == chain.back() && reader / kLayerWidth == layer) {
                chain.push_back(reader);
                break;
            }
        }
    }
    RenderGraph graph(GraphOptions{.profileAllocations = false});
    declare(graph, shape, chain);
    if (auto compiled = graph.compile(); !compiled || chain.size() != 3) {
        state.SkipWithError("could not build the cascade graph");
        return;
    }
    std::uint64_t compilesBefore = 0;
    for (std::uint32_t i = 0; i < graph.nodeCapacity(); ++i) {
        compilesBefore += graph.compileCount(NodeId{i});
    }
    const std::uint64_t before = vixen::core::AllocationTracker::allThreads().allocations;
    for (auto _ : state) {
        static_cast<void>(graph.events().emit(BenchResized{1920, 1080}));
        auto processed = graph.processInvalidations();
        benchmark::DoNotOptimize(processed);
    }
    reportAllocations(state, before);
    std::uint64_t compilesAfter = 0;
    for (std::uint32_t i = 0; i < graph.nodeCapacity(); ++i) {
        compilesAfter += graph.compileCount(NodeId{i});
    }
    state.counters["recompiled_per_iter"] = static_cast<double>(compilesAfter - compilesBefore) /
                                            static_cast<double>(state.iterations());
}
BENCHMARK(BM_RecompileCascade)->Unit(benchmark::kMicrosecond);

}  // namespace
