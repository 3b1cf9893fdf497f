#pragma once

// CPU image-processing nodes. They exercise the whole graph lifecycle without a GPU:
// images are sized at compile (and again when a resize invalidates them), and execute
// only reads and writes pixels, never allocating.

#include <cstdint>
#include <string_view>
#include <vector>

#include "vixen/graph/render_graph.hpp"

namespace vixen::nodes {

/// A single-channel float image owned by the graph.
struct CpuImage {
    static constexpr std::string_view kTypeName = "CpuImage";

    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::vector<float> pixels;

    void resize(std::uint32_t w, std::uint32_t h) {
        width = w;
        height = h;
        pixels.assign(std::size_t{w} * h, 0.0F);
    }
    [[nodiscard]] std::size_t byteSize() const noexcept { return pixels.size() * sizeof(float); }
};

struct GradientConfig {
    static constexpr std::string_view kTypeName = "Gradient";
    static constexpr graph::Output<"image", CpuImage> image{};
    static constexpr graph::SlotList slots{image};
};

/// An animated diagonal gradient. With `followWindow`, a WindowResized event resizes it
/// (and, through the graph, everything that depends on it).
class GradientNode : public graph::TypedNode<GradientConfig> {
public:
    GradientNode(std::uint32_t width, std::uint32_t height, bool followWindow);

protected:
    void setup(graph::SetupContext& context) override;
    Result<void> compile(const graph::CompileContext& context) override;
    void execute(const graph::ExecuteContext& context) override;

private:
    std::uint32_t width_;
    std::uint32_t height_;
    bool followWindow_;
};

struct BlurConfig {
    static constexpr std::string_view kTypeName = "Blur";
    static constexpr graph::Input<"source", CpuImage,
                                  graph::SlotOptions{.stage = graph::StageKind::Host}>
        source{};
    static constexpr graph::Output<"result", CpuImage> result{};
    static constexpr graph::SlotList slots{source, result};
};

/// A separable box blur of the given radius, sized after its source at compile.
class BlurNode : public graph::TypedNode<BlurConfig> {
public:
    explicit BlurNode(std::uint32_t radius);

protected:
    Result<void> compile(const graph::CompileContext& context) override;
    void execute(const graph::ExecuteContext& context) override;
    void cleanup(const graph::CleanupContext& context) override;

private:
    std::uint32_t radius_;
    std::vector<float> rowPass_;  // scratch of the horizontal pass, sized at compile
};

struct BlendConfig {
    static constexpr std::string_view kTypeName = "Blend";
    static constexpr graph::Input<"layers", CpuImage, graph::SlotOptions{.array = true}> layers{};
    static constexpr graph::Output<"result", CpuImage> result{};
    static constexpr graph::SlotList slots{layers, result};
};

/// The average of its layers, which must all have one size.
class BlendNode : public graph::TypedNode<BlendConfig> {
protected:
    Result<void> compile(const graph::CompileContext& context) override;
    void execute(const graph::ExecuteContext& context) override;
};

struct ImageStats {
    float minimum = 0.0F;
    float maximum = 0.0F;
    double mean = 0.0;
    std::uint32_t width = 0;
    std::uint32_t height = 0;
};

struct ImageStatsConfig {
    static constexpr std::string_view kTypeName = "ImageStats";
    static constexpr graph::Input<"image", CpuImage> image{};
    static constexpr graph::SlotList slots{image};
};

/// A sink: measures the image each frame (so it is never culled).
class ImageStatsNode : public graph::TypedNode<ImageStatsConfig> {
public:
    [[nodiscard]] const ImageStats& last() const noexcept { return last_; }

protected:
    void execute(const graph::ExecuteContext& context) override;

private:
    ImageStats last_{};
};

}  // namespace vixen::nodes
