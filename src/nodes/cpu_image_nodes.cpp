#include "vixen/nodes/cpu_image_nodes.hpp"

#include <algorithm>
#include <cmath>

#include "vixen/events/engine_events.hpp"

namespace vixen::nodes {

// ---- Gradient ---------------------------------------------------------------------------

GradientNode::GradientNode(std::uint32_t width, std::uint32_t height, bool followWindow)
    : width_(width), height_(height), followWindow_(followWindow) {}

void GradientNode::setup(graph::SetupContext& context) {
    context.estimate().memory(graph::MemoryKind::HostHeap) =
        std::uint64_t{width_} * height_ * sizeof(float);
    context.estimate().executeBytes = std::uint64_t{width_} * height_ * sizeof(float);
    if (followWindow_) {
        context.estimate().eventsPerFrame = 1;
        context.subscribe<events::WindowResized>(
            [this, markDirty = context.dirtyMarker()](const events::WindowResized& resized) {
                width_ = resized.width;
                height_ = resized.height;
                markDirty();
            });
    }
}

Result<void> GradientNode::compile(const graph::CompileContext& /*context*/) {
    if (width_ == 0 || height_ == 0) {
        return fail(ErrorCode::InvalidArgument,
                    "image size {}x{} is empty (set 'width' and 'height', or resize to a "
                    "non-empty window)",
                    width_, height_);
    }
    Out(GradientConfig::image).resize(width_, height_);
    return {};
}

void GradientNode::execute(const graph::ExecuteContext& context) {
    CpuImage& image = Out(GradientConfig::image);
    const float span = static_cast<float>(image.width + image.height);
    const auto shift = static_cast<float>(context.frameIndex % 256);
    for (std::uint32_t y = 0; y < image.height; ++y) {
        for (std::uint32_t x = 0; x < image.width; ++x) {
            const float t = (static_cast<float>(x + y) + shift) / span;
            image.pixels[std::size_t{y} * image.width + x] = t - std::floor(t);
        }
    }
}

// ---- Blur -------------------------------------------------------------------------------

BlurNode::BlurNode(std::uint32_t radius) : radius_(radius) {}

Result<void> BlurNode::compile(const graph::CompileContext& /*context*/) {
    const CpuImage& source = In(BlurConfig::source);
    Out(BlurConfig::result).resize(source.width, source.height);
    rowPass_.assign(source.pixels.size(), 0.0F);
    return {};
}

void BlurNode::cleanup(const graph::CleanupContext& context) {
    if (!context.forRecompile) {
        rowPass_ = {};  // keep the capacity only when a recompile will reuse it
    }
}

void BlurNode::execute(const graph::ExecuteContext& /*context*/) {
    const CpuImage& source = In(BlurConfig::source);
    CpuImage& result = Out(BlurConfig::result);
    const auto w = static_cast<std::int64_t>(source.width);
    const auto h = static_cast<std::int64_t>(source.height);
    const auto r = static_cast<std::int64_t>(radius_);
    const auto at = [w](std::int64_t x, std::int64_t y) {
        return static_cast<std::size_t>(y * w + x);
    };
    for (std::int64_t y = 0; y < h; ++y) {
        for (std::int64_t x = 0; x < w; ++x) {
            float sum = 0.0F;
            const std::int64_t lo = std::max<std::int64_t>(0, x - r);
            const std::int64_t hi = std::min(w - 1, x + r);
            for (std::int64_t k = lo; k <= hi; ++k) {
                sum += source.pixels[at(k, y)];
            }
            rowPass_[at(x, y)] = sum / static_cast<float>(hi - lo + 1);
        }
    }
    for (std::int64_t y = 0; y < h; ++y) {
        const std::int64_t lo = std::max<std::int64_t>(0, y - r);
        const std::int64_t hi = std::min(h - 1, y + r);
        for (std::int64_t x = 0; x < w; ++x) {
            float sum = 0.0F;
            for (std::int64_t k = lo; k <= hi; ++k) {
                sum += rowPass_[at(x, k)];
            }
            result.pixels[at(x, y)] = sum / static_cast<float>(hi - lo + 1);
        }
    }
}

// ---- Blend ------------------------------------------------------------------------------

Result<void> BlendNode::compile(const graph::CompileContext& /*context*/) {
    const auto layers = In(BlendConfig::layers);
    if (layers.empty()) {
        return fail(ErrorCode::MissingInput, "input 'layers' has no connection; blend needs one");
    }
    const CpuImage& first = layers[0];
    for (std::size_t i = 1; i < layers.size(); ++i) {
        if (layers[i].width != first.width || layers[i].height != first.height) {
            return fail(ErrorCode::InvalidArgument,
                        "layer {} is {}x{} but layer 0 is {}x{}; blended layers must match", i,
                        layers[i].width, layers[i].height, first.width, first.height);
        }
    }
    Out(BlendConfig::result).resize(first.width, first.height);
    return {};
}

void BlendNode::execute(const graph::ExecuteContext& /*context*/) {
    const auto layers = In(BlendConfig::layers);
    CpuImage& result = Out(BlendConfig::result);
    const float weight = 1.0F / static_cast<float>(layers.size());
    std::fill(result.pixels.begin(), result.pixels.end(), 0.0F);
    for (const CpuImage& layer : layers) {
        for (std::size_t i = 0; i < result.pixels.size(); ++i) {
            result.pixels[i] += layer.pixels[i] * weight;
        }
    }
}

// ---- ImageStats -------------------------------------------------------------------------

void ImageStatsNode::execute(const graph::ExecuteContext& /*context*/) {
    const CpuImage& image = In(ImageStatsConfig::image);
    ImageStats stats{};
    stats.width = image.width;
    stats.height = image.height;
    if (!image.pixels.empty()) {
        const auto [lo, hi] = std::minmax_element(image.pixels.begin(), image.pixels.end());
        stats.minimum = *lo;
        stats.maximum = *hi;
        double sum = 0.0;
        for (const float value : image.pixels) {
            sum += static_cast<double>(value);
        }
        stats.mean = sum / static_cast<double>(image.pixels.size());
    }
    last_ = stats;
}

}  // namespace vixen::nodes
