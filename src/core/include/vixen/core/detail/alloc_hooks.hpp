#pragma once

#include <cstddef>

// Called by the operator new/delete replacements in `vixen_alloc_hooks`; not for other use.
namespace vixen::core::detail {

void markAllocationHooksInstalled() noexcept;
void recordAllocation(std::size_t bytes) noexcept;
void recordFree() noexcept;

}  // namespace vixen::core::detail
