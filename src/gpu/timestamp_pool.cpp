#include "vixen/gpu/timestamp_pool.hpp"

#include <algorithm>
#include <atomic>
#include <limits>
#include <utility>

#include "vixen/gpu/device.hpp"
#include "vixen/gpu/vk_result.hpp"

namespace vixen::gpu {
namespace {

/// vkGetQueryPoolResults with WITH_AVAILABILITY writes the value, then the availability.
constexpr std::size_t kWordsPerQuery = 2;

std::uint64_t toNs(std::uint64_t ticks, double periodNs) noexcept {
    return static_cast<std::uint64_t>(static_cast<double>(ticks) * periodNs);
}

}  // namespace

TimestampSupport timestampSupport(const PhysicalDeviceInfo& device,
                                  std::uint32_t queueFamily) noexcept {
    TimestampSupport support;
    support.periodNs = static_cast<double>(device.features.timestampPeriodNs);
    const auto family =
        std::find_if(device.queueFamilies.begin(), device.queueFamilies.end(),
                     [queueFamily](const QueueFamily& f) { return f.index == queueFamily; });
    if (family == device.queueFamilies.end()) {
        support.reason = "the queue family does not exist on this device";
        return support;
    }
    support.validBits = family->timestampValidBits;
    if (support.validBits == 0) {
        support.reason = "the queue family has no timestamp bits (timestampValidBits is 0)";
    } else if (!(support.periodNs > 0.0)) {
        support.reason = "the device reports no timestamp period (timestampPeriod is 0)";
    } else {
        support.supported = true;
    }
    return support;
}

Result<TimestampPool> TimestampPool::create(const Device& device, std::uint32_t framesInFlight,
                                            std::uint32_t maxScopes) {
    if (framesInFlight == 0 || maxScopes == 0) {
        return fail(ErrorCode::InvalidArgument,
                    "a timestamp pool needs at least one frame in flight and one scope (got {} "
                    "frames, {} scopes)",
                    framesInFlight, maxScopes);
    }
    const std::uint64_t queries = std::uint64_t{framesInFlight} * maxScopes * 2;
    if (queries > std::numeric_limits<std::uint32_t>::max()) {
        return fail(ErrorCode::InvalidArgument,
                    "a timestamp pool of {} frames in flight x {} scopes needs {} queries, more "
                    "than one query pool holds",
                    framesInFlight, maxScopes, queries);
    }
    TimestampPool pool;
    pool.device_ = device.handle();
    pool.support_ = timestampSupport(device.physical(), device.queueFamily());
    pool.mask_ = pool.support_.validBits >= 64 ? ~std::uint64_t{0}
                                               : (std::uint64_t{1} << pool.support_.validBits) - 1;
    pool.framesInFlight_ = framesInFlight;
    pool.maxScopes_ = maxScopes;
    pool.states_.assign(std::size_t{framesInFlight} * maxScopes, ScopeState::Unused);
    pool.scopesUsed_.assign(framesInFlight, 0);
    if (!pool.support_.supported) {
        return pool;  // disabled: the calls check their arguments and do nothing else
    }
    pool.raw_.assign(std::size_t{maxScopes} * 2 * kWordsPerQuery, 0);
    pool.timings_.assign(maxScopes, ScopeTiming{});

    VkQueryPoolCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO;
    info.queryType = VK_QUERY_TYPE_TIMESTAMP;
    info.queryCount = static_cast<std::uint32_t>(queries);
    VIXEN_TRY_VK_CREATE(vkCreateQueryPool(pool.device_, &info, nullptr, &pool.pool_),
                        "creating the GPU timestamp query pool");
    return pool;
}

TimestampPool::TimestampPool(TimestampPool&& other) noexcept
    : device_(std::exchange(other.device_, VK_NULL_HANDLE)),
      pool_(std::exchange(other.pool_, VK_NULL_HANDLE)),
      support_(std::exchange(other.support_, TimestampSupport{})),
      mask_(std::exchange(other.mask_, 0U)),
      framesInFlight_(std::exchange(other.framesInFlight_, 0U)),
      maxScopes_(std::exchange(other.maxScopes_, 0U)),
      recordingSlot_(std::exchange(other.recordingSlot_, 0U)),
      recording_(std::exchange(other.recording_, false)),
      states_(std::exchange(other.states_, {})),
      scopesUsed_(std::exchange(other.scopesUsed_, {})),
      raw_(std::exchange(other.raw_, {})),
      timings_(std::exchange(other.timings_, {})) {}

TimestampPool& TimestampPool::operator=(TimestampPool&& other) noexcept {
    if (this != &other) {
        destroy();
        device_ = std::exchange(other.device_, VK_NULL_HANDLE);
        pool_ = std::exchange(other.pool_, VK_NULL_HANDLE);
        support_ = std::exchange(other.support_, TimestampSupport{});
        mask_ = std::exchange(other.mask_, 0U);
        framesInFlight_ = std::exchange(other.framesInFlight_, 0U);
        maxScopes_ = std::exchange(other.maxScopes_, 0U);
        recordingSlot_ = std::exchange(other.recordingSlot_, 0U);
        recording_ = std::exchange(other.recording_, false);
        states_ = std::exchange(other.states_, {});
        scopesUsed_ = std::exchange(other.scopesUsed_, {});
        raw_ = std::exchange(other.raw_, {});
        timings_ = std::exchange(other.timings_, {});
    }
    return *this;
}

TimestampPool::~TimestampPool() {
    destroy();
}

void TimestampPool::destroy() noexcept {
    if (pool_ != VK_NULL_HANDLE) {
        vkDestroyQueryPool(device_, pool_, nullptr);
        pool_ = VK_NULL_HANDLE;
    }
    device_ = VK_NULL_HANDLE;
    recording_ = false;
}

Result<void> TimestampPool::beginFrame(VkCommandBuffer cmd, std::uint32_t slot) {
    if (slot >= framesInFlight_) {
        return fail(ErrorCode::InvalidArgument,
                    "timestamp beginFrame for slot {}, but the pool has {} frame slots", slot,
                    framesInFlight_);
    }
    const auto states = std::span(states_).subspan(std::size_t{slot} * maxScopes_, maxScopes_);
    std::fill(states.begin(), states.end(), ScopeState::Unused);
    scopesUsed_[slot] = 0;
    recordingSlot_ = slot;
    recording_ = true;
    if (enabled()) {
        vkCmdResetQueryPool(cmd, pool_, firstQuery(slot), maxScopes_ * 2);
    }
    return {};
}

Result<void> TimestampPool::checkScope(std::uint32_t scope, std::string_view call) const {
    if (scope >= maxScopes_) {
        return fail(ErrorCode::CapacityExceeded,
                    "timestamp {} of scope {}, but the pool has {} scopes per frame (0 to {}); "
                    "create it with more scopes",
                    call, scope, maxScopes_, maxScopes_ == 0 ? 0 : maxScopes_ - 1);
    }
    if (!recording_) {
        return fail(ErrorCode::InvalidState,
                    "timestamp {} of scope {} before beginFrame recorded a frame slot's reset",
                    call, scope);
    }
    return {};
}

Result<void> TimestampPool::begin(VkCommandBuffer cmd, std::uint32_t scope,
                                  VkPipelineStageFlags2 stage) {
    if (auto checked = checkScope(scope, "begin"); !checked) {
        return checked;
    }
    ScopeState& state = states_[std::size_t{recordingSlot_} * maxScopes_ + scope];
    if (state != ScopeState::Unused) {
        return fail(ErrorCode::InvalidState,
                    "timestamp scope {} begun twice in one frame (slot {}); each scope is "
                    "written once per frame",
                    scope, recordingSlot_);
    }
    state = ScopeState::Begun;
    // Workers may begin their scopes at once (parallel recording): raise the mark atomically.
    std::atomic_ref<std::uint32_t> used(scopesUsed_[recordingSlot_]);
    std::uint32_t seen = used.load(std::memory_order_relaxed);
    while (scope + 1 > seen &&
           !used.compare_exchange_weak(seen, scope + 1, std::memory_order_relaxed)) {
    }
    if (enabled()) {
        vkCmdWriteTimestamp2(cmd, stage, pool_, firstQuery(recordingSlot_) + scope * 2);
    }
    return {};
}

Result<void> TimestampPool::end(VkCommandBuffer cmd, std::uint32_t scope,
                                VkPipelineStageFlags2 stage) {
    if (auto checked = checkScope(scope, "end"); !checked) {
        return checked;
    }
    ScopeState& state = states_[std::size_t{recordingSlot_} * maxScopes_ + scope];
    if (state != ScopeState::Begun) {
        return fail(ErrorCode::InvalidState, "timestamp scope {} {} in this frame (slot {})", scope,
                    state == ScopeState::Ended ? "ended twice" : "ended without a begin",
                    recordingSlot_);
    }
    state = ScopeState::Ended;
    if (enabled()) {
        vkCmdWriteTimestamp2(cmd, stage, pool_, firstQuery(recordingSlot_) + scope * 2 + 1);
    }
    return {};
}

Result<TimestampReadout> TimestampPool::read(std::uint32_t slot) {
    if (slot >= framesInFlight_) {
        return fail(ErrorCode::InvalidArgument,
                    "timestamp read of slot {}, but the pool has {} frame slots", slot,
                    framesInFlight_);
    }
    if (!enabled()) {
        return TimestampReadout{TimestampStatus::Unsupported, {}};
    }
    const std::uint32_t used = scopesUsed_[slot];
    if (used == 0) {
        return TimestampReadout{TimestampStatus::Ready, {}};
    }
    const std::uint32_t queries = used * 2;
    const VkResult result = vkGetQueryPoolResults(
        device_, pool_, firstQuery(slot), queries, queries * kWordsPerQuery * sizeof(std::uint64_t),
        raw_.data(), kWordsPerQuery * sizeof(std::uint64_t),
        VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WITH_AVAILABILITY_BIT);
    if (result != VK_SUCCESS && result != VK_NOT_READY) {  // NOT_READY: some have not landed
        return std::unexpected(
            vulkanError(result, "vkGetQueryPoolResults", "reading a frame's GPU timestamps"));
    }
    const auto states = std::span(states_).subspan(std::size_t{slot} * maxScopes_, used);
    for (std::uint32_t scope = 0; scope < used; ++scope) {
        const std::size_t at = std::size_t{scope} * 2 * kWordsPerQuery;
        const bool landed = raw_[at + 1] != 0 && raw_[at + kWordsPerQuery + 1] != 0;
        ScopeTiming& timing = timings_[scope];
        if (states[scope] != ScopeState::Ended || !landed) {
            timing = ScopeTiming{};
            continue;
        }
        const std::uint64_t beginTicks = raw_[at] & mask_;
        const std::uint64_t endTicks = raw_[at + kWordsPerQuery] & mask_;
        timing.beginNs = toNs(beginTicks, support_.periodNs);
        timing.durationNs = toNs((endTicks - beginTicks) & mask_, support_.periodNs);
        timing.endNs = timing.beginNs + timing.durationNs;
        timing.valid = true;
    }
    return TimestampReadout{TimestampStatus::Ready,
                            std::span<const ScopeTiming>(timings_).first(used)};
}

}  // namespace vixen::gpu
