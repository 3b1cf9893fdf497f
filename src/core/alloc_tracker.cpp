#include "vixen/core/alloc_tracker.hpp"

#include <cxxabi.h>
#include <execinfo.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string_view>

#include "vixen/core/detail/alloc_hooks.hpp"

namespace vixen::core {
namespace {

// Counters of one thread. Only the owning thread writes them (plain load + store,
// no locked instruction on the allocation path); anyone may read them.
struct alignas(64) ThreadSlot {
    std::atomic<std::uint64_t> allocations{0};
    std::atomic<std::uint64_t> frees{0};
    std::atomic<std::uint64_t> bytes{0};
    std::atomic<std::uint64_t> largest{0};
    std::atomic<bool> inUse{false};  // written under slotMutex, read by anyone
    bool shared = false;             // the overflow slot: written by many threads, so atomically
};

constexpr std::size_t kMaxThreadSlots = 1024;
constexpr std::size_t kSharedSlot = kMaxThreadSlots - 1;

std::array<ThreadSlot, kMaxThreadSlots> slots;
std::atomic<std::size_t> slotHighWater{0};  // written under slotMutex, read by anyone
std::mutex slotMutex;                       // serialises the writers of slots and `retired`
// Counts of exited threads, written under slotMutex. Readers take no lock: a thread's counts
// move from its slot into `retired` between two increments of `retireSequence` (odd while
// they move), and a reader that saw it odd or changed reads again.
ThreadSlot retired;
std::atomic<std::uint64_t> retireSequence{0};
std::atomic<bool> hooksInstalled{false};

// An open region's exact-largest tracker. A region claims a watcher, fills it in, then
// activates it, so allocating threads only ever read fully written fields; the fields are
// atomics because a watcher is reused while late readers may still look at it.
struct Watcher {
    std::atomic<bool> claimed{false};
    std::atomic<bool> active{false};
    std::atomic<std::uint64_t> largest{0};
    std::atomic<TrackScope> scope{TrackScope::ThisThread};
    std::atomic<const ThreadSlot*> owner{nullptr};
};
std::array<Watcher, AllocationRegion::kMaxOpenRegions> watchers;
std::atomic<int> openWatchers{0};

thread_local ThreadSlot* currentSlot = nullptr;
thread_local bool slotReleased = false;
thread_local bool insideTracker = false;

void addTo(std::atomic<std::uint64_t>& counter, std::uint64_t value, bool shared) noexcept {
    if (shared) {
        counter.fetch_add(value, std::memory_order_relaxed);
    } else {
        counter.store(counter.load(std::memory_order_relaxed) + value, std::memory_order_relaxed);
    }
}

void raiseTo(std::atomic<std::uint64_t>& counter, std::uint64_t value) noexcept {
    std::uint64_t seen = counter.load(std::memory_order_relaxed);
    while (value > seen && !counter.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
    }
}

AllocationCounts read(const ThreadSlot& slot) noexcept {
    return {slot.allocations.load(std::memory_order_relaxed),
            slot.frees.load(std::memory_order_relaxed), slot.bytes.load(std::memory_order_relaxed),
            slot.largest.load(std::memory_order_relaxed)};
}

void accumulate(AllocationCounts& total, const AllocationCounts& part) noexcept {
    total.allocations += part.allocations;
    total.frees += part.frees;
    total.bytes += part.bytes;
    total.largest = std::max(total.largest, part.largest);
}

// Folds a thread's counts into `retired` when it exits, so totals survive it.
struct SlotReleaser {
    SlotReleaser() = default;
    SlotReleaser(const SlotReleaser&) = delete;
    SlotReleaser& operator=(const SlotReleaser&) = delete;
    ~SlotReleaser() {
        ThreadSlot* slot = currentSlot;
        if (slot == nullptr || slot->shared) {
            return;
        }
        const std::lock_guard lock(slotMutex);
        retireSequence.fetch_add(1, std::memory_order_acq_rel);
        const AllocationCounts moving = read(*slot);
        addTo(retired.allocations, moving.allocations, true);
        addTo(retired.frees, moving.frees, true);
        addTo(retired.bytes, moving.bytes, true);
        raiseTo(retired.largest, moving.largest);
        slot->allocations.store(0, std::memory_order_relaxed);
        slot->frees.store(0, std::memory_order_relaxed);
        slot->bytes.store(0, std::memory_order_relaxed);
        slot->largest.store(0, std::memory_order_relaxed);
        slot->inUse.store(false, std::memory_order_relaxed);
        retireSequence.fetch_add(1, std::memory_order_release);
        slotReleased = true;
        currentSlot = &slots[kSharedSlot];
    }
};

ThreadSlot& acquireSlot() noexcept {
    if (currentSlot != nullptr) {
        return *currentSlot;
    }
    ThreadSlot* chosen = &slots[kSharedSlot];
    {
        const std::lock_guard lock(slotMutex);
        slots[kSharedSlot].shared = true;
        slots[kSharedSlot].inUse.store(true, std::memory_order_relaxed);
        if (!slotReleased) {
            for (std::size_t i = 0; i < kSharedSlot; ++i) {
                if (!slots[i].inUse.load(std::memory_order_relaxed)) {
                    // A released slot was zeroed: taking it changes no reader's sum.
                    slots[i].inUse.store(true, std::memory_order_relaxed);
                    chosen = &slots[i];
                    slotHighWater.store(
                        std::max(slotHighWater.load(std::memory_order_relaxed), i + 1),
                        std::memory_order_release);
                    break;
                }
            }
        }
    }
    currentSlot = chosen;
    if (!chosen->shared) {
        thread_local SlotReleaser releaser;
        static_cast<void>(releaser);
    }
    return *chosen;
}

// ---- call-site capture -------------------------------------------------------------

constexpr int kCallSiteDepth = 12;
constexpr int kSkippedFrames = 3;  // captureCallSite, recordAllocation, operator new helper
constexpr std::size_t kMaxCallSites = 64;

struct CallSite {
    std::uint64_t hash = 0;
    std::uint64_t count = 0;
    std::uint64_t bytes = 0;
    std::uint64_t largest = 0;
    std::array<void*, kCallSiteDepth> frames{};
    int depth = 0;
};

std::atomic<bool> captureEnabled{false};
std::mutex callSiteMutex;
std::array<CallSite, kMaxCallSites> callSites;
std::size_t callSiteCount = 0;  // guarded by callSiteMutex
std::uint64_t callSitesDropped = 0;

void captureCallSite(std::size_t size) noexcept {
    std::array<void*, kCallSiteDepth + kSkippedFrames> raw{};
    const int depth = backtrace(raw.data(), static_cast<int>(raw.size()));
    const int kept = std::max(0, depth - kSkippedFrames);
    std::uint64_t hash = 1469598103934665603ULL;
    for (int i = 0; i < kept; ++i) {
        hash = (hash ^ reinterpret_cast<std::uintptr_t>(
                           raw[static_cast<std::size_t>(i + kSkippedFrames)])) *
               1099511628211ULL;
    }
    const std::lock_guard lock(callSiteMutex);
    for (std::size_t i = 0; i < callSiteCount; ++i) {
        CallSite& site = callSites[i];
        if (site.hash == hash) {
            ++site.count;
            site.bytes += size;
            site.largest = std::max<std::uint64_t>(site.largest, size);
            return;
        }
    }
    if (callSiteCount == kMaxCallSites) {
        ++callSitesDropped;
        return;
    }
    CallSite& site = callSites[callSiteCount++];
    site.hash = hash;
    site.count = 1;
    site.bytes = size;
    site.largest = size;
    site.depth = kept;
    std::copy_n(raw.begin() + kSkippedFrames, kept, site.frames.begin());
}

std::string demangleFrame(const char* symbol) {
    // glibc formats frames as "module(mangled+0xoffset) [address]".
    const std::string_view text(symbol);
    const auto open = text.find('(');
    const auto plus = text.find('+', open == std::string_view::npos ? 0 : open);
    if (open == std::string_view::npos || plus == std::string_view::npos || plus == open + 1) {
        return std::string(text);
    }
    const std::string mangled(text.substr(open + 1, plus - open - 1));
    int status = 0;
    char* demangled = abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status);
    std::string result = status == 0 && demangled != nullptr ? demangled : mangled;
    std::free(demangled);
    return result;
}

}  // namespace

namespace detail {

void markAllocationHooksInstalled() noexcept {
    hooksInstalled.store(true);
}

void recordAllocation(std::size_t bytes) noexcept {
    if (insideTracker) {
        return;
    }
    ThreadSlot& slot = acquireSlot();
    addTo(slot.allocations, 1, slot.shared);
    addTo(slot.bytes, bytes, slot.shared);
    if (bytes > slot.largest.load(std::memory_order_relaxed)) {
        raiseTo(slot.largest, bytes);
    }
    if (openWatchers.load(std::memory_order_relaxed) == 0) {
        return;
    }
    for (Watcher& watcher : watchers) {
        if (watcher.active.load(std::memory_order_acquire) &&
            (watcher.scope.load(std::memory_order_relaxed) == TrackScope::AllThreads ||
             watcher.owner.load(std::memory_order_relaxed) == &slot)) {
            raiseTo(watcher.largest, bytes);
        }
    }
    if (captureEnabled.load(std::memory_order_relaxed)) {
        insideTracker = true;
        captureCallSite(bytes);
        insideTracker = false;
    }
}

void recordFree() noexcept {
    if (insideTracker) {
        return;
    }
    ThreadSlot& slot = acquireSlot();
    addTo(slot.frees, 1, slot.shared);
}

}  // namespace detail

bool AllocationTracker::installed() noexcept {
    return hooksInstalled.load();
}

AllocationCounts AllocationTracker::thisThread() noexcept {
    return read(acquireSlot());
}

AllocationCounts AllocationTracker::allThreads() noexcept {
    // Lock-free, so a per-frame profile never waits on a thread that is starting or exiting.
    for (;;) {
        const std::uint64_t sequence = retireSequence.load(std::memory_order_acquire);
        if ((sequence & 1U) != 0) {
            continue;  // a thread's counts are moving into `retired`
        }
        AllocationCounts total = read(retired);
        const std::size_t highWater = slotHighWater.load(std::memory_order_acquire);
        for (std::size_t i = 0; i < highWater; ++i) {
            if (slots[i].inUse.load(std::memory_order_relaxed)) {
                accumulate(total, read(slots[i]));
            }
        }
        accumulate(total, read(slots[kSharedSlot]));
        std::atomic_thread_fence(std::memory_order_acquire);
        if (retireSequence.load(std::memory_order_relaxed) == sequence) {
            return total;
        }
    }
}

void AllocationTracker::setCallSiteCapture(bool enabled) noexcept {
    if (enabled) {
        // backtrace() loads its unwinder on first use; do that here, not mid-frame.
        std::array<void*, 2> warmup{};
        backtrace(warmup.data(), static_cast<int>(warmup.size()));
    }
    captureEnabled.store(enabled);
}

bool AllocationTracker::callSiteCapture() noexcept {
    return captureEnabled.load();
}

void AllocationTracker::resetCallSites() noexcept {
    const std::lock_guard lock(callSiteMutex);
    callSiteCount = 0;
    callSitesDropped = 0;
}

std::string AllocationTracker::callSiteReport(std::size_t maxSites) {
    std::array<CallSite, kMaxCallSites> copy;
    std::size_t count = 0;
    std::uint64_t dropped = 0;
    {
        const std::lock_guard lock(callSiteMutex);
        count = callSiteCount;
        dropped = callSitesDropped;
        std::copy_n(callSites.begin(), count, copy.begin());
    }
    std::sort(copy.begin(), copy.begin() + static_cast<std::ptrdiff_t>(count),
              [](const CallSite& a, const CallSite& b) { return a.count > b.count; });
    std::string report;
    for (std::size_t i = 0; i < std::min(count, maxSites); ++i) {
        const CallSite& site = copy[i];
        report += fmt::format("  call site {}: {} allocations, {} bytes, largest {} bytes\n", i + 1,
                              site.count, site.bytes, site.largest);
        char** symbols = backtrace_symbols(site.frames.data(), site.depth);
        for (int frame = 0; symbols != nullptr && frame < site.depth; ++frame) {
            report += fmt::format("    #{} {}\n", frame, demangleFrame(symbols[frame]));
        }
        std::free(static_cast<void*>(symbols));
    }
    if (dropped > 0) {
        report += fmt::format("  ({} allocations from further call sites not recorded)\n", dropped);
    }
    return report;
}

AllocationRegion::AllocationRegion(TrackScope scope) noexcept : scope_(scope) {
    const ThreadSlot* owner = &acquireSlot();
    for (std::size_t i = 0; i < watchers.size(); ++i) {
        bool expected = false;
        Watcher& watcher = watchers[i];
        if (!watcher.claimed.load(std::memory_order_relaxed) &&
            watcher.claimed.compare_exchange_strong(expected, true)) {
            watcher.scope.store(scope, std::memory_order_relaxed);
            watcher.owner.store(owner, std::memory_order_relaxed);
            watcher.largest.store(0, std::memory_order_relaxed);
            watcher.active.store(true, std::memory_order_release);
            watcher_ = static_cast<int>(i);
            openWatchers.fetch_add(1);
            break;
        }
    }
    restart();
}

AllocationRegion::~AllocationRegion() {
    if (watcher_ >= 0) {
        Watcher& watcher = watchers[static_cast<std::size_t>(watcher_)];
        watcher.active.store(false, std::memory_order_release);
        watcher.claimed.store(false, std::memory_order_release);
        openWatchers.fetch_sub(1);
    }
}

void AllocationRegion::restart() noexcept {
    start_ = scope_ == TrackScope::ThisThread ? AllocationTracker::thisThread()
                                              : AllocationTracker::allThreads();
    if (watcher_ >= 0) {
        watchers[static_cast<std::size_t>(watcher_)].largest.store(0, std::memory_order_relaxed);
    }
}

AllocationCounts AllocationRegion::counts() const noexcept {
    const AllocationCounts now = scope_ == TrackScope::ThisThread ? AllocationTracker::thisThread()
                                                                  : AllocationTracker::allThreads();
    AllocationCounts delta{now.allocations - start_.allocations, now.frees - start_.frees,
                           now.bytes - start_.bytes, 0};
    if (watcher_ >= 0) {
        delta.largest =
            watchers[static_cast<std::size_t>(watcher_)].largest.load(std::memory_order_relaxed);
    }
    return delta;
}

std::string NoAllocationGuard::describe() const {
    const AllocationCounts c = counts();
    if (c.allocations == 0) {
        return "no allocations";
    }
    std::string text = fmt::format("{} allocation(s), {} bytes, largest {} bytes", c.allocations,
                                   c.bytes, c.largest);
    if (AllocationTracker::callSiteCapture()) {
        text += '\n';
        text += AllocationTracker::callSiteReport();
    }
    return text;
}

}  // namespace vixen::core
