// Scenes made of axis-aligned boxes (the first box that holds a voxel gives its material):
// the Cornell box and the cityscape. A grid over x and z lists the boxes each column of
// cells meets, so a query looks at a handful of boxes whatever the scene's size.
#include <algorithm>
#include <utility>
#include <vector>

#include "procedural_scenes.hpp"

namespace vixen::voxel::detail {
namespace {

struct SolidBox {
    Box box;
    MaterialId material = kEmpty;
};

class BoxScene final : public SceneSource {
public:
    BoxScene(Int3 size, Palette palette, std::vector<SolidBox> boxes)
        : size_(size), palette_(std::move(palette)), boxes_(std::move(boxes)) {
        cellSide_ = std::max(kBrickSide, std::max(size.x, size.z) / 64);
        cells_ =
            Int3{(size.x + cellSide_ - 1) / cellSide_, 1, (size.z + cellSide_ - 1) / cellSide_};
        cellBoxes_.resize(static_cast<std::size_t>(cells_.x) * static_cast<std::size_t>(cells_.z));
        for (std::uint32_t i = 0; i < boxes_.size(); ++i) {
            const Box& b = boxes_[i].box;
            forCells(b, [&](std::vector<std::uint32_t>& cell) { cell.push_back(i); });
        }
    }

    [[nodiscard]] Int3 size() const noexcept override { return size_; }
    [[nodiscard]] const Palette& palette() const noexcept override { return palette_; }

    [[nodiscard]] BoxContent classify(const Box& query) const override {
        // The first box meeting the query decides: all of it when it holds the whole query.
        std::uint32_t first = ~std::uint32_t{0};
        forCells(query, [&](const std::vector<std::uint32_t>& cell) {
            for (const std::uint32_t i : cell) {
                if (i >= first) {
                    break;  // sorted: the rest come later
                }
                if (boxes_[i].box.overlaps(query)) {
                    first = i;
                    break;
                }
            }
        });
        if (first == ~std::uint32_t{0}) {
            return BoxContent::empty();
        }
        return boxes_[first].box.containsBox(query) ? BoxContent::solid(boxes_[first].material)
                                                    : BoxContent::mixed();
    }

    void fillBrick(Int3 origin, std::span<MaterialId, kBrickVoxels> materials) const override {
        const Box brick{origin, origin + Int3{kBrickSide, kBrickSide, kBrickSide}};
        std::vector<std::uint32_t> candidates;
        forCells(brick, [&](const std::vector<std::uint32_t>& cell) {
            for (const std::uint32_t i : cell) {
                if (boxes_[i].box.overlaps(brick)) {
                    candidates.push_back(i);
                }
            }
        });
        std::sort(candidates.begin(), candidates.end());
        for (std::int32_t z = 0; z < kBrickSide; ++z) {
            for (std::int32_t y = 0; y < kBrickSide; ++y) {
                for (std::int32_t x = 0; x < kBrickSide; ++x) {
                    const Int3 p = origin + Int3{x, y, z};
                    MaterialId m = kEmpty;
                    for (const std::uint32_t i : candidates) {
                        if (boxes_[i].box.contains(p)) {
                            m = boxes_[i].material;
                            break;
                        }
                    }
                    materials[static_cast<std::size_t>(voxelIndex(x, y, z))] = m;
                }
            }
        }
    }

private:
    template <class Cells, class Visit>
    void forCellsOf(Cells& cells, const Box& box, Visit&& visit) const {
        const std::int32_t x0 = std::clamp(box.min.x / cellSide_, 0, cells_.x - 1);
        const std::int32_t z0 = std::clamp(box.min.z / cellSide_, 0, cells_.z - 1);
        const std::int32_t x1 = std::clamp((box.max.x - 1) / cellSide_, 0, cells_.x - 1);
        const std::int32_t z1 = std::clamp((box.max.z - 1) / cellSide_, 0, cells_.z - 1);
        for (std::int32_t z = z0; z <= z1; ++z) {
            for (std::int32_t x = x0; x <= x1; ++x) {
                visit(cells[static_cast<std::size_t>(x + cells_.x * z)]);
            }
        }
    }
    template <class Visit>
    void forCells(const Box& box, Visit&& visit) {
        forCellsOf(cellBoxes_, box, visit);
    }
    template <class Visit>
    void forCells(const Box& box, Visit&& visit) const {
        forCellsOf(cellBoxes_, box, visit);
    }

    Int3 size_;
    Palette palette_;
    std::vector<SolidBox> boxes_;
    std::int32_t cellSide_ = kBrickSide;
    Int3 cells_;
    std::vector<std::vector<std::uint32_t>> cellBoxes_;  // per (x, z) cell, ascending
};

MaterialId add(Palette& palette, std::array<float, 3> albedo, std::string name,
               std::array<float, 3> emission = {0.0F, 0.0F, 0.0F}) {
    return palette.add(Material{albedo, emission, 1.0F, std::move(name)}).value();
}

std::int32_t scaled(std::int32_t side, double fraction) {
    return static_cast<std::int32_t>(static_cast<double>(side) * fraction);
}

}  // namespace

std::unique_ptr<SceneSource> makeCornell(Int3 size, std::uint64_t seed) {
    Palette palette;
    const MaterialId white = add(palette, {0.73F, 0.73F, 0.73F}, "white");
    const MaterialId red = add(palette, {0.65F, 0.05F, 0.05F}, "red");
    const MaterialId green = add(palette, {0.12F, 0.45F, 0.15F}, "green");
    const MaterialId light = add(palette, {0.78F, 0.78F, 0.78F}, "light", {15.0F, 15.0F, 15.0F});
    const auto [X, Y, Z] = size;
    const std::int32_t wall = std::max(1, std::min({X, Y, Z}) / 16);
    // The blocks' heights vary a little with the seed.
    const double tall = 0.55 + 0.1 * unitHash(seed, 1);
    const double low = 0.25 + 0.1 * unitHash(seed, 2);
    std::vector<SolidBox> boxes{
        // The light first: it replaces the middle of the ceiling.
        {Box{{scaled(X, 0.38), Y - wall, scaled(Z, 0.38)}, {scaled(X, 0.62), Y, scaled(Z, 0.62)}},
         light},
        {Box{{0, 0, 0}, {wall, Y, Z}}, red},
        {Box{{X - wall, 0, 0}, {X, Y, Z}}, green},
        {Box{{0, 0, 0}, {X, wall, Z}}, white},
        {Box{{0, Y - wall, 0}, {X, Y, Z}}, white},
        {Box{{0, 0, 0}, {X, Y, wall}}, white},
        {Box{{scaled(X, 0.2), wall, scaled(Z, 0.2)},
             {scaled(X, 0.45), wall + scaled(Y, tall), scaled(Z, 0.45)}},
         white},
        {Box{{scaled(X, 0.55), wall, scaled(Z, 0.5)},
             {scaled(X, 0.8), wall + scaled(Y, low), scaled(Z, 0.75)}},
         white},
    };
    std::erase_if(boxes, [](const SolidBox& b) { return b.box.empty(); });
    return std::make_unique<BoxScene>(size, std::move(palette), std::move(boxes));
}

std::unique_ptr<SceneSource> makeCityscape(Int3 size, std::uint64_t seed) {
    Palette palette;
    const MaterialId asphalt = add(palette, {0.08F, 0.08F, 0.09F}, "asphalt");
    const MaterialId pavement = add(palette, {0.45F, 0.44F, 0.42F}, "pavement");
    const std::array<MaterialId, 5> facades{
        add(palette, {0.62F, 0.58F, 0.52F}, "sandstone"),
        add(palette, {0.35F, 0.38F, 0.42F}, "slate"),
        add(palette, {0.55F, 0.28F, 0.22F}, "brick"),
        add(palette, {0.75F, 0.76F, 0.78F}, "concrete"),
        add(palette, {0.20F, 0.30F, 0.38F}, "glass"),
    };
    const auto [X, Y, Z] = size;
    const std::int32_t ground = std::max(1, Y / 32);
    const std::int32_t kerb = ground + std::max(1, Y / 256);
    const std::int32_t block = std::max(16, std::min(X, Z) / 8);
    const std::int32_t street = block / 4;
    std::vector<SolidBox> buildings;
    std::vector<SolidBox> pavements;
    for (std::int32_t bz = 0; bz * block < Z; ++bz) {
        for (std::int32_t bx = 0; bx * block < X; ++bx) {
            const Int3 lo{bx * block + street / 2, ground, bz * block + street / 2};
            const Int3 hi{(bx + 1) * block - street / 2, kerb, (bz + 1) * block - street / 2};
            pavements.push_back({Box{lo, hi}, pavement});
            // Four lots a block, each one building set back from the pavement's edge.
            const std::int32_t inset = std::max(1, block / 32);
            const std::int32_t midX = (lo.x + hi.x) / 2;
            const std::int32_t midZ = (lo.z + hi.z) / 2;
            for (std::int32_t lot = 0; lot < 4; ++lot) {
                const std::uint64_t key = (static_cast<std::uint64_t>(bz) << 40U) ^
                                          (static_cast<std::uint64_t>(bx) << 8U) ^
                                          static_cast<std::uint64_t>(lot);
                const double h = unitHash(seed, key);
                const std::int32_t height = kerb + scaled(Y - kerb, 0.1 + 0.6 * h * h);
                const std::int32_t x0 = (lot % 2 == 0 ? lo.x : midX) + inset;
                const std::int32_t x1 = (lot % 2 == 0 ? midX : hi.x) - inset;
                const std::int32_t z0 = (lot / 2 == 0 ? lo.z : midZ) + inset;
                const std::int32_t z1 = (lot / 2 == 0 ? midZ : hi.z) - inset;
                const auto facade =
                    facades[static_cast<std::size_t>(mix64(seed ^ key) % facades.size())];
                buildings.push_back({Box{{x0, kerb, z0}, {x1, std::min(height, Y), z1}}, facade});
            }
        }
    }
    std::vector<SolidBox> boxes;
    boxes.push_back({Box{{0, 0, 0}, {X, ground, Z}}, asphalt});
    boxes.insert(boxes.end(), buildings.begin(), buildings.end());
    boxes.insert(boxes.end(), pavements.begin(), pavements.end());
    for (SolidBox& b : boxes) {
        b.box.max =
            Int3{std::min(b.box.max.x, X), std::min(b.box.max.y, Y), std::min(b.box.max.z, Z)};
    }
    std::erase_if(boxes, [](const SolidBox& b) { return b.box.empty(); });
    return std::make_unique<BoxScene>(size, std::move(palette), std::move(boxes));
}

}  // namespace vixen::voxel::detail
