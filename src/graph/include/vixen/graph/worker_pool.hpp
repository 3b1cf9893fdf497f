#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

namespace vixen::graph {

/// A fixed set of threads created at setup. `run` spreads one batch of tasks over the
/// workers and the calling thread and returns when all are done. Running allocates nothing.
class WorkerPool {
public:
    /// task(context, taskIndex, workerIndex); the calling thread is worker 0.
    using Task = void (*)(void* context, std::uint32_t taskIndex, std::uint32_t workerIndex);

    explicit WorkerPool(std::uint32_t threads);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    [[nodiscard]] std::uint32_t threadCount() const noexcept {
        return static_cast<std::uint32_t>(threads_.size());
    }
    void run(std::uint32_t taskCount, Task task, void* context) noexcept;

private:
    void workerLoop(std::uint32_t workerIndex) noexcept;
    void drain(std::uint32_t generation, std::uint32_t workerIndex) noexcept;

    std::vector<std::jthread> threads_;
    Task task_ = nullptr;
    void* context_ = nullptr;
    // Task count per generation, in a small ring: a worker that stalled and reads a count
    // while the next batch is being published still reads its own batch's count.
    std::array<std::atomic<std::uint32_t>, 4> taskCounts_{};
    alignas(64) std::atomic<std::uint32_t> generation_{0};
    // Generation in the high half, next task index in the low half: a worker still in
    // an old batch can never claim a task of the next one.
    alignas(64) std::atomic<std::uint64_t> claim_{0};
    alignas(64) std::atomic<std::uint32_t> finishedTasks_{0};
    std::atomic<bool> stopping_{false};
};

}  // namespace vixen::graph
