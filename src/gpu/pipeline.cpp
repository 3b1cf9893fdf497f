#include "vixen/gpu/pipeline.hpp"

#include <utility>

#include "vixen/gpu/device.hpp"
#include "vixen/gpu/vk_result.hpp"

namespace vixen::gpu {

namespace {

/// What an empty pipeline or layout answers for its set layouts (made without allocating).
const DescriptorSetLayouts& noSetLayouts() noexcept {
    static const DescriptorSetLayouts none;
    return none;
}

}  // namespace

const DescriptorSetLayouts& PipelineLayout::setLayouts() const noexcept {
    return setLayouts_ ? *setLayouts_ : noSetLayouts();
}

const DescriptorSetLayouts& Pipeline::setLayouts() const noexcept {
    return layout_ ? layout_->setLayouts() : noSetLayouts();
}

Result<PipelineLayout> PipelineLayout::create(
    const Device& device, std::shared_ptr<const DescriptorSetLayouts> setLayouts,
    const PipelineInterface& interface, std::string_view name) {
    const std::uint32_t pushLimit = device.physical().limits.maxPushConstantsSize;
    if (interface.pushConstantSize > pushLimit) {
        return fail(ErrorCode::CapacityExceeded,
                    "shader '{}' has {} bytes of push constants; device '{}' allows {}", name,
                    interface.pushConstantSize, device.physical().name, pushLimit);
    }
    PipelineLayout result;
    result.device_ = device.handle();
    result.setLayouts_ = std::move(setLayouts);
    const VkPushConstantRange pushConstants{interface.pushConstantStages, 0,
                                            interface.pushConstantSize};
    VkPipelineLayoutCreateInfo layoutInfo{};
    layoutInfo.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
    layoutInfo.setLayoutCount = result.setLayouts_->setCount();
    layoutInfo.pSetLayouts = result.setLayouts_->handles().data();
    layoutInfo.pushConstantRangeCount = pushConstants.size > 0 ? 1 : 0;
    layoutInfo.pPushConstantRanges = &pushConstants;
    VIXEN_TRY_VK_CREATE(
        vkCreatePipelineLayout(result.device_, &layoutInfo, nullptr, &result.layout_), name);
    return result;
}

PipelineLayout::PipelineLayout(PipelineLayout&& other) noexcept
    : device_(other.device_),
      setLayouts_(std::exchange(other.setLayouts_, nullptr)),
      layout_(std::exchange(other.layout_, VK_NULL_HANDLE)) {}

PipelineLayout& PipelineLayout::operator=(PipelineLayout&& other) noexcept {
    if (this != &other) {
        reset();
        device_ = other.device_;
        setLayouts_ = std::exchange(other.setLayouts_, nullptr);
        layout_ = std::exchange(other.layout_, VK_NULL_HANDLE);
    }
    return *this;
}

PipelineLayout::~PipelineLayout() {
    reset();
}

void PipelineLayout::reset() noexcept {
    if (layout_ != VK_NULL_HANDLE) {
        vkDestroyPipelineLayout(device_, layout_, nullptr);
        layout_ = VK_NULL_HANDLE;
    }
}

Pipeline::Pipeline(Pipeline&& other) noexcept
    : device_(other.device_),
      interface_(std::exchange(other.interface_, {})),
      layout_(std::exchange(other.layout_, nullptr)),
      pipeline_(std::exchange(other.pipeline_, VK_NULL_HANDLE)) {}

Pipeline& Pipeline::operator=(Pipeline&& other) noexcept {
    if (this != &other) {
        reset();
        device_ = other.device_;
        interface_ = std::exchange(other.interface_, {});
        layout_ = std::exchange(other.layout_, nullptr);
        pipeline_ = std::exchange(other.pipeline_, VK_NULL_HANDLE);
    }
    return *this;
}

Pipeline::~Pipeline() {
    reset();
}

void Pipeline::reset() noexcept {
    if (pipeline_ != VK_NULL_HANDLE) {
        vkDestroyPipeline(device_, pipeline_, nullptr);
        pipeline_ = VK_NULL_HANDLE;
    }
    layout_.reset();
}

Result<void> Pipeline::makeLayout(const Device& device, PipelineInterface interface,
                                  std::string_view name, const PipelineOptions& options) {
    device_ = device.handle();
    interface_ = std::move(interface);
    if (options.layouts) {
        auto shared = options.layouts(interface_, name);
        if (!shared) {
            return std::unexpected(std::move(shared.error()));
        }
        layout_ = std::move(*shared);
        return {};
    }
    auto setLayouts = DescriptorSetLayouts::create(device, interface_, name);
    if (!setLayouts) {
        return std::unexpected(std::move(setLayouts.error()));
    }
    auto own = PipelineLayout::create(
        device, std::make_shared<const DescriptorSetLayouts>(std::move(*setLayouts)), interface_,
        name);
    if (!own) {
        return std::unexpected(std::move(own.error()));
    }
    layout_ = std::make_shared<const PipelineLayout>(std::move(*own));
    return {};
}

ScopedShaderModule::~ScopedShaderModule() {
    if (module_ != VK_NULL_HANDLE) {
        vkDestroyShaderModule(device_, module_, nullptr);
    }
}

Result<void> ScopedShaderModule::create(VkDevice device, std::span<const std::uint32_t> spirv,
                                        std::string_view name) {
    device_ = device;
    VkShaderModuleCreateInfo moduleInfo{};
    moduleInfo.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
    moduleInfo.codeSize = spirv.size_bytes();
    moduleInfo.pCode = spirv.data();
    VIXEN_TRY_VK_CREATE(vkCreateShaderModule(device, &moduleInfo, nullptr, &module_), name);
    return {};
}

PipelineCreationTimer::PipelineCreationTimer(const Device& device) noexcept
    : device_(device), started_(std::chrono::steady_clock::now()) {}

PipelineCreationTimer::~PipelineCreationTimer() {
    device_.addPipelineCreateNanoseconds(
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                       std::chrono::steady_clock::now() - started_)
                                       .count()));
}

}  // namespace vixen::gpu
