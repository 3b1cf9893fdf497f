#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "vixen/core/alloc_tracker.hpp"
#include "vixen/events/event_bus.hpp"

namespace {

using vixen::events::EventBus;

struct Tick {
    static constexpr vixen::events::EventCategory kCategory = vixen::events::category::kUser;
    std::uint64_t frame = 0;
    std::uint64_t value = 0;
    std::uint64_t emitter = 0;
};
static_assert(sizeof(Tick) == 24);

std::uint64_t allocationsSoFar() {
    return vixen::core::AllocationTracker::allThreads().allocations;
}

void reportAllocations(benchmark::State& state, std::uint64_t before) {
    state.counters["allocs_per_iter"] = benchmark::Counter(
        static_cast<double>(allocationsSoFar() - before) / static_cast<double>(state.iterations()));
}

// Per iteration: emit `batch` events on the owner thread, then one dispatch().
void BM_EventBus(benchmark::State& state) {
    const auto batch = static_cast<std::uint64_t>(state.range(0));
    EventBus bus;
    std::uint64_t sink = 0;
    bus.subscribe<Tick>(bus.newSubscriber(), [&sink](const Tick& tick) { sink += tick.value; });
    bus.reserve(batch);
    Tick tick;
    const std::uint64_t before = allocationsSoFar();
    for (auto _ : state) {
        for (std::uint64_t i = 0; i < batch; ++i) {
            tick.value = i;
            if (!bus.emit(tick)) [[unlikely]] {
                state.SkipWithError("event queue overflow");
                break;
            }
        }
        benchmark::DoNotOptimize(bus.dispatch().delivered);
        ++tick.frame;
    }
    reportAllocations(state, before);
    benchmark::DoNotOptimize(sink);
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
}
BENCHMARK(BM_EventBus)->Arg(1)->Arg(64)->Arg(1024);

// Per iteration: two worker threads each emit 512 events while the owner dispatches until all
// 1024 are delivered. The workers live across iterations and are released by a round counter.
void BM_EventBusTwoEmitters(benchmark::State& state) {
    constexpr std::uint64_t kEmitters = 2;
    constexpr std::uint64_t kPerEmitter = 512;
    constexpr std::uint64_t kPerRound = kEmitters * kPerEmitter;
    EventBus bus(kPerRound);
    std::uint64_t delivered = 0;
    std::uint64_t sink = 0;
    bus.subscribe<Tick>(bus.newSubscriber(), [&](const Tick& tick) {
        sink += tick.value;
        ++delivered;
    });
    bus.reserve(kPerRound);
    std::atomic<std::uint64_t> round{0};
    std::atomic<std::uint64_t> refused{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> emitters;
    for (std::uint64_t e = 0; e < kEmitters; ++e) {
        emitters.emplace_back([&, e] {
            std::uint64_t done = 0;
            for (;;) {
                std::uint64_t current = round.load(std::memory_order_acquire);
                while (current == done && !stop.load(std::memory_order_relaxed)) {
                    std::this_thread::yield();
                    current = round.load(std::memory_order_acquire);
                }
                if (current == done) {
                    return;
                }
                done = current;
                for (std::uint64_t i = 0; i < kPerEmitter; ++i) {
                    if (!bus.emit(Tick{current, i, e})) {
                        refused.fetch_add(1, std::memory_order_relaxed);
                    }
                }
            }
        });
    }
    const std::uint64_t before = allocationsSoFar();
    for (auto _ : state) {
        const std::uint64_t target = delivered + kPerRound;
        round.fetch_add(1, std::memory_order_release);
        while (delivered + refused.load(std::memory_order_relaxed) < target) {
            (void)bus.dispatch();
        }
    }
    reportAllocations(state, before);
    stop.store(true);
    for (std::thread& emitter : emitters) {
        emitter.join();
    }
    if (refused.load() != 0) {
        state.SkipWithError("event queue overflow");
    }
    benchmark::DoNotOptimize(sink);
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kPerRound));
}
BENCHMARK(BM_EventBusTwoEmitters)->UseRealTime();

}  // namespace
