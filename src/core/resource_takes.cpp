#include "vixen/core/resource_takes.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>

namespace vixen::core {
namespace {

struct Counters {
    std::atomic<std::uint64_t> takes{0};
    std::atomic<std::uint64_t> amount{0};
    std::atomic<std::uint64_t> largest{0};
    std::array<char, ResourceTakeCounts::kNameCapacity + 1> largestName{};
};

std::array<Counters, kResourceTakeCount> gCounters;
std::mutex gNameMutex;  // guards largestName and the largest/name pairing
/// A take since the last window started: a window with none resets nothing, so a steady
/// frame's profile takes no lock.
std::atomic<bool> gTakenInWindow{false};

Counters& counters(ResourceTake kind) noexcept {
    return gCounters[static_cast<std::size_t>(kind)];
}

}  // namespace

std::string_view toString(ResourceTake take) noexcept {
    switch (take) {
        case ResourceTake::DeviceMemory:
            return "device memory";
        case ResourceTake::StagingBuffer:
            return "staging";
        case ResourceTake::DescriptorSet:
            return "descriptor sets";
        case ResourceTake::CommandBuffer:
            return "command buffers";
    }
    return "?";
}

void ResourceTakes::note(ResourceTake kind, std::uint64_t amount, std::string_view what) noexcept {
    Counters& c = counters(kind);
    c.takes.fetch_add(1, std::memory_order_relaxed);
    c.amount.fetch_add(amount, std::memory_order_relaxed);
    gTakenInWindow.store(true, std::memory_order_relaxed);
    if (amount <= c.largest.load(std::memory_order_relaxed)) {
        return;
    }
    const std::scoped_lock lock(gNameMutex);
    if (amount > c.largest.load(std::memory_order_relaxed)) {
        c.largest.store(amount, std::memory_order_relaxed);
        const std::size_t length = std::min(what.size(), ResourceTakeCounts::kNameCapacity);
        std::copy_n(what.data(), length, c.largestName.data());
        c.largestName[length] = '\0';
    }
}

ResourceTakeCounts ResourceTakes::totals(ResourceTake kind) noexcept {
    const Counters& c = counters(kind);
    ResourceTakeCounts result;
    result.takes = c.takes.load(std::memory_order_relaxed);
    result.amount = c.amount.load(std::memory_order_relaxed);
    return result;
}

ResourceTakeCounts ResourceTakes::snapshot(ResourceTake kind) noexcept {
    const Counters& c = counters(kind);
    ResourceTakeCounts result;
    result.takes = c.takes.load(std::memory_order_relaxed);
    result.amount = c.amount.load(std::memory_order_relaxed);
    const std::scoped_lock lock(gNameMutex);
    result.largest = c.largest.load(std::memory_order_relaxed);
    result.largestName = c.largestName;
    return result;
}

void ResourceTakes::startWindow() noexcept {
    if (!gTakenInWindow.exchange(false, std::memory_order_relaxed)) {
        return;  // nothing taken: every largest is still 0
    }
    const std::scoped_lock lock(gNameMutex);
    for (Counters& c : gCounters) {
        c.largest.store(0, std::memory_order_relaxed);
        c.largestName[0] = '\0';
    }
}

}  // namespace vixen::core
