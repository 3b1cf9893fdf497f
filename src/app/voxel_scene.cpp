#include "voxel_scene.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "vixen/cache/cache_directory.hpp"
#include "vixen/core/units.hpp"

namespace vixen::app {

VoxelCaches::VoxelCaches(const std::string& cacheDir, bool noCache) {
    if (noCache) {
        return;
    }
    auto root = cache::resolveCacheRoot(cacheDir);
    if (!root) {
        fmt::print(stderr, "warning: {}; nothing is cached this run\n", root.error().message);
        return;
    }
    root_ = *root;
}

Result<nodes::BuiltVoxelScene> VoxelCaches::scene(const nodes::VoxelSceneRequest& request) {
    if (!root_) {
        return nodes::buildVoxelScene(request);
    }
    // Problems with the cache's files are logged as warnings by the cache itself.
    nodes::VoxelSceneCache scenes(*root_);
    auto scene = scenes.getOrBuild(request);
    // Saved at once (a built scene, or the counters of a loaded one), not at exit.
    if (Result<void> saved = scenes.save(); !saved) {
        fmt::print(stderr, "warning: the scene cache was not saved: {}\n", saved.error().message);
    }
    return scene;
}

nodes::ShaderLibrary& VoxelCaches::shaders(const std::string& shaderDir) {
    if (!shaders_) {
        if (shaderDir.empty()) {
            shaders_.emplace();
        } else {
            if (root_) {
                const cache::CacheIdentity host = nodes::hostCacheIdentity();
                spirv_.emplace(cache::PersistentCacheOptions{*root_ / host.directoryName(), "spirv",
                                                             host, cache::CacheLayout::OneFile});
            }
            shaders_.emplace(shaderDir, spirv_ ? &*spirv_ : nullptr);
        }
    }
    return *shaders_;
}

Result<CompileTimes> VoxelCaches::compile(graph::RenderGraph& graph, const gpu::Device& device) {
    if (root_) {
        pipelines_.emplace(*root_, device);
        auto loaded = pipelines_->load();
        if (!loaded) {
            fmt::print(stderr, "warning: the pipeline cache was not loaded: {}\n",
                       loaded.error().message);
        }
        pipelinesLoaded_ = loaded && *loaded;
    }
    const auto started = std::chrono::steady_clock::now();
    const std::uint64_t pipelineNsBefore = device.pipelineCreateNanoseconds();
    VIXEN_TRY(graph.compile());
    const CompileTimes times{
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
        static_cast<double>(device.pipelineCreateNanoseconds() - pipelineNsBefore) * 1e-9};
    if (spirv_) {
        if (Result<void> saved = spirv_->save(); !saved) {
            fmt::print(stderr, "warning: the SPIR-V cache was not saved: {}\n",
                       saved.error().message);
        }
    }
    if (pipelines_) {
        if (Result<void> saved = pipelines_->save(); !saved) {
            fmt::print(stderr, "warning: the pipeline cache was not saved: {}\n",
                       saved.error().message);
        }
    }
    return times;
}

std::string_view VoxelCaches::pipelineState() const noexcept {
    return !pipelines_ ? "off" : (pipelinesLoaded_ ? "warm" : "cold");
}

std::string describe(const nodes::BuiltVoxelScene& scene, const std::string& name) {
    const std::uint64_t bytes = scene.words->size() * sizeof(std::uint32_t);
    const std::string how =
        scene.loaded ? fmt::format("{} loaded from the scene cache in {:.3f} s",
                                   voxel::structureName(scene.structure), scene.loadSeconds)
                     : fmt::format("built in {:.3f} s, {} in {:.3f} s", scene.volumeSeconds,
                                   voxel::structureName(scene.structure), scene.structureSeconds);
    return fmt::format(
        "scene: {} {}x{}x{}, density {:.3f}, {} bricks ({} uniform); {}: {} ({:.3f} bytes per "
        "solid voxel)\n",
        name, scene.size.x, scene.size.y, scene.size.z, scene.density(), scene.bricks,
        scene.uniformBricks, how, core::formatBytes(bytes),
        static_cast<double>(bytes) /
            static_cast<double>(std::max<std::uint64_t>(scene.solidVoxels, 1)));
}

std::string describeStartup(const nodes::BuiltVoxelScene& scene, std::string_view pipelineState,
                            CompileTimes compile, double firstFrameSeconds) {
    const double sceneSeconds =
        scene.loaded ? scene.loadSeconds : scene.volumeSeconds + scene.structureSeconds;
    return fmt::format(
        "startup: scene {} {:.3f} s, graph compile {:.3f} s (pipelines {:.3f} s, pipeline cache "
        "{}), first frame {:.3f} s\n",
        scene.loaded ? "loaded" : "built", sceneSeconds, compile.compileSeconds,
        compile.pipelineSeconds, pipelineState, firstFrameSeconds);
}

}  // namespace vixen::app
