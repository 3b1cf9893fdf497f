#pragma once

#include <cstddef>
#include <new>
#include <utility>
#include <vector>

#include "vixen/graph/render_graph.hpp"
#include "vixen/graph/type_info.hpp"

namespace vixen::graph {

/// The storage of every resource of a compiled graph: one aligned block, objects built
/// in place at compile and destroyed in reverse at cleanup.
struct RenderGraph::ResourceBlock {
    static constexpr std::size_t kAlignment = 64;

    explicit ResourceBlock(std::size_t bytes)
        : memory(bytes == 0 ? nullptr
                            : static_cast<std::byte*>(
                                  ::operator new (bytes, std::align_val_t{kAlignment}))) {}
    ~ResourceBlock() {
        for (auto it = objects.rbegin(); it != objects.rend(); ++it) {
            it->second->destroy(it->first);
        }
        if (memory != nullptr) {
            ::operator delete (memory, std::align_val_t{kAlignment});
        }
    }
    ResourceBlock(const ResourceBlock&) = delete;
    ResourceBlock& operator=(const ResourceBlock&) = delete;

    void* construct(std::size_t offset, const TypeInfo* type) {
        void* at = memory + offset;
        type->construct(at);
        objects.emplace_back(at, type);
        return at;
    }

    std::byte* memory;
    std::vector<std::pair<void*, const TypeInfo*>> objects;
};

}  // namespace vixen::graph
