// Device-memory sub-allocator benchmarks. BM_TlsfAllocFree: one iteration frees a random live
// allocation and allocates a new one (size 256 B - 1 MiB, 256-byte aligned, std::mt19937(42))
// over a 1 GiB block holding a steady ~1000 live allocations, so the time per iteration is the
// time of one alloc+free pair. allocs_per_iter counts heap allocations of every thread in the timed
// loop (0).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "vixen/core/alloc_tracker.hpp"
#include "vixen/gpu/tlsf_allocator.hpp"

namespace {

using vixen::gpu::AllocationHandle;
using vixen::gpu::TlsfAllocator;

constexpr std::uint64_t kBlockSize = std::uint64_t{1} << 30;
constexpr std::size_t kLive = 1000;
constexpr std::size_t kPatternSize = std::size_t{1} << 16;  // pre-drawn random numbers
constexpr std::uint64_t kMinSize = 256;
constexpr std::uint64_t kMaxSize = std::uint64_t{1} << 20;
constexpr std::uint64_t kAlignment = 256;

void BM_TlsfAllocFree(benchmark::State& state) {
    auto created =
        TlsfAllocator::create({.size = kBlockSize, .maxAllocations = 2 * kLive, .granularity = 1});
    if (!created) {
        state.SkipWithError(created.error().message.c_str());
        return;
    }
    TlsfAllocator tlsf = std::move(*created);

    std::mt19937 rng(42);
    std::uniform_int_distribution<std::uint64_t> sizeDist(kMinSize, kMaxSize);
    std::uniform_int_distribution<std::size_t> victimDist(0, kLive - 1);
    std::vector<std::uint64_t> sizes(kPatternSize);
    std::vector<std::size_t> victims(kPatternSize);
    for (std::size_t i = 0; i < kPatternSize; ++i) {
        sizes[i] = sizeDist(rng);
        victims[i] = victimDist(rng);
    }

    std::vector<AllocationHandle> live(kLive);
    for (std::size_t i = 0; i < kLive; ++i) {
        if (auto allocation = tlsf.allocate(sizeDist(rng), kAlignment)) {
            live[i] = allocation->handle;
        }
    }

    std::uint64_t failures = 0;
    std::uint64_t offsetSum = 0;
    std::size_t cursor = 0;
    const auto heapBefore = vixen::core::AllocationTracker::allThreads().allocations;
    for (auto _ : state) {
        const std::size_t slot = cursor & (kPatternSize - 1);
        AllocationHandle& victim = live[victims[slot]];
        if (victim.valid()) {
            tlsf.free(victim);
        }
        if (auto allocation = tlsf.allocate(sizes[slot], kAlignment)) {
            victim = allocation->handle;
            offsetSum += allocation->offset;
        } else {
            victim = AllocationHandle{};
            ++failures;
        }
        ++cursor;
    }
    // Not DoNotOptimize(victim): with GCC its "+m,r" constraint on a reference into `live`
    // lost the store to the slot here, leaking allocations.
    benchmark::DoNotOptimize(offsetSum);
    const auto heapAfter = vixen::core::AllocationTracker::allThreads().allocations;

    const auto stats = tlsf.statistics();
    state.counters["allocs_per_iter"] = benchmark::Counter(
        static_cast<double>(heapAfter - heapBefore), benchmark::Counter::kAvgIterations);
    state.counters["failures"] = static_cast<double>(failures);
    state.counters["live"] = static_cast<double>(stats.allocationCount);
    state.counters["used_MiB"] = static_cast<double>(stats.usedBytes) / (1024.0 * 1024.0);
    state.counters["fragmentation"] = stats.fragmentation;
}
BENCHMARK(BM_TlsfAllocFree);

}  // namespace
