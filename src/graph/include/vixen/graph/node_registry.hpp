#pragma once

#include <concepts>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "vixen/graph/node.hpp"
#include "vixen/graph/param_reader.hpp"

namespace vixen::graph {

/// Builds one node from its parameters. Errors go into the reader; the node it returns is
/// discarded when any were recorded.
using NodeFactory = std::function<std::unique_ptr<Node>(ParamReader&)>;

/// One registered node type: its name and slots (from the config), what it does, how to
/// build it.
struct NodeTypeEntry {
    const NodeTypeInfo* info;
    std::string description;
    NodeFactory factory;

    [[nodiscard]] std::string_view name() const noexcept { return info->name; }
};

/// Node types a graph file may name, by their config's `kTypeName`:
///
///     registry.add<BlurNode>("Gaussian blur", [](ParamReader& p) {
///         return std::make_unique<BlurNode>(p.get<std::uint32_t>("radius", 2));
///     });
///     registry.add<PresentNode>("Shows the image");  // default-constructible, no params
class NodeRegistry {
public:
    template <class N, class F>
    requires std::derived_from<N, Node> && std::copy_constructible<F> &&
        std::invocable<F&, ParamReader&> &&
        std::convertible_to<std::invoke_result_t<F&, ParamReader&>, std::unique_ptr<Node>>
    void add(std::string description, F factory) {
        insert(NodeTypeEntry{nodeTypeInfoOf<typename N::NodeConfig>(), std::move(description),
                             [build = std::move(factory)](ParamReader& params) mutable
                             -> std::unique_ptr<Node> { return build(params); }});
    }

    template <class N>
    requires std::derived_from<N, Node> && std::default_initializable<N>
    void add(std::string description) {
        add<N>(std::move(description),
               [](ParamReader& /*params*/) { return std::make_unique<N>(); });
    }

    /// The entry for a type name, or null. Pointers stay valid until the next add.
    [[nodiscard]] const NodeTypeEntry* find(std::string_view name) const noexcept;
    /// Every entry, sorted by name.
    [[nodiscard]] std::span<const NodeTypeEntry> entries() const noexcept { return entries_; }
    [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }

private:
    /// Registering a type name twice is a programming error (asserts).
    void insert(NodeTypeEntry entry);

    std::vector<NodeTypeEntry> entries_;  // sorted by name
};

}  // namespace vixen::graph
