#pragma once

// The voxel renderer's nodes: the scene's words uploaded once (persistent), a camera whose
// constants stream every frame, and a ray marcher per pipeline (compute, fragment, ray
// tracing) and acceleration structure that writes colour, depth and a per-pixel count of the steps
// its rays took.

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "vixen/gpu/acceleration_structure.hpp"
#include "vixen/gpu/ray_tracing_pipeline.hpp"
#include "vixen/nodes/compute_kernel.hpp"
#include "vixen/nodes/gpu_image_nodes.hpp"
#include "vixen/nodes/gpu_node.hpp"
#include "vixen/nodes/gpu_stream_nodes.hpp"
#include "vixen/nodes/graphics_kernel.hpp"
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

/// The camera, streamed into a small buffer every frame through the upload ring as
/// vixen::voxel::TemporalCameraConstants: the constants the marchers trace with first (what
/// they bind), then this frame's and the previous frame's without jitter and how long the
/// camera has been still, for temporal accumulation. `path(frame)` says where it is (an
/// orbit, a scripted flight, the user's input). With `jitter`, frame n's rays pass through
/// their pixel's centre moved by jitter[n % size] (voxel::haltonJitter). Its image size
/// follows the window when `shape.followWindow`.
class VoxelCameraNode : public GpuNode<VoxelCameraConfig> {
public:
    using Path = std::function<voxel::Camera(std::uint64_t frame)>;
    VoxelCameraNode(GpuRuntime& runtime, Path path, GpuImageShape shape,
                    voxel::JitterOffsets jitter = {});

    /// The constants of the last frame recorded (what the CPU oracle traces).
    [[nodiscard]] const voxel::CameraConstants& lastConstants() const noexcept {
        return last_.traced;
    }

protected:
    [[nodiscard]] bool retiresReplacedObjects() const noexcept override { return true; }
    void setup(graph::SetupContext& context) override;
    Result<void> compile(const graph::CompileContext& context) override;
    void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) override;

private:
    Path path_;
    GpuImageShape shape_;
    voxel::JitterOffsets jitter_;
    voxel::TemporalCameraConstants last_{};
    bool hasPrevious_ = false;
};

/// The acceleration structure a ray marcher traverses.
using VoxelStructure = voxel::Structure;

struct VoxelShading {
    bool shadows = false;
    std::array<float, 3> towardsLight{0.45F, 0.8F, 0.35F};  ///< normalised by the node
    float ambient = 0.25F;
};

/// The Vulkan pipeline a voxel ray marcher runs on: the same ray march (voxel_common.glsl)
/// from a compute shader writing storage images, from a fragment shader over a full-screen
/// triangle writing colour attachments, or from a ray-tracing pipeline whose rays traverse
/// boxes around the brick map's occupied bricks (VK_KHR_ray_tracing_pipeline).
enum class VoxelPipeline : std::uint8_t { Compute, Fragment, RayTracing };
[[nodiscard]] std::string_view pipelineName(VoxelPipeline pipeline) noexcept;
/// "compute", "fragment" or "raytracing"; none for another name.
[[nodiscard]] std::optional<VoxelPipeline> voxelPipelineNamed(std::string_view name) noexcept;

/// The push constants every marcher's shaders declare (voxel_common.glsl, Params).
struct VoxelMarchParams {
    std::uint32_t width;
    std::uint32_t height;
    std::uint32_t flags;
    std::uint32_t pad;
    std::array<float, 4> light;  ///< xyz: unit direction towards the light; w: ambient
};

/// What the marchers of every pipeline share: the structure, the image shape, the shading,
/// and a shader that comes embedded or from `shaders` (ShaderLibrary): then an edit of the
/// shader's files recompiles this node alone, and a shader that no longer compiles keeps
/// the previous pipeline running and logs the compiler's messages. Outputs: colour (RGBA8,
/// sRGB-ish gamma), depth (R32F: distance along the ray in voxels, -1 for a miss) and steps
/// (R32UI: bricks or nodes visited << 16 | voxels visited, shadow rays included), all
/// written on the GPU.
template <class Config>
class VoxelMarchNodeBase : public GpuNode<Config> {
public:
    /// Shader reloads that replaced the pipeline, and those that kept the old one.
    [[nodiscard]] std::uint32_t shaderReloads() const noexcept { return reloads_; }
    [[nodiscard]] std::uint32_t failedShaderReloads() const noexcept { return failedReloads_; }
    /// The message of the last reload that failed (empty when none did).
    [[nodiscard]] const std::string& lastShaderError() const noexcept { return lastError_; }
    [[nodiscard]] VoxelStructure structure() const noexcept { return structure_; }

protected:
    VoxelMarchNodeBase(GpuRuntime& runtime, VoxelPipeline pipeline, VoxelStructure structure,
                       GpuImageShape shape, VoxelShading shading, ShaderLibrary* shaders);

    [[nodiscard]] bool retiresReplacedObjects() const noexcept override { return true; }
    void setup(graph::SetupContext& context) override;
    void reestimate(graph::ResourceEstimate& estimate) override;

    /// The ray-march shader of this structure and pipeline ("voxel_brickmap.frag").
    [[nodiscard]] std::string_view shaderName() const noexcept;
    [[nodiscard]] std::span<const std::uint32_t> embeddedShader() const noexcept;
    /// How a pipeline is made from the ray-march shader's SPIR-V: anew (`replace` false) at
    /// the first compile, or replacing the running one after the shader changed.
    using PipelineMaker =
        std::function<Result<void>(std::span<const std::uint32_t> spirv, bool replace)>;
    /// At compile: the pipeline at the first compile (`hasPipeline` false), or a new one
    /// when the shader changed since; a reload that fails keeps the running pipeline.
    [[nodiscard]] Result<void> updatePipeline(bool hasPipeline, const PipelineMaker& make);
    /// The push constants for an image of `width` by `height`.
    [[nodiscard]] VoxelMarchParams params(std::uint32_t width, std::uint32_t height) const noexcept;
    /// The three output images, with `usage` (how this pipeline writes them) and
    /// TRANSFER_SRC (read back, presented).
    [[nodiscard]] Result<void> createImages(VkImageUsageFlags usage);
    /// Where shaders come from; null: embedded only.
    [[nodiscard]] ShaderLibrary* shaderLibrary() const noexcept { return shaders_; }

    GpuImageShape shape_;

private:
    VoxelPipeline pipeline_;
    VoxelStructure structure_;
    VoxelShading shading_;
    ShaderLibrary* shaders_;
    bool reloadPending_ = false;
    std::uint32_t reloads_ = 0;
    std::uint32_t failedReloads_ = 0;
    std::string lastError_;
};

/// The slots of every marcher: the scene and camera read, and the three images written, by
/// the shader stages of its pipeline (`Read`, `Write`).
template <graph::SlotOptions Read, graph::SlotOptions Write>
struct VoxelMarchSlots {
    static constexpr graph::Input<"scene", GpuBuffer, Read> scene{};
    static constexpr graph::Input<"camera", GpuBuffer, Read> camera{};
    static constexpr graph::Output<"color", GpuImage, Write> color{};
    static constexpr graph::Output<"depth", GpuImage, Write> depth{};
    static constexpr graph::Output<"steps", GpuImage, Write> steps{};
    static constexpr graph::SlotList slots{scene, camera, color, depth, steps};
};

struct VoxelRayMarchConfig : VoxelMarchSlots<kComputeRead, kComputeWrite> {
    static constexpr std::string_view kTypeName = "VoxelRayMarch";
};

/// The compute ray marcher: primary rays through every pixel, first hit, face normal,
/// Lambert shading with one directional light (and a hard shadow ray when asked), one
/// invocation per pixel writing storage images (VoxelMarchNodeBase).
class VoxelRayMarchNode : public VoxelMarchNodeBase<VoxelRayMarchConfig> {
public:
    VoxelRayMarchNode(GpuRuntime& runtime, VoxelStructure structure, GpuImageShape shape,
                      VoxelShading shading = {}, ShaderLibrary* shaders = nullptr);

protected:
    void setup(graph::SetupContext& context) override;
    Result<void> compile(const graph::CompileContext& context) override;
    void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) override;
    void release(const graph::CleanupContext& context) override;

private:
    ComputeKernel kernel_;
};

inline constexpr graph::SlotOptions kGraphicsRead{.stage = graph::StageKind::Graphics};
inline constexpr graph::SlotOptions kGraphicsWrite{.access = graph::Access::Write,
                                                   .stage = graph::StageKind::Graphics};

struct VoxelFragmentMarchConfig : VoxelMarchSlots<kGraphicsRead, kGraphicsWrite> {
    static constexpr std::string_view kTypeName = "VoxelFragmentMarch";
};

/// The fragment ray marcher: the same ray march from a fragment shader over one full-screen
/// triangle, writing its three outputs as colour attachments (VoxelMarchNodeBase). Only the
/// fragment shader comes from the library; the triangle's vertex shader is embedded.
class VoxelFragmentMarchNode : public VoxelMarchNodeBase<VoxelFragmentMarchConfig> {
public:
    VoxelFragmentMarchNode(GpuRuntime& runtime, VoxelStructure structure, GpuImageShape shape,
                           VoxelShading shading = {}, ShaderLibrary* shaders = nullptr);

protected:
    Result<void> compile(const graph::CompileContext& context) override;
    void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) override;
    void release(const graph::CleanupContext& context) override;

private:
    /// The pipeline's description with `fragment` as its fragment shader.
    [[nodiscard]] gpu::GraphicsPipelineDesc pipelineDesc(
        std::span<const std::uint32_t> fragment) noexcept;

    std::array<gpu::ShaderStageCode, 2> stages_{};
    GraphicsKernel kernel_;
};

inline constexpr graph::SlotOptions kRayTracingRead{.stage = graph::StageKind::RayTracing};
inline constexpr graph::SlotOptions kRayTracingWrite{.access = graph::Access::Write,
                                                     .stage = graph::StageKind::RayTracing};

struct VoxelRayTraceConfig : VoxelMarchSlots<kRayTracingRead, kRayTracingWrite> {
    static constexpr std::string_view kTypeName = "VoxelRayTrace";
};

/// The ray-tracing marcher: an acceleration structure of one box per occupied brick of the
/// brick map (built from the scene's words at the first compile, kept by recompiles), a
/// ray generation shader that shades as the other marchers do, and an intersection shader
/// that walks the voxels of the brick whose box a ray enters (VoxelMarchNodeBase). Bricks,
/// not voxels, are the boxes: a voxel's box would multiply the structure's memory by the
/// solid voxels a brick holds while traversal still has to find the first one. The steps
/// image counts intersection calls (bricks) and the voxels they walked. Compile fails
/// (Unsupported) on a device without ray-tracing pipelines, and for another structure than
/// the brick map (InvalidArgument).
class VoxelRayTraceNode : public VoxelMarchNodeBase<VoxelRayTraceConfig> {
public:
    VoxelRayTraceNode(GpuRuntime& runtime, std::shared_ptr<const std::vector<std::uint32_t>> words,
                      VoxelStructure structure, GpuImageShape shape, VoxelShading shading = {},
                      ShaderLibrary* shaders = nullptr);

    /// The acceleration structure's primitives, memory and build times (zero before the first
    /// compile).
    [[nodiscard]] const gpu::AccelerationStructureStats& accelerationStats() const noexcept {
        return boxes_.stats();
    }

protected:
    void setup(graph::SetupContext& context) override;
    Result<void> compile(const graph::CompileContext& context) override;
    void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) override;
    void release(const graph::CleanupContext& context) override;

private:
    /// The boxes of the occupied bricks and, for the intersection shader, each one's brick
    /// and grid word.
    [[nodiscard]] Result<void> buildBrickBoxes();
    /// The pipeline from `rayGeneration` and the library's (or embedded) other stages.
    [[nodiscard]] Result<void> makePipeline(std::span<const std::uint32_t> rayGeneration,
                                            bool replace);

    std::shared_ptr<const std::vector<std::uint32_t>> words_;
    gpu::AabbAccelerationStructure boxes_;
    gpu::Buffer brickCells_;
    std::unique_ptr<gpu::RayTracingPipeline> pipeline_;
    PipelineBindings bindings_;
};

/// Which of a marcher's outputs (every pipeline's marcher has the three).
enum class VoxelOutput : std::uint8_t { Color, Depth, Steps };

/// The voxel renderer's nodes, wired scene -> ray march <- camera: "scene", "camera" and
/// "ray march" in `graph`, the marcher of the pipeline asked for. Its outputs (colour, depth,
/// steps) are for the caller to connect.
struct VoxelRenderer {
    graph::NodeHandle<VoxelSceneNode> scene;
    graph::NodeHandle<VoxelCameraNode> camera;
    std::variant<graph::NodeHandle<VoxelRayMarchNode>, graph::NodeHandle<VoxelFragmentMarchNode>,
                 graph::NodeHandle<VoxelRayTraceNode>>
        march;

    [[nodiscard]] graph::NodeId marchId() const noexcept {
        return std::visit([](auto handle) { return handle.id; }, march);
    }
    /// Connects the marcher's `output` to input `input` of `to`, whichever pipeline it runs.
    template <class C, class InSlot>
    void connect(graph::RenderGraph& graph, VoxelOutput output, graph::NodeHandle<C> to,
                 InSlot input) const {
        std::visit(
            [&]<class N>(graph::NodeHandle<N> from) {
                using Config = typename N::NodeConfig;
                switch (output) {
                    case VoxelOutput::Color:
                        graph.connect(from, Config::color, to, input);
                        break;
                    case VoxelOutput::Depth:
                        graph.connect(from, Config::depth, to, input);
                        break;
                    case VoxelOutput::Steps:
                        graph.connect(from, Config::steps, to, input);
                        break;
                }
            },
            march);
    }
};
/// `jitter`: the camera's subpixel offsets (VoxelCameraNode), for temporal accumulation.
VoxelRenderer addVoxelRenderer(graph::RenderGraph& graph, GpuRuntime& runtime,
                               std::shared_ptr<const std::vector<std::uint32_t>> words,
                               VoxelCameraNode::Path path, GpuImageShape shape,
                               VoxelStructure structure, VoxelShading shading = {},
                               ShaderLibrary* shaders = nullptr,
                               VoxelPipeline pipeline = VoxelPipeline::Compute,
                               voxel::JitterOffsets jitter = {});

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
