// Wiring that must not compile. Each VIXEN_CASE_* turns on one mistake; with none set the
// file compiles, which proves the failures come from the mistakes and not the setup.
#include "vixen/graph/render_graph.hpp"

namespace {

using namespace vixen::graph;

struct ImageConfig {
    static constexpr std::string_view kTypeName = "Image";
    static constexpr Output<"color", float> color{};
    static constexpr SlotList slots{color};
};
struct Image : TypedNode<ImageConfig> {
    void execute(const ExecuteContext&) override { Out(ImageConfig::color) = 1.0F; }
};

struct BlendConfig {
    static constexpr std::string_view kTypeName = "Blend";
    static constexpr Input<"weight", float> weight{};
    static constexpr SlotList slots{weight};
};

struct CounterConfig {
    static constexpr std::string_view kTypeName = "Counter";
    static constexpr Input<"count", int> count{};
    static constexpr Input<"scale", float> scale{};
    static constexpr Output<"total", float> total{};
    static constexpr SlotList slots{count, scale, total};
};
struct Counter : TypedNode<CounterConfig> {
    void execute(const ExecuteContext&) override {
#if defined(VIXEN_CASE_OUT_ON_INPUT)
        Out(CounterConfig::count) = 3;
#elif defined(VIXEN_CASE_IN_ON_OUTPUT)
        static_cast<void>(In(CounterConfig::total));
#elif defined(VIXEN_CASE_FOREIGN_SLOT)
        static_cast<void>(In(BlendConfig::weight));
#elif defined(VIXEN_CASE_WRITE_READ_INPUT)
        In(CounterConfig::scale) = 2.0F;
#elif defined(VIXEN_CASE_HISTORY_UNDECLARED)
        static_cast<void>(History(CounterConfig::total, 1));
#else
        Out(CounterConfig::total) =
            static_cast<float>(In(CounterConfig::count)) + In(CounterConfig::scale);
#endif
    }
};

[[maybe_unused]] void wire(RenderGraph& graph) {
    auto image = graph.addNode<Image>("image");
    auto counter = graph.addNode<Counter>("counter");
#if defined(VIXEN_CASE_MISMATCHED_TYPES)
    graph.connect(image, ImageConfig::color, counter, CounterConfig::count);
#else
    graph.connect(image, ImageConfig::color, counter, CounterConfig::scale);
#endif
}

}  // namespace
