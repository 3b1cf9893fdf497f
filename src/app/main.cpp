// vixen: command-line front end. Parses arguments, wires engine pieces, prints results.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "async_overlap.hpp"
#include "bench_command.hpp"
#include "bench_report.hpp"
#include "cache_commands.hpp"
#include "demo.hpp"
#include "graph_commands.hpp"
#include "info.hpp"
#include "sample.hpp"
#include "view.hpp"
#include "voxel_render.hpp"
#include "voxelize_command.hpp"

#ifndef VIXEN_VERSION
#error "VIXEN_VERSION must be defined by the build"
#endif

namespace {

/// A procedural scene's name, or file:PATH (the importer checks the file itself).
CLI::Validator sceneValidator() {
    return CLI::Validator(
        [](const std::string& scene) -> std::string {
            if (scene.starts_with("file:")) {
                return scene.size() > 5 ? std::string() : "file: needs a path after it";
            }
            for (const char* name : {"cornell", "noise", "tunnels", "cityscape"}) {
                if (scene == name) {
                    return {};
                }
            }
            return scene +
                   " not in {cornell,noise,tunnels,cityscape} and not file:PATH (a .vox, "
                   ".nvdb, .vdb, .ply, .ply.gz or .obj file)";
        },
        "SCENE");
}

/// What `vixen render` and `vixen view` both ask: the scene, its size and seed, the
/// structure and the pipeline.
template <class Options>
void addSceneOptions(CLI::App& command, Options& options) {
    command
        .add_option(
            "--scene", options.scene,
            "Procedural scene (cornell, noise, tunnels, cityscape), or file:PATH "
            "(MagicaVoxel .vox, NanoVDB .nvdb, OpenVDB .vdb, or a mesh: .ply, .ply.gz, .obj)")
        ->capture_default_str()
        ->check(sceneValidator());
    command
        .add_option("--voxels", options.voxels,
                    "Voxels a side of the scene (of a mesh: along its longest side)")
        ->capture_default_str()
        ->check(CLI::Range(8U, 4096U));
    command.add_option("--seed", options.seed, "Seed of the procedural scene")
        ->capture_default_str();
    command.add_option("--structure", options.structure, "Acceleration structure")
        ->capture_default_str()
        ->check(CLI::IsMember({"brickmap", "svo", "octree", "nanovdb"}));
    command
        .add_option("--pipeline", options.pipeline,
                    "Vulkan pipeline of the ray march: compute, fragment (a full-screen "
                    "triangle), or raytracing (VK_KHR_ray_tracing_pipeline, brickmap only)")
        ->capture_default_str()
        ->check(CLI::IsMember({"compute", "fragment", "raytracing"}));
    command.add_flag("--taa", options.taa,
                     "Temporal anti-aliasing: Halton-jittered rays accumulated over frames "
                     "(reprojected while the camera moves)");
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"VIXEN: a render-graph engine for Vulkan with a voxel ray-tracing platform"};
    app.set_version_flag("--version", "vixen " VIXEN_VERSION);
    app.require_subcommand(1);

    vixen::app::DemoOptions demo;
    CLI::App* demoCommand = app.add_subcommand(
        "demo",
        "Build and run the sample CPU image graph; print its compile and allocation "
        "reports");
    demoCommand->add_option("--frames", demo.frames, "Frames to execute")
        ->capture_default_str()
        ->check(CLI::Range(1U, 1000000U));
    demoCommand->add_option("--width", demo.width, "Image width")
        ->capture_default_str()
        ->check(CLI::Range(1U, 16384U));
    demoCommand->add_option("--height", demo.height, "Image height")
        ->capture_default_str()
        ->check(CLI::Range(1U, 16384U));
    demoCommand
        ->add_option("--resize-at", demo.resizeAtFrame,
                     "Frame at which a window resize is emitted (0: never)")
        ->capture_default_str();
    demoCommand->add_flag("--parallel", demo.parallel, "Execute waves on the worker pool");
    demoCommand
        ->add_option("--workers", demo.workers, "Worker threads (0: one per core, minus one)")
        ->capture_default_str();
    demoCommand->add_flag("--quiet", demo.quiet, "Print only the reports");
    demoCommand->add_flag("--alloc-call-sites", demo.allocationCallSites,
                          "Record a backtrace for every allocation and list the busiest call "
                          "sites (slow; for finding allocations)");

    CLI::App* graphCommand = app.add_subcommand("graph", "Inspect graph description files");
    graphCommand->require_subcommand(1);
    std::string file;
    std::string output;
    CLI::App* check = graphCommand->add_subcommand(
        "check",
        "Load and compile a graph file; print order, culled nodes, waves, estimates and "
        "every error (exit 1 on errors)");
    check->add_option("FILE", file, "Graph description (JSON)")->required();
    CLI::App* dot = graphCommand->add_subcommand("dot", "Write a graph file as Graphviz DOT");
    dot->add_option("FILE", file, "Graph description (JSON)")->required();
    dot->add_option("-o,--output", output, "Write to this file instead of stdout");
    CLI::App* types =
        graphCommand->add_subcommand("types", "List the node types graph files can use");

    vixen::app::InfoOptions info;
    CLI::App* infoCommand = app.add_subcommand(
        "info",
        "List Vulkan devices (features, queues, memory heaps with budget and usage) and "
        "the one VIXEN would use");
    std::uint32_t device = 0;
    CLI::Option* deviceOption = infoCommand->add_option("--device", device,
                                                        "Use device N (see the list); overrides "
                                                        "VIXEN_DEVICE");
    bool noValidation = false;
    infoCommand->add_flag("--no-validation", noValidation, "Do not load the validation layer");

    vixen::app::VoxelRenderOptions voxel;
    std::string voxelSize = "1280x720";
    CLI::App* voxelCommand = app.add_subcommand(
        "render",
        "Render a voxel scene through the render graph on the best device (lavapipe without a "
        "GPU) and write a PNG; print the scene's build, the ray march's GPU time and primary "
        "rays per second");
    addSceneOptions(*voxelCommand, voxel);
    voxelCommand->add_option("--size", voxelSize, "Image size WIDTHxHEIGHT")->capture_default_str();
    voxelCommand->add_flag("--shadows", voxel.shadows, "Trace a hard shadow ray per hit");
    voxelCommand->add_option(
        "--camera", voxel.camera,
        "front, orbit, orbit:DEGREES, or X,Y,Z:TX,TY,TZ (eye and target in voxels); "
        "default: front for cornell, orbit:35 otherwise");
    voxelCommand->add_option("--fov", voxel.fov, "Vertical field of view in degrees")
        ->capture_default_str()
        ->check(CLI::Range(1.0F, 170.0F));
    CLI::Option* voxelFrames =
        voxelCommand
            ->add_option("--frames", voxel.frames,
                         "Frames to render (the first warms up; with --taa, 16 by default)")
            ->capture_default_str()
            ->check(CLI::Range(1U, 1000000U));
    voxelCommand->add_flag("--reference", voxel.reference,
                           "Also render a 16-samples-per-pixel reference of the last view and "
                           "print the image's PSNR (and one sample's) against it");
    voxelCommand->add_option("--out", voxel.out, "The PNG to write")->capture_default_str();
    voxelCommand
        ->add_option("--memory-budget", voxel.memoryBudgetMiB,
                     "Cap the device-local memory the graph may plan for, in MiB (0: the "
                     "device's budget)")
        ->capture_default_str();
    voxelCommand->add_option("--trace", voxel.trace, "Write a Chrome trace to this JSON file");
    std::uint32_t voxelDevice = 0;
    CLI::Option* voxelDeviceOption =
        voxelCommand->add_option("--device", voxelDevice, "Use device N (see vixen info)");
    bool voxelNoValidation = false;
    voxelCommand->add_flag("--no-validation", voxelNoValidation,
                           "Do not load the validation layer");
    voxelCommand->add_flag("--quiet", voxel.quiet, "Leave out the compile report");
    voxelCommand->add_option("--cache-dir", voxel.cacheDir,
                             "Keep caches (built scenes) here; default $VIXEN_CACHE_DIR, "
                             "$XDG_CACHE_HOME/vixen or ~/.cache/vixen");
    voxelCommand->add_flag("--no-cache", voxel.noCache, "Neither read nor write caches");
    voxelCommand
        ->add_option("--shader-dir", voxel.shaderDir,
                     "Compile the shaders from this directory at run time (src/nodes/shaders "
                     "holds the engine's) instead of the embedded ones")
        ->check(CLI::ExistingDirectory);

    vixen::app::ViewOptions view;
    std::string viewSize = "1280x720";
    CLI::App* viewCommand = app.add_subcommand(
        "view",
        "The voxel renderer in a window: left-drag orbits, right-drag zooms, WASD/QE fly "
        "(Shift: faster), Escape quits; frame time and rays per second in the title");
    addSceneOptions(*viewCommand, view);
    viewCommand->add_option("--size", viewSize, "Window size WIDTHxHEIGHT")->capture_default_str();
    viewCommand->add_flag("--shadows", view.shadows, "Trace a hard shadow ray per hit");
    viewCommand->add_option("--fov", view.fov, "Vertical field of view in degrees")
        ->capture_default_str()
        ->check(CLI::Range(1.0F, 170.0F));
    viewCommand
        ->add_option("--frames", view.frames,
                     "A scripted run of N frames (one orbit, a resize halfway), then exit; 0: "
                     "until the window closes")
        ->capture_default_str();
    std::uint32_t viewDevice = 0;
    CLI::Option* viewDeviceOption =
        viewCommand->add_option("--device", viewDevice, "Use device N (see vixen info)");
    bool viewNoValidation = false;
    viewCommand->add_flag("--no-validation", viewNoValidation, "Do not load the validation layer");
    viewCommand->add_option("--cache-dir", view.cacheDir,
                            "Keep caches (built scenes) here; default $VIXEN_CACHE_DIR, "
                            "$XDG_CACHE_HOME/vixen or ~/.cache/vixen");
    viewCommand->add_flag("--no-cache", view.noCache, "Neither read nor write caches");
    viewCommand
        ->add_option("--shader-dir", view.shaderDir,
                     "Compile the shaders from this directory at run time (src/nodes/shaders "
                     "holds the engine's) and reload them when their files change; a shader "
                     "with errors keeps the previous one running")
        ->check(CLI::ExistingDirectory);

    vixen::app::BenchOptions bench;
    CLI::App* benchCommand = app.add_subcommand(
        "bench",
        "Benchmark the voxel ray marchers over a matrix (pipelines x structures x scenes x "
        "voxels x sizes x shadows): GPU time from timestamps, CPU frame time, rays/s, steps, "
        "memory; one JSON per configuration plus summary.csv (docs/bench.md)");
    benchCommand->add_option("--config", bench.config, "The matrix as a JSON file")
        ->check(CLI::ExistingFile);
    benchCommand->add_option(
        "--pipelines", bench.pipelines,
        "Comma list (compute, fragment, raytracing; raytracing pairs with brickmap only)");
    benchCommand->add_option("--structures", bench.structures, "Comma list (brickmap,svo,nanovdb)");
    benchCommand->add_option("--scenes", bench.scenes,
                             "Comma list (cornell,noise,tunnels,cityscape)");
    benchCommand->add_option("--voxels", bench.voxels, "Comma list of sides (64,256,1024,2048)");
    benchCommand->add_option("--sizes", bench.sizes, "Comma list (1280x720,1920x1080)");
    benchCommand->add_option("--shadows", bench.shadows, "off, on or both (default off)");
    benchCommand->add_option("--warmup", bench.warmup, "Warm-up frames per run (20)");
    benchCommand->add_option("--warmup-seconds", bench.warmupSeconds,
                             "Warm up for at least this long per run (0.5)");
    benchCommand->add_option("--frames", bench.frames, "Measured frames per run (100)");
    benchCommand->add_option("--runs", bench.runs, "Runs per configuration (3)");
    benchCommand->add_flag("--quick", bench.quick,
                           "64^3 and 256^3 at 1280x720, 5 frames (0.2 s) + 30, one run");
    benchCommand->add_option("--shard", bench.shard,
                             "K/N: run the K-th of N deterministic slices of the matrix");
    benchCommand->add_option("--out", bench.out, "Result folder")->capture_default_str();
    benchCommand->add_option("--cache-dir", bench.cacheDir, "Scene cache root");
    benchCommand->add_flag("--no-cache", bench.noCache, "Build every scene");
    std::uint32_t benchDevice = 0;
    CLI::Option* benchDeviceOption =
        benchCommand->add_option("--device", benchDevice, "Use device N (see vixen info)");
    benchCommand->add_flag("--validation", bench.validation,
                           "Load the validation layer (off by default: it costs time)");
    std::vector<std::string> reportFolders;
    std::string reportOut = "bench-report";
    CLI::App* benchReport = benchCommand->add_subcommand(
        "report",
        "Merge result folders (machines, shards) into a Markdown report with charts, grouped "
        "by device and driver");
    benchReport->add_option("folders", reportFolders, "Result folders")->required();
    benchReport->add_option("--out", reportOut, "Report folder")->capture_default_str();

    vixen::app::VoxelizeOptions voxelize;
    CLI::App* voxelizeCommand = app.add_subcommand(
        "voxelize",
        "Build a scene (a procedural one, or a file: MagicaVoxel .vox, NanoVDB .nvdb, OpenVDB "
        ".vdb, a mesh "
        ".ply, .ply.gz or .obj voxelized) and write it to a file other tools read (.vox, .nvdb)");
    voxelizeCommand->add_option("in", voxelize.input, "Procedural scene name, or file:PATH")
        ->required();
    voxelizeCommand->add_option("out", voxelize.output, "The file to write (.vox, .nvdb)")
        ->required();
    voxelizeCommand
        ->add_option("--voxels", voxelize.voxels,
                     "Voxels a side of a procedural scene, or along a mesh's longest side")
        ->capture_default_str()
        ->check(CLI::Range(8U, 4096U));
    voxelizeCommand->add_flag("--solid", voxelize.solid,
                              "Fill what a mesh's surface encloses (not only its surface)");
    voxelizeCommand->add_option("--seed", voxelize.seed, "Seed of a procedural scene")
        ->capture_default_str();

    std::string cacheDir;
    CLI::App* cacheCommand = app.add_subcommand(
        "cache", "Inspect or clear the persistent caches (docs/cache-format.md)");
    cacheCommand->require_subcommand(1);
    CLI::App* cacheInfo = cacheCommand->add_subcommand(
        "info", "Per cache: entries, bytes, and over all runs hits, misses and time saved");
    CLI::App* cacheClear =
        cacheCommand->add_subcommand("clear", "Remove every cache VIXEN keeps under the root");
    for (CLI::App* command : {cacheInfo, cacheClear}) {
        command->add_option("--cache-dir", cacheDir,
                            "The cache root; default $VIXEN_CACHE_DIR, $XDG_CACHE_HOME/vixen or "
                            "~/.cache/vixen");
    }

    vixen::app::SampleOptions render;
    CLI::App* renderCommand = app.add_subcommand(
        "sample",
        "Run the sample GPU graph headless (a compute gradient, an uploaded checkerboard and a "
        "cleared pattern composed, read back); print compile, frame-time and allocation "
        "reports; optionally save a PNG");
    renderCommand->add_option("--frames", render.frames, "Frames to render")
        ->capture_default_str()
        ->check(CLI::Range(1U, 1000000U));
    renderCommand->add_option("--width", render.width, "Target width")
        ->capture_default_str()
        ->check(CLI::Range(2U, 16384U));
    renderCommand->add_option("--height", render.height, "Target height")
        ->capture_default_str()
        ->check(CLI::Range(1U, 16384U));
    renderCommand
        ->add_option("--resize-at", render.resizeAtFrame,
                     "Frame at which the window is resized to 3/4 (0: never)")
        ->capture_default_str();
    renderCommand->add_option("--png", render.png, "Write the last frame to this PNG file");
    renderCommand
        ->add_option("--graph", render.graph,
                     "Run the GPU graph of this file (docs/graph-format.md) instead of the "
                     "sample; --png writes its last GpuReadback node")
        ->check(CLI::ExistingFile);
    renderCommand->add_option("--trace", render.trace,
                              "Write a Chrome trace (CPU phases, GPU time per node) to this JSON "
                              "file; Perfetto opens it");
    std::uint32_t renderDevice = 0;
    CLI::Option* renderDeviceOption =
        renderCommand->add_option("--device", renderDevice, "Use device N (see vixen info)");
    bool renderNoValidation = false;
    renderCommand->add_flag("--no-validation", renderNoValidation,
                            "Do not load the validation layer (needed for the zero-allocation "
                            "check: the layer allocates on every submit)");
    renderCommand->add_flag("--quiet", render.quiet, "Print only the reports");

    vixen::app::AsyncOverlapOptions overlap;
    CLI::App* overlapCommand = app.add_subcommand(
        "async-overlap",
        "Measure what async compute gains: two independent branches of compute gradients, "
        "each alone and both together on one queue and split onto the compute queue, GPU time "
        "per frame from timestamps");
    overlapCommand->add_option("--frames", overlap.frames, "Measured frames per run")
        ->capture_default_str()
        ->check(CLI::Range(1U, 100000U));
    overlapCommand->add_option("--size", overlap.size, "Each gradient image's width and height")
        ->capture_default_str()
        ->check(CLI::Range(8U, 16384U));
    overlapCommand->add_option("--nodes", overlap.nodesPerBranch, "Gradient nodes per branch")
        ->capture_default_str()
        ->check(CLI::Range(1U, 64U));
    std::uint32_t overlapDevice = 0;
    CLI::Option* overlapDeviceOption =
        overlapCommand->add_option("--device", overlapDevice, "Use device N (see vixen info)");
    bool overlapNoValidation = false;
    overlapCommand->add_flag("--no-validation", overlapNoValidation,
                             "Do not load the validation layer");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        // Help and version print and succeed; a bad argument prints why and exits with 1.
        return app.exit(error) == 0 ? 0 : 1;
    }

    // "WIDTHxHEIGHT" into the two, or false after saying what is wrong.
    const auto parseSize = [](const char* command, const std::string& text, std::uint32_t& width,
                              std::uint32_t& height) {
        unsigned w = 0;
        unsigned h = 0;
        char extra = 0;
        if (std::sscanf(text.c_str(), "%ux%u%c", &w, &h, &extra) != 2 || w < 1 || h < 1 ||
            w > 16384 || h > 16384) {
            std::fprintf(stderr,
                         "vixen %s: --size %s: expected WIDTHxHEIGHT, each 1 to 16384 (for "
                         "example 1280x720)\n",
                         command, text.c_str());
            return false;
        }
        width = w;
        height = h;
        return true;
    };
    if (viewCommand->parsed()) {
        if (!parseSize("view", viewSize, view.width, view.height)) {
            return 1;
        }
        if (viewDeviceOption->count() > 0) {
            view.device = viewDevice;
        }
        view.validation = !viewNoValidation;
        return vixen::app::runView(view);
    }
    if (voxelCommand->parsed()) {
        if (!parseSize("render", voxelSize, voxel.width, voxel.height)) {
            return 1;
        }
        if (voxelDeviceOption->count() > 0) {
            voxel.device = voxelDevice;
        }
        voxel.validation = !voxelNoValidation;
        if (voxel.taa && voxelFrames->count() == 0) {
            voxel.frames = 16;  // what the still camera accumulates
        }
        return vixen::app::runVoxelRender(voxel);
    }

    if (renderCommand->parsed()) {
        if (renderDeviceOption->count() > 0) {
            render.device = renderDevice;
        }
        render.validation = !renderNoValidation;
        return vixen::app::runSample(render);
    }

    if (overlapCommand->parsed()) {
        if (overlapDeviceOption->count() > 0) {
            overlap.device = overlapDevice;
        }
        overlap.validation = !overlapNoValidation;
        return vixen::app::runAsyncOverlap(overlap);
    }
    if (benchReport->parsed()) {
        return vixen::app::runBenchReport(reportFolders, reportOut);
    }
    if (benchCommand->parsed()) {
        if (benchDeviceOption->count() > 0) {
            bench.device = benchDevice;
        }
        for (int a = 0; a < argc; ++a) {
            bench.command += (a == 0 ? "" : " ") + std::string(argv[a]);
        }
        return vixen::app::runBench(bench);
    }
    if (voxelizeCommand->parsed()) {
        return vixen::app::runVoxelize(voxelize);
    }
    if (cacheInfo->parsed()) {
        return vixen::app::printCacheInfo(cacheDir);
    }
    if (cacheClear->parsed()) {
        return vixen::app::clearCache(cacheDir);
    }

    if (infoCommand->parsed()) {
        if (deviceOption->count() > 0) {
            info.device = device;
        }
        info.validation = !noValidation;
        return vixen::app::printInfo(info);
    }

    if (demoCommand->parsed()) {
        return vixen::app::runDemo(demo);
    }
    if (check->parsed()) {
        return vixen::app::checkGraph(file);
    }
    if (dot->parsed()) {
        return vixen::app::dotGraph(file, output);
    }
    if (types->parsed()) {
        return vixen::app::listNodeTypes();
    }
    return 0;
}
