#include "vixen/graph/worker_pool.hpp"

namespace vixen::graph {
namespace {

// Spinning briefly before sleeping keeps wave-to-wave handoff in the sub-microsecond range;
// sleeping after that keeps idle workers off the cores between frames.
constexpr int kSpinsBeforeSleep = 4096;

inline void cpuRelax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    std::this_thread::yield();
#endif
}

// Returns the first value of `value` that satisfies `done`. The value tested is the value
// waited on, so a change between the test and the sleep cannot be missed.
template <class Condition>
std::uint32_t spinThenWait(const std::atomic<std::uint32_t>& value, Condition&& done) noexcept {
    for (int spin = 0; spin < kSpinsBeforeSleep; ++spin) {
        const std::uint32_t seen = value.load(std::memory_order_acquire);
        if (done(seen)) {
            return seen;
        }
        cpuRelax();
    }
    for (;;) {
        const std::uint32_t seen = value.load(std::memory_order_acquire);
        if (done(seen)) {
            return seen;
        }
        value.wait(seen, std::memory_order_acquire);
    }
}

}  // namespace

WorkerPool::WorkerPool(std::uint32_t threads) {
    threads_.reserve(threads);
    for (std::uint32_t i = 0; i < threads; ++i) {
        threads_.emplace_back([this, i] { workerLoop(i + 1); });
    }
}

WorkerPool::~WorkerPool() {
    stopping_.store(true, std::memory_order_release);
    generation_.fetch_add(1, std::memory_order_acq_rel);
    generation_.notify_all();
    threads_.clear();  // joins
}

void WorkerPool::run(std::uint32_t taskCount, Task task, void* context) noexcept {
    if (threads_.empty() || taskCount <= 1) {
        for (std::uint32_t i = 0; i < taskCount; ++i) {
            task(context, i, 0);
        }
        return;
    }
    task_ = task;
    context_ = context;
    const std::uint32_t generation = generation_.load(std::memory_order_relaxed) + 1;
    taskCounts_[generation % taskCounts_.size()].store(taskCount, std::memory_order_relaxed);
    finishedTasks_.store(0, std::memory_order_relaxed);
    claim_.store(std::uint64_t{generation} << 32, std::memory_order_release);
    generation_.store(generation, std::memory_order_release);
    generation_.notify_all();
    drain(generation, 0);
    spinThenWait(finishedTasks_,
                 [taskCount](std::uint32_t finished) { return finished == taskCount; });
}

void WorkerPool::drain(std::uint32_t generation, std::uint32_t workerIndex) noexcept {
    const std::uint32_t count =
        taskCounts_[generation % taskCounts_.size()].load(std::memory_order_relaxed);
    std::uint64_t claim = claim_.load(std::memory_order_acquire);
    for (;;) {
        const auto index = static_cast<std::uint32_t>(claim);
        if (static_cast<std::uint32_t>(claim >> 32) != generation || index >= count) {
            return;
        }
        if (!claim_.compare_exchange_weak(claim, claim + 1, std::memory_order_acq_rel)) {
            continue;
        }
        task_(context_, index, workerIndex);
        claim = claim_.load(std::memory_order_acquire);
        if (finishedTasks_.fetch_add(1, std::memory_order_acq_rel) + 1 == count) {
            finishedTasks_.notify_one();
        }
    }
}

void WorkerPool::workerLoop(std::uint32_t workerIndex) noexcept {
    std::uint32_t seen = 0;
    for (;;) {
        seen = spinThenWait(generation_, [seen](std::uint32_t current) { return current != seen; });
        if (stopping_.load(std::memory_order_acquire)) {
            return;
        }
        drain(seen, workerIndex);
    }
}

}  // namespace vixen::graph
