// Scenes from a scalar field (solid where it is >= 0): noise caves and tunnels. A box is
// classified from the field at its centre and a bound on how fast the field changes (its
// Lipschitz constant), so rock and air away from any surface are never visited voxel by
// voxel.
#include <array>
#include <cmath>
#include <numbers>
#include <utility>
#include <vector>

#include "procedural_scenes.hpp"

namespace vixen::voxel::detail {
namespace {

class FieldScene : public SceneSource {
public:
    [[nodiscard]] Int3 size() const noexcept override { return size_; }
    [[nodiscard]] const Palette& palette() const noexcept override { return palette_; }

    [[nodiscard]] BoxContent classify(const Box& box) const override {
        const double cx = 0.5 * (box.min.x + box.max.x);
        const double cy = 0.5 * (box.min.y + box.max.y);
        const double cz = 0.5 * (box.min.z + box.max.z);
        // Voxels are sampled at their centres: the farthest is half a voxel inside the box.
        const double dx = 0.5 * (box.max.x - box.min.x - 1);
        const double dy = 0.5 * (box.max.y - box.min.y - 1);
        const double dz = 0.5 * (box.max.z - box.min.z - 1);
        const double margin = lipschitz_ * std::sqrt(dx * dx + dy * dy + dz * dz) + fillError_;
        const double value = field(cx, cy, cz);
        if (value + margin < 0.0) {
            return BoxContent::empty();
        }
        if (value - margin >= 0.0 && materialAt(box.min.y) == materialAt(box.max.y - 1)) {
            return BoxContent::solid(materialAt(box.min.y));
        }
        return BoxContent::mixed();
    }

    void fillBrick(Int3 origin, std::span<MaterialId, kBrickVoxels> materials) const override {
        std::array<double, kBrickVoxels> values{};
        if (lattice_ == 0) {
            for (std::int32_t i = 0; i < kBrickVoxels; ++i) {
                values[static_cast<std::size_t>(i)] = field(
                    origin.x + i % kBrickSide + 0.5, origin.y + (i / kBrickSide) % kBrickSide + 0.5,
                    origin.z + i / (kBrickSide * kBrickSide) + 0.5);
            }
        } else {
            interpolate(origin, values);
        }
        for (std::int32_t i = 0; i < kBrickVoxels; ++i) {
            const Int3 p = origin + Int3{i % kBrickSide, (i / kBrickSide) % kBrickSide,
                                         i / (kBrickSide * kBrickSide)};
            const bool inside = p.x < size_.x && p.y < size_.y && p.z < size_.z;
            materials[static_cast<std::size_t>(i)] =
                inside && values[static_cast<std::size_t>(i)] >= 0.0 ? materialAt(p.y) : kEmpty;
        }
    }

protected:
    FieldScene(Int3 size, Palette palette, std::vector<std::int32_t> bandTops)
        : size_(size), palette_(std::move(palette)), bandTops_(std::move(bandTops)) {}

    /// The field at a point (voxel units; voxel v's centre is v + 0.5).
    [[nodiscard]] virtual double field(double x, double y, double z) const = 0;

    /// Evaluate on a lattice of `spacing` voxels and interpolate in between (0: every voxel).
    void useLattice(std::int32_t spacing) noexcept {
        lattice_ = spacing;
        // A trilinear blend is within L times the distance to the farthest corner of its cell.
        fillError_ = lipschitz_ * spacing * std::numbers::sqrt3;
    }
    void setLipschitz(double bound) noexcept { lipschitz_ = bound; }

private:
    /// Rock bands by height: material i + 1 below bandTops_[i].
    [[nodiscard]] MaterialId materialAt(std::int32_t y) const noexcept {
        for (std::size_t i = 0; i < bandTops_.size(); ++i) {
            if (y < bandTops_[i]) {
                return static_cast<MaterialId>(i + 1);
            }
        }
        return static_cast<MaterialId>(bandTops_.size());
    }

    void interpolate(Int3 origin, std::array<double, kBrickVoxels>& values) const {
        const std::int32_t s = lattice_;
        const std::int32_t n = kBrickSide / s + 1;
        std::array<double, 27> samples{};  // n <= 3 for s >= 4
        for (std::int32_t k = 0; k < n; ++k) {
            for (std::int32_t j = 0; j < n; ++j) {
                for (std::int32_t i = 0; i < n; ++i) {
                    samples[static_cast<std::size_t>(i + n * (j + n * k))] =
                        field(origin.x + i * s, origin.y + j * s, origin.z + k * s);
                }
            }
        }
        for (std::int32_t v = 0; v < kBrickVoxels; ++v) {
            const double px = (v % kBrickSide + 0.5) / s;
            const double py = ((v / kBrickSide) % kBrickSide + 0.5) / s;
            const double pz = (v / (kBrickSide * kBrickSide) + 0.5) / s;
            const auto ix = static_cast<std::int32_t>(px);
            const auto iy = static_cast<std::int32_t>(py);
            const auto iz = static_cast<std::int32_t>(pz);
            const double fx = px - ix;
            const double fy = py - iy;
            const double fz = pz - iz;
            const auto at = [&](std::int32_t a, std::int32_t b, std::int32_t c) {
                return samples[static_cast<std::size_t>(ix + a + n * (iy + b + n * (iz + c)))];
            };
            const double x00 = at(0, 0, 0) + (at(1, 0, 0) - at(0, 0, 0)) * fx;
            const double x10 = at(0, 1, 0) + (at(1, 1, 0) - at(0, 1, 0)) * fx;
            const double x01 = at(0, 0, 1) + (at(1, 0, 1) - at(0, 0, 1)) * fx;
            const double x11 = at(0, 1, 1) + (at(1, 1, 1) - at(0, 1, 1)) * fx;
            const double y0 = x00 + (x10 - x00) * fy;
            const double y1 = x01 + (x11 - x01) * fy;
            values[static_cast<std::size_t>(v)] = y0 + (y1 - y0) * fz;
        }
    }

    Int3 size_;
    Palette palette_;
    std::vector<std::int32_t> bandTops_;
    double lipschitz_ = 1.0;
    double fillError_ = 0.0;
    std::int32_t lattice_ = 0;
};

Palette rockPalette() {
    Palette palette;
    static_cast<void>(palette.add(Material{{0.30F, 0.27F, 0.25F}, {}, 1.0F, "deep rock"}));
    static_cast<void>(palette.add(Material{{0.48F, 0.42F, 0.36F}, {}, 1.0F, "rock"}));
    static_cast<void>(palette.add(Material{{0.62F, 0.55F, 0.42F}, {}, 1.0F, "sandstone"}));
    return palette;
}

std::vector<std::int32_t> thirds(std::int32_t height) {
    return {height / 3, 2 * height / 3, height};
}

/// Value noise on the integer lattice, in [-1, 1], quintic-smoothed: C2 between cells.
class ValueNoise {
public:
    explicit ValueNoise(std::uint64_t seed) noexcept : seed_(seed) {}

    [[nodiscard]] double operator()(double x, double y, double z) const noexcept {
        const double fx = std::floor(x);
        const double fy = std::floor(y);
        const double fz = std::floor(z);
        const auto ix = static_cast<std::int64_t>(fx);
        const auto iy = static_cast<std::int64_t>(fy);
        const auto iz = static_cast<std::int64_t>(fz);
        const double u = fade(x - fx);
        const double v = fade(y - fy);
        const double w = fade(z - fz);
        const auto corner = [&](std::int64_t a, std::int64_t b, std::int64_t c) {
            const auto key = static_cast<std::uint64_t>((ix + a) * 73856093LL) ^
                             static_cast<std::uint64_t>((iy + b) * 19349663LL) ^
                             static_cast<std::uint64_t>((iz + c) * 83492791LL);
            return 2.0 * unitHash(seed_, key) - 1.0;
        };
        const double x00 = lerp(corner(0, 0, 0), corner(1, 0, 0), u);
        const double x10 = lerp(corner(0, 1, 0), corner(1, 1, 0), u);
        const double x01 = lerp(corner(0, 0, 1), corner(1, 0, 1), u);
        const double x11 = lerp(corner(0, 1, 1), corner(1, 1, 1), u);
        return lerp(lerp(x00, x10, v), lerp(x01, x11, v), w);
    }
    /// Bound on the gradient's length: each axis changes by at most 2 * max fade' = 3.75.
    static constexpr double kLipschitz = 3.75 * std::numbers::sqrt3;

private:
    static double fade(double t) noexcept { return t * t * t * (t * (t * 6.0 - 15.0) + 10.0); }
    static double lerp(double a, double b, double t) noexcept { return a + (b - a) * t; }
    std::uint64_t seed_;
};

class NoiseCaves final : public FieldScene {
public:
    NoiseCaves(Int3 size, std::uint64_t seed)
        : FieldScene(size, rockPalette(), thirds(size.y)), noise_(seed) {
        period_ = std::max(16.0, std::min({size.x, size.y, size.z}) / 3.0);
        double lipschitz = 0.0;
        double amplitude = 1.0;
        double frequency = 1.0 / period_;
        for (int octave = 0; octave < kOctaves; ++octave) {
            lipschitz += amplitude * frequency * ValueNoise::kLipschitz;
            amplitude *= 0.5;
            frequency *= 2.0;
        }
        setLipschitz(lipschitz);
        useLattice(4);
    }

private:
    static constexpr int kOctaves = 4;
    static constexpr double kThreshold = -0.05;  // a little more rock than air

    [[nodiscard]] double field(double x, double y, double z) const override {
        double sum = 0.0;
        double amplitude = 1.0;
        double frequency = 1.0 / period_;
        for (int octave = 0; octave < kOctaves; ++octave) {
            sum += amplitude * noise_(x * frequency, y * frequency, z * frequency);
            amplitude *= 0.5;
            frequency *= 2.0;
        }
        return sum - kThreshold;
    }

    ValueNoise noise_;
    double period_ = 64.0;
};

class Tunnels final : public FieldScene {
public:
    Tunnels(Int3 size, std::uint64_t seed) : FieldScene(size, rockPalette(), thirds(size.y)) {
        const double side = std::min({size.x, size.y, size.z});
        radius_ = std::max(1.5, side / 20.0);
        const int perAxis = 3 + static_cast<int>(mix64(seed) % 3);
        double steepest = 0.0;
        for (int i = 0; i < 2 * perAxis; ++i) {
            const auto key = static_cast<std::uint64_t>(i);
            Tunnel t;
            t.alongX = i < perAxis;
            const double across = t.alongX ? size.z : size.x;
            t.height = size.y * (0.2 + 0.6 * unitHash(seed, key * 4 + 1));
            t.offset = across * (0.1 + 0.8 * unitHash(seed, key * 4 + 2));
            t.amplitude = side / 16.0;
            t.frequency =
                2.0 * std::numbers::pi / (side / (1.0 + 2.0 * unitHash(seed, key * 4 + 3)));
            t.phase = 2.0 * std::numbers::pi * unitHash(seed, key * 4 + 4);
            steepest = std::max(steepest, t.amplitude * t.frequency);
            tunnels_.push_back(t);
        }
        // The distance across a tunnel changes by at most sqrt(1 + 2 (A w)^2) per voxel.
        setLipschitz(std::sqrt(1.0 + 2.0 * steepest * steepest));
    }

private:
    struct Tunnel {
        bool alongX = true;
        double height = 0.0;
        double offset = 0.0;
        double amplitude = 0.0;
        double frequency = 0.0;
        double phase = 0.0;
    };

    [[nodiscard]] double field(double x, double y, double z) const override {
        double nearest = 1e30;
        for (const Tunnel& t : tunnels_) {
            const double along = t.alongX ? x : z;
            const double across = t.alongX ? z : x;
            const double wave = t.amplitude * std::sin(t.frequency * along + t.phase);
            const double dy = y - (t.height + wave);
            const double da = across - (t.offset + 0.5 * wave);
            nearest = std::min(nearest, std::sqrt(dy * dy + da * da));
        }
        return nearest - radius_;  // rock outside every tunnel
    }

    std::vector<Tunnel> tunnels_;
    double radius_ = 4.0;
};

}  // namespace

std::unique_ptr<SceneSource> makeNoiseCaves(Int3 size, std::uint64_t seed) {
    return std::make_unique<NoiseCaves>(size, seed);
}

std::unique_ptr<SceneSource> makeTunnels(Int3 size, std::uint64_t seed) {
    return std::make_unique<Tunnels>(size, seed);
}

}  // namespace vixen::voxel::detail
