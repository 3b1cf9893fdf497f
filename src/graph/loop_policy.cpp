#include "vixen/graph/loop_policy.hpp"

#include <algorithm>

namespace vixen::graph {
namespace {

constexpr std::uint64_t kUnitsPerStep = 1'000'000'000;  // one step = 1e9 ns/hz * hz units

}  // namespace

std::chrono::nanoseconds SteadyFrameClock::now() const noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::steady_clock::now().time_since_epoch());
}

Result<void> checkLoopPolicy(const LoopPolicy& policy, std::string_view loop) {
    switch (policy.rate) {
        case LoopRate::EveryFrame:
            return {};
        case LoopRate::EveryKthFrame:
            if (policy.period == 0) {
                return fail(ErrorCode::InvalidArgument,
                            "loop '{}': every 0th frame is no rate; give k >= 1 (1 = every "
                            "frame)",
                            loop);
            }
            if (policy.phase >= policy.period) {
                return fail(ErrorCode::InvalidArgument,
                            "loop '{}': phase {} never comes up every {} frames; give a phase "
                            "below {}",
                            loop, policy.phase, policy.period, policy.period);
            }
            return {};
        case LoopRate::FixedStep:
            if (policy.hz == 0 || policy.hz > LoopPolicy::kMaxHz) {
                return fail(ErrorCode::InvalidArgument,
                            "loop '{}': a fixed step of {} Hz is out of range; give 1 to {} Hz",
                            loop, policy.hz, LoopPolicy::kMaxHz);
            }
            if (policy.maxStepsPerFrame == 0) {
                return fail(ErrorCode::InvalidArgument,
                            "loop '{}': a cap of 0 steps per frame never steps; give a cap of "
                            "at least 1",
                            loop);
            }
            return {};
    }
    return fail(ErrorCode::InvalidArgument, "loop '{}': unknown rate {}", loop,
                static_cast<int>(policy.rate));
}

std::uint32_t LoopState::decide(std::uint64_t frameIndex, std::chrono::nanoseconds now) noexcept {
    switch (policy_.rate) {
        case LoopRate::EveryFrame:
            steps_ = 1;
            break;
        case LoopRate::EveryKthFrame:
            steps_ = frameIndex % policy_.period == policy_.phase ? 1U : 0U;
            break;
        case LoopRate::FixedStep:
            steps_ = decideFixedStep(now);
            break;
    }
    ++counters_.frames;
    counters_.steps += steps_;
    counters_.skippedFrames += steps_ == 0 ? 1U : 0U;
    return steps_;
}

std::uint32_t LoopState::decideFixedStep(std::chrono::nanoseconds now) noexcept {
    if (started_) {
        const std::chrono::nanoseconds elapsed =
            std::clamp(now - lastNow_, std::chrono::nanoseconds::zero(), kMaxElapsed);
        accumulator_ += static_cast<std::uint64_t>(elapsed.count()) * policy_.hz;
    } else {
        accumulator_ += kUnitsPerStep;
        started_ = true;
    }
    lastNow_ = now;
    const std::uint64_t wanted = accumulator_ / kUnitsPerStep;
    const std::uint64_t steps = std::min<std::uint64_t>(wanted, policy_.maxStepsPerFrame);
    accumulator_ -= steps * kUnitsPerStep;
    if (wanted > steps) {
        // One step is carried to the next frame; the rest would only snowball.
        counters_.droppedSteps += wanted - steps - 1;
        accumulator_ = std::min(accumulator_, kUnitsPerStep);
    }
    return static_cast<std::uint32_t>(steps);
}

std::chrono::nanoseconds LoopState::accumulated() const noexcept {
    return std::chrono::nanoseconds(policy_.rate == LoopRate::FixedStep
                                        ? static_cast<std::int64_t>(accumulator_ / policy_.hz)
                                        : 0);
}

}  // namespace vixen::graph
