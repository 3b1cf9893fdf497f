#include "vixen/graph/worker_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace vixen::graph {
namespace {

struct Tally {
    std::vector<std::atomic<int>> hits;
    explicit Tally(std::size_t n) : hits(n) {}
};

TEST(WorkerPoolTest, EveryTaskRunsExactlyOnceAcrossManyBatches) {
    WorkerPool pool(3);
    for (std::uint32_t batch = 0; batch < 20000; ++batch) {
        const std::uint32_t count = 2 + batch % 7;
        Tally tally(count);
        pool.run(
            count,
            [](void* context, std::uint32_t task, std::uint32_t /*worker*/) {
                static_cast<Tally*>(context)->hits[task].fetch_add(1);
            },
            &tally);
        for (std::uint32_t i = 0; i < count; ++i) {
            ASSERT_EQ(tally.hits[i].load(), 1) << "batch " << batch << " task " << i;
        }
    }
}

TEST(WorkerPoolTest, WorkerIndicesStayInRange) {
    WorkerPool pool(2);
    std::atomic<std::uint32_t> highest{0};
    pool.run(
        64,
        [](void* context, std::uint32_t /*task*/, std::uint32_t worker) {
            auto& max = *static_cast<std::atomic<std::uint32_t>*>(context);
            std::uint32_t seen = max.load();
            while (worker > seen && !max.compare_exchange_weak(seen, worker)) {
            }
        },
        &highest);
    EXPECT_LE(highest.load(), pool.threadCount());
}

}  // namespace
}  // namespace vixen::graph
