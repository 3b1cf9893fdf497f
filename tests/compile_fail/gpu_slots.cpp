// GPU slot declarations that must not compile. Each VIXEN_CASE_* turns on one mistake; with
// none set the file compiles, which proves the failures come from the mistakes.
#include "vixen/nodes/gpu_node.hpp"

namespace {

using namespace vixen;
using graph::Access;
using graph::SlotOptions;
using graph::StageKind;

#if defined(VIXEN_CASE_BUFFER_PRESENTED)
constexpr SlotOptions kValuesUse{.stage = StageKind::Present};
#elif defined(VIXEN_CASE_IMAGE_ON_HOST)
constexpr SlotOptions kValuesUse{.stage = StageKind::Compute};
#elif defined(VIXEN_CASE_NO_STAGE)
constexpr SlotOptions kValuesUse{};
#else
constexpr SlotOptions kValuesUse{.stage = StageKind::Compute};
#endif

#if defined(VIXEN_CASE_IMAGE_ON_HOST)
constexpr SlotOptions kImageUse{.access = Access::Write, .stage = StageKind::Host};
#else
constexpr SlotOptions kImageUse{.access = Access::Write, .stage = StageKind::Compute};
#endif

struct ShadeConfig {
    static constexpr std::string_view kTypeName = "Shade";
    static constexpr graph::Input<"values", nodes::GpuBuffer, kValuesUse> values{};
    static constexpr graph::Output<"shaded", nodes::GpuImage, kImageUse> shaded{};
    static constexpr graph::SlotList slots{values, shaded};
};

class Shade : public nodes::GpuNode<ShadeConfig> {
public:
    explicit Shade(nodes::GpuRuntime& runtime) : GpuNode(runtime) {}

protected:
    void record(VkCommandBuffer, const graph::ExecuteContext&) override {}
};

[[maybe_unused]] void wire(graph::RenderGraph& graph, nodes::GpuRuntime& runtime) {
    static_cast<void>(graph.addNode<Shade>("shade", runtime));
}

}  // namespace
