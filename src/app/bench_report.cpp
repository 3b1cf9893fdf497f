#include "bench_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include "vixen/core/files.hpp"

namespace vixen::app {
namespace {

using nlohmann::json;

/// One finished configuration, as the report needs it.
struct Measured {
    std::string id;
    std::string pipeline;
    std::string structure;
    std::string scene;
    int voxels = 0;
    int width = 0;
    int height = 0;
    bool shadows = false;
    double gpuMedian = 0.0;
    double gpuP5 = 0.0;
    double gpuP95 = 0.0;
    double ci95 = 0.0;
    double grays = 0.0;
    double coarse = 0.0;
    double voxelSteps = 0.0;
    std::size_t runs = 0;
    std::string source;
    /// The ray-tracing pipeline's acceleration structure (boxes 0: none).
    std::uint64_t boxes = 0;
    double structureMiB = 0.0;
    double scratchMiB = 0.0;
    double buildGpuMs = 0.0;
    double buildWallMs = 0.0;

    [[nodiscard]] std::string size() const { return fmt::format("{}x{}", width, height); }
    [[nodiscard]] std::string variant() const {
        return pipeline + " " + structure + (shadows ? " shadows" : "");
    }
};

/// Device and driver: results of different GPUs or drivers never share a table.
using Group = std::map<std::string, std::vector<Measured>>;
/// Per device and driver: configurations skipped (id -> the reason the bench wrote).
using Skips = std::map<std::string, std::map<std::string, std::string>>;

std::string groupOf(const json& result) {
    const auto device = result.find("device");
    if (device == result.end() || !device->is_object()) {
        return "? (driver ?)";
    }
    const auto text = [&](const char* key) {
        const auto found = device->find(key);
        return found != device->end() && found->is_string() ? found->get<std::string>()
                                                            : std::string("?");
    };
    return fmt::format("{} (driver {})", text("name"), text("driver"));
}

/// A configuration the bench skipped: its id and why, when `result` is one.
std::optional<std::pair<std::string, std::string>> skippedOf(const json& result) {
    if (!result.is_object()) {
        return std::nullopt;
    }
    const auto why = result.find("skipped");
    const auto config = result.find("config");
    if (why == result.end() || !why->is_string() || config == result.end() ||
        !config->is_object()) {
        return std::nullopt;
    }
    const auto id = config->find("id");
    return std::pair{id != config->end() && id->is_string() ? id->get<std::string>() : "?",
                     why->get<std::string>()};
}

/// The acceleration structures the ray-tracing rows built, once per scene and size.
std::string accelerationSection(const std::vector<Measured>& rows) {
    std::map<std::pair<std::string, int>, const Measured*> built;
    for (const Measured& m : rows) {
        if (m.boxes > 0) {
            built.emplace(std::pair{m.scene, m.voxels}, &m);
        }
    }
    if (built.empty()) {
        return {};
    }
    std::string md =
        "\n### Acceleration structures (ray-tracing pipeline: one box per occupied brick)\n\n"
        "| scene | voxels | boxes | structure MiB | build scratch MiB | build ms (GPU) | build ms "
        "(wall, with inputs) |\n| --- | --- | --- | --- | --- | --- | --- |\n";
    for (const auto& [key, m] : built) {
        md += fmt::format("| {} | {} | {} | {:.1f} | {:.1f} | {:.2f} | {:.1f} |\n", key.first,
                          key.second, m->boxes, m->structureMiB, m->scratchMiB, m->buildGpuMs,
                          m->buildWallMs);
    }
    return md;
}

std::optional<Measured> measuredOf(const json& result, const std::string& source) {
    if (!result.is_object() || !result.value("complete", false)) {
        return std::nullopt;
    }
    try {
        const json& c = result.at("config");
        const json& s = result.at("summary");
        Measured m;
        m.id = c.at("id").get<std::string>();
        m.pipeline = c.at("pipeline").get<std::string>();
        m.structure = c.at("structure").get<std::string>();
        m.scene = c.at("scene").get<std::string>();
        m.voxels = c.at("voxels").get<int>();
        m.width = c.at("width").get<int>();
        m.height = c.at("height").get<int>();
        m.shadows = c.at("shadows").get<bool>();
        m.gpuMedian = s.at("gpu_ms").at("median").get<double>();
        m.gpuP5 = s.at("gpu_ms").at("p5").get<double>();
        m.gpuP95 = s.at("gpu_ms").at("p95").get<double>();
        m.ci95 = s.at("gpu_ms_ci95_over_runs").get<double>();
        m.grays = s.at("grays_per_s").get<double>();
        m.coarse = s.at("coarse_per_px").get<double>();
        m.voxelSteps = s.at("voxels_per_px").get<double>();
        m.runs = result.at("runs").size();
        m.source = source;
        if (const auto found = result.find("acceleration_structure"); found != result.end()) {
            constexpr double kMiB = 1024.0 * 1024.0;
            m.boxes = found->at("boxes").get<std::uint64_t>();
            m.structureMiB =
                static_cast<double>(found->at("bottom_level_bytes").get<std::uint64_t>() +
                                    found->at("top_level_bytes").get<std::uint64_t>()) /
                kMiB;
            m.scratchMiB =
                static_cast<double>(found->at("scratch_bytes").get<std::uint64_t>()) / kMiB;
            m.buildGpuMs = found->at("build_gpu_ms").get<double>();
            m.buildWallMs = found->at("build_wall_ms").get<double>();
        }
        return m;
    } catch (const json::exception&) {
        return std::nullopt;
    }
}

std::string slug(std::string text) {
    for (char& c : text) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0) {
            c = '-';
        }
    }
    return text;
}

/// G rays/s against voxels a side, a line per scene, for one variant and size: a gnuplot
/// script and its data beside it. Returns the PNG's file name, or empty without gnuplot.
std::string scalingChart(const std::filesystem::path& out, const std::string& name,
                         const std::vector<Measured>& rows, const std::string& title,
                         bool gnuplot) {
    std::map<std::string, std::vector<std::pair<int, double>>> lines;
    for (const Measured& m : rows) {
        lines[m.scene].emplace_back(m.voxels, m.grays);
    }
    std::ofstream data(out / (name + ".dat"));
    std::string plot;
    std::size_t block = 0;
    for (auto& [scene, points] : lines) {
        std::sort(points.begin(), points.end());
        data << "# " << scene << "\n";
        for (const auto& [voxels, grays] : points) {
            data << voxels << " " << grays << "\n";
        }
        data << "\n\n";
        plot += fmt::format("{}'{}.dat' index {} with linespoints title '{}'",
                            plot.empty() ? "" : ", ", name, block++, scene);
    }
    data.close();  // gnuplot reads it next
    std::ofstream script(out / (name + ".gp"));
    script << "set terminal pngcairo size 800,500\n"
           << "set output '" << name << ".png'\n"
           << "set title '" << title << "'\n"
           << "set logscale x 2\nset xlabel 'voxels a side'\nset ylabel 'G primary rays/s'\n"
           << "set grid\nset key outside right\nplot " << plot << "\n";
    script.close();
    if (!gnuplot) {
        return {};
    }
    const std::string command =
        fmt::format("cd '{}' && gnuplot '{}.gp' 2>/dev/null", out.string(), name);
    return std::system(command.c_str()) == 0 ? name + ".png" : std::string();
}

}  // namespace

/// Every other structure's rays per second over NanoVDB's on the same pipeline, scene,
/// resolution and size (the outside baseline); empty when the rows hold no NanoVDB result.
std::string baselineSection(const std::vector<Measured>& rows) {
    constexpr std::string_view kBaseline = "nanovdb";
    std::map<std::tuple<std::string, int, std::string>, std::map<std::string, const Measured*>>
        table;
    std::set<std::string> compared;
    for (const Measured& m : rows) {
        table[{m.scene, m.voxels, m.size()}][m.variant()] = &m;
    }
    const auto baselineOf = [&](const Measured& m) {
        Measured base = m;
        base.structure = kBaseline;
        return base.variant();
    };
    for (const Measured& m : rows) {
        if (m.structure != kBaseline &&
            table[{m.scene, m.voxels, m.size()}].contains(baselineOf(m))) {
            compared.insert(m.variant());
        }
    }
    if (compared.empty()) {
        return {};
    }
    std::string md = fmt::format(
        "\n### Against the NanoVDB baseline (rays/s over NanoVDB's, same pipeline)\n\n"
        "| scene | voxels | size | {} |\n| --- | --- | --- |",
        fmt::join(compared, " | "));
    for (std::size_t i = 0; i < compared.size(); ++i) {
        md += " --- |";
    }
    md += "\n";
    for (const auto& [key, cells] : table) {
        md += fmt::format("| {} | {} | {} |", std::get<0>(key), std::get<1>(key), std::get<2>(key));
        for (const std::string& variant : compared) {
            const auto found = cells.find(variant);
            const auto base =
                found == cells.end() ? cells.end() : cells.find(baselineOf(*found->second));
            md += base == cells.end() || base->second->grays <= 0.0
                      ? " - |"
                      : fmt::format(" {:.2f}x |", found->second->grays / base->second->grays);
        }
        md += "\n";
    }
    return md;
}

int runBenchReport(const std::vector<std::string>& folders, const std::string& out) {
    Group groups;
    Skips skips;
    std::size_t files = 0;
    std::size_t skipped = 0;
    std::size_t duplicates = 0;
    std::set<std::pair<std::string, std::string>> seen;  // (group, id)
    for (const std::string& folder : folders) {
        std::error_code error;
        if (!std::filesystem::is_directory(folder, error)) {
            fmt::print(stderr, "vixen bench report: '{}' is not a folder\n", folder);
            return 1;
        }
        for (const auto& item : std::filesystem::recursive_directory_iterator(folder, error)) {
            if (!item.is_regular_file() || item.path().extension() != ".json") {
                continue;
            }
            std::ifstream in(item.path());
            const json result = json::parse(in, nullptr, false);
            if (auto skip = skippedOf(result)) {
                skips[groupOf(result)].insert(std::move(*skip));
                continue;
            }
            auto measured = measuredOf(result, item.path().parent_path().string());
            if (!measured) {
                ++skipped;  // not a finished configuration (another JSON, or interrupted)
                continue;
            }
            const std::string group = groupOf(result);
            // The same configuration on the same device twice (overlapping folders): once.
            if (!seen.insert({group, measured->id}).second) {
                ++duplicates;
                continue;
            }
            groups[group].push_back(std::move(*measured));
            ++files;
        }
    }
    if (files == 0 && skips.empty()) {
        fmt::print(stderr, "vixen bench report: no finished configuration under {}\n",
                   fmt::join(folders, ", "));
        return 1;
    }
    const std::filesystem::path outDir(out);
    std::error_code made;
    std::filesystem::create_directories(outDir, made);
    if (made) {
        fmt::print(stderr, "vixen bench report: --out {}: {}\n", out, made.message());
        return 1;
    }
    const bool gnuplot = std::system("command -v gnuplot >/dev/null 2>&1") == 0;
    std::string md = fmt::format(
        "# VIXEN benchmark report\n\n{} configuration(s) from {}{}. Figures: the GPU time of "
        "the ray march from timestamps (median of every measured frame of every run), primary "
        "rays per second at the median of the runs' medians, and the 95 % interval of the "
        "runs' medians (Student's t) as their spread. Results of different devices or drivers "
        "are never mixed.\n",
        files, fmt::join(folders, ", "),
        skipped + duplicates > 0
            ? fmt::format(" ({} other JSON file(s) and {} repeated configuration(s) left out)",
                          skipped, duplicates)
            : "");
    if (!gnuplot) {
        md +=
            "\nCharts: not drawn (gnuplot is not installed: apt install gnuplot-nox); their "
            "data and scripts are beside this file.\n";
    }
    for (auto& [device, rows] : groups) {
        std::sort(rows.begin(), rows.end(), [](const Measured& a, const Measured& b) {
            return std::tie(a.scene, a.voxels, a.height, a.width, a.pipeline, a.structure,
                            a.shadows) < std::tie(b.scene, b.voxels, b.height, b.width, b.pipeline,
                                                  b.structure, b.shadows);
        });
        std::set<std::string> sources;
        std::set<std::string> variants;
        for (const Measured& m : rows) {
            sources.insert(m.source);
            variants.insert(m.variant());
        }
        md += fmt::format("\n## {}\n\n{} configuration(s), from {}.\n", device, rows.size(),
                          fmt::join(sources, ", "));

        md += "\n### Side by side (G primary rays/s)\n\n| scene | voxels | size |";
        for (const std::string& variant : variants) {
            md += " " + variant + " |";
        }
        md += "\n| --- | --- | --- |";
        for (std::size_t v = 0; v < variants.size(); ++v) {
            md += " --- |";
        }
        md += "\n";
        std::map<std::tuple<std::string, int, std::string>, std::map<std::string, double>> table;
        for (const Measured& m : rows) {
            table[{m.scene, m.voxels, m.size()}][m.variant()] = m.grays;
        }
        for (const auto& [key, cells] : table) {
            md += fmt::format("| {} | {} | {} |", std::get<0>(key), std::get<1>(key),
                              std::get<2>(key));
            for (const std::string& variant : variants) {
                const auto found = cells.find(variant);
                md += found == cells.end() ? " - |" : fmt::format(" {:.2f} |", found->second);
            }
            md += "\n";
        }

        md += baselineSection(rows);
        md += accelerationSection(rows);
        if (const auto notRun = skips.find(device); notRun != skips.end()) {
            md += "\n### Skipped on this device\n\n| configuration | why |\n| --- | --- |\n";
            for (const auto& [id, why] : notRun->second) {
                md += fmt::format("| {} | {} |\n", id, why);
            }
        }

        md += "\n### Resolution scaling\n\n";
        std::map<std::pair<std::string, std::string>, std::vector<Measured>> scaling;
        for (const Measured& m : rows) {
            scaling[{m.variant(), m.size()}].push_back(m);
        }
        for (const auto& [key, points] : scaling) {
            const std::string name = slug(device + "-" + key.first + "-" + key.second);
            const std::string title = key.first + ", " + key.second;
            const std::string png = scalingChart(outDir, name, points, title, gnuplot);
            md += png.empty() ? fmt::format("- {}: data in `{}.dat`\n", title, name)
                              : fmt::format("![{}]({})\n\n", title, png);
        }

        md += "\n### Per scene\n";
        std::string scene;
        for (const Measured& m : rows) {
            if (m.scene != scene) {
                scene = m.scene;
                md += fmt::format(
                    "\n#### {}\n\n| variant | voxels | size | GPU ms median (p5-p95) | runs, "
                    "95 % of medians | G rays/s | bricks or nodes / px | voxels / px |\n"
                    "| --- | --- | --- | --- | --- | --- | --- | --- |\n",
                    scene);
            }
            md += fmt::format(
                "| {} | {} | {} | {:.3f} ({:.3f}-{:.3f}) | {}, ±{:.4f} ms | {:.2f} | "
                "{:.2f} | {:.2f} |\n",
                m.variant(), m.voxels, m.size(), m.gpuMedian, m.gpuP5, m.gpuP95, m.runs, m.ci95,
                m.grays, m.coarse, m.voxelSteps);
        }
    }
    // Devices where nothing ran: why, all the same.
    for (const auto& [device, notRun] : skips) {
        if (groups.contains(device)) {
            continue;
        }
        md += fmt::format(
            "\n## {}\n\nNothing measured.\n\n### Skipped on this device\n\n"
            "| configuration | why |\n| --- | --- |\n",
            device);
        for (const auto& [id, why] : notRun) {
            md += fmt::format("| {} | {} |\n", id, why);
        }
    }
    const std::filesystem::path report = outDir / "report.md";
    {
        std::ofstream file(report.string() + ".tmp", std::ios::trunc);
        file << md;
    }
    if (Result<void> moved = core::moveIntoPlace(report.string() + ".tmp", report); !moved) {
        fmt::print(stderr, "vixen bench report: {}\n", moved.error().message);
        return 1;
    }
    fmt::print("wrote {} ({} configuration(s), {} device group(s){})\n", report.string(), files,
               groups.size(), gnuplot ? ", charts as PNG" : ", no charts: gnuplot missing");
    return 0;
}

}  // namespace vixen::app
