#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>

namespace vixen::gpu {

/// Every Vulkan object creation and memory allocation the engine makes passes this gate
/// (through VIXEN_TRY_VK_CREATE), so tests can count them ("a steady-state frame takes no
/// new Vulkan objects") and inject a failure into the Nth one. Process-wide and lock-free.
class CreationGate {
public:
    /// Creations that passed the gate since the process started (injected failures
    /// excluded; failures reported by Vulkan itself included).
    [[nodiscard]] static std::uint64_t count() noexcept;

    /// Makes the `nth` creation from now fail (1 = the next one) with
    /// VK_ERROR_OUT_OF_DEVICE_MEMORY without calling Vulkan; 0 disarms. One-shot.
    static void failNth(std::uint64_t nth) noexcept;
    /// How many failures were injected since the process started.
    [[nodiscard]] static std::uint64_t injectedFailures() noexcept;

    /// VK_SUCCESS when the call may go ahead, else the injected error.
    [[nodiscard]] static VkResult pass() noexcept;
};

/// Test mode for device loss, which software drivers never report: the next queue
/// submission that passes this gate fails with VK_ERROR_DEVICE_LOST without reaching
/// Vulkan, so the engine's device-loss path runs for real. Process-wide, one-shot.
class SubmitGate {
public:
    static void loseDeviceAtNextSubmit() noexcept;
    /// VK_SUCCESS when the submit may go ahead, else the injected loss.
    [[nodiscard]] static VkResult pass() noexcept;
};

/// Test mode for a frame whose recording fails (out of memory while recording, which
/// software drivers never report): the next frame's recording result passes this gate and
/// turns into VK_ERROR_OUT_OF_DEVICE_MEMORY, so the failed-frame path runs for real.
/// Process-wide, one-shot.
class RecordGate {
public:
    static void failNextRecording() noexcept;
    /// `result`, or the injected failure.
    [[nodiscard]] static VkResult pass(VkResult result) noexcept;
};

/// Disarms the gate when it leaves scope, so a test's injection never leaks into the next.
class ScopedFaultInjection {
public:
    explicit ScopedFaultInjection(std::uint64_t nth) noexcept { CreationGate::failNth(nth); }
    ~ScopedFaultInjection() { CreationGate::failNth(0); }
    ScopedFaultInjection(const ScopedFaultInjection&) = delete;
    ScopedFaultInjection& operator=(const ScopedFaultInjection&) = delete;
};

}  // namespace vixen::gpu
