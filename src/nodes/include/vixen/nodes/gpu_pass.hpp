#pragma once

// A one-off GPU pass: the typed slots of a config, a compile lambda and a record lambda, as
// a frame graph's pass is written, without a class of its own. Slots, barriers, persistence
// and release work as for any GpuNode; `state` keeps what the lambdas share (a kernel, a
// pipeline) and goes when the pass leaves the graph.

#include <functional>
#include <type_traits>
#include <utility>
#include <variant>

#include "vixen/nodes/compute_kernel.hpp"
#include "vixen/nodes/gpu_node.hpp"

namespace vixen::nodes {

template <class Config, class State = std::monostate>
class GpuPass final : public GpuNode<Config> {
public:
    /// At compile: create outputs (`createOutput`), pipelines, descriptor sets.
    using CompileFn = std::function<Result<void>(GpuPass& pass)>;
    /// Every frame: record commands (allocating nothing); the slots' barriers are in place.
    using RecordFn = std::function<void(GpuPass& pass, VkCommandBuffer commandBuffer,
                                        const graph::ExecuteContext& context)>;

    GpuPass(GpuRuntime& gpuRuntime, CompileFn compile, RecordFn record,
            graph::ResourceEstimate estimate = {})
        : GpuNode<Config>(gpuRuntime),
          compile_(std::move(compile)),
          record_(std::move(record)),
          estimate_(estimate) {}

    /// A pass whose state holds nothing or a ComputeKernel (which retires its descriptor
    /// pool) rebuilds with frames in flight; other state may destroy what they use.
    [[nodiscard]] bool retiresReplacedObjects() const noexcept override {
        return std::is_same_v<State, std::monostate> || std::is_same_v<State, ComputeKernel>;
    }

    using GpuNode<Config>::createOutput;
    using GpuNode<Config>::runtime;
    using graph::TypedNode<Config>::In;
    using graph::TypedNode<Config>::Out;

    State state{};

protected:
    void setup(graph::SetupContext& context) override { context.estimate() = estimate_; }
    Result<void> compile(const graph::CompileContext& /*context*/) override {
        return compile_(*this);
    }
    void record(VkCommandBuffer commandBuffer, const graph::ExecuteContext& context) override {
        record_(*this, commandBuffer, context);
    }
    void release(const graph::CleanupContext& context) override {
        if (!context.forRecompile) {
            state = State{};
        }
    }

private:
    CompileFn compile_;
    RecordFn record_;
    graph::ResourceEstimate estimate_;
};

}  // namespace vixen::nodes
