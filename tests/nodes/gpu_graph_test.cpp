// GPU graphs on lavapipe: the headless target with readback, barriers derived from slots
// (synchronization validation on), transient aliasing, resize cascades with the dry-run
// budget check, the steady-state frame, and fault injection across a whole graph build.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <regex>

#include "gpu_graph_fixture.hpp"
#include "vixen/core/alloc_tracker.hpp"
#include "vixen/events/engine_events.hpp"
#include "vixen/gpu/budget_manager.hpp"
#include "vixen/gpu/creation_gate.hpp"
#include "vixen/gpu/memory_allocator.hpp"
#include "vixen/graph/graph_loader.hpp"
#include "vixen/nodes/gpu_image_nodes.hpp"
#include "vixen/nodes/gpu_runtime.hpp"
#include "vixen/nodes/node_catalog.hpp"

namespace vixen::nodes {
namespace {

TEST_F(GpuGraphTest, RendersHeadlessAndReadsBackToPng) {
    GpuGraph& gpu = makeGraph();
    GpuReadbackNode& readback = gpu.buildSideBySide(64, 32);
    ASSERT_TRUE(gpu.graph.compile()) << gpu.graph.report().describe(gpu.graph);
    for (int frame = 0; frame < 3; ++frame) {
        ASSERT_TRUE(gpu.runtime->frame());
    }
    ASSERT_TRUE(gpu.runtime->waitIdle());

    auto pixels = readback.pixels();
    ASSERT_TRUE(pixels) << pixels.error().message;
    // Frame index 2 wrote red = 2/255 into both patterns.
    EXPECT_EQ(pixelAt(*pixels, 64, 5, 5), (std::array<int, 4>{2, 0, 0, 255}));
    EXPECT_EQ(pixelAt(*pixels, 64, 50, 20), (std::array<int, 4>{2, 128, 255, 255}));

    const auto path = std::filesystem::temp_directory_path() / "vixen_gpu_graph_test.png";
    ASSERT_TRUE(readback.writePng(path.string()));
    std::ifstream png(path, std::ios::binary);
    char signature[8]{};
    png.read(signature, sizeof signature);
    EXPECT_EQ(std::string(signature + 1, 3), "PNG");
    EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
    std::filesystem::remove(path);
    EXPECT_GT(gpu.runtime->barriersRecorded(), 0U);
}

TEST_F(GpuGraphTest, ReadingBackBeforeTheGpuFinishedIsAClearError) {
    GpuGraph& gpu = makeGraph();
    GpuReadbackNode& readback = gpu.buildSideBySide(16, 16);
    ASSERT_TRUE(gpu.graph.compile());
    auto none = readback.pixels();
    ASSERT_FALSE(none);
    EXPECT_NE(none.error().message.find("no frame has been read back yet"), std::string::npos);
    const auto bad = readback.writePng("/nonexistent-directory/out.png");
    EXPECT_FALSE(bad);
}

TEST_F(GpuGraphTest, TransientsWithDisjointLifetimesShareMemory) {
    // a -> b -> c -> d -> readback, all but d transient: a's and c's lifetimes do not
    // overlap, so they share memory, and the picture is still right.
    GpuGraph& gpu = makeGraph();
    // Large enough that the arena's 64 KiB granularity does not hide the sharing.
    const GpuImageShape shape{256, 256, false, true};
    auto a = gpu.graph.addNode<GpuPatternNode>("a", *gpu.runtime, shape, kTeal);
    auto b = gpu.graph.addNode<GpuComposeNode>("b", *gpu.runtime, shape);
    auto c = gpu.graph.addNode<GpuComposeNode>("c", *gpu.runtime, shape);
    auto d =
        gpu.graph.addNode<GpuComposeNode>("d", *gpu.runtime, GpuImageShape{256, 256, false, false});
    auto out = gpu.graph.addNode<GpuReadbackNode>("readback", *gpu.runtime);
    gpu.graph.connect(a, GpuPatternConfig::image, b, GpuComposeConfig::layers);
    gpu.graph.connect(b, GpuComposeConfig::image, c, GpuComposeConfig::layers);
    gpu.graph.connect(c, GpuComposeConfig::image, d, GpuComposeConfig::layers);
    gpu.graph.connect(d, GpuComposeConfig::image, out, GpuReadbackConfig::image);
    ASSERT_TRUE(gpu.graph.compile());

    EXPECT_EQ(gpu.graph.report().aliasingSavedBytes(), 256U * 256 * 4);
    const TransientMemoryStats stats = gpu.runtime->transientStats();
    EXPECT_EQ(stats.placed, 3U);
    EXPECT_EQ(stats.fallbacks, 0U);
    EXPECT_LT(stats.arenaBytes, stats.placedBytes) << "a and c must overlap in memory";

    for (int frame = 0; frame < 4; ++frame) {
        ASSERT_TRUE(gpu.runtime->frame());
    }
    ASSERT_TRUE(gpu.runtime->waitIdle());
    auto pixels = static_cast<GpuReadbackNode&>(gpu.graph.node(out.id)).pixels();
    ASSERT_TRUE(pixels);
    EXPECT_EQ(pixelAt(*pixels, 256, 128, 128), (std::array<int, 4>{3, 128, 255, 255}));
}

TEST_F(GpuGraphTest, AResizeRecompilesTheChainOnceAndAnOversizedOneFailsCleanly) {
    graph::GraphOptions options;
    options.budget.memoryBytes[static_cast<std::size_t>(graph::MemoryKind::DeviceLocal)] =
        std::uint64_t{64} << 20;
    GpuGraph& gpu = makeGraph(options);
    GpuReadbackNode& readback = gpu.buildSideBySide(64, 32, true);
    ASSERT_TRUE(gpu.graph.compile());
    ASSERT_TRUE(gpu.runtime->frame());

    ASSERT_TRUE(gpu.graph.events().emit(events::WindowResized{96, 48}));
    ASSERT_TRUE(gpu.runtime->frame());
    ASSERT_TRUE(gpu.runtime->waitIdle());
    EXPECT_EQ(readback.width(), 96U);
    EXPECT_EQ(readback.height(), 48U);
    EXPECT_EQ(gpu.graph.compileCount(gpu.graph.findNode("compose")->id()), 2U);
    EXPECT_EQ(gpu.graph.compileCount(readback.id()), 2U);

    // 8192 x 4096 RGBA8 is 128 MiB for the compose alone: over the 64 MiB budget.
    ASSERT_TRUE(gpu.graph.events().emit(events::WindowResized{8192, 4096}));
    const Result<void> refused = gpu.runtime->frame();
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::OverBudget);
    EXPECT_NE(refused.error().message.find("'compose' 128.00 MiB"), std::string::npos)
        << refused.error().message;
    EXPECT_EQ(gpu.graph.compileCount(readback.id()), 2U) << "nothing was rebuilt";

    ASSERT_TRUE(gpu.runtime->frame()) << "the graph keeps rendering at its old size";
    ASSERT_TRUE(gpu.runtime->waitIdle());
    EXPECT_EQ(readback.width(), 96U);
    EXPECT_TRUE(readback.pixels());
}

TEST_F(GpuGraphTest, AComputeNodeWritesThroughDescriptorsMadeFromReflection) {
    GpuGraph& gpu = makeGraph();
    auto gradient = gpu.graph.addNode<GpuGradientNode>("gradient", *gpu.runtime,
                                                       GpuImageShape{16, 8, true, false});
    auto out = gpu.graph.addNode<GpuReadbackNode>("readback", *gpu.runtime);
    gpu.graph.connect(gradient, GpuGradientConfig::image, out, GpuReadbackConfig::image);
    ASSERT_TRUE(gpu.graph.compile()) << gpu.graph.report().describe(gpu.graph);
    EXPECT_EQ(gpu.graph.report().totalEstimate.descriptors[static_cast<std::size_t>(
                  graph::DescriptorKind::StorageImage)],
              1U);
    const auto& readback = static_cast<GpuReadbackNode&>(gpu.graph.node(out.id));
    const auto expectCorners = [&](std::uint32_t width, std::uint32_t height) {
        auto pixels = readback.pixels();
        ASSERT_TRUE(pixels) << pixels.error().message;
        // red = u, blue = 1 - u, at pixel centres.
        const auto left = pixelAt(*pixels, width, 0, 0);
        const auto right = pixelAt(*pixels, width, width - 1, height - 1);
        EXPECT_NEAR(left[0], 255.0 * 0.5 / width, 1.0);
        EXPECT_NEAR(left[2], 255.0 * (1.0 - 0.5 / width), 1.0);
        EXPECT_NEAR(right[0], 255.0 * (width - 0.5) / width, 1.0);
        EXPECT_EQ(right[3], 255);
    };
    ASSERT_TRUE(gpu.runtime->frame());
    ASSERT_TRUE(gpu.runtime->waitIdle());
    expectCorners(16, 8);

    // A resize rebuilds the image and rewrites the set in the same pool.
    ASSERT_TRUE(gpu.graph.events().emit(events::WindowResized{40, 24}));
    ASSERT_TRUE(gpu.runtime->frame());
    ASSERT_TRUE(gpu.runtime->waitIdle());
    EXPECT_EQ(readback.width(), 40U);
    expectCorners(40, 24);
}

TEST_F(GpuGraphTest, TracesCpuPhasesAndGpuNodeTimes) {
    GpuGraph& gpu = makeGraph();
    gpu.buildSideBySide(32, 16);
    ASSERT_TRUE(gpu.graph.compile());
    core::TraceRecorder trace(4096);
    gpu.runtime->setTrace(&trace);
    for (int frame = 0; frame < 5; ++frame) {
        ASSERT_TRUE(gpu.runtime->frame());
    }
    ASSERT_TRUE(gpu.runtime->waitIdle());
    ASSERT_TRUE(gpu.runtime->timestampsEnabled()) << "lavapipe's queue writes timestamps";
    EXPECT_EQ(gpu.runtime->timedFrames(), 5U);

    std::size_t gpuCompose = 0;
    std::size_t cpuRecord = 0;
    for (const core::TraceEvent& event : trace.events()) {
        if (event.category == "gpu" && event.name == "compose") {
            ++gpuCompose;
            // A blit of 64x32 texels takes measurable time, and far less than a second.
            EXPECT_GT(event.durationNs, 0);
            EXPECT_LT(event.durationNs, 1'000'000'000);
        }
        cpuRecord += event.category == "cpu" && event.name == "record" ? 1U : 0U;
    }
    EXPECT_EQ(gpuCompose, 5U);
    EXPECT_EQ(cpuRecord, 5U);
    EXPECT_GT(gpu.runtime->gpuNanoseconds(gpu.graph.findNode("compose")->id()), 0U);
    const std::string json = trace.toChromeTraceJson();
    EXPECT_NE(json.find("\"name\":\"compose\""), std::string::npos);
    gpu.runtime->setTrace(nullptr);
}

TEST_F(GpuGraphTest, ADeviceLossIsAClearErrorAndLatchesWithoutHanging) {
    GpuGraph& gpu = makeGraph();
    gpu.buildSideBySide(16, 16);
    ASSERT_TRUE(gpu.graph.compile());
    ASSERT_TRUE(gpu.runtime->frame());
    gpu::SubmitGate::loseDeviceAtNextSubmit();
    const Result<void> lost = gpu.runtime->frame();
    ASSERT_FALSE(lost);
    EXPECT_EQ(lost.error().code, ErrorCode::DeviceLost);
    EXPECT_NE(lost.error().message.find("VK_ERROR_DEVICE_LOST"), std::string::npos)
        << lost.error().message;
    EXPECT_NE(lost.error().message.find("create them again"), std::string::npos);
    EXPECT_TRUE(gpu.runtime->deviceLost());

    const auto start = std::chrono::steady_clock::now();
    const Result<void> again = gpu.runtime->frame();
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::DeviceLost);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
}

TEST_F(GpuGraphTest, AGraphOverTheDevicesBudgetFailsAtCompileNamingTheNodes) {
    gpu::BudgetOptions tight;
    tight.heaps.assign(device_->physical().heaps.size(), gpu::HeapLimits{1 << 20, 1 << 20});
    gpu::BudgetManager budget(device_->physical(), tight);
    GpuGraph& gpu = makeGraph(graph::GraphOptions{.budget = graphBudgetFrom(budget, *device_)});
    auto gradient = gpu.graph.addNode<GpuGradientNode>("gradient", *gpu.runtime,
                                                       GpuImageShape{1024, 1024, false, false});
    auto out = gpu.graph.addNode<GpuReadbackNode>("readback", *gpu.runtime);
    gpu.graph.connect(gradient, GpuGradientConfig::image, out, GpuReadbackConfig::image);
    const Result<void> compiled = gpu.graph.compile();
    ASSERT_FALSE(compiled);
    EXPECT_EQ(compiled.error().code, ErrorCode::OverBudget);
    EXPECT_NE(compiled.error().message.find("estimated device-local memory 4.00 MiB exceeds the "
                                            "budget of 1.00 MiB; largest: 'gradient' 4.00 MiB"),
              std::string::npos)
        << compiled.error().message;
}

TEST_F(GpuGraphTest, UploadsAtCompileThroughStagingSizedFromTheEstimates) {
    GpuGraph& gpu = makeGraph();
    auto board = gpu.graph.addNode<GpuCheckerboardNode>("board", *gpu.runtime,
                                                        GpuImageShape{16, 8, true, false}, 4U);
    auto out = gpu.graph.addNode<GpuReadbackNode>("readback", *gpu.runtime);
    gpu.graph.connect(board, GpuCheckerboardConfig::image, out, GpuReadbackConfig::image);
    ASSERT_TRUE(gpu.graph.compile()) << gpu.graph.report().describe(gpu.graph);
    EXPECT_EQ(gpu.graph.report().totalEstimate.stagingBytes, 16U * 8 * 4);
    const gpu::Uploader* uploader = gpu.runtime->uploader();
    ASSERT_NE(uploader, nullptr);
    EXPECT_GE(uploader->staging().capacity(), 16U * 8 * 4);

    const auto& readback = static_cast<GpuReadbackNode&>(gpu.graph.node(out.id));
    const auto expectBoard = [&](std::uint32_t width) {
        auto pixels = readback.pixels();
        ASSERT_TRUE(pixels) << pixels.error().message;
        EXPECT_EQ(pixelAt(*pixels, width, 0, 0), (std::array<int, 4>{230, 230, 230, 255}));
        EXPECT_EQ(pixelAt(*pixels, width, 4, 0), (std::array<int, 4>{40, 40, 40, 255}));
        EXPECT_EQ(pixelAt(*pixels, width, 4, 4), (std::array<int, 4>{230, 230, 230, 255}));
    };
    for (int frame = 0; frame < 3; ++frame) {
        ASSERT_TRUE(gpu.runtime->frame());
    }
    ASSERT_TRUE(gpu.runtime->waitIdle());
    expectBoard(16);

    // A bigger window needs more staging: the runtime grows it before the nodes recompile.
    ASSERT_TRUE(gpu.graph.events().emit(events::WindowResized{64, 32}));
    ASSERT_TRUE(gpu.runtime->frame());
    ASSERT_TRUE(gpu.runtime->waitIdle());
    uploader = gpu.runtime->uploader();  // grown: a new one
    ASSERT_NE(uploader, nullptr);
    EXPECT_GE(uploader->staging().capacity(), 64U * 32 * 4);
    EXPECT_EQ(readback.width(), 64U);
    expectBoard(64);
}

TEST_F(GpuGraphTest, SlotBarriersAreDerivedAtCompileAndReplayedEveryFrame) {
    // An image uploaded at compile and read back every frame: the first frame after the
    // compile needs the upload made visible to the copy; every later frame needs nothing.
    GpuGraph& gpu = makeGraph();
    auto board = gpu.graph.addNode<GpuCheckerboardNode>("board", *gpu.runtime,
                                                        GpuImageShape{16, 16, true, false}, 4U);
    auto out = gpu.graph.addNode<GpuReadbackNode>("readback", *gpu.runtime);
    gpu.graph.connect(board, GpuCheckerboardConfig::image, out, GpuReadbackConfig::image);
    ASSERT_TRUE(gpu.graph.compile());
    EXPECT_EQ(gpu.runtime->firstFrameSlotBarriers(), 1U);
    EXPECT_EQ(gpu.runtime->steadySlotBarriers(), 0U);
    for (int frame = 0; frame < 3; ++frame) {
        ASSERT_TRUE(gpu.runtime->frame());
    }
    // A resize uploads a new image: its first frame needs the barrier again.
    ASSERT_TRUE(gpu.graph.events().emit(events::WindowResized{24, 8}));
    ASSERT_TRUE(gpu.runtime->frame());
    EXPECT_EQ(gpu.runtime->firstFrameSlotBarriers(), 1U);
    EXPECT_EQ(gpu.runtime->steadySlotBarriers(), 0U);
    ASSERT_TRUE(gpu.runtime->frame());
    ASSERT_TRUE(gpu.runtime->waitIdle());
    auto pixels = static_cast<GpuReadbackNode&>(gpu.graph.node(out.id)).pixels();
    ASSERT_TRUE(pixels);
    EXPECT_EQ(pixelAt(*pixels, 24, 1, 1), (std::array<int, 4>{230, 230, 230, 255}));
    EXPECT_EQ(pixelAt(*pixels, 24, 5, 1), (std::array<int, 4>{40, 40, 40, 255}));

    // Transients start each frame from "discarded", so every frame needs the same barriers.
    GpuGraph& other = makeGraph();
    other.buildSideBySide(32, 16);
    ASSERT_TRUE(other.graph.compile());
    EXPECT_GT(other.runtime->steadySlotBarriers(), 0U);
    EXPECT_EQ(other.runtime->steadySlotBarriers(), other.runtime->firstFrameSlotBarriers());
    // Recorded in order, the two patterns (one wave) take their barriers in one call: three
    // calls for four nodes.
    EXPECT_EQ(other.runtime->steadySlotBarrierCalls(), 3U);
    for (int frame = 0; frame < 3; ++frame) {
        ASSERT_TRUE(other.runtime->frame());
    }
}

TEST_F(GpuGraphTest, AGraphFileBuildsGpuNodesOnARuntimeAttachedAfterwards) {
    GpuGraph& gpu = makeGraph();
    auto runtime = GpuRuntime::create(*device_, gpu.allocator);
    ASSERT_TRUE(runtime) << runtime.error().message;
    graph::NodeRegistry registry;
    registerAllNodes(registry);
    registerGpuNodes(registry, **runtime);
    constexpr std::string_view kBadCell = R"({"vixen_graph": 1, "nodes": [
        {"name": "board", "type": "GpuCheckerboard", "params": {"cell": 0, "width": 8}}]})";
    const auto refused = graph::loadGraph(kBadCell, "bad.json", registry);
    ASSERT_FALSE(refused);
    EXPECT_NE(
        refused.error().message.find("bad.json: /nodes/0/params/cell: parameter 'cell' of node "
                                     "'board' (GpuCheckerboard): must be between 1 and 4096"),
        std::string::npos)
        << refused.error().message;

    constexpr std::string_view kScene = R"({"vixen_graph": 1, "nodes": [
        {"name": "board", "type": "GpuCheckerboard",
         "params": {"width": 16, "height": 8, "cell": 4, "follow_window": false}},
        {"name": "sea", "type": "GpuPattern", "params": {"width": 16, "height": 8,
         "red": 0.0, "green": 0.5, "blue": 1.0, "follow_window": false}},
        {"name": "both", "type": "GpuCompose",
         "params": {"width": 32, "height": 8, "follow_window": false}},
        {"name": "out", "type": "GpuReadback"}],
      "connections": [{"from": "board.image", "to": "both.layers"},
                      {"from": "sea.image", "to": "both.layers"},
                      {"from": "both.image", "to": "out.image"}]})";
    auto loaded = graph::loadGraph(kScene, "scene.json", registry);
    ASSERT_TRUE(loaded) << loaded.error().message;
    graph::RenderGraph& graph = **loaded;
    (*runtime)->attach(graph);
    ASSERT_TRUE(graph.compile()) << graph.report().describe(graph);
    ASSERT_TRUE((*runtime)->frame());
    ASSERT_TRUE((*runtime)->frame());
    ASSERT_TRUE((*runtime)->waitIdle());
    auto pixels = static_cast<GpuReadbackNode&>(*graph.findNode("out")).pixels();
    ASSERT_TRUE(pixels) << pixels.error().message;
    EXPECT_EQ(pixelAt(*pixels, 32, 1, 1), (std::array<int, 4>{230, 230, 230, 255}));
    EXPECT_EQ(pixelAt(*pixels, 32, 20, 4), (std::array<int, 4>{1, 128, 255, 255}));
    runtime->reset();  // cleans the graph up before it goes
}

TEST_F(GpuGraphTest, AStructuralChangeOnARunningGraphWaitsForItsFrames) {
    // Frames in flight still use the images a structural compile destroys; the validation
    // layer reports destroying an object in use, so a missing wait fails this test.
    GpuGraph& gpu = makeGraph();
    GpuReadbackNode& readback = gpu.buildSideBySide(64, 32);
    ASSERT_TRUE(gpu.graph.compile());
    for (int frame = 0; frame < 3; ++frame) {
        ASSERT_TRUE(gpu.runtime->frame());
    }
    auto extra = gpu.graph.addNode<GpuPatternNode>("extra", *gpu.runtime,
                                                   GpuImageShape{32, 32, false, true}, kTeal);
    gpu.graph.connect(extra, GpuPatternConfig::image,
                      graph::NodeHandle<GpuComposeNode>{gpu.graph.findNode("compose")->id()},
                      GpuComposeConfig::layers);
    ASSERT_TRUE(gpu.graph.compile());
    for (int frame = 0; frame < 3; ++frame) {
        ASSERT_TRUE(gpu.runtime->frame());
    }
    ASSERT_TRUE(gpu.graph.removeNode(extra.id));
    ASSERT_TRUE(gpu.graph.compile());
    ASSERT_TRUE(gpu.runtime->frame());
    ASSERT_TRUE(gpu.runtime->waitIdle());
    EXPECT_TRUE(readback.pixels());
}

TEST_F(GpuGraphTest, DestroyingTheRuntimeCleansUpTheGraphFirst) {
    // The graph outlives the runtime here, as when an application declares the runtime
    // after the graph: the runtime's destructor cleans the GPU nodes up while it can.
    gpu::BudgetManager budget(device_->physical());
    gpu::DeviceMemoryAllocator allocator(*device_, budget);
    graph::RenderGraph graph;
    {
        auto runtime = GpuRuntime::create(graph, *device_, allocator);
        ASSERT_TRUE(runtime);
        auto pattern = graph.addNode<GpuPatternNode>("pattern", **runtime,
                                                     GpuImageShape{16, 16, false, true}, kRed);
        auto out = graph.addNode<GpuReadbackNode>("readback", **runtime);
        graph.connect(pattern, GpuPatternConfig::image, out, GpuReadbackConfig::image);
        ASSERT_TRUE(graph.compile());
        ASSERT_TRUE((*runtime)->frame());
    }
    EXPECT_FALSE(graph.compiled());
    EXPECT_EQ(allocator.statistics().total.allocationCount, 0U) << "every image was freed";
}

TEST_F(GpuGraphTest, AParallelGraphRecordsItsWavesOnTheWorkers) {
    // The same picture as the sequential graph, every node recorded on the worker pool into
    // its worker's secondary command buffer of its wave's batch (the batch's barriers in
    // the primary before it); synchronization validation checks the barriers.
    GpuGraph& gpu =
        makeGraph(graph::GraphOptions{.mode = graph::ExecutionMode::Parallel, .workerThreads = 3});
    GpuReadbackNode& readback = gpu.buildSideBySide(64, 32, true);
    ASSERT_TRUE(gpu.graph.compile()) << gpu.graph.report().describe(gpu.graph);
    for (int frame = 0; frame < 3; ++frame) {
        ASSERT_TRUE(gpu.runtime->frame());
    }
    ASSERT_TRUE(gpu.runtime->waitIdle());
    ASSERT_TRUE(gpu.runtime->recordsInParallel());
    auto pixels = readback.pixels();
    ASSERT_TRUE(pixels) << pixels.error().message;
    EXPECT_EQ(pixelAt(*pixels, 64, 5, 5), (std::array<int, 4>{2, 0, 0, 255}));
    EXPECT_EQ(pixelAt(*pixels, 64, 50, 20), (std::array<int, 4>{2, 128, 255, 255}));
    EXPECT_GT(gpu.runtime->timedFrames(), 0U);
    EXPECT_GT(gpu.runtime->gpuNanoseconds(gpu.graph.findNode("compose")->id()), 0U);

    // A resize rebuilds the three images (an image and a view each), not the workers'
    // command buffers.
    const std::uint64_t creations = gpu::CreationGate::count();
    ASSERT_TRUE(gpu.graph.events().emit(events::WindowResized{32, 16}));
    ASSERT_TRUE(gpu.runtime->frame());
    ASSERT_TRUE(gpu.runtime->waitIdle());
    EXPECT_EQ(readback.width(), 32U);
    EXPECT_TRUE(readback.pixels());
    EXPECT_LE(gpu::CreationGate::count() - creations, 3U * 2 + 2)
        << "images, views and at most a block of memory and the readback buffer";
}

/// Fault injection across a whole graph: `run` builds a graph on a GpuGraph and runs it
/// (frames, a resize, ...). The creations of one clean run are counted, then each is failed
/// in turn. Every failure names the Vulkan call and the node (or the runtime's own part) it
/// was for; the graph recovers (it compiles and renders once the fault is gone); and once
/// the graph and the runtime are gone, no device memory is allocated and no budget is held.
/// The validation layer, where on, reports any Vulkan object left at device destruction;
/// where off, LeakSanitizer checks the host heap (the sanitizer preset).
void sweepFaults(const gpu::Device& device, graph::GraphOptions options,
                 const std::function<Result<void>(GpuGraph&)>& run) {
    std::uint64_t creations = 0;
    {
        const std::uint64_t before = gpu::CreationGate::count();
        GpuGraph probe(device, options);
        ASSERT_TRUE(run(probe));
        creations = gpu::CreationGate::count() - before;
    }
    ASSERT_GT(creations, 5U);
    const std::regex namesTheCall("vk[A-Z][A-Za-z0-9]+ failed with VK_ERROR_OUT_OF_DEVICE_MEMORY");
    std::uint64_t failedRuns = 0;
    for (std::uint64_t nth = 1; nth <= creations; ++nth) {
        const std::uint64_t injected = gpu::CreationGate::injectedFailures();
        std::optional<gpu::ScopedFaultInjection> fault(std::in_place, nth);
        GpuGraph gpu(device, options);
        if (!gpu.runtime) {
            // The runtime's own pacer failed: the error names the call and what it was for.
            ASSERT_TRUE(gpu.runtimeError);
            EXPECT_TRUE(std::regex_search(gpu.runtimeError->message, namesTheCall))
                << gpu.runtimeError->message;
            continue;
        }
        Result<void> ran = run(gpu);
        ASSERT_EQ(gpu::CreationGate::injectedFailures(), injected + 1)
            << "creation " << nth << " of " << creations << " was not reached";
        if (!ran) {
            ++failedRuns;
            const std::string& message = ran.error().message;
            EXPECT_TRUE(std::regex_search(message, namesTheCall)) << message;
            // A node's creation names the node; the runtime's own (timestamps, staging, rings,
            // command buffers) says so.
            EXPECT_TRUE(message.find("node '") != std::string::npos ||
                        message.find("GPU runtime") != std::string::npos)
                << "names no node: " << message;
            fault.reset();
            ASSERT_TRUE(gpu.graph.compile()) << "after failing creation " << nth;
            ASSERT_TRUE(gpu.runtime->frame()) << "after failing creation " << nth;
            ASSERT_TRUE(gpu.runtime->frame()) << "after failing creation " << nth;
        } else {
            // The allocator recovers from a failed block allocation with a dedicated one.
            EXPECT_NE(gpu.allocator.statistics().blockFallbacks, 0U) << "creation " << nth;
        }
        ASSERT_TRUE(gpu.runtime->waitIdle());
        gpu.graph.cleanup();
        gpu.runtime.reset();
        gpu.allocator.releaseEmptyBlocks();
        const gpu::MemoryTypeStatistics total = gpu.allocator.statistics().total;
        EXPECT_EQ(total.allocationCount, 0U) << "after failing creation " << nth;
        EXPECT_EQ(total.blockBytes, 0U) << "after failing creation " << nth;
        for (std::uint32_t heap = 0; heap < gpu.budget.heapCount(); ++heap) {
            EXPECT_EQ(gpu.budget.heap(heap).used, 0U)
                << "heap " << heap << " after failing creation " << nth;
        }
    }
    EXPECT_GT(failedRuns, creations / 2);
}

/// Compiles and renders two frames of the side-by-side graph, checking the picture.
Result<void> renderSideBySide(GpuGraph& gpu) {
    GpuReadbackNode& readback = gpu.buildSideBySide(32, 16, true);
    VIXEN_TRY(gpu.graph.compile());
    VIXEN_TRY(gpu.runtime->frame());
    VIXEN_TRY(gpu.runtime->frame());
    VIXEN_TRY(gpu.runtime->waitIdle());
    VIXEN_TRY(readback.pixels());
    return {};
}

TEST_F(GpuGraphTest, EveryFailedCreationNamesTheCallAndTheNodeAndLeavesNothingBehind) {
    sweepFaults(*device_, {}, renderSideBySide);
}

TEST_F(GpuGraphTest, EveryFailedCreationOfAParallelGraphIsRecoverable) {
    sweepFaults(*device_,
                graph::GraphOptions{.mode = graph::ExecutionMode::Parallel, .workerThreads = 2},
                renderSideBySide);
}

TEST_F(GpuGraphTest, EveryFailedCreationDuringAResizeRebuildIsRecoverable) {
    sweepFaults(*device_, {}, [](GpuGraph& gpu) -> Result<void> {
        VIXEN_TRY(renderSideBySide(gpu));
        VIXEN_TRY(gpu.runtime->frame());  // in flight while the resize rebuilds
        if (!gpu.graph.events().emit(events::WindowResized{48, 24})) {
            return fail(ErrorCode::CapacityExceeded, "event queue full");
        }
        VIXEN_TRY(gpu.runtime->frame());
        VIXEN_TRY(gpu.runtime->frame());
        return {};
    });
}

class GpuFaultSweepWithoutValidationTest : public GpuGraphTest {
protected:
    [[nodiscard]] bool validation() const override { return false; }
};

TEST_F(GpuFaultSweepWithoutValidationTest, EveryFailedCreationLeavesTheHostHeapClean) {
    // Without the layer's own leaks, LeakSanitizer (asan preset) checks the host heap.
    sweepFaults(*device_, {}, renderSideBySide);
}

class GpuGraphSteadyStateTest : public GpuGraphTest {
protected:
    [[nodiscard]] bool validation() const override { return false; }
};

TEST_F(GpuGraphSteadyStateTest, ThousandFramesAllocateNothingAndCreateNoVulkanObjects) {
    GpuGraph& gpu = makeGraph();
    gpu.buildSideBySide(64, 32, true);
    ASSERT_TRUE(gpu.graph.compile());
    ASSERT_NO_FATAL_FAILURE(expectSteadyFrames(gpu, 1000));

    // A resize frame rebuilds (and may allocate); the frames after it are steady again.
    const std::uint64_t beforeResize = gpu::CreationGate::count();
    ASSERT_TRUE(gpu.graph.events().emit(events::WindowResized{80, 40}));
    ASSERT_TRUE(gpu.runtime->frame());
    EXPECT_GT(gpu::CreationGate::count(), beforeResize);
    ASSERT_NO_FATAL_FAILURE(expectSteadyFrames(gpu, 100));
}

TEST_F(GpuGraphSteadyStateTest, ParallelRecordingAllocatesNothingAndCreatesNoVulkanObjects) {
    GpuGraph& gpu =
        makeGraph(graph::GraphOptions{.mode = graph::ExecutionMode::Parallel, .workerThreads = 2});
    gpu.buildSideBySide(64, 32);
    ASSERT_TRUE(gpu.graph.compile());
    ASSERT_NO_FATAL_FAILURE(expectSteadyFrames(gpu, 300));
}

}  // namespace
}  // namespace vixen::nodes
