#include "vixen/graph/render_graph.hpp"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <thread>

#include "graph_compiler.hpp"
#include "loop_schedule.hpp"
#include "name_hash.hpp"
#include "resource_block.hpp"
#include "vixen/core/log.hpp"
#include "vixen/graph/sub_graph.hpp"

namespace vixen::graph {

namespace detail {
void markDirty(RenderGraph& graph, NodeId node) noexcept {
    graph.markDirty(node);
}
}  // namespace detail

RenderGraph::RenderGraph(GraphOptions options) : options_(options) {
    executionBudget_.configure(options_.executeBudgetBytes, options_.budget.throttleFraction);
}

RenderGraph::~RenderGraph() {
    cleanup();
}

// ---- declaring -----------------------------------------------------------------------

void detail::NodeDeleter::operator()(Node* node) const noexcept {
    if (inStorage) {
        node->~Node();
    } else {
        delete node;
    }
}

NodeId RenderGraph::adopt(std::unique_ptr<Node> node, std::string name) {
    return insertNode(detail::OwnedNode(node.release(), {.inStorage = false}), std::move(name));
}

void RenderGraph::reserve(std::size_t nodes, std::size_t connections) {
    nodes_.reserve(nodes);
    estimates_.reserve(nodes);
    connections_.reserve(connections);
    reserveNames(nameIndex_, nodes);
}

NodeId RenderGraph::insertNode(detail::OwnedNode node, std::string name) {
    const NodeId id{static_cast<std::uint32_t>(nodes_.size())};
    node->id_ = id;
    node->name_ = std::move(name);
    const std::string_view key = node->name_;
    nodes_.emplace_back(std::move(node));
    estimates_.emplace_back();
    ++liveNodeCount_;
    if (!insertName(nameIndex_, key, id.value, nodes_.size(), nameOfNode())) {
        duplicateNames_.push_back(id);
    }
    structureChanged();
    return id;
}

Result<void> RenderGraph::connect(NodeId from, std::string_view outputSlot, NodeId to,
                                  std::string_view inputSlot) {
    if (!contains(from) || !contains(to)) {
        return fail(ErrorCode::NotFound, "connect: node id {} is not in the graph",
                    contains(from) ? to.value : from.value);
    }
    const Node& producer = node(from);
    const Node& consumer = node(to);
    const SlotDesc* output = producer.type().findOutput(outputSlot);
    if (output == nullptr) {
        return fail(ErrorCode::NotFound, "node '{}' ({}) has no output slot '{}'", producer.name(),
                    producer.type().name, outputSlot);
    }
    const SlotDesc* input = consumer.type().findInput(inputSlot);
    if (input == nullptr) {
        return fail(ErrorCode::NotFound, "node '{}' ({}) has no input slot '{}'", consumer.name(),
                    consumer.type().name, inputSlot);
    }
    addConnection(Connection{from, output->index, to, input->index});
    return {};
}

void RenderGraph::setKeepAlive(NodeId id, bool keep) {
    assert(contains(id));
    nodes_[id.value].keepAlive = keep;
    structureChanged();
}

bool RenderGraph::keepAlive(NodeId id) const noexcept {
    return contains(id) && nodes_[id.value].keepAlive;
}

Result<void> RenderGraph::removeNode(NodeId id) {
    if (!contains(id)) {
        return fail(ErrorCode::NotFound, "removeNode: node id {} is not in the graph", id.value);
    }
    for (const auto& subGraph : subGraphs_) {
        if (subGraph && subGraph->parent_ == SubGraphId{} &&
            std::find(subGraph->nodes_.begin(), subGraph->nodes_.end(), id) !=
                subGraph->nodes_.end()) {
            return fail(ErrorCode::InvalidArgument,
                        "removeNode: node '{}' is inside sub-graph '{}'; remove the sub-graph "
                        "(removeSubGraph) instead",
                        nodes_[id.value].node->name_, subGraph->path_);
        }
    }
    removeNodes(std::span(&id, 1));
    return {};
}

void RenderGraph::removeNodes(std::span<const NodeId> ids) {
    // Clean up while every edge still exists, so consumers go before what they consumed;
    // for the removed nodes that cleanup is their last. A node never set up is in no
    // compiled state: removing only such nodes (a failed sub-graph build) tears nothing down.
    std::vector<std::uint8_t> leaving(nodes_.size(), 0);
    std::vector<std::uint8_t> compiledBefore(nodes_.size(), 0);
    bool anySetUp = false;
    for (const NodeId id : ids) {
        assert(contains(id));
        leaving[id.value] = 1;
        compiledBefore[id.value] = nodes_[id.value].compiled ? 1 : 0;
        anySetUp = anySetUp || nodes_[id.value].setUp;
    }
    if (anySetUp) {
        cleanupCompiled(leaving);
        report_ = CompileReport{};
    }
    for (const NodeId id : ids) {
        NodeState& state = nodes_[id.value];
        if (state.setUp) {
            if (compiledBefore[id.value] == 0) {
                cleanupNode(state, CleanupContext{});
            }
            events_.unsubscribeAll(state.subscriber);
        }
        std::erase(duplicateNames_, id);
        eraseName(nameIndex_, state.node->name_, id.value);
        // A node that carried the same name now owns it.
        const auto heir = std::find_if(
            duplicateNames_.begin(), duplicateNames_.end(),
            [&](NodeId d) { return nodes_[d.value].node->name_ == state.node->name_; });
        if (heir != duplicateNames_.end()) {
            insertName(nameIndex_, nodes_[heir->value].node->name_, heir->value, nodes_.size(),
                       nameOfNode());
            duplicateNames_.erase(heir);
        }
        state = NodeState{};
        estimates_[id.value] = {};
        --liveNodeCount_;
    }
    std::erase_if(connections_, [&](const Connection& c) {
        return leaving[c.from.value] != 0 || leaving[c.to.value] != 0;
    });
    structureChanged();
}

Node* RenderGraph::findNode(std::string_view name) const noexcept {
    const std::uint32_t index = findName(nameIndex_, name, nameOfNode());
    return index == kNameNotFound ? nullptr : nodes_[index].node.get();
}

Node& RenderGraph::node(NodeId id) const {
    assert(contains(id));
    return *nodes_[id.value].node;
}

bool RenderGraph::contains(NodeId id) const noexcept {
    return id.value < nodes_.size() && nodes_[id.value].node != nullptr;
}

const std::vector<NodeId>& RenderGraph::cleanupOrder() {
    if (!cleanupOrderValid_) {
        cleanupOrder_ = GraphCompiler::cleanupOrder(*this);
        cleanupOrderValid_ = true;
    }
    return cleanupOrder_;
}

// ---- lifecycle -----------------------------------------------------------------------

void RenderGraph::beginPhase(core::Phase phase) {
    if (options_.profileAllocations) {
        allocations_.beginPhase(phase);
    }
    runGraphHooks(phase, HookTiming::Before);
}

void RenderGraph::endPhase(core::Phase phase) {
    runGraphHooks(phase, HookTiming::After);
    if (options_.profileAllocations) {
        allocations_.endPhase();
    }
}

void RenderGraph::runGraphHooks(core::Phase phase, HookTiming timing) {
    for (const GraphHook& hook : graphHooks_) {
        if (hook) {
            hook(phase, timing);
        }
    }
}

void RenderGraph::setupPending() {
    // By index, and with the count fixed: setup may not add nodes (the context offers no way).
    const std::size_t count = nodes_.size();
    for (std::size_t i = 0; i < count; ++i) {
        NodeState& state = nodes_[i];
        if (state.node == nullptr || state.setUp) {
            continue;
        }
        for (const NodeHook& hook : nodeHooks_) {
            hook(core::Phase::Setup, HookTiming::Before, *state.node);
        }
        state.subscriber = events_.newSubscriber();
        SetupContext context(*this, events_, state.node->id_, state.subscriber,
                             estimates_[state.node->id_.value]);
        state.node->setup(context);
        state.setUp = true;
        for (const NodeHook& hook : nodeHooks_) {
            hook(core::Phase::Setup, HookTiming::After, *state.node);
        }
    }
}

Result<void> RenderGraph::compileNode(NodeState& state, const CompileContext& context) {
    for (const NodeHook& hook : nodeHooks_) {
        hook(core::Phase::Compile, HookTiming::Before, *state.node);
    }
    Result<void> result = state.node->compile(context);
    resetHistory(state.node->id());  // its rings were made again, or may have been
    ++state.compiles;
    state.compiled = result.has_value();
    state.dirty = false;
    for (const NodeHook& hook : nodeHooks_) {
        hook(core::Phase::Compile, HookTiming::After, *state.node);
    }
    if (!result) {
        // Whatever the failed compile built before it stopped is released now.
        cleanupNode(state, CleanupContext{.forRecompile = true, .slotsBound = true});
        return fail(result.error().code, "node '{}' ({}) failed to compile: {}", state.node->name(),
                    state.node->type().name, result.error().message);
    }
    return {};
}

void RenderGraph::cleanupNode(NodeState& state, const CleanupContext& context) {
    for (const NodeHook& hook : nodeHooks_) {
        hook(core::Phase::Cleanup, HookTiming::Before, *state.node);
    }
    state.node->cleanup(context);
    state.compiled = false;
    for (const NodeHook& hook : nodeHooks_) {
        hook(core::Phase::Cleanup, HookTiming::After, *state.node);
    }
}

void RenderGraph::cleanupCompiled(std::span<const std::uint8_t> leaving) {
    if (!compiled_ && resources_ == nullptr) {
        return;
    }
    // Hooks hear of the teardown first: a GPU runtime lets in-flight frames finish.
    runGraphHooks(core::Phase::Cleanup, HookTiming::Before);
    for (const NodeId id : cleanupOrder()) {
        NodeState& state = nodes_[id.value];
        if (state.compiled) {
            const bool stays = leaving.empty() || leaving[id.value] == 0;
            cleanupNode(state, CleanupContext{.forRecompile = stays, .slotsBound = true});
        }
    }
    executionOrder_.clear();
    executionWaves_.clear();
    loopSchedule_.reset();
    unbindSlots();
    compiled_ = false;
    runGraphHooks(core::Phase::Cleanup, HookTiming::After);
}

void RenderGraph::unbindSlots() noexcept {
    // Without resources, slots must not point at them: a stray In() or Out() faults at once.
    resources_.reset();
    historyRings_.clear();
    outputHistory_.clear();
    historyBound_.clear();
    historyPeriod_ = 1;
    for (NodeState& state : nodes_) {
        if (state.node) {
            state.node->inputs_ = nullptr;
            state.node->outputs_ = nullptr;
            state.node->outputHistory_ = nullptr;
        }
    }
}

namespace {

std::uint64_t microsecondsSince(std::chrono::steady_clock::time_point start) {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::steady_clock::now() - start)
                                          .count());
}

}  // namespace

Result<void> RenderGraph::compile() {
    if (compiled_ && !structureDirty_) {
        return {};
    }
    const auto started = std::chrono::steady_clock::now();
    compileStages_.clear();
    hookCompileError_.reset();
    cleanupCompiled();

    auto stageStart = std::chrono::steady_clock::now();
    beginPhase(core::Phase::Setup);
    setupPending();
    endPhase(core::Phase::Setup);
    noteCompileStage("setup", microsecondsSince(stageStart));

    beginPhase(core::Phase::Compile);
    stageStart = std::chrono::steady_clock::now();
    Result<void> result = GraphCompiler(*this).compile();
    noteCompileStage("order, cull, validate", microsecondsSince(stageStart));
    if (result && hookCompileError_) {
        report_.errors.push_back(*hookCompileError_);
        result = std::unexpected(*hookCompileError_);
    }
    if (result) {
        stageStart = std::chrono::steady_clock::now();
        for (Node* node : executionOrder_) {
            if (Result<void> compiled = compileNode(nodes_[node->id_.value], CompileContext{});
                !compiled) {
                cleanupCompiled();
                report_.errors.push_back(compiled.error());
                result = std::move(compiled);
                break;
            }
        }
        noteCompileStage("node compiles", microsecondsSince(stageStart));
    }
    if (result) {
        if (options_.mode == ExecutionMode::Parallel && workers_ == nullptr) {
            std::uint32_t threads = options_.workerThreads;
            if (threads == 0) {
                threads = std::max(1U, std::thread::hardware_concurrency()) - 1;
            }
            workers_ = std::make_unique<WorkerPool>(threads);
        }
        // Each scratch user may lose up to one maximal alignment to padding.
        const std::size_t scratchUsers = report_.frameScratchUsers;
        const std::size_t threads = workers_ == nullptr ? 1 : workers_->threadCount() + 1;
        scratch_.resize(threads);
        for (core::Arena& scratch : scratch_) {
            scratch.reset();
            scratch.reserve(report_.totalEstimate.frameScratchBytes +
                            scratchUsers * alignof(std::max_align_t));
        }
        compiled_ = true;
        structureDirty_ = false;
        anyDirty_ = false;
    }
    endPhase(core::Phase::Compile);
    if (result && hookCompileError_) {
        // What drives the graph failed after the nodes compiled: nothing runs half-built.
        cleanupCompiled();
        structureDirty_ = true;
        report_.errors.push_back(*hookCompileError_);
        result = std::unexpected(*hookCompileError_);
    }
    report_.compileMicroseconds = microsecondsSince(started);
    report_.stages = compileStages_;
    return result;
}

std::uint64_t RenderGraph::compileCount(NodeId id) const noexcept {
    return contains(id) ? nodes_[id.value].compiles : 0;
}

void RenderGraph::reserveEventCapacity(std::size_t eventsPerFrame) {
    const std::size_t wanted = std::max(eventsPerFrame, events::EventBus::kDefaultEventsPerFrame);
    if (!events_.idle() && wanted > events_.capacity()) {
        // Growing needs empty queues; events queued before compile keep the current size for
        // now (the dispatch lists are rebuilt either way) and an overflow is still reported.
        log::warn(
            "event queues stay at {} events: {} were estimated, but events are pending "
            "at compile; compile before emitting to size them",
            events_.capacity(), wanted);
        events_.reserve(events_.capacity());
        return;
    }
    events_.reserve(wanted);
}

Result<void> RenderGraph::frame() {
    Result<void> result = processInvalidations();
    if (!compiled_) {
        if (result) {
            return fail(ErrorCode::InvalidState,
                        "frame: the graph is not compiled (never compiled, its last compile or "
                        "recompile failed, or nodes were removed); call compile() first");
        }
        return result;
    }
    execute();
    return result;
}

void RenderGraph::selectHistory(std::uint64_t clock) noexcept {
    for (HistoryRing& ring : historyRings_) {
        ring.position = static_cast<std::uint32_t>(clock % ring.size);
        void* const current = ring.elements[ring.position];
        outputResources_[ring.output] = current;
        for (std::uint32_t b = 0; b < ring.boundCount; ++b) {
            boundResources_[historyBound_[ring.firstBound + b]] = current;
        }
    }
}

void RenderGraph::resetHistory(NodeId node) noexcept {
    for (HistoryRing& ring : historyRings_) {
        if (ring.producer == node.value) {
            ring.framesWritten = 0;
        }
    }
}

void RenderGraph::unwindFrame() noexcept {
    if (historyClock_ == 0) {
        return;
    }
    --historyClock_;
    // What the nodes did on the CPU for that frame (a camera's previous view, say) is not
    // undone: no earlier frame is trusted.
    for (HistoryRing& ring : historyRings_) {
        ring.framesWritten = 0;
    }
    selectHistory(historyClock_);
}

void RenderGraph::execute() noexcept {
    assert(compiled_);
    selectHistory(historyClock_);
    if (options_.profileAllocations) {
        allocations_.beginPhase(core::Phase::Execute);
    }
    if (!graphHooks_.empty()) {
        runGraphHooks(core::Phase::Execute, HookTiming::Before);
    }
    for (core::Arena& scratch : scratch_) {
        scratch.reset();
    }
    if (loopSchedule_ != nullptr) {
        loopSchedule_->execute(*this);
    } else if (options_.mode == ExecutionMode::Parallel) {
        executeParallel();
    } else {
        executeSequential();
    }
    if (!graphHooks_.empty()) {
        runGraphHooks(core::Phase::Execute, HookTiming::After);
    }
    if (options_.profileAllocations) {
        allocations_.endPhase();
    }
    ++frameIndex_;
    ++historyClock_;
    for (HistoryRing& ring : historyRings_) {
        ++ring.framesWritten;
    }
}

void RenderGraph::executeSequential() noexcept {
    const ExecuteContext context{frameIndex_, 0, &scratch_[0]};
    if (nodeHooks_.empty()) {
        for (Node* node : executionOrder_) {
            node->execute(context);
        }
        return;
    }
    for (Node* node : executionOrder_) {
        for (const NodeHook& hook : nodeHooks_) {
            hook(core::Phase::Execute, HookTiming::Before, *node);
        }
        node->execute(context);
        for (const NodeHook& hook : nodeHooks_) {
            hook(core::Phase::Execute, HookTiming::After, *node);
        }
    }
}

void RenderGraph::executeTask(void* self, std::uint32_t task, std::uint32_t worker) noexcept {
    auto& graph = *static_cast<RenderGraph*>(self);
    Node* node = graph.executionOrder_[graph.waveBegin_ + task];
    const std::uint64_t bytes = graph.estimates_[node->id_.value].executeBytes;
    graph.executionBudget_.acquireTask(bytes);
    for (const NodeHook& hook : graph.nodeHooks_) {
        hook(core::Phase::Execute, HookTiming::Before, *node);
    }
    node->execute(ExecuteContext{graph.frameIndex_, worker, &graph.scratch_[worker]});
    for (const NodeHook& hook : graph.nodeHooks_) {
        hook(core::Phase::Execute, HookTiming::After, *node);
    }
    graph.executionBudget_.releaseTask(bytes);
}

void RenderGraph::executeParallel() noexcept {
    for (std::size_t wave = 0; wave + 1 < executionWaves_.size(); ++wave) {
        waveBegin_ = executionWaves_[wave];
        workers_->run(executionWaves_[wave + 1] - waveBegin_, &RenderGraph::executeTask, this);
    }
}

void RenderGraph::cleanup() {
    bool anySetUp = false;
    for (const NodeState& state : nodes_) {
        anySetUp = anySetUp || state.setUp;
    }
    if (!anySetUp) {
        return;
    }
    beginPhase(core::Phase::Cleanup);
    for (const NodeId id : cleanupOrder()) {
        NodeState& state = nodes_[id.value];
        if (state.setUp) {
            cleanupNode(state, CleanupContext{.slotsBound = state.compiled});
            events_.unsubscribeAll(state.subscriber);
            state.setUp = false;
            estimates_[id.value] = {};  // the next setup reports afresh
        }
    }
    executionOrder_.clear();
    executionWaves_.clear();
    loopSchedule_.reset();
    unbindSlots();
    report_ = CompileReport{};
    compiled_ = false;
    structureDirty_ = true;
    endPhase(core::Phase::Cleanup);
}

}  // namespace vixen::graph
