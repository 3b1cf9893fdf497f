#pragma once

#include <array>
#include <cassert>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "vixen/core/alloc_profile.hpp"
#include "vixen/core/arena.hpp"
#include "vixen/core/error.hpp"
#include "vixen/events/event_bus.hpp"
#include "vixen/graph/compile_report.hpp"
#include "vixen/graph/execution_budget.hpp"
#include "vixen/graph/node.hpp"
#include "vixen/graph/setup_context.hpp"
#include "vixen/graph/worker_pool.hpp"

namespace vixen::graph {

class FrameClock;
class SubGraphBase;
struct LoopPolicy;

namespace detail {

// Nodes live in the graph's node storage (addNode) or on the heap (adopt); the deleter
// knows which.
struct NodeDeleter {
    bool inStorage = false;
    void operator()(Node* node) const noexcept;
};
using OwnedNode = std::unique_ptr<Node, NodeDeleter>;

}  // namespace detail

/// A typed reference to a node added to a graph; `connect` checks slots against N's config.
template <class N>
struct NodeHandle {
    NodeId id;
};

/// Identity of a sub-graph (sub_graph.hpp) within one RenderGraph.
struct SubGraphId {
    static constexpr std::uint32_t kInvalid = UINT32_MAX;
    std::uint32_t value = kInvalid;

    [[nodiscard]] constexpr bool valid() const noexcept { return value != kInvalid; }
    friend constexpr auto operator<=>(SubGraphId, SubGraphId) = default;
};

/// A typed reference to a sub-graph; `connect` checks slots against S's config and resolves
/// them to the inner slots the sub-graph exposes.
template <class S>
struct SubGraphHandle {
    SubGraphId id;
};

namespace detail {
template <class H>
struct HandleTraits;
template <class N>
struct HandleTraits<NodeHandle<N>> {
    using Config = typename N::NodeConfig;
    static constexpr bool kSubGraph = false;
};
template <class S>
struct HandleTraits<SubGraphHandle<S>> {
    using Config = typename S::NodeConfig;
    static constexpr bool kSubGraph = true;
};
}  // namespace detail

/// A NodeHandle or a SubGraphHandle.
template <class H>
concept GraphHandle = requires {
    typename detail::HandleTraits<H>::Config;
};
template <GraphHandle H>
using HandleConfig = typename detail::HandleTraits<H>::Config;

/// An output of `From` into an input of `To` where one end or both are sub-graphs.
template <class From, class OutSlot, class To, class InSlot>
concept SubGraphConnection =
    GraphHandle<From> && GraphHandle<To> &&
    (detail::HandleTraits<From>::kSubGraph || detail::HandleTraits<To>::kSubGraph) &&
    OutputOf<OutSlot, HandleConfig<From>>&& InputOf<InSlot, HandleConfig<To>>;

enum class ExecutionMode : std::uint8_t {
    Sequential,  ///< the compiled order on the graph's thread
    Parallel,    ///< wave by wave on the worker pool
};

struct GraphOptions {
    ExecutionMode mode = ExecutionMode::Sequential;
    std::uint32_t workerThreads = 0;  ///< parallel mode: 0 = one per hardware thread, minus one
    GraphBudget budget{};
    std::uint64_t executeBudgetBytes = 0;  ///< throttle budget for parallel tasks; 0 = none
    bool profileAllocations = true;        ///< mark phase boundaries in allocations()
    /// The time fixed-step loops accumulate; null: a SteadyFrameClock. Not owned.
    const FrameClock* clock = nullptr;
};

/// The waves in which a node's transient outputs are alive, both ends included: from the
/// node's own wave to the last wave that consumes them.
struct TransientLifetime {
    static constexpr std::uint32_t kNone = UINT32_MAX;
    std::uint32_t firstWave = kNone;
    std::uint32_t lastWave = kNone;

    [[nodiscard]] bool valid() const noexcept { return firstWave != kNone; }
    /// True when the two could be alive at once and so must not share memory.
    [[nodiscard]] bool overlaps(const TransientLifetime& other) const noexcept {
        return firstWave <= other.lastWave && other.firstWave <= lastWave;
    }
};

/// Hooks around each graph phase and each node phase, registered at setup.
enum class HookTiming : std::uint8_t { Before, After };
using GraphHook = std::function<void(core::Phase, HookTiming)>;
using NodeHook = std::function<void(core::Phase, HookTiming, const Node&)>;

/// One connection, as declared: output slot `fromSlot` of `from` into input `toSlot` of `to`.
struct Connection {
    NodeId from;
    std::uint32_t fromSlot = 0;
    NodeId to;
    std::uint32_t toSlot = 0;
};

/// A render graph: owns its nodes and the resources they exchange, compiles them into
/// an order (with culling and validation), executes frames and recompiles what events
/// invalidate. Single-owner: call it from one thread.
class RenderGraph {
public:
    explicit RenderGraph(GraphOptions options = {});
    ~RenderGraph();
    RenderGraph(const RenderGraph&) = delete;
    RenderGraph& operator=(const RenderGraph&) = delete;

    // ---- declaring -------------------------------------------------------------------

    /// Builds the node in the graph's own node storage: no heap allocation per node.
    template <class N, class... Args>
    requires std::is_base_of_v<Node, N> NodeHandle<N> addNode(std::string name, Args&&... args) {
        void* storage = nodeStorage_.allocate(sizeof(N), alignof(N));
        N* node = ::new (storage) N(std::forward<Args>(args)...);
        return NodeHandle<N>{
            insertNode(detail::OwnedNode(node, {.inStorage = true}), std::move(name))};
    }
    /// Adds a node built elsewhere (by a NodeRegistry factory, say).
    NodeId adopt(std::unique_ptr<Node> node, std::string name);
    /// Sizes node and connection storage up front, for graphs built in bulk.
    void reserve(std::size_t nodes, std::size_t connections);

    /// Connects an output slot of one node to an input slot of another. Mismatched value
    /// types, or slots that are not the nodes' own, do not compile.
    template <class P, class OutSlot, class C, class InSlot>
    requires OutputOf<OutSlot, typename P::NodeConfig> && InputOf<InSlot, typename C::NodeConfig>
    void connect(NodeHandle<P> from, OutSlot /*output*/, NodeHandle<C> to, InSlot /*input*/) {
        static_assert(std::is_same_v<typename OutSlot::ValueType, typename InSlot::ValueType>,
                      "connect: the output slot and the input slot carry different types");
        addConnection(
            Connection{from.id, ConfigSlots<typename P::NodeConfig>::template indexOf<OutSlot>(),
                       to.id, ConfigSlots<typename C::NodeConfig>::template indexOf<InSlot>()});
    }
    /// Connects by slot names (for graph files). Unknown slots fail here; type mismatches
    /// are reported by compile with every other error.
    Result<void> connect(NodeId from, std::string_view outputSlot, NodeId to,
                         std::string_view inputSlot);

    // ---- sub-graphs and loops (defined in sub_graph.hpp / sub_graph.cpp) ----------------

    /// Adds a sub-graph: builds it at once, its nodes becoming ordinary nodes named
    /// `name/node`. Fails, leaving nothing behind, on a bad name or a bad build (a slot of
    /// its config not exposed, an output exposed twice), listing every problem.
    template <class S, class... Args>
    Result<SubGraphHandle<S>> addSubGraph(std::string name, Args&&... args);
    /// A sub-graph whose body executes as a unit as many times per frame as `policy` says.
    template <class S, class... Args>
    Result<SubGraphHandle<S>> addLoop(std::string name, const LoopPolicy& policy, Args&&... args);
    /// Connects where one end or both are sub-graphs: their exposed slots stand for the
    /// inner slots (an exposed input for each inner input it feeds).
    template <class From, class OutSlot, class To, class InSlot>
    requires SubGraphConnection<From, OutSlot, To, InSlot>
    void connect(From from, OutSlot /*output*/, To to, InSlot /*input*/) {
        static_assert(std::is_same_v<typename OutSlot::ValueType, typename InSlot::ValueType>,
                      "connect: the output slot and the input slot carry different types");
        connectEndpoints(endpointOf(from),
                         ConfigSlots<HandleConfig<From>>::template indexOf<OutSlot>(),
                         endpointOf(to), ConfigSlots<HandleConfig<To>>::template indexOf<InSlot>());
    }
    /// Connects by path and slot name, where a path names a node (`chain/a`) or a
    /// sub-graph (`chain`, through its exposed slots); nodes are looked up first.
    Result<void> connect(std::string_view from, std::string_view outputSlot, std::string_view to,
                         std::string_view inputSlot);
    /// Removes a sub-graph that is not inside another, with every node inside it.
    Result<void> removeSubGraph(SubGraphId id);
    [[nodiscard]] SubGraphBase* findSubGraph(std::string_view path) const noexcept;
    /// The loop whose body holds `node`, or null (a backend asks at compile: loop nodes
    /// may run several times a frame, or not at all).
    [[nodiscard]] const SubGraphBase* loopOf(NodeId node) const noexcept;
    [[nodiscard]] SubGraphBase& subGraph(SubGraphId id) const;
    template <class S>
    [[nodiscard]] S& subGraph(SubGraphHandle<S> handle) const {
        return static_cast<S&>(subGraph(handle.id));
    }

    /// Keeps a node (and what it consumes) even when nothing consumes its outputs.
    void setKeepAlive(NodeId node, bool keep = true);
    /// Cleans up everything compiled (consumers first), then removes the node and its
    /// connections. The next compile rebuilds the graph.
    Result<void> removeNode(NodeId node);

    [[nodiscard]] Node* findNode(std::string_view name) const noexcept;
    [[nodiscard]] Node& node(NodeId id) const;
    [[nodiscard]] bool contains(NodeId id) const noexcept;
    [[nodiscard]] std::size_t nodeCount() const noexcept { return liveNodeCount_; }
    [[nodiscard]] std::size_t nodeCapacity() const noexcept { return nodes_.size(); }
    [[nodiscard]] const std::vector<Connection>& connections() const noexcept {
        return connections_;
    }
    [[nodiscard]] bool keepAlive(NodeId id) const noexcept;
    /// What the node reported at setup (all zero before setup).
    [[nodiscard]] const ResourceEstimate& estimate(NodeId id) const {
        assert(contains(id));
        return estimates_[id.value];
    }

    // ---- lifecycle -------------------------------------------------------------------

    /// Setup of nodes not yet set up, then compile: order, culling, waves, validation of
    /// all errors at once, resources, node compile. On error nothing is left half-built.
    Result<void> compile();
    [[nodiscard]] const CompileReport& report() const noexcept { return report_; }
    /// When the node's transient outputs are alive (invalid when it declares none); valid
    /// from the start of the node compiles of a compile, so nodes can place transients.
    [[nodiscard]] TransientLifetime transientLifetime(NodeId id) const noexcept {
        return id.value < transientLifetimes_.size() ? transientLifetimes_[id.value]
                                                     : TransientLifetime{};
    }
    [[nodiscard]] bool compiled() const noexcept { return compiled_; }

    /// One frame: dispatch queued events, recompile what they invalidated (one batch),
    /// execute. Allocates nothing when nothing was invalidated.
    Result<void> frame();
    /// Only the execute part of a frame.
    void execute() noexcept;
    /// Dispatches queued events and recompiles dirty nodes and their dependents once each.
    /// A dry run first asks each of them for its new estimate (Node::reestimate) and checks
    /// the graph's total against the budget: a batch that cannot fit fails with OverBudget,
    /// naming the nodes, before anything is cleaned up; the graph keeps running as it was.
    Result<void> processInvalidations();
    /// Marks a node for recompilation at the next frame boundary.
    void markDirty(NodeId node) noexcept;
    /// While processInvalidations recompiles a batch (its Compile hooks included): the ids
    /// of the batch's nodes in execution order; empty otherwise (a full compile too).
    [[nodiscard]] std::span<const std::uint32_t> recompileBatch() const noexcept {
        return recompiling_ ? std::span<const std::uint32_t>(recompileNodes_)
                            : std::span<const std::uint32_t>();
    }
    /// How many times each node has been compiled; for reports and tests.
    [[nodiscard]] std::uint64_t compileCount(NodeId node) const noexcept;

    /// Cleanup in reverse topological order of the whole graph (culled nodes included).
    void cleanup();

    // ---- frame history ---------------------------------------------------------------

    /// Frames executed since the graph was made (those unwound excepted): each ring's
    /// element for frame `clock` is `clock % size`.
    [[nodiscard]] std::uint64_t historyClock() const noexcept { return historyClock_; }
    /// Frames after which every ring is back at the same element: the least common multiple
    /// of the ring sizes, 1 without history.
    [[nodiscard]] std::uint32_t historyPeriod() const noexcept { return historyPeriod_; }
    /// The compiled graph's rings, one per history output.
    [[nodiscard]] std::span<const HistoryRing> historyRings() const noexcept {
        return historyRings_;
    }
    /// Points every history output, and the inputs connected to it, at its element of frame
    /// `clock`. Execute does it for the frame it runs; a backend that derives per-position
    /// work (barriers) at compile selects each position in turn, then the current one again.
    void selectHistory(std::uint64_t clock) noexcept;
    /// Forgets what `node`'s rings hold (a camera cut): earlier frames read as invalid until
    /// they are written again. A compile of the node does the same.
    void resetHistory(NodeId node) noexcept;
    /// The last execute's work never reached the device (its recording or submit failed):
    /// the rings turn back, and are reset (what the nodes did for that frame on the CPU
    /// stays done, so no earlier frame is trusted).
    void unwindFrame() noexcept;

    // ---- services --------------------------------------------------------------------

    [[nodiscard]] events::EventBus& events() noexcept { return events_; }
    [[nodiscard]] core::AllocationProfile& allocations() noexcept { return allocations_; }
    [[nodiscard]] ExecutionBudget& executionBudget() noexcept { return executionBudget_; }
    [[nodiscard]] const GraphOptions& options() const noexcept { return options_; }
    [[nodiscard]] std::uint64_t frameIndex() const noexcept { return frameIndex_; }
    /// Threads that run execute (ExecuteContext::workerIndex is below this): 1 when
    /// sequential, the workers plus the graph's own thread when parallel; 0 before the
    /// first successful compile.
    [[nodiscard]] std::size_t executingThreads() const noexcept { return scratch_.size(); }

    /// Adds a hook; the id removes it (whoever registers a hook that points at itself must
    /// remove it before it goes).
    /// For Compile hooks: a step of the compile done outside the graph, timed by the hook,
    /// listed in the compile report's stages.
    void noteCompileStage(std::string_view name, std::uint64_t microseconds);
    /// For Compile hooks: fails the compile (or recompile batch) in progress with `error`,
    /// which compile() (or the frame's invalidations) returns; the graph is left
    /// recompilable. The first error wins.
    void failCompile(Error error);

    std::uint32_t addGraphHook(GraphHook hook) {
        graphHooks_.push_back(std::move(hook));
        return static_cast<std::uint32_t>(graphHooks_.size() - 1);
    }
    void removeGraphHook(std::uint32_t id) noexcept {
        if (id < graphHooks_.size()) {
            graphHooks_[id] = nullptr;
        }
    }
    /// In parallel mode execute hooks run on the worker threads, concurrently: a node hook
    /// must be thread-safe there.
    void addNodeHook(NodeHook hook) { nodeHooks_.push_back(std::move(hook)); }

private:
    friend class GraphCompiler;
    friend class SetupContext;
    friend class SubGraphBase;
    template <class Config>
    friend class SubGraphBuilder;

    struct NodeState {
        detail::OwnedNode node;
        events::SubscriberId subscriber{};
        bool keepAlive = false;
        bool setUp = false;
        bool compiled = false;
        bool dirty = false;
        std::uint64_t compiles = 0;
    };

    NodeId insertNode(detail::OwnedNode node, std::string name);
    /// Removes nodes together: one teardown of the compiled graph, if any was set up.
    void removeNodes(std::span<const NodeId> ids);

    // Sub-graphs (sub_graph.cpp): one end of a connection, a node or a sub-graph.
    struct SlotEndpoint {
        std::uint32_t id = NodeId::kInvalid;
        bool subGraph = false;
    };
    template <class N>
    static SlotEndpoint endpointOf(NodeHandle<N> handle) noexcept {
        return {handle.id.value, false};
    }
    template <class S>
    static SlotEndpoint endpointOf(SubGraphHandle<S> handle) noexcept {
        return {handle.id.value, true};
    }
    void connectEndpoints(SlotEndpoint from, std::uint32_t output, SlotEndpoint to,
                          std::uint32_t input);
    /// Registers and builds a sub-graph. Top level (`parentErrors` null): fails and rolls
    /// back on any error. Nested: appends its errors to the parent's build, which fails.
    Result<SubGraphId> declareSubGraph(std::unique_ptr<SubGraphBase> subGraph, std::string name,
                                       SubGraphId parent, const LoopPolicy* policy,
                                       std::vector<Error>* parentErrors);
    // Inline: graphs are declared one connection at a time, often many thousands.
    void addConnection(const Connection& connection) {
        assert(contains(connection.from) && contains(connection.to));
        connections_.push_back(connection);
        structureChanged();
    }
    const std::vector<NodeId>& cleanupOrder();
    void structureChanged() {
        structureDirty_ = true;
        cleanupOrderValid_ = false;
    }
    void setupPending();
    void runGraphHooks(core::Phase phase, HookTiming timing);
    Result<void> compileNode(NodeState& state, const CompileContext& context);
    void cleanupNode(NodeState& state, const CleanupContext& context);
    /// Cleans up every compiled node, consumers first; nodes flagged in `leaving` (by
    /// index) get their final cleanup.
    void cleanupCompiled(std::span<const std::uint8_t> leaving = {});
    void unbindSlots() noexcept;
    [[nodiscard]] auto nameOfNode() const {
        return [this](std::uint32_t index) { return std::string_view(nodes_[index].node->name_); };
    }
    void reserveEventCapacity(std::size_t eventsPerFrame);
    Result<void> checkRecompileBudget();
    Result<void> recompileDirty();
    void executeSequential() noexcept;
    void executeParallel() noexcept;
    static void executeTask(void* graph, std::uint32_t task, std::uint32_t worker) noexcept;
    void beginPhase(core::Phase phase);
    void endPhase(core::Phase phase);

    GraphOptions options_;
    core::Arena nodeStorage_;  // declared before nodes_: nodes die before their storage
    std::vector<NodeState> nodes_;
    std::vector<ResourceEstimate> estimates_;  // per node, beside nodes_ so sums stream
    std::size_t liveNodeCount_ = 0;
    std::vector<Connection> connections_;
    // Open-addressing name index: slot holds node index + 1, 0 = empty.
    std::vector<std::uint64_t> nameIndex_;
    std::vector<NodeId> duplicateNames_;

    events::EventBus events_;
    core::AllocationProfile allocations_;
    ExecutionBudget executionBudget_;
    std::unique_ptr<WorkerPool> workers_;
    std::vector<GraphHook> graphHooks_;
    std::vector<CompileStage> compileStages_;  // of the compile in progress
    std::optional<Error> hookCompileError_;    // from failCompile, during a compile
    std::vector<NodeHook> nodeHooks_;

    CompileReport report_;
    bool compiled_ = false;
    bool structureDirty_ = true;
    std::uint64_t frameIndex_ = 0;

    // Compiled state, rebuilt by GraphCompiler on every structural compile.
    std::vector<Node*> executionOrder_;
    std::vector<std::uint32_t> executionWaves_;    // offsets into executionOrder_
    std::vector<std::uint32_t> orderPosition_;     // node index -> position, or kNotCompiled
    std::vector<NodeId> cleanupOrder_;             // reverse topological order, all nodes
    bool cleanupOrderValid_ = false;               // false once the structure changes
    std::vector<std::uint32_t> dependentOffsets_;  // CSR: node -> consumers needing recompile
    std::vector<NodeId> dependents_;
    std::vector<InputBinding> inputBindings_;
    std::vector<const void*> boundResources_;
    std::vector<TransientLifetime> transientLifetimes_;  // per node
    std::vector<void*> outputResources_;
    // Frame history: one ring per history output (never reallocated while compiled: nodes
    // point into it), each output's ring or null, and the bound entries each ring turns.
    std::vector<HistoryRing> historyRings_;
    std::vector<HistoryRing*> outputHistory_;
    std::vector<std::uint32_t> historyBound_;
    std::uint64_t historyClock_ = 0;
    std::uint32_t historyPeriod_ = 1;
    struct ResourceBlock;
    std::unique_ptr<ResourceBlock> resources_;
    // Sub-graphs by id (null once removed); the loop schedule, only while loops are compiled.
    std::vector<std::unique_ptr<SubGraphBase>> subGraphs_;
    struct LoopSchedule;
    std::unique_ptr<LoopSchedule> loopSchedule_;

    // Recompile batch scratch, sized at compile so a cascade allocates nothing.
    std::vector<std::uint32_t> dirtyPositions_;
    std::vector<ResourceEstimate> recompileEstimates_;  // the dry run's, per dirty position
    std::vector<std::uint32_t> recompileNodes_;         // the batch's node ids
    bool recompiling_ = false;
    std::vector<std::int64_t> waveTransientDelta_;  // the dry run's transient sweep
    std::vector<NodeId> dirtyStack_;
    bool anyDirty_ = false;

    // Per-frame scratch, one arena per executing thread, sized from the estimates.
    std::vector<core::Arena> scratch_;

    // Parallel execution state for the wave in flight.
    std::uint32_t waveBegin_ = 0;
};

}  // namespace vixen::graph
