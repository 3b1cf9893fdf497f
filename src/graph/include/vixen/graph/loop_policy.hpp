#pragma once

// How often a multi-rate loop steps, and the per-loop state that decides it once per frame,
// on the CPU, before any node executes.

#include <chrono>
#include <cstdint>
#include <string_view>

#include "vixen/core/error.hpp"

namespace vixen::graph {

/// Where a graph reads the time that fixed-step loops accumulate; only differences matter.
class FrameClock {
public:
    virtual ~FrameClock() = default;
    [[nodiscard]] virtual std::chrono::nanoseconds now() const noexcept = 0;
};

/// The default clock: std::chrono::steady_clock.
class SteadyFrameClock final : public FrameClock {
public:
    [[nodiscard]] std::chrono::nanoseconds now() const noexcept override;
};

enum class LoopRate : std::uint8_t {
    EveryFrame,     ///< one step every frame
    EveryKthFrame,  ///< one step when frameIndex % period == phase
    FixedStep,      ///< as many steps of 1/hz seconds as the elapsed time holds, up to a cap
};

/// A loop's policy. The rate is a whole number of Hz so that the accumulator counts in
/// exact integers (nanoseconds times hz): 60 Hz takes exactly 60 steps per second, with no
/// rounding drift and no off-by-one at step boundaries.
struct LoopPolicy {
    static constexpr std::uint32_t kMaxHz = 1'000'000;

    LoopRate rate = LoopRate::EveryFrame;
    std::uint32_t period = 1;            ///< EveryKthFrame: k
    std::uint32_t phase = 0;             ///< EveryKthFrame: steps when frameIndex % k == phase
    std::uint32_t hz = 0;                ///< FixedStep: steps per second
    std::uint32_t maxStepsPerFrame = 1;  ///< FixedStep: the cap

    [[nodiscard]] static constexpr LoopPolicy everyFrame() noexcept { return {}; }
    [[nodiscard]] static constexpr LoopPolicy everyKthFrame(std::uint32_t k,
                                                            std::uint32_t phase = 0) noexcept {
        return {.rate = LoopRate::EveryKthFrame, .period = k, .phase = phase};
    }
    [[nodiscard]] static constexpr LoopPolicy fixedStep(std::uint32_t hz,
                                                        std::uint32_t maxStepsPerFrame) noexcept {
        return {.rate = LoopRate::FixedStep, .hz = hz, .maxStepsPerFrame = maxStepsPerFrame};
    }

    /// The most steps one frame can take: the cap, or 1.
    [[nodiscard]] std::uint32_t maxSteps() const noexcept {
        return rate == LoopRate::FixedStep ? maxStepsPerFrame : 1;
    }
};

/// Fails with InvalidArgument, naming the loop, for a policy that cannot step sensibly:
/// k = 0, a phase not below k, 0 Hz or more than LoopPolicy::kMaxHz, a cap of 0.
[[nodiscard]] Result<void> checkLoopPolicy(const LoopPolicy& policy, std::string_view loop);

/// What a loop did since it was added.
struct LoopCounters {
    std::uint64_t frames = 0;         ///< frames decided
    std::uint64_t steps = 0;          ///< steps taken (body executions)
    std::uint64_t skippedFrames = 0;  ///< frames with no step (the body was skipped)
    /// Fixed step: whole steps the cap discarded, neither taken in their frame nor carried
    /// to the next one.
    std::uint64_t droppedSteps = 0;
};

/// The per-frame decision of one loop. Made when the loop is added; deciding a frame
/// allocates nothing and changes two integers (and the counters).
class LoopState {
public:
    /// A frame gap counts as at most this long: keeps `elapsed * hz` inside 64 bits.
    static constexpr std::chrono::nanoseconds kMaxElapsed = std::chrono::hours(1);

    explicit LoopState(const LoopPolicy& policy) noexcept : policy_(policy) {}

    /// Decides this frame's steps. Fixed step: `accumulator += elapsed; steps =
    /// min(floor(accumulator / step), cap); accumulator -= steps * step`; when the cap cut
    /// it short the accumulator is clamped to one step. A loop's first frame counts as one
    /// step elapsed, so its outputs are written before anything reads them.
    std::uint32_t decide(std::uint64_t frameIndex, std::chrono::nanoseconds now) noexcept;

    [[nodiscard]] const LoopPolicy& policy() const noexcept { return policy_; }
    [[nodiscard]] std::uint32_t steps() const noexcept { return steps_; }
    [[nodiscard]] const LoopCounters& counters() const noexcept { return counters_; }
    /// The fixed step in seconds (ExecuteContext::loopStepSeconds); 0 for frame-based rates.
    [[nodiscard]] double stepSeconds() const noexcept {
        return policy_.rate == LoopRate::FixedStep ? 1.0 / policy_.hz : 0.0;
    }
    /// Time in the accumulator, in nanoseconds (rounded down).
    [[nodiscard]] std::chrono::nanoseconds accumulated() const noexcept;

private:
    std::uint32_t decideFixedStep(std::chrono::nanoseconds now) noexcept;

    LoopPolicy policy_;
    // Fixed step, in units of 1/hz nanoseconds: one step is exactly 1e9 units.
    std::uint64_t accumulator_ = 0;
    std::chrono::nanoseconds lastNow_{};
    bool started_ = false;
    std::uint32_t steps_ = 0;
    LoopCounters counters_;
};

}  // namespace vixen::graph
