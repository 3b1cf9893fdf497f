#pragma once

// The voxel renderer's nodes: the scene's words uploaded once (persistent), a camera whose
// constants stream every frame, and a compute ray marcher per acceleration structure that
// writes colour, depth and a per-pixel count of the steps its rays took.

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "vixen/nodes/compute_kernel.hpp"
#include "vixen/nodes/gpu_image_nodes.hpp"
#include "vixen/nodes/gpu_node.hpp"
#include "vixen/nodes/gpu_stream_nodes.hpp"
#include "vixen/nodes/shader_library.hpp"
#include "vixen/voxel/camera.hpp"
#include "vixen/voxel/structure.hpp"

namespace vixen::nodes {

inline constexpr graph::SlotOptions kComputeRead{.stage = graph::StageKind::Compute};
inline constexpr graph::SlotOptions kComputeWrite{.access = graph::Access::Write,
                                                  .stage = graph::StageKind::Compute};

struct VoxelSceneConfig {
    static constexpr std::string_view kTypeName = "VoxelScene";
    static constexpr graph::Output<"scene", GpuBuffer, kPersistentTransferWrite> scene{};
    static constexpr graph::SlotList slots{scene};
};

/// A voxel scene as one storage buffer of 32-bit words (a brick map or a sparse voxel
/// octree: vixen/voxel), uploaded through the staging uploader at compile. The buffer is
/// persistent: a recompile such as a resize keeps it and uploads nothing.
class VoxelSceneNode : public GpuNode<VoxelSceneConfig> {
public:
    VoxelSceneNode(GpuRuntime& runtime, std::shared_ptr<const std::vector<std::uint32_t>> words);

    /// Times the words were uploaded (once, unless the buffer had to be made again).
    [[nodiscard]] std::uint32_t uploads() const noexcept { return uploads_; }

protected:
    [[nodiscard]] bool retiresReplacedObjects() const noexcept override { return true; }
    void setup(graph::SetupContext& context) override;
    Result<void> compile(const graph::CompileContext& context) override;
    void record(VkCommandBuffer /*commandBuffer*/,
                const graph::ExecuteContext& /*context*/) override {}
    [[nodiscard]] bool writesOutputsEachFrame() const noexcept override { return false; }

private:
    std::shared_ptr<const std::vector<std::uint32_t>> words_;
    std::uint32_t uploads_ = 0;
};

struct VoxelCameraConfig {
    static constexpr std::string_view kTypeName = "VoxelCamera";
    static constexpr graph::Output<"camera", GpuBuffer, kPersistentTransferWrite> camera{};
    static constexpr graph::SlotList slots{camera};
};

/// The camera, as vixen::voxel::CameraConstants streamed into a small buffer every frame
/// through the upload ring: `path(frame)` says where it is (an orbit, a scripted flight, the
/// user's input). Its image size follows the window when `shape.followWindow`.
class VoxelCameraNode : public GpuNode<VoxelCameraConfig> {
public:
    using Path = std::function<voxel::Camera(std::uint64_t frame)>;
    VoxelCameraNode(GpuRuntime& runtime, Path path, GpuImageShape shape);

    /// The constants of the last frame recorded (what the CPU oracle traces).
    [[nodiscard]] const voxel::CameraConstants& lastConstants() const noexcept { return last_; }

protected:
    [[nodiscard]] bool retiresReplacedObjects() const noexcept override { return true; }
    void setup(graph::SetupContext& context) override;
    Result<void> compile(const graph::CompileContext& context) override;
    void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) override;

private:
    Path path_;
    GpuImageShape shape_;
    voxel::CameraConstants last_{};
};

/// The acceleration structure a ray marcher traverses.
using VoxelStructure = voxel::Structure;

struct VoxelShading {
    bool shadows = false;
    std::array<float, 3> towardsLight{0.45F, 0.8F, 0.35F};  ///< normalised by the node
    float ambient = 0.25F;
};

struct VoxelRayMarchConfig {
    static constexpr std::string_view kTypeName = "VoxelRayMarch";
    static constexpr graph::Input<"scene", GpuBuffer, kComputeRead> scene{};
    static constexpr graph::Input<"camera", GpuBuffer, kComputeRead> camera{};
    static constexpr graph::Output<"color", GpuImage, kComputeWrite> color{};
    static constexpr graph::Output<"depth", GpuImage, kComputeWrite> depth{};
    static constexpr graph::Output<"steps", GpuImage, kComputeWrite> steps{};
    static constexpr graph::SlotList slots{scene, camera, color, depth, steps};
};

/// Primary rays through every pixel, first hit, face normal, Lambert shading with one
/// directional light (and a hard shadow ray when asked), written as colour (RGBA8, sRGB-ish
/// gamma), depth (R32F: distance along the ray in voxels, -1 for a miss) and steps (R32UI:
/// bricks or nodes visited << 16 | voxels visited, shadow rays included), all counted on the
/// GPU. One compute shader per structure, embedded, or from `shaders` (ShaderLibrary) when
/// given: then an edit of the shader's files recompiles this node, and a shader that no longer
/// compiles keeps the previous pipeline running and logs the compiler's messages.
class VoxelRayMarchNode : public GpuNode<VoxelRayMarchConfig> {
public:
    VoxelRayMarchNode(GpuRuntime& runtime, VoxelStructure structure, GpuImageShape shape,
                      VoxelShading shading = {}, ShaderLibrary* shaders = nullptr);

    /// Shader reloads that replaced the pipeline, and those that kept the old one.
    [[nodiscard]] std::uint32_t shaderReloads() const noexcept { return reloads_; }
    [[nodiscard]] std::uint32_t failedShaderReloads() const noexcept { return failedReloads_; }
    /// The message of the last reload that failed (empty when none did).
    [[nodiscard]] const std::string& lastShaderError() const noexcept { return lastError_; }

protected:
    [[nodiscard]] bool retiresReplacedObjects() const noexcept override { return true; }
    void setup(graph::SetupContext& context) override;
    void reestimate(graph::ResourceEstimate& estimate) override;
    Result<void> compile(const graph::CompileContext& context) override;
    void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) override;
    void release(const graph::CleanupContext& context) override;

private:
    [[nodiscard]] std::string_view shaderName() const noexcept;
    [[nodiscard]] std::span<const std::uint32_t> embeddedShader() const noexcept;
    /// The pipeline at the first compile, or a new one after the shader changed.
    [[nodiscard]] Result<void> makePipeline();

    VoxelStructure structure_;
    GpuImageShape shape_;
    VoxelShading shading_;
    ShaderLibrary* shaders_;
    ComputeKernel kernel_;
    bool reloadPending_ = false;
    std::uint32_t reloads_ = 0;
    std::uint32_t failedReloads_ = 0;
    std::string lastError_;
};

/// The voxel renderer's nodes, wired scene -> ray march <- camera: "scene", "camera" and
/// "ray march" in `graph`. Its outputs (colour, depth, steps) are for the caller to connect.
struct VoxelRenderer {
    graph::NodeHandle<VoxelSceneNode> scene;
    graph::NodeHandle<VoxelCameraNode> camera;
    graph::NodeHandle<VoxelRayMarchNode> march;
};
VoxelRenderer addVoxelRenderer(graph::RenderGraph& graph, GpuRuntime& runtime,
                               std::shared_ptr<const std::vector<std::uint32_t>> words,
                               VoxelCameraNode::Path path, GpuImageShape shape,
                               VoxelStructure structure, VoxelShading shading = {},
                               ShaderLibrary* shaders = nullptr);

/// The steps image read back (R32UI, VoxelRayMarchNode): bricks or nodes, and voxels,
/// summed over its pixels.
struct StepTotals {
    std::uint64_t coarse = 0;
    std::uint64_t voxels = 0;
    std::uint64_t pixels = 0;
};
[[nodiscard]] StepTotals sumSteps(std::span<const std::byte> stepImage) noexcept;

/// The depth image read back (R32F, VoxelRayMarchNode): pixels whose primary ray hit.
[[nodiscard]] std::uint64_t countHits(std::span<const std::byte> depthImage) noexcept;

}  // namespace vixen::nodes
