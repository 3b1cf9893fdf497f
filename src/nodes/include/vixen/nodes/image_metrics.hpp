#pragma once

// Comparing rendered images: the mean of several RGBA8 frames (a supersampled reference made
// of jittered single-sample frames) and the peak signal-to-noise ratio of an image against
// such a reference, over the colour channels.

#include <cstddef>
#include <span>
#include <vector>

#include "vixen/core/error.hpp"

namespace vixen::nodes {

/// The per-channel mean, in 8-bit units, of RGBA8 images of one size.
class ImageAverage {
public:
    /// Adds one image; InvalidArgument when its size differs from the first's.
    [[nodiscard]] Result<void> add(std::span<const std::byte> rgba8);
    [[nodiscard]] std::size_t images() const noexcept { return images_; }
    /// The mean so far (RGBA, 0-255 floats); empty before the first image.
    [[nodiscard]] std::vector<float> mean() const;

private:
    std::vector<double> sum_;
    std::size_t images_ = 0;
};

/// PSNR in dB of `image` (RGBA8) against `reference` (RGBA floats, 0-255) over R, G and B,
/// peak 255; +infinity when they are equal. InvalidArgument when the sizes differ or the
/// images are empty.
[[nodiscard]] Result<double> psnrRgb(std::span<const float> reference,
                                     std::span<const std::byte> image);

}  // namespace vixen::nodes
