#pragma once

// What the voxel render tests share: one frame of a scene rendered through the voxel
// renderer's nodes and read back, and its comparison with the CPU reference tracer pixel by
// pixel.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "gpu_graph_fixture.hpp"
#include "vixen/nodes/voxel_nodes.hpp"
#include "vixen/voxel/brick_volume.hpp"
#include "vixen/voxel/tracer.hpp"

namespace vixen::nodes {

constexpr std::uint32_t kWidth = 96;
constexpr std::uint32_t kHeight = 64;

struct Rendered {
    voxel::CameraConstants camera;
    std::vector<std::byte> color;
    std::vector<float> depth;
    std::vector<std::uint32_t> steps;
};

template <class T>
inline std::vector<T> copyPixels(const GpuReadbackNode& readback) {
    auto pixels = readback.pixels();
    EXPECT_TRUE(pixels) << pixels.error().message;
    std::vector<T> out(pixels ? pixels->size() / sizeof(T) : 0);
    if (pixels) {
        std::memcpy(out.data(), pixels->data(), pixels->size());
    }
    return out;
}

/// Renders one frame of `words` with `structure` through a camera orbiting by `angle`.
inline Rendered render(GpuGraph& gpu, std::shared_ptr<const std::vector<std::uint32_t>> words,
                       VoxelStructure structure, voxel::Int3 size, float angle, bool shadows,
                       VoxelPipeline pipeline = VoxelPipeline::Compute) {
    const GpuImageShape shape{kWidth, kHeight, false, false};
    const VoxelRenderer renderer = addVoxelRenderer(
        gpu.graph, *gpu.runtime, std::move(words),
        [size, angle](std::uint64_t) { return voxel::Camera::orbit(size, angle); }, shape,
        structure, VoxelShading{.shadows = shadows}, nullptr, pipeline);
    const graph::NodeHandle<VoxelCameraNode> camera = renderer.camera;
    auto color = gpu.graph.addNode<GpuReadbackNode>("color", *gpu.runtime);
    auto depth = gpu.graph.addNode<GpuReadbackNode>("depth", *gpu.runtime);
    auto steps = gpu.graph.addNode<GpuReadbackNode>("steps", *gpu.runtime);
    renderer.connect(gpu.graph, VoxelOutput::Color, color, GpuReadbackConfig::image);
    renderer.connect(gpu.graph, VoxelOutput::Depth, depth, GpuReadbackConfig::image);
    renderer.connect(gpu.graph, VoxelOutput::Steps, steps, GpuReadbackConfig::image);
    Rendered out;
    const Result<void> compiled = gpu.graph.compile();
    EXPECT_TRUE(compiled) << gpu.graph.report().describe(gpu.graph);
    if (!compiled) {
        return out;
    }
    EXPECT_TRUE(gpu.runtime->frame());
    EXPECT_TRUE(gpu.runtime->waitIdle());
    out.camera = static_cast<VoxelCameraNode&>(gpu.graph.node(camera.id)).lastConstants();
    out.color = copyPixels<std::byte>(static_cast<GpuReadbackNode&>(gpu.graph.node(color.id)));
    out.depth = copyPixels<float>(static_cast<GpuReadbackNode&>(gpu.graph.node(depth.id)));
    out.steps = copyPixels<std::uint32_t>(static_cast<GpuReadbackNode&>(gpu.graph.node(steps.id)));
    return out;
}

struct Agreement {
    std::uint32_t pixels = 0;
    std::uint32_t maskAgrees = 0;
    std::uint32_t bothHit = 0;
    std::uint32_t voxelAgrees = 0;
    double worstDepth = 0.0;
};

inline Agreement compareWithOracle(const voxel::BrickVolume& volume, const Rendered& gpu) {
    Agreement a;
    for (std::uint32_t y = 0; y < kHeight; ++y) {
        for (std::uint32_t x = 0; x < kWidth; ++x) {
            const std::size_t i = std::size_t{y} * kWidth + x;
            const auto hit =
                voxel::trace(volume, voxel::primaryRay(gpu.camera, x, y, kWidth, kHeight));
            const bool gpuHit = gpu.depth[i] >= 0.0F;
            ++a.pixels;
            a.maskAgrees += gpuHit == hit.has_value() ? 1U : 0U;
            if (!gpuHit || !hit) {
                continue;
            }
            ++a.bothHit;
            // The GPU writes the depth, not the voxel: the voxel just past that depth along
            // the ray is the one it hit.
            const voxel::Ray ray = voxel::primaryRay(gpu.camera, x, y, kWidth, kHeight);
            const double length = std::sqrt(ray.direction[0] * ray.direction[0] +
                                            ray.direction[1] * ray.direction[1] +
                                            ray.direction[2] * ray.direction[2]);
            const double t = static_cast<double>(gpu.depth[i]) + 1e-3;
            const voxel::Int3 entered{
                static_cast<std::int32_t>(
                    std::floor(ray.origin[0] + t * ray.direction[0] / length)),
                static_cast<std::int32_t>(
                    std::floor(ray.origin[1] + t * ray.direction[1] / length)),
                static_cast<std::int32_t>(
                    std::floor(ray.origin[2] + t * ray.direction[2] / length))};
            if (entered == hit->voxel) {
                ++a.voxelAgrees;
                a.worstDepth = std::max(
                    a.worstDepth, std::abs(static_cast<double>(gpu.depth[i]) - hit->distance));
            }
        }
    }
    return a;
}

}  // namespace vixen::nodes
