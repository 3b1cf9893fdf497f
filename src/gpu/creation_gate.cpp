#include "vixen/gpu/creation_gate.hpp"

#include <atomic>

namespace vixen::gpu {
namespace {

std::atomic<std::uint64_t> gCreations{0};
std::atomic<std::uint64_t> gInjected{0};
// Creations left before the injected failure; 0 = disarmed.
std::atomic<std::uint64_t> gCountdown{0};
std::atomic<bool> gLoseDevice{false};
std::atomic<bool> gFailRecording{false};

}  // namespace

std::uint64_t CreationGate::count() noexcept {
    return gCreations.load(std::memory_order_relaxed);
}

void CreationGate::failNth(std::uint64_t nth) noexcept {
    gCountdown.store(nth, std::memory_order_relaxed);
}

std::uint64_t CreationGate::injectedFailures() noexcept {
    return gInjected.load(std::memory_order_relaxed);
}

VkResult CreationGate::pass() noexcept {
    std::uint64_t left = gCountdown.load(std::memory_order_relaxed);
    while (left != 0) {
        if (gCountdown.compare_exchange_weak(left, left - 1, std::memory_order_relaxed)) {
            if (left == 1) {
                gInjected.fetch_add(1, std::memory_order_relaxed);
                return VK_ERROR_OUT_OF_DEVICE_MEMORY;
            }
            break;
        }
    }
    gCreations.fetch_add(1, std::memory_order_relaxed);
    return VK_SUCCESS;
}

void SubmitGate::loseDeviceAtNextSubmit() noexcept {
    gLoseDevice.store(true, std::memory_order_relaxed);
}

VkResult SubmitGate::pass() noexcept {
    return gLoseDevice.exchange(false, std::memory_order_relaxed) ? VK_ERROR_DEVICE_LOST
                                                                  : VK_SUCCESS;
}

void RecordGate::failNextRecording() noexcept {
    gFailRecording.store(true, std::memory_order_relaxed);
}

VkResult RecordGate::pass(VkResult result) noexcept {
    return gFailRecording.exchange(false, std::memory_order_relaxed) ? VK_ERROR_OUT_OF_DEVICE_MEMORY
                                                                     : result;
}

}  // namespace vixen::gpu
