#pragma once

// Sub-graphs, loop bodies, a stepping node and a fake clock for the sub-graph and loop tests.

#include <chrono>
#include <string>
#include <vector>

#include "test_nodes.hpp"
#include "vixen/graph/sub_graph.hpp"

namespace vixen::graph::testing {

/// A clock that moves only when told to.
class FakeClock final : public FrameClock {
public:
    [[nodiscard]] std::chrono::nanoseconds now() const noexcept override { return now_; }
    void advance(std::chrono::nanoseconds by) noexcept { now_ += by; }

private:
    std::chrono::nanoseconds now_{std::chrono::seconds(1)};
};

struct ChainConfig {
    static constexpr std::string_view kTypeName = "Chain";
    static constexpr Input<"source", int, SlotOptions{.array = true}> source{};
    static constexpr Output<"result", int> result{};
    static constexpr SlotList slots{source, result};
};

/// a (bias 1) -> b (bias 10): result = source + 11.
class Chain : public SubGraph<ChainConfig> {
public:
    explicit Chain(Log* log = nullptr) : log_(log) {}

protected:
    void build(SubGraphBuilder<ChainConfig>& b) override {
        auto a = b.addNode<SumNode>("a", 1, log_);
        auto c = b.addNode<SumNode>("b", 10, log_);
        b.connect(a, SumConfig::value, c, SumConfig::terms);
        b.exposeInput(ChainConfig::source, a, SumConfig::terms);
        b.exposeOutput(ChainConfig::result, c, SumConfig::value);
    }

private:
    Log* log_;
};

struct StepConfig {
    static constexpr std::string_view kTypeName = "Step";
    static constexpr Input<"in", int, SlotOptions{.nullable = true}> in{};
    static constexpr Output<"out", int> out{};
    static constexpr SlotList slots{in, out};
};

/// out = (3 * out + in + step + 1) mod a prime (its last output counts, so the order of
/// executions shows in the value); counts executions and skips and keeps what execute was
/// told.
class StepNode : public TypedNode<StepConfig> {
public:
    static constexpr int kModulus = 1'000'003;

    explicit StepNode(Log* trace = nullptr, std::uint64_t scratchBytes = 0)
        : trace_(trace), scratchBytes_(scratchBytes) {}

    int executions = 0;
    int skips = 0;
    int scratchFailures = 0;
    std::uint32_t lastStep = 0;
    std::uint32_t lastSteps = 0;
    double lastStepSeconds = -1.0;
    std::vector<std::uint64_t> framesRun;  ///< reserved by tests that read it

protected:
    void setup(SetupContext& context) override {
        context.estimate().frameScratchBytes = scratchBytes_;
    }
    void execute(const ExecuteContext& context) override {
        if (scratchBytes_ != 0 &&
            context.scratch->allocateNoGrow(scratchBytes_, alignof(std::max_align_t)) == nullptr) {
            ++scratchFailures;
        }
        const int* in = In(StepConfig::in);
        int& out = Out(StepConfig::out);
        out = (3 * out + (in != nullptr ? *in : 0) + static_cast<int>(context.loopStep) + 1) %
              kModulus;
        ++executions;
        lastStep = context.loopStep;
        lastSteps = context.loopSteps;
        lastStepSeconds = context.loopStepSeconds;
        if (framesRun.size() < framesRun.capacity()) {
            framesRun.push_back(context.frameIndex);
        }
        if (trace_ != nullptr) {
            trace_->push_back(std::string(name()) + "#" + std::to_string(context.loopStep));
        }
    }
    void skip(const ExecuteContext& /*context*/) override { ++skips; }

private:
    Log* trace_;
    std::uint64_t scratchBytes_;
};

struct BodyConfig {
    static constexpr std::string_view kTypeName = "Body";
    static constexpr Input<"in", int, SlotOptions{.nullable = true}> in{};
    static constexpr Output<"out", int> out{};
    static constexpr SlotList slots{in, out};
};

/// a -> b, both StepNodes: the smallest body whose order shows.
class Body : public SubGraph<BodyConfig> {
public:
    explicit Body(Log* trace = nullptr, std::uint64_t scratchBytes = 0)
        : trace_(trace), scratchBytes_(scratchBytes) {}

protected:
    void build(SubGraphBuilder<BodyConfig>& b) override {
        auto a = b.addNode<StepNode>("a", trace_, scratchBytes_);
        auto c = b.addNode<StepNode>("b", trace_);
        b.connect(a, StepConfig::out, c, StepConfig::in);
        b.exposeInput(BodyConfig::in, a, StepConfig::in);
        b.exposeOutput(BodyConfig::out, c, StepConfig::out);
    }

private:
    Log* trace_;
    std::uint64_t scratchBytes_;
};

inline StepNode& stepNode(const RenderGraph& graph, std::string_view path) {
    return static_cast<StepNode&>(*graph.findNode(path));
}

}  // namespace vixen::graph::testing
