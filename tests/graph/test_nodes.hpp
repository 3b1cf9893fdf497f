#pragma once

// Small integer nodes for graph tests: each output is the sum of its inputs plus a bias,
// and every lifecycle call is appended to a shared log.

#include <string>
#include <vector>

#include "vixen/graph/render_graph.hpp"

namespace vixen::graph::testing {

using Log = std::vector<std::string>;

struct SumConfig {
    static constexpr std::string_view kTypeName = "Sum";
    static constexpr Input<"terms", int, SlotOptions{.array = true}> terms{};
    static constexpr Output<"value", int> value{};
    static constexpr SlotList slots{terms, value};
};

/// value = bias + sum(terms); logs compile and cleanup.
class SumNode : public TypedNode<SumConfig> {
public:
    explicit SumNode(int bias = 1, Log* log = nullptr, ResourceEstimate estimate = {})
        : bias_(bias), log_(log), declared_(estimate) {}

    int compiledSum = 0;  ///< the sum seen at the last compile

protected:
    void setup(SetupContext& context) override {
        context.estimate() = declared_;
        record("setup");
    }
    Result<void> compile(const CompileContext& context) override {
        record(context.recompile ? "recompile" : "compile");
        compiledSum = sum();
        return {};
    }
    void execute(const ExecuteContext& /*context*/) override { Out(SumConfig::value) = sum(); }
    void cleanup(const CleanupContext& /*context*/) override { record("cleanup"); }

private:
    int sum() const {
        int total = bias_;
        for (const int term : In(SumConfig::terms)) {
            total += term;
        }
        return total;
    }
    void record(const char* what) {
        if (log_ != nullptr) {
            log_->push_back(std::string(what) + ":" + std::string(name()));
        }
    }

    int bias_;
    Log* log_;
    ResourceEstimate declared_;
};

struct ProbeConfig {
    static constexpr std::string_view kTypeName = "Probe";
    static constexpr Input<"value", int> value{};
    static constexpr SlotList slots{value};
};

/// A sink (side effects, so it is never culled) that remembers the value it read.
class ProbeNode : public TypedNode<ProbeConfig> {
public:
    int seen = -1;

protected:
    void execute(const ExecuteContext& /*context*/) override { seen = In(ProbeConfig::value); }
};

struct FloatSourceConfig {
    static constexpr std::string_view kTypeName = "FloatSource";
    static constexpr Output<"value", float> value{};
    static constexpr SlotList slots{value};
};

class FloatSourceNode : public TypedNode<FloatSourceConfig> {
protected:
    void execute(const ExecuteContext& /*context*/) override {
        Out(FloatSourceConfig::value) = 1.5F;
    }
};

struct InPlaceConfig {
    static constexpr std::string_view kTypeName = "InPlace";
    static constexpr Input<"target", int, SlotOptions{.access = Access::ReadWrite}> target{};
    static constexpr Input<"gate", int, SlotOptions{.nullable = true}> gate{};
    static constexpr SlotList slots{target, gate};
    static constexpr bool kSideEffects = true;
};

/// Doubles its target in place; adds the optional gate when connected.
class InPlaceNode : public TypedNode<InPlaceConfig> {
public:
    int written = 0;

protected:
    void execute(const ExecuteContext& /*context*/) override {
        int& target = In(InPlaceConfig::target);
        target *= 2;
        if (const int* gate = In(InPlaceConfig::gate)) {
            target += *gate;
        }
        written = target;
    }
};

}  // namespace vixen::graph::testing
