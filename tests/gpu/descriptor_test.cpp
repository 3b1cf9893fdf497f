// Descriptor set layouts, the pool sized at compile, and writes checked against reflection,
// on lavapipe (CTest sets VK_DRIVER_FILES) with the Khronos validation layer; everything is
// destroyed before TearDown counts errors, so a leaked layout or pool fails the test.
#include <gtest/gtest.h>

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "lavapipe_fixture.hpp"
#include "test_shaders.hpp"
#include "vixen/gpu/budget_manager.hpp"
#include "vixen/gpu/buffer.hpp"
#include "vixen/gpu/creation_gate.hpp"
#include "vixen/gpu/descriptor_allocator.hpp"
#include "vixen/gpu/descriptor_set_layouts.hpp"
#include "vixen/gpu/descriptor_writer.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/image.hpp"
#include "vixen/gpu/memory_allocator.hpp"
#include "vixen/gpu/shader_reflection.hpp"
#include "vixen/gpu/vk_result.hpp"

namespace vixen::gpu {
namespace {

/// interface.comp, reflected and merged: sets 0, 1 and 3 (2 is empty).
PipelineInterface interfaceOf(std::span<const std::uint32_t> spirv, std::string_view name) {
    auto shader = reflectShader(spirv, name);
    EXPECT_TRUE(shader) << shader.error().message;
    if (!shader) {
        return {};
    }
    auto merged = mergeInterfaces(std::span(&*shader, 1));
    EXPECT_TRUE(merged) << merged.error().message;
    return merged ? std::move(*merged) : PipelineInterface{};
}

Result<VkSampler> makeSampler(const Device& device) {
    VkSamplerCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO;
    info.magFilter = VK_FILTER_LINEAR;
    info.minFilter = VK_FILTER_LINEAR;
    info.addressModeU = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
    info.addressModeV = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
    info.addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
    info.maxLod = 1.0F;
    VkSampler sampler = VK_NULL_HANDLE;
    VIXEN_TRY_VK_CREATE(vkCreateSampler(device.handle(), &info, nullptr, &sampler),
                        "the test sampler");
    return sampler;
}

Result<VkBufferView> makeTexelView(const Device& device, VkBuffer buffer) {
    VkBufferViewCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO;
    info.buffer = buffer;
    info.format = VK_FORMAT_R32_SFLOAT;
    info.range = VK_WHOLE_SIZE;
    VkBufferView view = VK_NULL_HANDLE;
    VIXEN_TRY_VK_CREATE(vkCreateBufferView(device.handle(), &info, nullptr, &view),
                        "a test texel buffer view");
    return view;
}

TEST(DescriptorPoolSizesTest, SumsTheDescriptorsOfEveryCopyOfEverySet) {
    const PipelineInterface interface =
        interfaceOf(test_shaders::interfaceComp(), "interface.comp");
    DescriptorPoolSizes sizes;
    sizes.add(interface, 3);
    EXPECT_EQ(sizes.maxSets, 12U);  // 4 set indices (2 empty) x 3
    EXPECT_EQ(sizes.count(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER), 3U);
    EXPECT_EQ(sizes.count(VK_DESCRIPTOR_TYPE_STORAGE_IMAGE), 3U);
    EXPECT_EQ(sizes.count(VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER), 3U);
    EXPECT_EQ(sizes.count(VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER), 3U);
    EXPECT_EQ(sizes.count(VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER), 3U);
    EXPECT_EQ(sizes.count(VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE), 12U);  // textures[4]
    EXPECT_EQ(sizes.count(VK_DESCRIPTOR_TYPE_SAMPLER), 3U);
    EXPECT_EQ(sizes.count(VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER), 0U);
    EXPECT_EQ(sizes.total(), 30U);

    DescriptorPoolSizes graph;  // the graph's sum: per-node estimates added up
    graph.add(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2).add(VK_DESCRIPTOR_TYPE_SAMPLER, 1);
    graph.maxSets = 1;
    graph += sizes;
    EXPECT_EQ(graph.count(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER), 5U);
    EXPECT_EQ(graph.count(VK_DESCRIPTOR_TYPE_SAMPLER), 4U);
    EXPECT_EQ(graph.maxSets, 13U);
    EXPECT_FALSE(DescriptorPoolSizes::indexOf(VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK));
}

class DescriptorTest : public testing::LavapipeFixture {
protected:
    void releaseDeviceObjects() override {
        if (sampler_ != VK_NULL_HANDLE) {
            vkDestroySampler(device_->handle(), sampler_, nullptr);
        }
        for (const VkBufferView view : texelViews_) {
            vkDestroyBufferView(device_->handle(), view, nullptr);
        }
        layouts_.reset();
        buffers_.clear();
        images_.clear();
        allocator_.reset();
        budget_.reset();
    }

    /// interface.comp's set layouts in layouts_.
    void makeLayouts() {
        interface_ = interfaceOf(test_shaders::interfaceComp(), "interface.comp");
        auto layouts = DescriptorSetLayouts::create(*device_, interface_, "interface.comp");
        ASSERT_TRUE(layouts) << layouts.error().message;
        layouts_ = std::move(*layouts);
    }

    Buffer& makeBuffer(VkBufferUsageFlags usage) {
        if (!allocator_) {
            budget_.emplace(*physical_);
            allocator_.emplace(*device_, *budget_);
        }
        auto buffer = Buffer::create(*device_, *allocator_,
                                     BufferDesc{1024, usage, MemoryUsage::Upload}, "test buffer");
        EXPECT_TRUE(buffer) << buffer.error().message;
        return buffers_.emplace_back(buffer ? std::move(*buffer) : Buffer{});
    }

    Image& makeImage(VkImageUsageFlags usage) {
        auto image =
            Image::create(*device_, *allocator_, ImageDesc{16, 16, VK_FORMAT_R8G8B8A8_UNORM, usage},
                          "test image");
        EXPECT_TRUE(image) << image.error().message;
        return images_.emplace_back(image ? std::move(*image) : Image{});
    }

    PipelineInterface interface_;
    DescriptorSetLayouts layouts_;
    std::optional<BudgetManager> budget_;
    std::optional<DeviceMemoryAllocator> allocator_;
    std::deque<Buffer> buffers_;  // a deque: makeBuffer's references stay valid
    std::deque<Image> images_;
    std::vector<VkBufferView> texelViews_;
    VkSampler sampler_ = VK_NULL_HANDLE;
};

TEST_F(DescriptorTest, MakesOneLayoutPerSetIndexWithEmptyGaps) {
    ASSERT_NO_FATAL_FAILURE(makeLayouts());
    ASSERT_EQ(layouts_.setCount(), 4U);
    for (const VkDescriptorSetLayout layout : layouts_.handles()) {
        EXPECT_NE(layout, VK_NULL_HANDLE);
    }
    EXPECT_EQ(layouts_.bindings(0).size(), 4U);
    EXPECT_EQ(layouts_.bindings(1).size(), 2U);
    EXPECT_TRUE(layouts_.bindings(2).empty());
    EXPECT_EQ(layouts_.bindings(3).size(), 1U);
    EXPECT_EQ(layouts_.name(), "interface.comp");

    DescriptorSetLayouts moved = std::move(layouts_);
    EXPECT_EQ(moved.setCount(), 4U);
    EXPECT_EQ(layouts_.setCount(), 0U);  // NOLINT(bugprone-use-after-move): moved-from is empty
}

TEST_F(DescriptorTest, AllocatesEverySetAtCompileUntilThePoolIsFull) {
    ASSERT_NO_FATAL_FAILURE(makeLayouts());
    const DescriptorPoolSizes capacity = DescriptorPoolSizes{}.add(interface_, 2);
    auto pool = DescriptorAllocator::create(*device_, capacity, "graph descriptors");
    ASSERT_TRUE(pool) << pool.error().message;
    EXPECT_NE(pool->handle(), VK_NULL_HANDLE);

    for (int copy = 0; copy < 2; ++copy) {
        auto sets = pool->allocateAll(layouts_, "interface.comp sets");
        ASSERT_TRUE(sets) << sets.error().message;
        ASSERT_EQ(sets->size(), 4U);
        for (std::uint32_t set = 0; set < 4; ++set) {
            EXPECT_NE((*sets)[set].handle, VK_NULL_HANDLE);
            EXPECT_EQ((*sets)[set].set, set);
            EXPECT_EQ((*sets)[set].bindings.size(), layouts_.bindings(set).size());
        }
    }
    EXPECT_EQ(pool->used(), pool->capacity());

    const std::uint64_t creations = CreationGate::count();
    const auto third = pool->allocateAll(layouts_, "a third copy");
    ASSERT_FALSE(third);
    EXPECT_EQ(third.error().code, ErrorCode::CapacityExceeded);
    EXPECT_NE(third.error().message.find("descriptor pool 'graph descriptors' is too small for "
                                         "a third copy: sets: 4 needed, 0 of 8 left; sampler: 1 "
                                         "needed, 0 of 2 left; sampled image: 4 needed, 0 of 8 "
                                         "left; storage image: 1 needed, 0 of 2 left;"),
              std::string::npos)
        << third.error().message;
    const auto one = pool->allocate(layouts_, 2, "an empty set");
    ASSERT_FALSE(one);
    EXPECT_EQ(one.error().code, ErrorCode::CapacityExceeded);
    EXPECT_EQ(CreationGate::count(), creations);  // refused before Vulkan was asked

    // A recompile returns every set and allocates again from the same pool.
    ASSERT_TRUE(pool->reset());
    EXPECT_EQ(pool->used(), DescriptorPoolSizes{});
    auto again = pool->allocate(layouts_, 1, "set 1 after reset");
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->set, 1U);
}

TEST_F(DescriptorTest, ShortOfOneDescriptorTypeIsCapacityExceededAndTakesNothing) {
    ASSERT_NO_FATAL_FAILURE(makeLayouts());
    DescriptorPoolSizes capacity;
    capacity.add(VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, 1)
        .add(VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, 3)  // set 1 has textures[4]
        .add(VK_DESCRIPTOR_TYPE_SAMPLER, 1);
    capacity.maxSets = 4;
    auto pool = DescriptorAllocator::create(*device_, capacity, "small pool");
    ASSERT_TRUE(pool) << pool.error().message;

    const auto set0 = pool->allocate(layouts_, 0, "set 0 of interface.comp");
    ASSERT_FALSE(set0);
    EXPECT_EQ(set0.error().code, ErrorCode::CapacityExceeded);
    EXPECT_NE(set0.error().message.find("descriptor pool 'small pool' is too small for set 0 of "
                                        "interface.comp: storage image: 1 needed, 0 of 0 left; "
                                        "uniform texel buffer: 1 needed, 0 of 0 left; storage "
                                        "texel buffer: 1 needed, 0 of 0 left; storage buffer: 1 "
                                        "needed, 0 of 0 left; size it"),
              std::string::npos)
        << set0.error().message;
    const auto set1 = pool->allocate(layouts_, 1, "set 1 of interface.comp");
    ASSERT_FALSE(set1);
    EXPECT_NE(set1.error().message.find("too small for set 1 of interface.comp: sampled image: "
                                        "4 needed, 3 of 3 left; size it"),
              std::string::npos)
        << set1.error().message;
    EXPECT_EQ(pool->used(), DescriptorPoolSizes{});

    auto set3 = pool->allocate(layouts_, 3, "set 3 of interface.comp");
    ASSERT_TRUE(set3) << set3.error().message;
    EXPECT_EQ(pool->used().count(VK_DESCRIPTOR_TYPE_SAMPLER), 1U);
    EXPECT_EQ(pool->used().maxSets, 1U);

    const auto past = pool->allocate(layouts_, 4, "set 4");
    ASSERT_FALSE(past);
    EXPECT_EQ(past.error().code, ErrorCode::InvalidArgument);
}

TEST_F(DescriptorTest, PoolNeedsAtLeastOneSet) {
    const auto pool = DescriptorAllocator::create(
        *device_, DescriptorPoolSizes{}.add(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 4), "no sets");
    ASSERT_FALSE(pool);
    EXPECT_EQ(pool.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(pool.error().message.find("no sets"), std::string::npos) << pool.error().message;
}

TEST_F(DescriptorTest, WritesEveryKindCheckedAgainstTheReflectedBindings) {
    ASSERT_NO_FATAL_FAILURE(makeLayouts());
    auto pool =
        DescriptorAllocator::create(*device_, DescriptorPoolSizes{}.add(interface_), "writer test");
    ASSERT_TRUE(pool) << pool.error().message;
    auto sets = pool->allocateAll(layouts_, "interface.comp");
    ASSERT_TRUE(sets) << sets.error().message;

    const Buffer& storage = makeBuffer(VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
    const Buffer& uniform = makeBuffer(VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT);
    const Buffer& texels = makeBuffer(VK_BUFFER_USAGE_STORAGE_TEXEL_BUFFER_BIT |
                                      VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT);
    const Image& target = makeImage(VK_IMAGE_USAGE_STORAGE_BIT);
    const Image& texture = makeImage(VK_IMAGE_USAGE_SAMPLED_BIT);
    ASSERT_FALSE(::testing::Test::HasFailure());
    for (int i = 0; i < 2; ++i) {
        auto view = makeTexelView(*device_, texels.handle());
        ASSERT_TRUE(view) << view.error().message;
        texelViews_.push_back(*view);
    }
    auto sampler = makeSampler(*device_);
    ASSERT_TRUE(sampler) << sampler.error().message;
    sampler_ = *sampler;

    const std::vector<DescriptorSet>& s = *sets;
    DescriptorWriter writer;
    ASSERT_TRUE(writer.buffer(s[0], 0, storage.handle()));
    ASSERT_TRUE(writer.image(s[0], 1, target.view(), VK_IMAGE_LAYOUT_GENERAL));
    ASSERT_TRUE(writer.texelBuffer(s[0], 2, texelViews_[0]));
    ASSERT_TRUE(writer.texelBuffer(s[0], 3, texelViews_[1]));
    ASSERT_TRUE(writer.buffer(s[1], 0, uniform.handle(), 0, 256));
    for (std::uint32_t element = 0; element < 4; ++element) {
        ASSERT_TRUE(writer.image(s[1], 2, texture.view(), VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL,
                                 VK_NULL_HANDLE, element));
    }
    ASSERT_TRUE(writer.sampler(s[3], 0, sampler_));
    EXPECT_EQ(writer.pending(), 10U);

    // Mistakes are refused with the binding named, and queue nothing.
    const auto wrongKind = writer.buffer(s[0], 1, storage.handle());
    ASSERT_FALSE(wrongKind);
    EXPECT_EQ(wrongKind.error().code, ErrorCode::TypeMismatch);
    EXPECT_NE(wrongKind.error().message.find("'targetImage' (set 0, binding 1 of interface.comp) "
                                             "is a storage image, but a buffer was written to it"),
              std::string::npos)
        << wrongKind.error().message;
    const auto noBinding = writer.buffer(s[1], 1, uniform.handle());
    ASSERT_FALSE(noBinding);
    EXPECT_EQ(noBinding.error().code, ErrorCode::NotFound);
    EXPECT_NE(noBinding.error().message.find(
                  "set 1 of interface.comp has no binding 1 (it has: 0 'params', 2 'textures')"),
              std::string::npos)
        << noBinding.error().message;
    const auto pastArray = writer.image(
        s[1], 2, texture.view(), VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, VK_NULL_HANDLE, 4);
    ASSERT_FALSE(pastArray);
    EXPECT_EQ(pastArray.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(pastArray.error().message.find("element 4 of 'textures'"), std::string::npos)
        << pastArray.error().message;
    const auto nullBuffer = writer.buffer(s[0], 0, VK_NULL_HANDLE);
    ASSERT_FALSE(nullBuffer);
    EXPECT_EQ(nullBuffer.error().code, ErrorCode::InvalidArgument);
    const auto emptySet = writer.sampler(s[2], 0, sampler_);
    ASSERT_FALSE(emptySet);
    EXPECT_EQ(emptySet.error().code, ErrorCode::NotFound);
    EXPECT_NE(emptySet.error().message.find("(it has: none)"), std::string::npos)
        << emptySet.error().message;
    EXPECT_EQ(writer.pending(), 10U);

    writer.update(*device_);  // the validation layer checks every write
    EXPECT_EQ(writer.pending(), 0U);

    // The sets view the layouts' bindings and name, which stay put when the layouts move.
    const DescriptorSetLayouts moved = std::move(layouts_);
    const auto afterMove = writer.buffer(s[0], 9, storage.handle());
    ASSERT_FALSE(afterMove);
    EXPECT_NE(afterMove.error().message.find(
                  "set 0 of interface.comp has no binding 9 (it has: 0 'outputBuffer', 1 "
                  "'targetImage', 2 'texels', 3 'lookup')"),
              std::string::npos)
        << afterMove.error().message;
}

TEST_F(DescriptorTest, LeaksNothingWhenALayoutCreationFails) {
    const PipelineInterface interface =
        interfaceOf(test_shaders::interfaceComp(), "interface.comp");
    for (std::uint64_t nth = 1; nth <= 4; ++nth) {
        SCOPED_TRACE(nth);
        const ScopedFaultInjection inject(nth);
        const auto layouts = DescriptorSetLayouts::create(*device_, interface, "interface.comp");
        ASSERT_FALSE(layouts);
        EXPECT_EQ(layouts.error().code, ErrorCode::OverBudget);
        EXPECT_NE(layouts.error().message.find("vkCreateDescriptorSetLayout failed with "
                                               "VK_ERROR_OUT_OF_DEVICE_MEMORY while "
                                               "interface.comp"),
                  std::string::npos)
            << layouts.error().message;
    }
    // The layers report any layout left behind when the fixture destroys the device.
}

TEST_F(DescriptorTest, LeaksNothingWhenThePoolOrASetFailsToBeMade) {
    ASSERT_NO_FATAL_FAILURE(makeLayouts());
    const DescriptorPoolSizes capacity = DescriptorPoolSizes{}.add(interface_);
    {
        const ScopedFaultInjection inject(1);
        const auto pool = DescriptorAllocator::create(*device_, capacity, "failing pool");
        ASSERT_FALSE(pool);
        EXPECT_EQ(pool.error().code, ErrorCode::OverBudget);
    }
    auto pool = DescriptorAllocator::create(*device_, capacity, "pool");
    ASSERT_TRUE(pool) << pool.error().message;
    {
        const ScopedFaultInjection inject(1);
        const auto sets = pool->allocateAll(layouts_, "sets");
        ASSERT_FALSE(sets);
        EXPECT_NE(sets.error().message.find("vkAllocateDescriptorSets failed"), std::string::npos)
            << sets.error().message;
    }
    EXPECT_EQ(pool->used(), DescriptorPoolSizes{});  // a failed allocation takes nothing
    auto sets = pool->allocateAll(layouts_, "sets");
    ASSERT_TRUE(sets) << sets.error().message;
}

}  // namespace
}  // namespace vixen::gpu
