#pragma once

// Sub-graphs: a typed composite declared like a node config, built into its parent graph.
// Its nodes become ordinary nodes of the parent (named by path, `outer/inner/node`), so the
// parent compiles them flat: one order, one set of waves, one culling and validation pass,
// one memory plan. A sub-graph is a naming and invalidation scope, not an execution
// boundary. A loop (RenderGraph::addLoop) is a sub-graph whose body runs as a unit as many
// times per frame as its LoopPolicy decides.
//
//     struct BlurChainConfig {
//         static constexpr std::string_view kTypeName = "BlurChain";
//         static constexpr Input<"source", Image> source{};
//         static constexpr Output<"result", Image> result{};
//         static constexpr SlotList slots{source, result};
//     };
//     class BlurChain : public SubGraph<BlurChainConfig> {
//         void build(SubGraphBuilder<BlurChainConfig>& b) override {
//             auto a = b.addNode<Blur>("a");
//             auto c = b.addNode<Blur>("b");
//             b.connect(a, BlurConfig::result, c, BlurConfig::source);
//             b.exposeInput(BlurChainConfig::source, a, BlurConfig::source);
//             b.exposeOutput(BlurChainConfig::result, c, BlurConfig::result);
//         }
//     };

#include <cassert>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "vixen/graph/loop_policy.hpp"
#include "vixen/graph/render_graph.hpp"

namespace vixen::graph {

/// What every sub-graph shares, whatever its config; owned by its RenderGraph.
class SubGraphBase {
public:
    virtual ~SubGraphBase() = default;
    SubGraphBase(const SubGraphBase&) = delete;
    SubGraphBase& operator=(const SubGraphBase&) = delete;

    [[nodiscard]] SubGraphId id() const noexcept { return id_; }
    /// `outer/inner`: the prefix of every node inside it.
    [[nodiscard]] std::string_view path() const noexcept { return path_; }
    [[nodiscard]] const NodeTypeInfo& type() const noexcept { return *type_; }
    /// Every node inside it, nested sub-graphs' included, in the order they were added.
    [[nodiscard]] std::span<const NodeId> nodes() const noexcept { return nodes_; }

    /// Marks every node inside dirty: the next frame boundary recompiles them and what
    /// depends on them at compile time (SlotRole::Dependency), nothing else.
    void invalidate() noexcept;

    [[nodiscard]] bool isLoop() const noexcept { return loop_.has_value(); }
    /// The loop's state and counters; only for a loop (isLoop()).
    [[nodiscard]] const LoopState& loop() const noexcept {
        assert(loop_.has_value() && "loop() of a sub-graph that is not a loop");
        return *loop_;
    }

protected:
    explicit SubGraphBase(const NodeTypeInfo* type) noexcept : type_(type) {}

private:
    friend class RenderGraph;
    friend class GraphCompiler;
    template <class Config>
    friend class SubGraphBuilder;
    template <class Config>
    friend class SubGraph;

    // One inner slot an exposed slot stands for.
    struct InnerSlot {
        NodeId node;
        std::uint32_t slot = 0;
    };

    virtual void buildErased(RenderGraph& graph, std::vector<Error>& errors) = 0;

    /// Notes a builder's node here and in every enclosing sub-graph; checks its name.
    void noteNode(std::string_view name, NodeId id, std::vector<Error>& errors);

    /// Records where an exposed slot leads; `inner` is a node or a sub-graph inside this one.
    void exposeInput(std::uint32_t input, RenderGraph::SlotEndpoint inner, std::uint32_t innerSlot,
                     std::vector<Error>& errors);
    void exposeOutput(std::uint32_t output, RenderGraph::SlotEndpoint inner,
                      std::uint32_t innerSlot, std::vector<Error>& errors);
    [[nodiscard]] bool holds(RenderGraph::SlotEndpoint inner) const noexcept;
    [[nodiscard]] std::string describeInner(const InnerSlot& inner, bool output) const;

    RenderGraph* graph_ = nullptr;
    SubGraphId id_;
    SubGraphId parent_;
    std::string path_;
    const NodeTypeInfo* type_;
    std::vector<NodeId> nodes_;
    std::vector<SubGraphId> children_;
    std::vector<std::vector<InnerSlot>> inputs_;     // per config input: the inner inputs
    std::vector<std::optional<InnerSlot>> outputs_;  // per config output: the inner output
    std::optional<LoopState> loop_;
};

/// Declares a sub-graph's inside during build(): nodes, nested sub-graphs, their
/// connections, and which inner slots stand for the config's slots. Types and directions
/// are checked at compile time; what can only be known at run time (a name with '/', an
/// output exposed twice) is gathered and fails the add that runs the build.
template <class Config>
class SubGraphBuilder {
public:
    SubGraphBuilder(RenderGraph& graph, SubGraphBase& self, std::vector<Error>& errors) noexcept
        : graph_(graph), self_(self), errors_(errors) {}

    template <class N, class... Args>
    requires std::is_base_of_v<Node, N> NodeHandle<N> addNode(std::string_view name,
                                                              Args&&... args) {
        const NodeHandle<N> handle =
            graph_.addNode<N>(innerName(name), std::forward<Args>(args)...);
        self_.noteNode(name, handle.id, errors_);
        return handle;
    }

    /// A nested sub-graph; its errors fail this build. Its handle is invalid when it could
    /// not be declared at all (the uses below ignore it then: the error is already noted).
    template <class S, class... Args>
    SubGraphHandle<S> addSubGraph(std::string_view name, Args&&... args) {
        return nested<S>(name, nullptr, std::forward<Args>(args)...);
    }
    template <class S, class... Args>
    SubGraphHandle<S> addLoop(std::string_view name, const LoopPolicy& policy, Args&&... args) {
        return nested<S>(name, &policy, std::forward<Args>(args)...);
    }

    template <GraphHandle From, class OutSlot, GraphHandle To, class InSlot>
    void connect(From from, OutSlot output, To to, InSlot input) {
        if (usable(from) && usable(to)) {
            graph_.connect(from, output, to, input);
        }
    }

    /// The config's input `outer` feeds `inner`'s input; one exposed input may feed several.
    template <class OuterSlot, GraphHandle H, class InnerSlot>
    requires InputOf<OuterSlot, Config> && InputOf<InnerSlot, HandleConfig<H>>
    void exposeInput(OuterSlot /*outer*/, H inner, InnerSlot /*innerSlot*/) {
        static_assert(std::is_same_v<typename OuterSlot::ValueType, typename InnerSlot::ValueType>,
                      "exposeInput: the exposed input and the inner input carry different types");
        static_assert(OuterSlot::kOptions.access == InnerSlot::kOptions.access,
                      "exposeInput: the exposed input must declare the inner input's access (an "
                      "in-place write must show on the sub-graph's slot)");
        if (usable(inner)) {
            self_.exposeInput(ConfigSlots<Config>::template indexOf<OuterSlot>(),
                              RenderGraph::endpointOf(inner),
                              ConfigSlots<HandleConfig<H>>::template indexOf<InnerSlot>(), errors_);
        }
    }
    /// The config's output `outer` is `inner`'s output: exactly one inner output.
    template <class OuterSlot, GraphHandle H, class InnerSlot>
    requires OutputOf<OuterSlot, Config> && OutputOf<InnerSlot, HandleConfig<H>>
    void exposeOutput(OuterSlot /*outer*/, H inner, InnerSlot /*innerSlot*/) {
        static_assert(
            std::is_same_v<typename OuterSlot::ValueType, typename InnerSlot::ValueType>,
            "exposeOutput: the exposed output and the inner output carry different types");
        if (usable(inner)) {
            self_.exposeOutput(
                ConfigSlots<Config>::template indexOf<OuterSlot>(), RenderGraph::endpointOf(inner),
                ConfigSlots<HandleConfig<H>>::template indexOf<InnerSlot>(), errors_);
        }
    }

private:
    template <class S, class... Args>
    SubGraphHandle<S> nested(std::string_view name, const LoopPolicy* policy, Args&&... args) {
        static_assert(std::is_base_of_v<SubGraphBase, S>, "a sub-graph derives from SubGraph");
        Result<SubGraphId> id =
            graph_.declareSubGraph(std::make_unique<S>(std::forward<Args>(args)...),
                                   std::string(name), self_.id_, policy, &errors_);
        return SubGraphHandle<S>{id ? *id : SubGraphId{}};
    }
    template <class N>
    static bool usable(NodeHandle<N> /*handle*/) noexcept {
        return true;
    }
    template <class S>
    static bool usable(SubGraphHandle<S> handle) noexcept {
        return handle.id.valid();
    }
    [[nodiscard]] std::string innerName(std::string_view name) const {
        std::string path = self_.path_;
        path += '/';
        path += name;
        return path;
    }
    RenderGraph& graph_;
    SubGraphBase& self_;
    std::vector<Error>& errors_;
};

/// Base of every concrete sub-graph: `class BlurChain : public SubGraph<BlurChainConfig>`.
/// build() runs once, when the sub-graph is added; every slot of the config must be exposed.
template <class Config>
class SubGraph : public SubGraphBase {
public:
    using NodeConfig = Config;

protected:
    SubGraph() noexcept : SubGraphBase(nodeTypeInfoOf<Config>()) {}

    virtual void build(SubGraphBuilder<Config>& builder) = 0;

private:
    void buildErased(RenderGraph& graph, std::vector<Error>& errors) final {
        SubGraphBuilder<Config> builder(graph, *this, errors);
        build(builder);
    }
};

template <class S, class... Args>
Result<SubGraphHandle<S>> RenderGraph::addSubGraph(std::string name, Args&&... args) {
    static_assert(std::is_base_of_v<SubGraphBase, S>, "a sub-graph derives from SubGraph");
    Result<SubGraphId> id = declareSubGraph(std::make_unique<S>(std::forward<Args>(args)...),
                                            std::move(name), SubGraphId{}, nullptr, nullptr);
    if (!id) {
        return std::unexpected(std::move(id.error()));
    }
    return SubGraphHandle<S>{*id};
}

template <class S, class... Args>
Result<SubGraphHandle<S>> RenderGraph::addLoop(std::string name, const LoopPolicy& policy,
                                               Args&&... args) {
    static_assert(std::is_base_of_v<SubGraphBase, S>, "a loop's body derives from SubGraph");
    Result<SubGraphId> id = declareSubGraph(std::make_unique<S>(std::forward<Args>(args)...),
                                            std::move(name), SubGraphId{}, &policy, nullptr);
    if (!id) {
        return std::unexpected(std::move(id.error()));
    }
    return SubGraphHandle<S>{*id};
}

}  // namespace vixen::graph
