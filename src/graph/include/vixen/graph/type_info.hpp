#pragma once

#include <cstddef>
#include <new>
#include <string_view>
#include <type_traits>

namespace vixen::graph {

/// Runtime description of a resource type, so the graph can own resources of any
/// slot type. Identity is the address of the TypeInfo (one per type per program).
struct TypeInfo {
    std::string_view name;
    std::size_t size;
    std::size_t alignment;
    void (*construct)(void* storage);
    void (*destroy)(void* storage) noexcept;
};

namespace detail {

template <class T>
constexpr std::string_view prettyTypeName() {
    constexpr std::string_view function = __PRETTY_FUNCTION__;
    constexpr std::string_view marker = "T = ";
    constexpr auto start = function.find(marker) + marker.size();
    constexpr auto end = function.find_first_of(";]", start);
    return function.substr(start, end - start);
}

template <class T>
constexpr std::string_view resourceTypeName() {
    if constexpr (requires { T::kTypeName; }) {
        return T::kTypeName;
    } else {
        return prettyTypeName<T>();
    }
}

template <class T>
inline constexpr TypeInfo kTypeInfo{
    resourceTypeName<T>(),
    sizeof(T),
    alignof(T),
    [](void* storage) { ::new (storage) T(); },
    [](void* storage) noexcept { static_cast<T*>(storage)->~T(); },
};

}  // namespace detail

/// Resource types are default-constructible values the graph creates at compile.
/// A type may name itself with `static constexpr std::string_view kTypeName`.
template <class T>
concept ResourceType = std::is_default_constructible_v<T> && std::is_nothrow_destructible_v<T> &&
                       !std::is_reference_v<T> &&
                       !std::is_const_v<T>;

template <ResourceType T>
[[nodiscard]] constexpr const TypeInfo* typeInfoOf() noexcept {
    return &detail::kTypeInfo<T>;
}

}  // namespace vixen::graph
