#include "vixen/gpu/instance.hpp"

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "vixen/core/log.hpp"
#include "vixen/gpu/vk_result.hpp"

namespace vixen::gpu {
namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";

bool layerAvailable(const char* name) {
    std::uint32_t count = 0;
    vkEnumerateInstanceLayerProperties(&count, nullptr);
    std::vector<VkLayerProperties> layers(count);
    vkEnumerateInstanceLayerProperties(&count, layers.data());
    return std::any_of(layers.begin(), layers.end(), [name](const VkLayerProperties& l) {
        return std::strcmp(l.layerName, name) == 0;
    });
}

bool instanceExtensionAvailable(const char* name) {
    std::uint32_t count = 0;
    vkEnumerateInstanceExtensionProperties(nullptr, &count, nullptr);
    std::vector<VkExtensionProperties> extensions(count);
    vkEnumerateInstanceExtensionProperties(nullptr, &count, extensions.data());
    return std::any_of(
        extensions.begin(), extensions.end(),
        [name](const VkExtensionProperties& e) { return std::strcmp(e.extensionName, name) == 0; });
}

VKAPI_ATTR VkBool32 VKAPI_CALL onValidationMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                   VkDebugUtilsMessageTypeFlagsEXT /*types*/,
                                                   const VkDebugUtilsMessengerCallbackDataEXT* data,
                                                   void* user) {
    static_cast<ValidationMessages*>(user)->record(severity, data->pMessage);
    return VK_FALSE;
}

VkDebugUtilsMessengerCreateInfoEXT messengerInfo(ValidationMessages* messages) {
    VkDebugUtilsMessengerCreateInfoEXT info{};
    info.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT;
    info.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                           VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
    info.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                       VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                       VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
    info.pfnUserCallback = &onValidationMessage;
    info.pUserData = messages;
    return info;
}

}  // namespace

std::string ValidationMessages::lastMessage() const {
    const std::lock_guard lock(mutex_);
    return last_;
}

void ValidationMessages::reset() noexcept {
    errors_ = 0;
    warnings_ = 0;
}

void ValidationMessages::record(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                const char* message) {
    const bool error = (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) != 0;
    (error ? errors_ : warnings_).fetch_add(1);
    {
        const std::lock_guard lock(mutex_);
        last_ = message;
    }
    log::message(error ? log::Level::Error : log::Level::Warn, "vulkan validation: {}", message);
}

Result<Instance> Instance::create(const InstanceOptions& options) {
    Instance result;
    std::uint32_t loaderVersion = 0;
    vkEnumerateInstanceVersion(&loaderVersion);
    if (loaderVersion < VK_API_VERSION_1_3) {
        return fail(ErrorCode::NotFound,
                    "the Vulkan loader supports version {}.{}, VIXEN needs 1.3 (install "
                    "libvulkan1 1.3 or newer)",
                    VK_API_VERSION_MAJOR(loaderVersion), VK_API_VERSION_MINOR(loaderVersion));
    }
    VkApplicationInfo app{};
    app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
    app.pApplicationName = options.applicationName;
    app.pEngineName = "VIXEN";
    app.apiVersion = VK_API_VERSION_1_3;

    const bool validation = options.validation && layerAvailable(kValidationLayer);
    if (options.validation && !validation) {
        log::warn("{} not found: running without validation (install vulkan-validationlayers)",
                  kValidationLayer);
    }
    std::vector<const char*> layers;
    std::vector<const char*> extensions;
    if (validation) {
        layers.push_back(kValidationLayer);
        extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
        extensions.push_back(VK_EXT_VALIDATION_FEATURES_EXTENSION_NAME);
    }
    for (const char* extra : options.extensions) {
        if (!instanceExtensionAvailable(extra)) {
            return fail(ErrorCode::NotFound,
                        "no Vulkan driver offers the instance extension {} (requested through "
                        "InstanceOptions::extensions)",
                        extra);
        }
        if (std::none_of(extensions.begin(), extensions.end(),
                         [extra](const char* e) { return std::strcmp(e, extra) == 0; })) {
            extensions.push_back(extra);
        }
    }
    // Synchronization validation checks the barriers the graph derives; off by default.
    const VkValidationFeatureEnableEXT enables[] = {
        VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT};
    VkValidationFeaturesEXT features{};
    features.sType = VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT;
    features.enabledValidationFeatureCount = 1;
    features.pEnabledValidationFeatures = enables;
    VkDebugUtilsMessengerCreateInfoEXT messenger = messengerInfo(result.messages_.get());
    messenger.pNext = &features;

    VkInstanceCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
    info.pNext = validation ? &messenger : nullptr;  // also reports instance creation itself
    info.pApplicationInfo = &app;
    info.enabledLayerCount = static_cast<std::uint32_t>(layers.size());
    info.ppEnabledLayerNames = layers.data();
    info.enabledExtensionCount = static_cast<std::uint32_t>(extensions.size());
    info.ppEnabledExtensionNames = extensions.data();
    VIXEN_TRY_VK(vkCreateInstance(&info, nullptr, &result.instance_), "creating the instance");

    if (validation) {
        messenger.pNext = nullptr;
        const auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(result.instance_, "vkCreateDebugUtilsMessengerEXT"));
        VIXEN_TRY_VK(create(result.instance_, &messenger, nullptr, &result.messenger_),
                     "installing the validation message callback");
    }
    return result;
}

Instance::Instance(Instance&& other) noexcept
    : instance_(std::exchange(other.instance_, VK_NULL_HANDLE)),
      messenger_(std::exchange(other.messenger_, VK_NULL_HANDLE)),
      messages_(std::move(other.messages_)) {}

Instance& Instance::operator=(Instance&& other) noexcept {
    if (this != &other) {
        destroy();
        instance_ = std::exchange(other.instance_, VK_NULL_HANDLE);
        messenger_ = std::exchange(other.messenger_, VK_NULL_HANDLE);
        messages_ = std::move(other.messages_);
    }
    return *this;
}

Instance::~Instance() {
    destroy();
}

void Instance::destroy() noexcept {
    if (messenger_ != VK_NULL_HANDLE) {
        const auto destroyMessenger = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(instance_, "vkDestroyDebugUtilsMessengerEXT"));
        destroyMessenger(instance_, messenger_, nullptr);
        messenger_ = VK_NULL_HANDLE;
    }
    if (instance_ != VK_NULL_HANDLE) {
        vkDestroyInstance(instance_, nullptr);
        instance_ = VK_NULL_HANDLE;
    }
}

}  // namespace vixen::gpu
