#include "bench_command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gpu_context.hpp"
#include "vixen/core/files.hpp"
#include "vixen/nodes/gpu_runtime.hpp"
#include "vixen/nodes/voxel_bench.hpp"
#include "vixen/nodes/voxel_nodes.hpp"
#include "voxel_scene.hpp"

namespace vixen::app {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

int failWith(const Error& error) {
    fmt::print(stderr, "vixen bench: {}\n", error.message);
    return 1;
}

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> items;
    std::stringstream stream(text);
    std::string item;
    while (std::getline(stream, item, ',')) {
        if (!item.empty()) {
            items.push_back(item);
        }
    }
    return items;
}

Result<std::uint32_t> parseCount(std::string_view field, const std::string& text) {
    std::uint32_t value = 0;
    char extra = 0;
    if (std::sscanf(text.c_str(), "%u%c", &value, &extra) != 1) {
        return fail(ErrorCode::InvalidArgument, "{}: '{}' is not a whole number", field, text);
    }
    return value;
}

Result<std::pair<std::uint32_t, std::uint32_t>> parseSize(const std::string& text) {
    unsigned width = 0;
    unsigned height = 0;
    char extra = 0;
    if (std::sscanf(text.c_str(), "%ux%u%c", &width, &height, &extra) != 2) {
        return fail(ErrorCode::InvalidArgument, "sizes: '{}' is not WIDTHxHEIGHT", text);
    }
    return std::pair{width, height};
}

/// Replaces the dimensions `lists` names (the JSON config's or the flags').
Result<void> applyLists(nodes::VoxelBenchMatrix& matrix, const json& lists) {
    for (const auto& [field, value] : lists.items()) {
        if (field == "warmup_seconds") {
            if (!value.is_number()) {
                return fail(ErrorCode::InvalidArgument, "{}: expected a number", field);
            }
            matrix.warmupSeconds = value.get<double>();
            continue;
        }
        if (field == "warmup" || field == "frames" || field == "runs") {
            if (!value.is_number_unsigned()) {
                return fail(ErrorCode::InvalidArgument, "{}: expected a whole number", field);
            }
            (field == "warmup"   ? matrix.warmupFrames
             : field == "frames" ? matrix.frames
                                 : matrix.runs) = value.get<std::uint32_t>();
            continue;
        }
        if (!value.is_array()) {
            return fail(ErrorCode::InvalidArgument, "{}: expected a list", field);
        }
        if (field == "pipelines" || field == "scenes") {
            auto& target = field == "pipelines" ? matrix.pipelines : matrix.scenes;
            target.clear();
            for (const json& item : value) {
                target.push_back(item.is_string() ? item.get<std::string>() : item.dump());
            }
        } else if (field == "structures") {
            matrix.structures.clear();
            for (const json& item : value) {
                auto structure =
                    voxel::parseStructure(item.is_string() ? item.get<std::string>() : item.dump());
                if (!structure) {
                    return fail(ErrorCode::InvalidArgument, "structures: {}",
                                structure.error().message);
                }
                matrix.structures.push_back(*structure);
            }
        } else if (field == "voxels") {
            matrix.voxels.clear();
            for (const json& item : value) {
                auto side =
                    parseCount("voxels", item.is_string() ? item.get<std::string>() : item.dump());
                if (!side) {
                    return std::unexpected(side.error());
                }
                matrix.voxels.push_back(*side);
            }
        } else if (field == "sizes") {
            matrix.sizes.clear();
            for (const json& item : value) {
                auto size = parseSize(item.is_string() ? item.get<std::string>() : item.dump());
                if (!size) {
                    return std::unexpected(size.error());
                }
                matrix.sizes.push_back(*size);
            }
        } else if (field == "shadows") {
            matrix.shadows.clear();
            for (const json& item : value) {
                if (!item.is_boolean()) {
                    return fail(ErrorCode::InvalidArgument, "shadows: expected true or false");
                }
                matrix.shadows.push_back(item.get<bool>());
            }
        } else {
            return fail(ErrorCode::InvalidArgument,
                        "unknown field '{}' (known: pipelines, structures, scenes, voxels, "
                        "sizes, shadows, warmup, warmup_seconds, frames, runs)",
                        field);
        }
    }
    return {};
}

/// The matrix: defaults, then --quick, then the config file, then the flags.
Result<nodes::VoxelBenchMatrix> matrixOf(const BenchOptions& options) {
    nodes::VoxelBenchMatrix matrix;
    if (options.quick) {
        matrix.voxels = {64, 256};
        matrix.sizes = {{1280, 720}};
        matrix.warmupFrames = 5;
        matrix.warmupSeconds = 0.2;
        matrix.frames = 30;
        matrix.runs = 1;
    }
    if (!options.config.empty()) {
        std::ifstream in(options.config);
        if (!in) {
            return fail(ErrorCode::NotFound, "--config: '{}' cannot be read", options.config);
        }
        const json config = json::parse(in, nullptr, false);
        if (config.is_discarded() || !config.is_object()) {
            return fail(ErrorCode::ParseError, "--config: '{}' is not a JSON object",
                        options.config);
        }
        if (Result<void> applied = applyLists(matrix, config); !applied) {
            return fail(ErrorCode::InvalidArgument, "--config {}: {}", options.config,
                        applied.error().message);
        }
    }
    json flags = json::object();
    for (const auto& [field, text] : {std::pair{"pipelines", &options.pipelines},
                                      {"structures", &options.structures},
                                      {"scenes", &options.scenes},
                                      {"voxels", &options.voxels},
                                      {"sizes", &options.sizes}}) {
        if (!text->empty()) {
            flags[field] = splitList(*text);
        }
    }
    if (!options.shadows.empty()) {
        if (options.shadows != "off" && options.shadows != "on" && options.shadows != "both") {
            return fail(ErrorCode::InvalidArgument, "--shadows: '{}' is not off, on or both",
                        options.shadows);
        }
        flags["shadows"] =
            options.shadows == "both" ? json{false, true} : json{options.shadows == "on"};
    }
    for (const auto& [field, count] : {std::pair{"warmup", &options.warmup},
                                       {"frames", &options.frames},
                                       {"runs", &options.runs}}) {
        if (*count) {
            flags[field] = **count;
        }
    }
    if (options.warmupSeconds) {
        flags["warmup_seconds"] = *options.warmupSeconds;
    }
    if (Result<void> applied = applyLists(matrix, flags); !applied) {
        return fail(ErrorCode::InvalidArgument, "--{}", applied.error().message);
    }
    VIXEN_TRY(matrix.validate());
    return matrix;
}

json summaryJson(const core::Summary& summary) {
    return {{"count", summary.count}, {"mean", summary.mean}, {"stddev", summary.stddev},
            {"min", summary.min},     {"p5", summary.p5},     {"median", summary.median},
            {"p95", summary.p95},     {"p99", summary.p99},   {"max", summary.max},
            {"ci95", summary.ci95}};
}

std::string isoNow() {
    const std::time_t now = std::time(nullptr);
    std::array<char, 32> text{};
    std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return text.data();
}

Result<void> writeAtomically(const std::filesystem::path& path, const std::string& text) {
    const std::filesystem::path temporary = path.string() + ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << text;
        if (!out.flush()) {
            return fail(ErrorCode::IoError, "cannot write '{}'", temporary.string());
        }
    }
    return core::moveIntoPlace(temporary, path);
}

constexpr std::string_view kCsvHeader =
    "id,pipeline,structure,scene,voxels,width,height,shadows,runs,gpu_ms_median,gpu_ms_p5,"
    "gpu_ms_p95,gpu_ms_p99,gpu_ms_mean,gpu_ms_ci95_over_runs,cpu_ms_median,grays_per_s,"
    "coarse_per_px,voxels_per_px,hit_fraction,device_mib,scene_seconds,scene_loaded,device,"
    "driver\n";

std::string csvRow(const json& result) {
    const json& c = result["config"];
    const json& s = result["summary"];
    return fmt::format(
        "{},{},{},{},{},{},{},{},{},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},"
        "{:.4f},{:.4f},{:.4f},{:.4f},{:.2f},{:.4f},{},\"{}\",\"{}\"\n",
        c["id"].get<std::string>(), c["pipeline"].get<std::string>(),
        c["structure"].get<std::string>(), c["scene"].get<std::string>(), c["voxels"].get<int>(),
        c["width"].get<int>(), c["height"].get<int>(), c["shadows"].get<bool>(),
        result["runs"].size(), s["gpu_ms"]["median"].get<double>(), s["gpu_ms"]["p5"].get<double>(),
        s["gpu_ms"]["p95"].get<double>(), s["gpu_ms"]["p99"].get<double>(),
        s["gpu_ms"]["mean"].get<double>(), s["gpu_ms_ci95_over_runs"].get<double>(),
        s["cpu_ms"]["median"].get<double>(), s["grays_per_s"].get<double>(),
        s["coarse_per_px"].get<double>(), s["voxels_per_px"].get<double>(),
        s["hit_fraction"].get<double>(), s["device_bytes"].get<double>() / (1024.0 * 1024.0),
        result["scene"]["seconds"].get<double>(), result["scene"]["loaded"].get<bool>(),
        result["device"]["name"].get<std::string>(), result["device"]["driver"].get<std::string>());
}

/// A finished configuration's file from an earlier, interrupted sweep.
std::optional<json> finishedResult(const std::filesystem::path& path, const std::string& id) {
    std::ifstream in(path);
    if (!in) {
        return std::nullopt;
    }
    json result = json::parse(in, nullptr, false);
    if (result.is_discarded() || !result.is_object() || !result.value("complete", false) ||
        !result.contains("config") || result["config"].value("id", "") != id) {
        return std::nullopt;
    }
    return result;
}

std::string formatDuration(double seconds) {
    const auto whole = static_cast<long>(seconds + 0.5);
    return whole >= 60 ? fmt::format("{}m{:02}s", whole / 60, whole % 60)
                       : fmt::format("{}s", whole);
}

}  // namespace

int runBench(const BenchOptions& options) {
    auto matrix = matrixOf(options);
    if (!matrix) {
        return failWith(matrix.error());
    }
    std::vector<nodes::VoxelBenchConfig> configs = matrix->expand();
    if (!options.shard.empty()) {
        unsigned index = 0;
        unsigned count = 0;
        char extra = 0;
        if (std::sscanf(options.shard.c_str(), "%u/%u%c", &index, &count, &extra) != 2 ||
            count == 0 || index == 0 || index > count) {
            return failWith(
                Error{ErrorCode::InvalidArgument,
                      fmt::format("--shard {}: expected K/N with 1 <= K <= N", options.shard)});
        }
        configs = nodes::shardOf(configs, index, count);
    }
    std::error_code made;
    std::filesystem::create_directories(options.out, made);
    if (made) {
        return failWith(
            Error{ErrorCode::IoError, fmt::format("--out {}: {}", options.out, made.message())});
    }
    auto context = GpuContext::open(options.validation, options.device);
    if (!context) {
        return failWith(context.error());
    }
    (*context)->printDevice();
    const gpu::PhysicalDeviceInfo& physical = (*context)->physical();
    const json device{
        {"name", physical.name},
        {"driver", physical.driver},
        {"vendor_id", physical.vendorId},
        {"device_id", physical.deviceId},
        {"driver_version", physical.driverVersion},
        {"api_version", fmt::format("{}.{}.{}", VK_API_VERSION_MAJOR(physical.apiVersion),
                                    VK_API_VERSION_MINOR(physical.apiVersion),
                                    VK_API_VERSION_PATCH(physical.apiVersion))}};
#ifdef NDEBUG
    constexpr std::string_view kBuildType = "optimised (NDEBUG)";
#else
    constexpr std::string_view kBuildType = "debug";
#endif
    const json build{{"version", VIXEN_VERSION}, {"compiler", __VERSION__}, {"type", kBuildType}};
    fmt::print(
        "{} configuration(s), {} run(s) of {} frame(s) after {} warm-up frame(s) and at least "
        "{} s; results in {}\n",
        configs.size(), matrix->runs, matrix->frames, matrix->warmupFrames, matrix->warmupSeconds,
        options.out);
    std::fflush(stdout);  // before the progress line on stderr

    VoxelCaches caches(options.cacheDir, options.noCache);
    std::optional<nodes::BuiltVoxelScene> scene;
    std::optional<nodes::VoxelSceneRequest> sceneFor;
    std::string csv(kCsvHeader);
    const bool terminal = ::isatty(STDERR_FILENO) != 0;
    const auto started = Clock::now();
    std::size_t measured = 0;
    std::size_t skipped = 0;
    for (std::size_t index = 0; index < configs.size(); ++index) {
        const nodes::VoxelBenchConfig& config = configs[index];
        const std::string id = config.id();
        const std::filesystem::path file = std::filesystem::path(options.out) / (id + ".json");
        const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
        const std::string eta = measured == 0
                                    ? "?"
                                    : formatDuration(elapsed / static_cast<double>(measured) *
                                                     static_cast<double>(configs.size() - index));
        constexpr std::size_t kBar = 24;
        const std::size_t filled = kBar * index / std::max<std::size_t>(configs.size(), 1);
        fmt::print(stderr, "{}[{}{}] {}/{} {} ETA {}{}", terminal ? "\r\033[K" : "",
                   std::string(filled, '#'), std::string(kBar - filled, '.'), index + 1,
                   configs.size(), id, eta, terminal ? "" : "\n");
        if (auto earlier = finishedResult(file, id)) {
            csv += csvRow(*earlier);
            continue;
        }
        if (config.pipeline == nodes::pipelineName(nodes::VoxelPipeline::RayTracing) &&
            !(*context)->device().enabled().rayTracingPipeline) {
            // Not measured, and said so in the report: never a number for what cannot run.
            const json notRun{
                {"complete", false},
                {"skipped",
                 fmt::format("device '{}' has no ray-tracing pipelines "
                             "(VK_KHR_ray_tracing_pipeline, VK_KHR_acceleration_structure)",
                             physical.name)},
                {"config", {{"id", id}, {"pipeline", config.pipeline}}},
                {"device", device},
                {"build", build},
                {"command", options.command},
                {"date", isoNow()}};
            if (Result<void> written = writeAtomically(file, notRun.dump(2) + "\n"); !written) {
                return failWith(written.error());
            }
            ++skipped;
            continue;
        }
        const nodes::VoxelSceneRequest request = config.sceneRequest();
        if (!sceneFor || sceneFor->scene != request.scene || sceneFor->side != request.side ||
            sceneFor->structure != request.structure) {
            scene.reset();
            auto built = caches.scene(request);
            if (!built) {
                return failWith(built.error());
            }
            scene = std::move(*built);
            sceneFor = request;
        }
        json runs = json::array();
        std::vector<double> allGpu;
        std::vector<double> runMedians;
        std::vector<double> allCpu;
        nodes::VoxelBenchRun last;
        for (std::uint32_t r = 0; r < matrix->runs; ++r) {
            auto run = nodes::runVoxelBenchmark(
                (*context)->device(), (*context)->allocator(),
                nodes::graphBudgetFrom((*context)->budget(), (*context)->device()), *scene, config,
                matrix->warmupFrames, matrix->warmupSeconds, matrix->frames);
            if (!run) {
                return failWith(Error{run.error().code, id + ": " + run.error().message});
            }
            runMedians.push_back(run->gpuMs.median);
            allGpu.insert(allGpu.end(), run->gpuFrameMs.begin(), run->gpuFrameMs.end());
            allCpu.insert(allCpu.end(), run->cpuFrameMs.begin(), run->cpuFrameMs.end());
            runs.push_back({{"gpu_ms", summaryJson(run->gpuMs)},
                            {"cpu_ms", summaryJson(run->cpuMs)},
                            {"grays_per_s", run->graysPerSecond},
                            {"coarse_per_px", run->coarsePerPixel},
                            {"voxels_per_px", run->voxelsPerPixel},
                            {"hit_fraction", run->hitFraction},
                            {"device_bytes", run->deviceBytes},
                            {"untimed_frames", run->untimedFrames}});
            last = *run;
        }
        const core::Summary overRuns = core::summarize(runMedians);
        const double pixels = static_cast<double>(config.width) * config.height;
        json result{{"complete", true},
                    {"config",
                     {{"id", id},
                      {"pipeline", config.pipeline},
                      {"structure", std::string(voxel::structureName(config.structure))},
                      {"scene", config.scene},
                      {"voxels", config.voxels},
                      {"width", config.width},
                      {"height", config.height},
                      {"shadows", config.shadows}}},
                    {"frames",
                     {{"warmup", matrix->warmupFrames},
                      {"warmup_seconds", matrix->warmupSeconds},
                      {"measured", matrix->frames}}},
                    {"device", device},
                    {"build", build},
                    {"command", options.command},
                    {"date", isoNow()},
                    {"scene",
                     {{"loaded", scene->loaded},
                      {"seconds", scene->loaded ? scene->loadSeconds
                                                : scene->volumeSeconds + scene->structureSeconds},
                      {"structure_bytes", scene->words->size() * 4},
                      {"density", scene->density()},
                      {"bricks", scene->bricks}}},
                    {"runs", runs},
                    {"summary",
                     {{"gpu_ms", summaryJson(core::summarize(allGpu))},
                      {"gpu_ms_ci95_over_runs", overRuns.ci95},
                      {"cpu_ms", summaryJson(core::summarize(allCpu))},
                      {"grays_per_s",
                       overRuns.median > 0.0 ? pixels / (overRuns.median * 1e-3) / 1e9 : 0.0},
                      {"coarse_per_px", last.coarsePerPixel},
                      {"voxels_per_px", last.voxelsPerPixel},
                      {"hit_fraction", last.hitFraction},
                      {"device_bytes", last.deviceBytes}}}};
        if (last.acceleration) {
            const gpu::AccelerationStructureStats& built = *last.acceleration;
            result["acceleration_structure"] = {{"boxes", built.primitives},
                                                {"bottom_level_bytes", built.bottomLevelBytes},
                                                {"top_level_bytes", built.topLevelBytes},
                                                {"scratch_bytes", built.scratchBytes},
                                                {"build_gpu_ms", built.buildGpuMilliseconds},
                                                {"build_wall_ms", built.buildWallMilliseconds}};
        }
        if (Result<void> written = writeAtomically(file, result.dump(2) + "\n"); !written) {
            return failWith(written.error());
        }
        csv += csvRow(result);
        if (Result<void> written =
                writeAtomically(std::filesystem::path(options.out) / "summary.csv", csv);
            !written) {
            return failWith(written.error());
        }
        ++measured;
    }
    if (Result<void> written =
            writeAtomically(std::filesystem::path(options.out) / "summary.csv", csv);
        !written) {
        return failWith(written.error());
    }
    fmt::print(stderr, "{}", terminal ? "\n" : "");
    fmt::print(
        "done in {}: {} measured, {} kept from earlier, {} skipped (in their JSON: why); "
        "{}/summary.csv\n",
        formatDuration(std::chrono::duration<double>(Clock::now() - started).count()), measured,
        configs.size() - measured - skipped, skipped, options.out);
    return (*context)->exitCodeAfterValidation("vixen bench", 0);
}

}  // namespace vixen::app
