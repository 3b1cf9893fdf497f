#pragma once

#include <vulkan/vulkan.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "vixen/core/error.hpp"

namespace vixen::gpu {

struct InstanceOptions {
    bool validation = true;  ///< Khronos validation with synchronization validation, if present
    const char* applicationName = "vixen";
    /// Further instance extensions to enable, e.g. the surface extensions a window needs
    /// (Window::requiredInstanceExtensions()); a missing one fails creation with NotFound.
    std::span<const char* const> extensions{};
};

/// What the validation layer said, counted by severity; tests assert on it.
class ValidationMessages {
public:
    [[nodiscard]] std::uint32_t errors() const noexcept { return errors_.load(); }
    [[nodiscard]] std::uint32_t warnings() const noexcept { return warnings_.load(); }
    [[nodiscard]] std::string lastMessage() const;
    void reset() noexcept;

    /// The debug-utils callback feeds this; public for the callback only.
    void record(VkDebugUtilsMessageSeverityFlagBitsEXT severity, const char* message);

private:
    std::atomic<std::uint32_t> errors_{0};
    std::atomic<std::uint32_t> warnings_{0};
    mutable std::mutex mutex_;
    std::string last_;
};

/// A Vulkan 1.3 instance. With validation on, every layer message goes to the logger and
/// to the counters in validation().
class Instance {
public:
    static Result<Instance> create(const InstanceOptions& options = {});

    Instance(Instance&& other) noexcept;
    Instance& operator=(Instance&& other) noexcept;
    Instance(const Instance&) = delete;
    Instance& operator=(const Instance&) = delete;
    ~Instance();

    [[nodiscard]] VkInstance handle() const noexcept { return instance_; }
    [[nodiscard]] bool validationEnabled() const noexcept { return messenger_ != VK_NULL_HANDLE; }
    [[nodiscard]] ValidationMessages& validation() noexcept { return *messages_; }
    [[nodiscard]] const ValidationMessages& validation() const noexcept { return *messages_; }

private:
    Instance() = default;
    void destroy() noexcept;

    VkInstance instance_ = VK_NULL_HANDLE;
    VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
    std::unique_ptr<ValidationMessages> messages_ = std::make_unique<ValidationMessages>();
};

}  // namespace vixen::gpu
