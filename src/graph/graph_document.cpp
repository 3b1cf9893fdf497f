#include "graph_document.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <limits>
#include <unordered_map>

namespace vixen::graph::detail {
namespace {

using namespace std::string_view_literals;

constexpr std::array kRootKeys{"vixen_graph"sv, "options"sv, "nodes"sv, "connections"sv};
constexpr std::array kOptionKeys{"mode"sv, "workers"sv, "budget"sv, "execute_budget"sv,
                                 "throttle"sv};
constexpr std::array kBudgetKeys{"device_local"sv, "host_visible"sv, "host_heap"sv, "staging"sv};
constexpr std::array kNodeKeys{"name"sv, "type"sv, "params"sv, "keep_alive"sv};
constexpr std::array kConnectionKeys{"from"sv, "to"sv};

// "node.slot" is two names and a dot.
constexpr std::size_t kMaxEndpointBytes = 2 * kGraphFileMaxNameBytes + 1;

std::string childPath(std::string_view parent, std::string_view key) {
    return fmt::format("{}/{}", parent, pointerToken(key));
}

std::string childPath(std::string_view parent, std::size_t index) {
    return fmt::format("{}/{}", parent, index);
}

std::string slotNames(std::span<const SlotDesc> slots) {
    std::vector<std::string_view> names;
    names.reserve(slots.size());
    for (const SlotDesc& slot : slots) {
        names.push_back(slot.name);
    }
    return joinNames(names);
}

struct NamedNode {
    std::size_t index;          ///< position in /nodes
    const NodeTypeEntry* type;  ///< null when the type was unknown
};

struct Endpoint {
    std::size_t node;
    std::string_view slot;
};

class DocumentReader {
public:
    DocumentReader(const NodeRegistry& registry, Diagnostics& diagnostics)
        : registry_(registry), diagnostics_(diagnostics) {}

    GraphPlan read(const Json& root, const GraphOptions& defaults) {
        plan_.options = defaults;
        checkKeys(root, "", kRootKeys, "top-level key");
        if (!readVersion(root)) {
            return std::move(plan_);  // another version's fields would only add noise
        }
        if (const Json* options = field(root, "", "options", false)) {
            readOptions(*options);
        }
        if (const Json* nodes = field(root, "", "nodes", true)) {
            readNodes(*nodes);
        }
        if (const Json* connections = field(root, "", "connections", false)) {
            readConnections(*connections);
        }
        return std::move(plan_);
    }

private:
    void error(std::string_view path, std::string_view message) { diagnostics_.add(path, message); }

    template <class T>
    std::optional<T> check(std::string_view path, std::expected<T, std::string> result) {
        if (!result) {
            error(path, result.error());
            return std::nullopt;
        }
        return std::move(*result);
    }

    template <std::size_t N>
    void checkKeys(const Json& object, std::string_view path,
                   const std::array<std::string_view, N>& known, std::string_view what) {
        for (const auto& [key, value] : object.items()) {
            if (std::find(known.begin(), known.end(), key) != known.end()) {
                continue;
            }
            ClosestMatch match(key);
            for (const std::string_view candidate : known) {
                match.consider(candidate);
            }
            error(childPath(path, key), fmt::format("unknown {} '{}'{}; known: {}", what, key,
                                                    match.hint(), joinNames(known)));
        }
    }

    /// The member `key` of `object`, or null (an error when required).
    const Json* field(const Json& object, std::string_view path, std::string_view key,
                      bool required) {
        const auto found = object.find(key);
        if (found != object.end()) {
            return &*found;
        }
        if (required) {
            error(path, fmt::format("missing required key '{}'", key));
        }
        return nullptr;
    }

    const Json* objectField(const Json& object, std::string_view path, std::string_view key) {
        const Json* value = field(object, path, key, false);
        if (value != nullptr && !value->is_object()) {
            error(childPath(path, key),
                  fmt::format("expected an object, got {}", describeJson(*value)));
            return nullptr;
        }
        return value;
    }

    bool readVersion(const Json& root) {
        const Json* version = field(root, "", "vixen_graph", false);
        if (version == nullptr) {
            error("", fmt::format("missing required key 'vixen_graph' (the format version; "
                                  "this build reads {})",
                                  kGraphFormatVersion));
            return true;
        }
        const auto number = check("/vixen_graph", readSigned(*version, INT64_MIN, INT64_MAX));
        if (number && *number != kGraphFormatVersion) {
            error("/vixen_graph", fmt::format("unsupported format version {}; this build reads {}",
                                              *number, kGraphFormatVersion));
            return false;
        }
        return true;
    }

    void readOptions(const Json& options) {
        if (!options.is_object()) {
            error("/options", fmt::format("expected an object, got {}", describeJson(options)));
            return;
        }
        GraphOptions& out = plan_.options;
        checkKeys(options, "/options", kOptionKeys, "option");
        if (const Json* mode = field(options, "/options", "mode", false)) {
            if (*mode == "sequential") {
                out.mode = ExecutionMode::Sequential;
            } else if (*mode == "parallel") {
                out.mode = ExecutionMode::Parallel;
            } else {
                error("/options/mode",
                      fmt::format("expected \"sequential\" or \"parallel\", got {}",
                                  describeJson(*mode)));
            }
        }
        if (const Json* workers = field(options, "/options", "workers", false)) {
            if (auto count =
                    check("/options/workers", readUnsigned(*workers, kGraphFileMaxWorkers))) {
                out.workerThreads = static_cast<std::uint32_t>(*count);
            }
        }
        if (const Json* budget = objectField(options, "/options", "budget")) {
            readBudget(*budget, out.budget);
        }
        if (const Json* bytes = field(options, "/options", "execute_budget", false)) {
            if (auto value = check("/options/execute_budget", readUnsigned(*bytes, UINT64_MAX))) {
                out.executeBudgetBytes = *value;
            }
        }
        if (const Json* throttle = field(options, "/options", "throttle", false)) {
            const auto fraction = check("/options/throttle",
                                        readNumber(*throttle, std::numeric_limits<double>::max()));
            if (fraction && (*fraction <= 0.0 || *fraction > 1.0)) {
                error("/options/throttle",
                      fmt::format("{} is out of range; expected a fraction in (0, 1]", *fraction));
            } else if (fraction) {
                out.budget.throttleFraction = *fraction;
            }
        }
    }

    void readBudget(const Json& budget, GraphBudget& out) {
        checkKeys(budget, "/options/budget", kBudgetKeys, "budget key");
        const auto readBytes = [&](std::string_view key, std::uint64_t& target) {
            if (const Json* bytes = field(budget, "/options/budget", key, false)) {
                const std::string path = childPath("/options/budget", key);
                target = check(path, readUnsigned(*bytes, UINT64_MAX)).value_or(target);
            }
        };
        const auto memory = [&](MemoryKind kind) -> std::uint64_t& {
            return out.memoryBytes[static_cast<std::size_t>(kind)];
        };
        readBytes("device_local", memory(MemoryKind::DeviceLocal));
        readBytes("host_visible", memory(MemoryKind::HostVisible));
        readBytes("host_heap", memory(MemoryKind::HostHeap));
        readBytes("staging", out.stagingBytes);
    }

    /// A node name: a non-empty string of at most kGraphFileMaxNameBytes, without '.'.
    std::optional<std::string_view> readName(const Json& value, std::string_view path) {
        const auto name = check(path, readString(value));
        if (!name) {
            return std::nullopt;
        }
        if (name->empty() || name->size() > kGraphFileMaxNameBytes) {
            error(path, fmt::format("a node name needs 1 to {} bytes, got {}",
                                    kGraphFileMaxNameBytes, name->size()));
            return std::nullopt;
        }
        if (name->find('.') != std::string_view::npos) {
            error(path, fmt::format("node name '{}' contains '.', which separates node and slot "
                                    "in connections",
                                    *name));
            return std::nullopt;
        }
        return name;
    }

    const NodeTypeEntry* readType(const Json& value, std::string_view path) {
        const auto type = check(path, readString(value));
        if (!type) {
            return nullptr;
        }
        if (type->size() > kGraphFileMaxNameBytes) {
            error(path, fmt::format("a type name has at most {} bytes, got {}",
                                    kGraphFileMaxNameBytes, type->size()));
            return nullptr;
        }
        if (const NodeTypeEntry* entry = registry_.find(*type)) {
            return entry;
        }
        ClosestMatch match(*type);
        if (!diagnostics_.full()) {
            for (const NodeTypeEntry& entry : registry_.entries()) {
                match.consider(entry.name());
            }
        }
        error(path, fmt::format("unknown node type '{}'{}; registered types: {}", *type,
                                match.hint(), registeredTypes()));
        return nullptr;
    }

    /// "Blur, Gradient, ...", built once per file.
    const std::string& registeredTypes() {
        if (registeredTypes_.empty()) {
            std::vector<std::string_view> names;
            for (const NodeTypeEntry& entry : registry_.entries()) {
                names.push_back(entry.name());
            }
            registeredTypes_ = joinNames(names);
        }
        return registeredTypes_;
    }

    void readNodes(const Json& nodes) {
        if (!nodes.is_array()) {
            error("/nodes", fmt::format("expected an array of nodes, got {}", describeJson(nodes)));
            return;
        }
        if (nodes.size() > kGraphFileMaxNodes) {
            error("/nodes", fmt::format("{} nodes, more than the limit of {}", nodes.size(),
                                        kGraphFileMaxNodes));
            return;
        }
        plan_.nodes.resize(nodes.size());
        names_.reserve(nodes.size());
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            readNode(nodes[i], i);
        }
        nodesRead_ = true;
    }

    void readNode(const Json& node, std::size_t index) {
        const std::string path = childPath("/nodes", index);
        if (!node.is_object()) {
            error(path, fmt::format("expected a node object, got {}", describeJson(node)));
            return;
        }
        checkKeys(node, path, kNodeKeys, "node key");
        PlannedNode& planned = plan_.nodes[index];

        std::optional<std::string_view> name;
        if (const Json* value = field(node, path, "name", true)) {
            name = readName(*value, childPath(path, "name"));
        }
        const NodeTypeEntry* type = nullptr;
        if (const Json* value = field(node, path, "type", true)) {
            type = readType(*value, childPath(path, "type"));
        }
        if (const Json* value = field(node, path, "keep_alive", false)) {
            planned.keepAlive =
                check(childPath(path, "keep_alive"), readBool(*value)).value_or(false);
        }
        if (name) {
            const auto [at, inserted] = names_.try_emplace(*name, NamedNode{index, type});
            if (!inserted) {
                error(childPath(path, "name"),
                      fmt::format("duplicate node name '{}' (first at /nodes/{})", *name,
                                  at->second.index));
            }
            planned.name = *name;
        }
        const auto params = node.find("params");
        if (params != node.end() && !params->is_object()) {
            error(childPath(path, "params"),
                  fmt::format("expected an object, got {}", describeJson(*params)));
            return;  // the factory would only report every parameter as missing
        }
        if (type != nullptr) {
            build(planned, *type, params != node.end() ? &*params : nullptr, path,
                  name.value_or(path));
        }
    }

    void build(PlannedNode& planned, const NodeTypeEntry& type, const Json* params,
               std::string_view path, std::string_view name) {
        ParamReader reader(params, childPath(path, "params"), name, type.name());
        planned.node = type.factory(reader);
        reader.checkUnknownKeys();
        for (const std::string& line : reader.errors()) {
            error("", line);
        }
        if (planned.node == nullptr && reader.ok()) {
            error(childPath(path, "type"),
                  fmt::format("the factory of type '{}' built no node", type.name()));
        }
        assert(planned.node == nullptr || &planned.node->type() == type.info);
    }

    void readConnections(const Json& connections) {
        if (!connections.is_array()) {
            error("/connections", fmt::format("expected an array of connections, got {}",
                                              describeJson(connections)));
            return;
        }
        if (connections.size() > kGraphFileMaxConnections) {
            error("/connections", fmt::format("{} connections, more than the limit of {}",
                                              connections.size(), kGraphFileMaxConnections));
            return;
        }
        plan_.connections.reserve(connections.size());
        for (std::size_t i = 0; i < connections.size(); ++i) {
            const std::string path = childPath("/connections", i);
            const Json& connection = connections[i];
            if (!connection.is_object()) {
                error(path, fmt::format("expected a connection object {{\"from\": \"node.slot\", "
                                        "\"to\": \"node.slot\"}}, got {}",
                                        describeJson(connection)));
                continue;
            }
            checkKeys(connection, path, kConnectionKeys, "connection key");
            const auto from = readEndpoint(connection, path, "from", SlotDirection::Output);
            const auto to = readEndpoint(connection, path, "to", SlotDirection::Input);
            if (from && to) {
                plan_.connections.push_back({from->node, from->slot, to->node, to->slot});
            }
        }
    }

    std::optional<Endpoint> readEndpoint(const Json& connection, std::string_view parent,
                                         std::string_view key, SlotDirection direction) {
        const Json* value = field(connection, parent, key, true);
        if (value == nullptr) {
            return std::nullopt;
        }
        const std::string path = childPath(parent, key);
        const auto text = check(path, readString(*value));
        if (!text) {
            return std::nullopt;
        }
        if (text->size() > kMaxEndpointBytes) {
            error(path, fmt::format("expected \"node.slot\" of at most {} bytes, got {}",
                                    kMaxEndpointBytes, text->size()));
            return std::nullopt;
        }
        const std::size_t dot = text->find('.');
        if (dot == std::string_view::npos || dot == 0 || dot + 1 == text->size()) {
            error(path, fmt::format("expected \"node.slot\", got {}", describeJson(*value)));
            return std::nullopt;
        }
        const std::string_view nodeName = text->substr(0, dot);
        const std::string_view slot = text->substr(dot + 1);
        if (!nodesRead_) {
            return std::nullopt;  // /nodes itself was broken and already reported
        }
        const auto found = names_.find(nodeName);
        if (found == names_.end()) {
            ClosestMatch match(nodeName);
            for (const auto& [candidate, named] : names_) {
                if (diagnostics_.full()) {
                    break;  // a hint nobody will read is not worth a scan of every name
                }
                match.consider(candidate);
            }
            error(path, fmt::format("node '{}' not found{}", nodeName, match.hint()));
            return std::nullopt;
        }
        const NodeTypeEntry* type = found->second.type;
        if (type == nullptr) {
            return std::nullopt;  // its unknown type is already reported
        }
        if (!checkSlot(*type->info, nodeName, slot, direction, path)) {
            return std::nullopt;
        }
        return Endpoint{found->second.index, slot};
    }

    bool checkSlot(const NodeTypeInfo& type, std::string_view nodeName, std::string_view slot,
                   SlotDirection direction, std::string_view path) {
        const bool output = direction == SlotDirection::Output;
        if ((output ? type.findOutput(slot) : type.findInput(slot)) != nullptr) {
            return true;
        }
        const std::span<const SlotDesc> wanted = output ? type.outputs : type.inputs;
        const std::string_view kind = output ? "output" : "input";
        if ((output ? type.findInput(slot) : type.findOutput(slot)) != nullptr) {
            error(path, fmt::format("slot '{}' of node '{}' ({}) is an {}; \"{}\" takes an {} "
                                    "slot ({}s: {})",
                                    slot, nodeName, type.name, output ? "input" : "output",
                                    output ? "from" : "to", kind, kind, slotNames(wanted)));
            return false;
        }
        ClosestMatch match(slot);
        for (const SlotDesc& desc : wanted) {
            match.consider(desc.name);
        }
        error(path, fmt::format("node '{}' ({}) has no {} slot '{}'{}; {}s: {}", nodeName,
                                type.name, kind, slot, match.hint(), kind, slotNames(wanted)));
        return false;
    }

    const NodeRegistry& registry_;
    Diagnostics& diagnostics_;
    GraphPlan plan_;
    std::unordered_map<std::string_view, NamedNode> names_;
    std::string registeredTypes_;
    bool nodesRead_ = false;
};

}  // namespace

void Diagnostics::add(std::string_view path, std::string_view message) {
    ++count_;
    if (lines_.size() < kGraphFileMaxListedErrors) {
        lines_.push_back(path.empty() ? fmt::format("{}: {}", source_, message)
                                      : fmt::format("{}: {}: {}", source_, path, message));
    }
}

Error Diagnostics::toError(ErrorCode code) const {
    std::string message = fmt::format("{}", fmt::join(lines_, "\n"));
    if (count_ > lines_.size()) {
        message += fmt::format("\n{}: ... and {} more errors", source_, count_ - lines_.size());
    }
    return Error{code, std::move(message)};
}

GraphPlan readGraphDocument(const Json& root, const NodeRegistry& registry,
                            const GraphOptions& defaults, Diagnostics& diagnostics) {
    return DocumentReader(registry, diagnostics).read(root, defaults);
}

}  // namespace vixen::graph::detail
