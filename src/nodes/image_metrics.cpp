#include "vixen/nodes/image_metrics.hpp"

#include <cmath>
#include <limits>

namespace vixen::nodes {

Result<void> ImageAverage::add(std::span<const std::byte> rgba8) {
    if (images_ > 0 && rgba8.size() != sum_.size()) {
        return fail(ErrorCode::InvalidArgument,
                    "image average: an image of {} bytes does not match the first ({} bytes)",
                    rgba8.size(), sum_.size());
    }
    sum_.resize(rgba8.size(), 0.0);
    for (std::size_t i = 0; i < rgba8.size(); ++i) {
        sum_[i] += static_cast<double>(std::to_integer<unsigned>(rgba8[i]));
    }
    ++images_;
    return {};
}

std::vector<float> ImageAverage::mean() const {
    std::vector<float> out(sum_.size());
    for (std::size_t i = 0; i < sum_.size(); ++i) {
        out[i] = static_cast<float>(sum_[i] / static_cast<double>(images_));
    }
    return out;
}

Result<double> psnrRgb(std::span<const float> reference, std::span<const std::byte> image) {
    if (image.empty() || reference.size() != image.size() || image.size() % 4 != 0) {
        return fail(ErrorCode::InvalidArgument,
                    "PSNR: the image ({} bytes) and the reference ({} values) must be the same "
                    "non-empty RGBA size",
                    image.size(), reference.size());
    }
    double squared = 0.0;
    for (std::size_t i = 0; i < image.size(); ++i) {
        if (i % 4 == 3) {
            continue;  // alpha
        }
        const double difference = static_cast<double>(std::to_integer<unsigned>(image[i])) -
                                  static_cast<double>(reference[i]);
        squared += difference * difference;
    }
    const double meanSquared = squared / static_cast<double>(image.size() / 4 * 3);
    if (meanSquared == 0.0) {
        return std::numeric_limits<double>::infinity();
    }
    return 10.0 * std::log10(255.0 * 255.0 / meanSquared);
}

}  // namespace vixen::nodes
