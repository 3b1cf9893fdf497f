// Frame execution of a graph with loops: each loop decides its steps on the CPU at the
// frame boundary, then the blocks run in order; a loop's body runs once per step, as a
// unit (A0 B0 A1 B1), or is skipped.
#include <chrono>

#include "loop_schedule.hpp"

namespace vixen::graph {
namespace {

const SteadyFrameClock kSteadyClock;

}  // namespace

void RenderGraph::LoopSchedule::execute(RenderGraph& graph) noexcept {
    std::chrono::nanoseconds now{};
    if (readsClock) {
        now = (graph.options_.clock != nullptr ? *graph.options_.clock : kSteadyClock).now();
    }
    for (LoopState* loop : loops) {
        loop->decide(graph.frameIndex_, now);
    }
    ExecuteContext context{graph.frameIndex_, 0, &graph.scratch_[0]};
    for (const Block& block : blocks) {
        if (block.loop == nullptr) {
            runWaves(graph, block, context, false);
            continue;
        }
        const std::uint32_t steps = block.loop->steps();
        ExecuteContext stepContext = context;
        stepContext.loopSteps = steps;
        stepContext.loopStepSeconds = block.loop->stepSeconds();
        if (steps == 0) {
            runWaves(graph, block, stepContext, true);
        }
        for (std::uint32_t step = 0; step < steps; ++step) {
            stepContext.loopStep = step;
            runWaves(graph, block, stepContext, false);
        }
    }
}

void RenderGraph::LoopSchedule::runWaves(RenderGraph& graph, const Block& block,
                                         const ExecuteContext& context, bool skip) noexcept {
    const std::vector<std::uint32_t>& waves = graph.executionWaves_;
    if (graph.options_.mode == ExecutionMode::Parallel) {
        // The workers read the context from here; run() publishes it to them.
        taskContext_ = context;
        skipping_ = skip;
        for (std::uint32_t wave = block.firstWave; wave < block.endWave; ++wave) {
            graph.waveBegin_ = waves[wave];
            graph.workers_->run(waves[wave + 1] - waves[wave], &LoopSchedule::runTask, &graph);
        }
        return;
    }
    for (std::uint32_t at = waves[block.firstWave]; at < waves[block.endWave]; ++at) {
        Node* node = graph.executionOrder_[at];
        if (skip) {
            node->skip(context);
            continue;
        }
        for (const NodeHook& hook : graph.nodeHooks_) {
            hook(core::Phase::Execute, HookTiming::Before, *node);
        }
        node->execute(context);
        for (const NodeHook& hook : graph.nodeHooks_) {
            hook(core::Phase::Execute, HookTiming::After, *node);
        }
    }
}

void RenderGraph::LoopSchedule::runTask(void* self, std::uint32_t task,
                                        std::uint32_t worker) noexcept {
    auto& graph = *static_cast<RenderGraph*>(self);
    const LoopSchedule& schedule = *graph.loopSchedule_;
    Node* node = graph.executionOrder_[graph.waveBegin_ + task];
    ExecuteContext context = schedule.taskContext_;
    context.workerIndex = worker;
    context.scratch = &graph.scratch_[worker];
    if (schedule.skipping_) {
        node->skip(context);
        return;
    }
    const std::uint64_t bytes = graph.estimates_[node->id_.value].executeBytes;
    graph.executionBudget_.acquireTask(bytes);
    for (const NodeHook& hook : graph.nodeHooks_) {
        hook(core::Phase::Execute, HookTiming::Before, *node);
    }
    node->execute(context);
    for (const NodeHook& hook : graph.nodeHooks_) {
        hook(core::Phase::Execute, HookTiming::After, *node);
    }
    graph.executionBudget_.releaseTask(bytes);
}

}  // namespace vixen::graph
