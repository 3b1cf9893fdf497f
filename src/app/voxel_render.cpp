#include "voxel_render.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numbers>
#include <optional>
#include <vector>

#include "gpu_context.hpp"
#include "vixen/core/alloc_tracker.hpp"
#include "vixen/core/statistics.hpp"
#include "vixen/core/trace.hpp"
#include "vixen/gpu/creation_gate.hpp"
#include "vixen/nodes/gpu_runtime.hpp"
#include "vixen/nodes/image_metrics.hpp"
#include "vixen/nodes/taa_node.hpp"
#include "vixen/nodes/voxel_nodes.hpp"
#include "voxel_scene.hpp"

namespace vixen::app {
namespace {

int failWith(const Error& error) {
    fmt::print(stderr, "vixen render: {}\n", error.message);
    return 1;
}

/// The directory of `path` must exist and be writable: checked before anything is built.
Result<void> checkWritable(const std::string& path) {
    const std::filesystem::path target(path);
    const std::filesystem::path directory =
        target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
    std::error_code error;
    if (!std::filesystem::is_directory(directory, error)) {
        return fail(ErrorCode::InvalidArgument, "--out {}: the directory '{}' does not exist", path,
                    directory.string());
    }
    if (::access(directory.c_str(), W_OK) != 0) {
        return fail(ErrorCode::InvalidArgument, "--out {}: the directory '{}' is not writable",
                    path, directory.string());
    }
    if (std::filesystem::is_directory(target, error)) {
        return fail(ErrorCode::InvalidArgument, "--out {}: is a directory, not a file", path);
    }
    return {};
}

Result<std::array<float, 3>> parseTriple(const std::string& text, const std::string& option) {
    std::array<float, 3> v{};
    char extra = 0;
    if (std::sscanf(text.c_str(), "%f,%f,%f%c", &v[0], &v[1], &v[2], &extra) != 3) {
        return fail(ErrorCode::InvalidArgument, "--camera {}: '{}' is not three numbers X,Y,Z",
                    option, text);
    }
    return v;
}

/// The camera path the option describes.
Result<nodes::VoxelCameraNode::Path> parseCamera(const std::string& option, voxel::Int3 size,
                                                 float fov) {
    if (option == "front") {
        return nodes::VoxelCameraNode::Path([size, fov](std::uint64_t) {
            voxel::Camera camera = voxel::Camera::orbit(size, 0.0F, 0.0F);
            camera.verticalFovDegrees = fov;
            return camera;
        });
    }
    if (option == "orbit" || option.starts_with("orbit:")) {
        float degrees = 35.0F;
        if (option.size() > 6) {
            char extra = 0;
            if (std::sscanf(option.c_str() + 6, "%f%c", &degrees, &extra) != 1) {
                return fail(ErrorCode::InvalidArgument,
                            "--camera {}: expected orbit:DEGREES (for example orbit:35)", option);
            }
        }
        return nodes::VoxelCameraNode::Path([size, degrees, fov](std::uint64_t) {
            voxel::Camera camera =
                voxel::Camera::orbit(size, degrees * std::numbers::pi_v<float> / 180.0F);
            camera.verticalFovDegrees = fov;
            return camera;
        });
    }
    const std::size_t colon = option.find(':');
    if (colon == std::string::npos) {
        return fail(ErrorCode::InvalidArgument,
                    "--camera {}: expected front, orbit, orbit:DEGREES or X,Y,Z:TX,TY,TZ (eye "
                    "and target in voxels)",
                    option);
    }
    auto eye = parseTriple(option.substr(0, colon), option);
    auto target = parseTriple(option.substr(colon + 1), option);
    if (!eye || !target) {
        return std::unexpected(eye ? target.error() : eye.error());
    }
    if (*eye == *target) {
        return fail(ErrorCode::InvalidArgument,
                    "--camera {}: the eye and the target are the same point", option);
    }
    voxel::Camera camera;
    camera.eye = *eye;
    camera.target = *target;
    camera.verticalFovDegrees = fov;
    return nodes::VoxelCameraNode::Path([camera](std::uint64_t) { return camera; });
}

/// What a reference render shares with the main one.
struct RenderSetup {
    graph::GraphOptions graphOptions;
    nodes::GpuImageShape shape;
    voxel::Structure structure;
    nodes::VoxelShading shading;
    nodes::VoxelPipeline pipeline;
};

/// The mean of one frame per offset of `jitter` (one frame without jitter) of `view`,
/// rendered through a graph of its own.
Result<std::vector<float>> renderAverage(GpuContext& context, VoxelCaches& caches,
                                         const nodes::BuiltVoxelScene& scene,
                                         const RenderSetup& setup, const voxel::Camera& view,
                                         voxel::JitterOffsets jitter,
                                         const std::string& shaderDir) {
    const std::size_t frames = std::max<std::size_t>(jitter.size(), 1);
    graph::RenderGraph graph(setup.graphOptions);
    auto runtime = nodes::GpuRuntime::create(graph, context.device(), context.allocator());
    if (!runtime) {
        return std::unexpected(std::move(runtime.error()));
    }
    const nodes::VoxelRenderer renderer = nodes::addVoxelRenderer(
        graph, **runtime, scene.words, [view](std::uint64_t) { return view; }, setup.shape,
        setup.structure, setup.shading, &caches.shaders(shaderDir), setup.pipeline,
        std::move(jitter));
    auto color = graph.addNode<nodes::GpuReadbackNode>("color", **runtime);
    renderer.connect(graph, nodes::VoxelOutput::Color, color, nodes::GpuReadbackConfig::image);
    if (auto compiled = caches.compile(graph, context.device()); !compiled) {
        return std::unexpected(std::move(compiled.error()));
    }
    nodes::ImageAverage average;
    for (std::size_t frame = 0; frame < frames; ++frame) {
        VIXEN_TRY((*runtime)->frame());
        VIXEN_TRY((*runtime)->waitIdle());
        auto pixels = static_cast<const nodes::GpuReadbackNode&>(graph.node(color.id)).pixels();
        if (!pixels) {
            return std::unexpected(std::move(pixels.error()));
        }
        VIXEN_TRY(average.add(*pixels));
    }
    graph.cleanup();
    return average.mean();
}

/// An image averaged from one frame, back in 8 bits.
std::vector<std::byte> toBytes(const std::vector<float>& mean) {
    std::vector<std::byte> bytes(mean.size());
    std::transform(mean.begin(), mean.end(), bytes.begin(),
                   [](float value) { return static_cast<std::byte>(std::lround(value)); });
    return bytes;
}

}  // namespace

int runVoxelRender(const VoxelRenderOptions& options) {
    auto structure = voxel::parseStructure(options.structure);
    if (!structure) {
        return failWith(Error{structure.error().code, "--structure: " + structure.error().message});
    }
    if (Result<void> writable = checkWritable(options.out); !writable) {
        return failWith(writable.error());
    }
    const auto side = static_cast<std::int32_t>(options.voxels);
    // The Cornell box is seen through its open front; the others from above.
    const std::string view = !options.camera.empty()
                                 ? options.camera
                                 : (options.scene == "cornell" ? "front" : "orbit:35");
    auto path = parseCamera(view, voxel::Int3{side, side, side}, options.fov);
    if (!path) {
        return failWith(path.error());
    }
    auto context = GpuContext::open(options.validation, options.device);
    if (!context) {
        return failWith(context.error());
    }
    const gpu::Device& device = (*context)->device();
    (*context)->printDevice();
    VoxelCaches caches(options.cacheDir, options.noCache);
    auto scene = caches.scene({options.scene, options.voxels, options.seed, *structure});
    if (!scene) {
        return failWith(scene.error());
    }
    // A file's scene has its own size: the view frames it.
    path = parseCamera(view, scene->size, options.fov);
    fmt::print("{}", describe(*scene, options.scene));

    int exitCode = 0;
    {
        graph::GraphOptions graphOptions{.budget =
                                             nodes::graphBudgetFrom((*context)->budget(), device)};
        if (options.memoryBudgetMiB != 0) {
            std::uint64_t& deviceLocal =
                graphOptions.budget
                    .memoryBytes[static_cast<std::size_t>(graph::MemoryKind::DeviceLocal)];
            deviceLocal = std::min<std::uint64_t>(deviceLocal, options.memoryBudgetMiB << 20U);
        }
        graph::RenderGraph graph(graphOptions);
        auto runtime = nodes::GpuRuntime::create(graph, device, (*context)->allocator());
        if (!runtime) {
            return failWith(runtime.error());
        }
        const nodes::GpuImageShape shape{options.width, options.height, false, false};
        const nodes::VoxelShading shading{.shadows = options.shadows};
        const nodes::VoxelPipeline pipeline =
            nodes::voxelPipelineNamed(options.pipeline).value_or(nodes::VoxelPipeline::Compute);
        const nodes::VoxelRenderer renderer =
            nodes::addVoxelRenderer(graph, **runtime, scene->words, *path, shape, *structure,
                                    shading, &caches.shaders(options.shaderDir), pipeline,
                                    options.taa ? voxel::haltonJitter(16) : voxel::JitterOffsets{});
        const graph::NodeId march = renderer.marchId();
        auto color = graph.addNode<nodes::GpuReadbackNode>("color", **runtime);
        auto steps = graph.addNode<nodes::GpuReadbackNode>("steps", **runtime);
        std::optional<graph::NodeHandle<nodes::TaaNode>> taa;
        if (options.taa) {
            taa = nodes::addTaa(graph, **runtime, renderer, shape);
            graph.connect(*taa, nodes::TaaConfig::resolved, color, nodes::GpuReadbackConfig::image);
        } else {
            renderer.connect(graph, nodes::VoxelOutput::Color, color,
                             nodes::GpuReadbackConfig::image);
        }
        renderer.connect(graph, nodes::VoxelOutput::Steps, steps, nodes::GpuReadbackConfig::image);

        std::optional<core::TraceRecorder> trace;
        if (!options.trace.empty()) {
            trace.emplace(std::size_t{options.frames} * (graph.nodeCount() + 4) + 64);
            (*runtime)->setTrace(&*trace);
        }
        auto compiled = caches.compile(graph, device);
        if (!compiled) {
            return failWith(compiled.error());
        }
        if (!options.quiet) {
            fmt::print("{}", graph.report().describe(graph));
        }
        // Frame by frame, waiting for each: the ray march's own GPU time per frame comes
        // from its timestamps (the wait does not enter it).
        std::vector<double> gpuMilliseconds;
        std::vector<double> taaMilliseconds;
        std::vector<double> cpuMilliseconds;
        std::uint64_t previousNs = 0;
        std::uint64_t previousTaaNs = 0;
        for (std::uint32_t frame = 0; frame < options.frames; ++frame) {
            const auto started = std::chrono::steady_clock::now();
            if (Result<void> ran = (*runtime)->frame(); !ran) {
                exitCode = failWith(ran.error());
                break;
            }
            if (Result<void> idle = (*runtime)->waitIdle(); !idle) {
                exitCode = failWith(idle.error());
                break;
            }
            cpuMilliseconds.push_back(std::chrono::duration<double, std::milli>(
                                          std::chrono::steady_clock::now() - started)
                                          .count());
            const std::uint64_t totalNs = (*runtime)->gpuNanoseconds(march);
            const std::uint64_t taaNs = taa ? (*runtime)->gpuNanoseconds(taa->id) : 0;
            if (frame > 0 || options.frames == 1) {  // the first frame warms caches and JITs
                gpuMilliseconds.push_back(static_cast<double>(totalNs - previousNs) / 1e6);
                taaMilliseconds.push_back(static_cast<double>(taaNs - previousTaaNs) / 1e6);
            }
            previousNs = totalNs;
            previousTaaNs = taaNs;
        }
        if (exitCode == 0) {
            const auto& readback = static_cast<const nodes::GpuReadbackNode&>(graph.node(color.id));
            if (Result<void> written = readback.writePng(options.out); !written) {
                return failWith(written.error());
            }
            fmt::print("wrote {} ({}x{})\n", options.out, options.width, options.height);
            const double pixels = static_cast<double>(options.width) * options.height;
            if ((*runtime)->timestampsEnabled() && !gpuMilliseconds.empty()) {
                const core::Summary gpu = core::summarize(gpuMilliseconds);
                fmt::print(
                    "ray march ({} {}{}): GPU {:.3f} ms median of {} frame(s) (timestamps; p5 "
                    "{:.3f}, p95 {:.3f}), {:.3f} G primary rays/s\n",
                    options.pipeline, voxel::structureName(*structure),
                    options.shadows ? ", shadows" : "", gpu.median, gpu.count, gpu.p5, gpu.p95,
                    pixels / (gpu.median * 1e-3) / 1e9);
                if (taa) {
                    const core::Summary cost = core::summarize(taaMilliseconds);
                    fmt::print(
                        "TAA: GPU {:.3f} ms median of {} frame(s) (timestamps; p5 {:.3f}, "
                        "p95 {:.3f})\n",
                        cost.median, cost.count, cost.p5, cost.p95);
                }
            } else {
                fmt::print("ray march: no GPU timestamps on this device\n");
            }
            const auto& stepImage =
                static_cast<const nodes::GpuReadbackNode&>(graph.node(steps.id));
            if (auto counted = stepImage.pixels()) {
                const nodes::StepTotals totals = nodes::sumSteps(*counted);
                fmt::print(
                    "steps per pixel (GPU counters, shadow rays included): {:.2f} {} and "
                    "{:.2f} voxels\n",
                    static_cast<double>(totals.coarse) / pixels,
                    *structure == nodes::VoxelStructure::BrickMap ? "bricks" : "nodes",
                    static_cast<double>(totals.voxels) / pixels);
            }
            fmt::print(
                "frames: {} (CPU wall time of GpuRuntime::frame plus its wait): median "
                "{:.3f} ms\n",
                cpuMilliseconds.size(), core::summarize(cpuMilliseconds).median);
            fmt::print("{}", describeStartup(*scene, caches.pipelineState(), *compiled,
                                             cpuMilliseconds.front() * 1e-3));
        }
        if (options.reference && exitCode == 0) {
            const auto& readback = static_cast<const nodes::GpuReadbackNode&>(graph.node(color.id));
            auto image = readback.pixels();
            if (!image) {
                return failWith(image.error());
            }
            const std::vector<std::byte> shown(image->begin(), image->end());
            // The reference and the single sample see the last frame's view, from graphs of
            // their own; this one's resources go first.
            graph.cleanup();
            const voxel::Camera lastView = (*path)(options.frames - 1);
            const RenderSetup setup{graphOptions, shape, *structure, shading, pipeline};
            auto reference = renderAverage(**context, caches, *scene, setup, lastView,
                                           voxel::gridJitter(4), options.shaderDir);
            auto single =
                renderAverage(**context, caches, *scene, setup, lastView, {}, options.shaderDir);
            if (!reference || !single) {
                return failWith(reference ? single.error() : reference.error());
            }
            const Result<double> shownPsnr = nodes::psnrRgb(*reference, shown);
            const Result<double> singlePsnr = nodes::psnrRgb(*reference, toBytes(*single));
            if (!shownPsnr || !singlePsnr) {
                return failWith(shownPsnr ? singlePsnr.error() : shownPsnr.error());
            }
            fmt::print(
                "PSNR against a 16-samples-per-pixel reference (4x4 grid): one sample {:.2f} dB, "
                "{} {:.2f} dB ({:+.2f} dB)\n",
                *singlePsnr,
                options.taa ? fmt::format("TAA after {} frames", options.frames)
                            : std::string("this image"),
                *shownPsnr, *shownPsnr - *singlePsnr);
        }
        if (trace && exitCode == 0) {
            if (Result<void> written = trace->writeChromeTrace(options.trace); !written) {
                return failWith(written.error());
            }
            fmt::print("wrote {} (open it in ui.perfetto.dev)\n", options.trace);
        }
        graph.cleanup();
    }
    return (*context)->exitCodeAfterValidation("vixen render", exitCode);
}

}  // namespace vixen::app
