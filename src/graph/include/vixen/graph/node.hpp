#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

#include "vixen/core/arena.hpp"
#include "vixen/core/error.hpp"
#include "vixen/graph/history.hpp"
#include "vixen/graph/resource_estimate.hpp"
#include "vixen/graph/slot.hpp"
#include "vixen/graph/types.hpp"

namespace vixen::graph {

class RenderGraph;
class SetupContext;

struct CompileContext {
    bool recompile = false;  ///< true when an invalidation, not a structural change, caused it
};

struct ExecuteContext {
    std::uint64_t frameIndex = 0;
    std::uint32_t workerIndex = 0;  ///< 0 on the graph's own thread
    /// This thread's per-frame scratch, rewound every frame and sized from the nodes'
    /// `frameScratchBytes` estimates; `allocateNoGrow` returns null past that size.
    /// (A loop's nodes have it once per step: the compile sizes it for the loop's cap.)
    core::Arena* scratch = nullptr;
    /// In a loop's body (sub_graph.hpp): this execution's step, of `loopSteps` this frame.
    /// Outside loops a node runs once: step 0 of 1.
    std::uint32_t loopStep = 0;
    std::uint32_t loopSteps = 1;
    /// A fixed-step loop's step in seconds; 0 elsewhere.
    double loopStepSeconds = 0.0;
};

struct CleanupContext {
    /// True while the node stays in the graph and may be compiled again (a recompile, a
    /// structural change, a failed compile); false when the graph is done with it.
    bool forRecompile = false;
    /// True when the node's slots are bound, so In() and Out() may be used: after a compile
    /// (successful or not) of this node. False for a node that was set up but never
    /// compiled (culled, or behind a failed compile): it only releases what setup took.
    bool slotsBound = false;
};

/// Where an input slot's connections point: the producers' resources, in connection order.
struct InputBinding {
    const void* const* resources = nullptr;
    std::uint32_t count = 0;
    /// The producer's ring, for an input that declares history and is connected to one.
    const HistoryRing* history = nullptr;
};

/// The resources connected to an array input, iterated as `const T&`.
template <class T>
class InputArray {
public:
    class Iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = T;
        using difference_type = std::ptrdiff_t;
        using pointer = const T*;
        using reference = const T&;

        Iterator() = default;
        explicit Iterator(const void* const* at) : at_(at) {}
        reference operator*() const { return *static_cast<const T*>(*at_); }
        Iterator& operator++() {
            ++at_;
            return *this;
        }
        Iterator operator++(int) {
            Iterator old = *this;
            ++at_;
            return old;
        }
        friend bool operator==(Iterator, Iterator) = default;

    private:
        const void* const* at_ = nullptr;
    };

    InputArray(const void* const* resources, std::uint32_t count)
        : resources_(resources), count_(count) {}
    [[nodiscard]] std::size_t size() const noexcept { return count_; }
    [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
    [[nodiscard]] const T& operator[](std::size_t i) const {
        return *static_cast<const T*>(resources_[i]);
    }
    [[nodiscard]] Iterator begin() const { return Iterator(resources_); }
    [[nodiscard]] Iterator end() const { return Iterator(resources_ + count_); }

private:
    const void* const* resources_;
    std::uint32_t count_;
};

/// A node instance owned by a RenderGraph. Derive from TypedNode<Config>, not from this.
class Node {
public:
    virtual ~Node() = default;
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    [[nodiscard]] NodeId id() const noexcept { return id_; }
    [[nodiscard]] std::string_view name() const noexcept { return name_; }
    [[nodiscard]] const NodeTypeInfo& type() const noexcept { return *type_; }

protected:
    explicit Node(const NodeTypeInfo* type) noexcept : type_(type) {}

    /// Declare needs: subscribe to events and fill the resource estimate.
    virtual void setup(SetupContext& context);
    /// Before a recompile (an invalidation), update the estimate for what the next compile
    /// will take; `estimate` holds the current one. The graph checks the new total against
    /// its budget before it cleans anything up. Default: needs do not change.
    virtual void reestimate(ResourceEstimate& estimate);
    /// Create what execute needs; inputs with the Dependency role are readable here.
    virtual Result<void> compile(const CompileContext& context);
    /// Read inputs, write outputs. Must not allocate, throw or format strings.
    virtual void execute(const ExecuteContext& context) = 0;
    /// Called instead of execute on a frame where the node's loop takes no step; its
    /// outputs keep their last values. The GPU layer records the node's slot barriers here,
    /// so the barriers baked at compile hold on either path. Default: nothing.
    virtual void skip(const ExecuteContext& context);
    /// Release what compile created (and, when not forRecompile, what setup took); runs
    /// consumers before producers. Also called for nodes that were set up but culled.
    virtual void cleanup(const CleanupContext& context);

    [[nodiscard]] const InputBinding& inputBinding(std::uint32_t index) const noexcept {
        return inputs_[index];
    }
    [[nodiscard]] void* outputResource(std::uint32_t index) const noexcept {
        return outputs_[index];
    }
    /// The ring of output `index` when it declares history, else null.
    [[nodiscard]] const HistoryRing* outputHistory(std::uint32_t index) const noexcept {
        return outputHistory_[index];
    }
    /// True while In() and Out() may be used: from the node's compile until its cleanup.
    [[nodiscard]] bool slotsBound() const noexcept { return outputs_ != nullptr; }

private:
    friend class RenderGraph;
    friend class GraphCompiler;

    std::string name_;
    NodeId id_{};
    const NodeTypeInfo* type_;
    const InputBinding* inputs_ = nullptr;
    void* const* outputs_ = nullptr;
    const HistoryRing* const* outputHistory_ = nullptr;
};

/// Base of every concrete node: `class Blur : public TypedNode<BlurConfig>`.
/// `In(BlurConfig::source)` and `Out(BlurConfig::result)` are checked at compile time:
/// a slot of another config, or an output used as an input, does not compile.
template <class Config>
class TypedNode : public Node {
public:
    using NodeConfig = Config;

protected:
    TypedNode() noexcept : Node(nodeTypeInfoOf<Config>()) {}

    /// A single input: `const T&` (`T&` for write access); nullable: a pointer, null when
    /// unconnected; array: an InputArray<T>.
    template <class S>
    requires InputOf<S, Config>
    [[nodiscard]] decltype(auto) In(S /*slot*/) const noexcept {
        using T = typename S::ValueType;
        const InputBinding& binding = inputBinding(ConfigSlots<Config>::template indexOf<S>());
        if constexpr (S::kOptions.array) {
            return InputArray<T>(binding.resources, binding.count);
        } else if constexpr (S::kOptions.nullable) {
            return binding.count == 0 ? nullptr : inputPointer<S>(binding.resources[0]);
        } else {
            return *inputPointer<S>(binding.resources[0]);
        }
    }

    template <class S>
    requires OutputOf<S, Config>
    [[nodiscard]] typename S::ValueType& Out(S /*slot*/) const noexcept {
        return *static_cast<typename S::ValueType*>(
            outputResource(ConfigSlots<Config>::template indexOf<S>()));
    }

    /// Frame `framesAgo` (1 to the declared depth) before this one of a history slot: an
    /// output's own earlier frames (not a cycle: the edge points into the past), or, through
    /// an input that declares history, its producer's. Check `valid` before using it.
    template <class S>
    requires(InputOf<S, Config> || OutputOf<S, Config>) &&
        (S::kOptions.history > 0)
            [[nodiscard]] auto History(S slot, std::uint32_t framesAgo) const noexcept {
        // An input reads no deeper than it declares (its barriers cover that far), even when
        // its producer keeps more.
        return HistoryRingOf(slot).back(framesAgo <= S::kOptions.history ? framesAgo : 0);
    }

    /// Every element of a history slot's ring, for what a node prepares per ring position at
    /// compile; an output's elements are writable (its producer makes them).
    template <class S>
    requires(InputOf<S, Config> || OutputOf<S, Config>) &&
        (S::kOptions.history > 0) [[nodiscard]] auto HistoryRingOf(S /*slot*/) const noexcept {
        constexpr std::uint32_t kIndex = ConfigSlots<Config>::template indexOf<S>();
        if constexpr (S::kDirection == SlotDirection::Input) {
            return HistoryRingView<const typename S::ValueType>(inputBinding(kIndex).history);
        } else {
            return HistoryRingView<typename S::ValueType>(outputHistory(kIndex));
        }
    }

private:
    template <class S>
    static auto inputPointer(const void* resource) noexcept {
        using T = typename S::ValueType;
        if constexpr (S::kOptions.access == Access::Read) {
            return static_cast<const T*>(resource);
        } else {
            // A writing input modifies the producer's resource in place; the graph
            // checks at compile that nobody else reads it unordered.
            return static_cast<T*>(const_cast<void*>(resource));
        }
    }
};

}  // namespace vixen::graph
