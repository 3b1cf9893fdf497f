#include "vixen/graph/graph_loader.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <random>
#include <string>

#include "test_nodes.hpp"

namespace vixen::graph {
namespace {

using testing::FloatSourceNode;
using testing::ProbeNode;
using testing::SumNode;

/// A node that exists to exercise every parameter type.
struct SettingsConfig {
    static constexpr std::string_view kTypeName = "Settings";
    static constexpr Output<"value", int> value{};
    static constexpr SlotList slots{value};
};

struct Settings {
    std::uint8_t level = 0;
    std::int64_t offset = 0;
    float scale = 0;
    double ratio = 0;
    bool enabled = false;
    std::string label;
};

class SettingsNode : public TypedNode<SettingsConfig> {
public:
    explicit SettingsNode(Settings values) : settings(std::move(values)) {}
    Settings settings;

protected:
    void execute(const ExecuteContext& /*context*/) override {
        Out(SettingsConfig::value) = settings.level;
    }
};

NodeRegistry makeRegistry() {
    NodeRegistry registry;
    registry.add<SumNode>("value = bias + sum(terms)", [](ParamReader& p) {
        return std::make_unique<SumNode>(p.get<int>("bias", 1));
    });
    registry.add<ProbeNode>("remembers the value it read");
    registry.add<FloatSourceNode>("writes 1.5");
    registry.add<SettingsNode>("one parameter of each type", [](ParamReader& p) {
        Settings s;
        s.level = p.require<std::uint8_t>("level");
        s.offset = p.get<std::int64_t>("offset", -1);
        s.scale = p.get<float>("scale", 1.0F);
        if (s.scale < 0.0F) {
            p.reject("scale", "must not be negative");
        }
        s.ratio = p.get<double>("ratio", 0.5);
        s.enabled = p.get<bool>("enabled", false);
        s.label = p.get<std::string>("label", "none");
        return std::make_unique<SettingsNode>(std::move(s));
    });
    return registry;
}

const NodeRegistry& registry() {
    static const NodeRegistry instance = makeRegistry();
    return instance;
}

constexpr std::string_view kValidGraph = R"({
  "vixen_graph": 1,
  "options": {"mode": "sequential", "workers": 2, "execute_budget": 4096, "throttle": 0.5,
              "budget": {"device_local": 1073741824, "host_visible": 7, "host_heap": 0,
                         "staging": 4096}},
  "nodes": [
    {"name": "a", "type": "Sum", "params": {"bias": 1}},
    {"name": "b", "type": "Sum", "params": {"bias": 10}},
    {"name": "probe", "type": "Probe"},
    {"name": "spare", "type": "Sum", "keep_alive": true}
  ],
  "connections": [
    {"from": "a.value", "to": "b.terms"},
    {"from": "a.value", "to": "b.terms"},
    {"from": "b.value", "to": "probe.value"}
  ]
})";

/// The probe's value after one frame of a graph that must load and compile.
int probeAfterFrame(RenderGraph& graph) {
    auto compiled = graph.compile();
    EXPECT_TRUE(compiled) << graph.report().describe(graph);
    EXPECT_TRUE(graph.frame());
    return static_cast<ProbeNode*>(graph.findNode("probe"))->seen;
}

/// The error of a document that must fail to load.
Error loadError(std::string_view json) {
    auto loaded = loadGraph(json, "scene.json", registry());
    EXPECT_FALSE(loaded) << "loaded unexpectedly:\n" << json;
    return loaded ? Error{} : loaded.error();
}

void expectMentions(const Error& error, std::initializer_list<std::string_view> fragments) {
    for (const std::string_view fragment : fragments) {
        EXPECT_NE(error.message.find(fragment), std::string::npos)
            << "missing '" << fragment << "' in:\n"
            << error.message;
    }
}

std::size_t lineCount(const std::string& text) {
    return text.empty() ? 0
                        : static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
}

/// A minimal document around the given nodes and connections.
std::string document(std::string_view nodes, std::string_view connections = "[]") {
    return fmt::format(R"({{"vixen_graph": 1, "nodes": {}, "connections": {}}})", nodes,
                       connections);
}

/// "[item(0),item(1),...]", for documents too large to write out.
template <class Item>
std::string jsonArray(std::size_t count, Item item) {
    std::string text = "[";
    for (std::size_t i = 0; i < count; ++i) {
        text += (i == 0 ? "" : ",") + item(i);
    }
    return text + "]";
}

class TempFile {
public:
    explicit TempFile(std::string_view name)
        : path_(std::filesystem::temp_directory_path() /
                fmt::format("vixen_graph_loader_{}_{}", ::getpid(), name)) {}
    ~TempFile() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// ---- loading valid graphs -------------------------------------------------------------

TEST(GraphLoaderTest, LoadsCompilesAndExecutes) {
    auto loaded = loadGraph(kValidGraph, "scene.json", registry());
    ASSERT_TRUE(loaded) << loaded.error().message;
    RenderGraph& graph = **loaded;
    EXPECT_EQ(graph.nodeCount(), 4U);
    EXPECT_EQ(graph.connections().size(), 3U);
    EXPECT_EQ(probeAfterFrame(graph), 12);
    EXPECT_TRUE(graph.keepAlive(graph.findNode("spare")->id()));
    EXPECT_FALSE(graph.keepAlive(graph.findNode("a")->id()));

    const GraphOptions& options = graph.options();
    EXPECT_EQ(options.mode, ExecutionMode::Sequential);
    EXPECT_EQ(options.workerThreads, 2U);
    EXPECT_EQ(options.executeBudgetBytes, 4096U);
    EXPECT_EQ(options.budget.memoryBytes[static_cast<std::size_t>(MemoryKind::DeviceLocal)],
              1073741824U);
    EXPECT_EQ(options.budget.memoryBytes[static_cast<std::size_t>(MemoryKind::HostVisible)], 7U);
    EXPECT_EQ(options.budget.stagingBytes, 4096U);
    EXPECT_DOUBLE_EQ(options.budget.throttleFraction, 0.5);
}

TEST(GraphLoaderTest, RunsInParallelMode) {
    const std::string json = R"({"vixen_graph": 1, "options": {"mode": "parallel", "workers": 1},
        "nodes": [{"name": "a", "type": "Sum", "params": {"bias": 3}},
                  {"name": "probe", "type": "Probe"}],
        "connections": [{"from": "a.value", "to": "probe.value"}]})";
    auto loaded = loadGraph(json, "parallel.json", registry());
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ((*loaded)->options().mode, ExecutionMode::Parallel);
    EXPECT_EQ(probeAfterFrame(**loaded), 3);
}

TEST(GraphLoaderTest, LoadsFromFile) {
    const TempFile file("valid.json");
    std::ofstream(file.path()) << kValidGraph;
    auto loaded = loadGraphFile(file.path(), registry());
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(probeAfterFrame(**loaded), 12);
}

TEST(GraphLoaderTest, OptionsLeftOutKeepTheCallersDefaults) {
    GraphOptions defaults;
    defaults.workerThreads = 3;
    defaults.executeBudgetBytes = 99;
    defaults.profileAllocations = false;
    auto loaded = loadGraph(R"({"vixen_graph": 1, "options": {"execute_budget": 5}, "nodes": []})",
                            "empty.json", registry(), defaults);
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ((*loaded)->options().workerThreads, 3U);
    EXPECT_EQ((*loaded)->options().executeBudgetBytes, 5U);
    EXPECT_FALSE((*loaded)->options().profileAllocations);
    EXPECT_EQ((*loaded)->nodeCount(), 0U);
}

TEST(GraphLoaderTest, SlotTypeMismatchIsLeftToCompile) {
    auto loaded = loadGraph(document(R"([{"name": "f", "type": "FloatSource"},
                                         {"name": "probe", "type": "Probe"}])",
                                     R"([{"from": "f.value", "to": "probe.value"}])"),
                            "mismatch.json", registry());
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_FALSE((*loaded)->compile());
    ASSERT_FALSE((*loaded)->report().errors.empty());
    EXPECT_EQ((*loaded)->report().errors.front().code, ErrorCode::TypeMismatch);
}

// ---- registry and parameters ----------------------------------------------------------

TEST(GraphLoaderTest, RegistryListsEntriesByName) {
    const auto entries = registry().entries();
    ASSERT_EQ(entries.size(), 4U);
    EXPECT_EQ(entries[0].name(), "FloatSource");
    EXPECT_EQ(entries[1].name(), "Probe");
    EXPECT_EQ(entries[2].name(), "Settings");
    EXPECT_EQ(entries[3].name(), "Sum");
    EXPECT_EQ(entries[3].description, "value = bias + sum(terms)");
    const NodeTypeEntry* sum = registry().find("Sum");
    ASSERT_NE(sum, nullptr);
    ASSERT_EQ(sum->info->inputs.size(), 1U);
    EXPECT_EQ(sum->info->inputs[0].name, "terms");
    EXPECT_EQ(sum->info->outputs[0].name, "value");
    EXPECT_EQ(registry().find("sum"), nullptr);
}

TEST(GraphLoaderTest, RegisteringATypeTwiceAsserts) {
    EXPECT_DEBUG_DEATH(
        {
            NodeRegistry twice;
            twice.add<ProbeNode>("first");
            twice.add<ProbeNode>("second");
        },
        "registered twice");
}

TEST(GraphLoaderTest, ParamReaderReadsEveryType) {
    auto loaded = loadGraph(document(R"([{"name": "s", "type": "Settings", "params": {
        "level": 255, "offset": -9000000000, "scale": 2, "ratio": 0.25, "enabled": true,
        "label": "hello"}}])"),
                            "settings.json", registry());
    ASSERT_TRUE(loaded) << loaded.error().message;
    const Settings& s = static_cast<SettingsNode*>((*loaded)->findNode("s"))->settings;
    EXPECT_EQ(s.level, 255);
    EXPECT_EQ(s.offset, -9000000000);
    EXPECT_FLOAT_EQ(s.scale, 2.0F);
    EXPECT_DOUBLE_EQ(s.ratio, 0.25);
    EXPECT_TRUE(s.enabled);
    EXPECT_EQ(s.label, "hello");
}

TEST(GraphLoaderTest, ParamErrorsNamePathNodeAndKey) {
    const Error error = loadError(document(R"([
        {"name": "s0", "type": "Settings", "params": {"level": 300}},
        {"name": "s1", "type": "Settings", "params": {"level": -1, "scale": -2}},
        {"name": "s2", "type": "Settings", "params": {"level": 2.5, "enabled": "yes"}},
        {"name": "s3", "type": "Settings", "params": {"levle": 1, "scale": 1e300}},
        {"name": "s4", "type": "Settings", "params": {"level": 1, "offset": 9223372036854775808}},
        {"name": "p", "type": "Probe", "params": {"value": 1}}])"));
    EXPECT_EQ(error.code, ErrorCode::InvalidArgument);
    expectMentions(
        error,
        {
            "scene.json: /nodes/0/params/level: parameter 'level' of node 's0' (Settings): 300 is "
            "out of range; expected an integer in [0, 255]",
            "/nodes/1/params/level: parameter 'level' of node 's1' (Settings): -1 is out of range",
            "/nodes/1/params/scale: parameter 'scale' of node 's1' (Settings): must not be "
            "negative",
            "/nodes/2/params/level: parameter 'level' of node 's2' (Settings): expected a "
            "non-negative integer, got number 2.5",
            "/nodes/2/params/enabled: parameter 'enabled' of node 's2' (Settings): expected true "
            "or "
            "false, got string \"yes\"",
            "/nodes/3/params/level: node 's3' (Settings) requires parameter 'level' (integer)",
            "/nodes/3/params/levle: unknown parameter 'levle' of node 's3' (Settings) (did you "
            "mean "
            "'level'?); known: level, offset, scale, ratio, enabled, label",
            "/nodes/3/params/scale: parameter 'scale' of node 's3' (Settings): 1e+300 is out of "
            "range",
            "/nodes/4/params/offset: parameter 'offset' of node 's4' (Settings): "
            "9223372036854775808 is out of range",
            "/nodes/5/params/value: unknown parameter 'value' of node 'p' (Probe); this type takes "
            "no parameters",
        });
    EXPECT_EQ(lineCount(error.message), 10U) << error.message;
}

// ---- one mistake at a time ------------------------------------------------------------

TEST(GraphLoaderTest, UnknownNodeTypeListsRegisteredTypes) {
    expectMentions(loadError(document(R"([{"name": "s", "type": "Sun"}])")),
                   {"scene.json: /nodes/0/type: unknown node type 'Sun' (did you mean 'Sum'?); "
                    "registered types: FloatSource, Probe, Settings, Sum"});
}

TEST(GraphLoaderTest, DuplicateNodeNameNamesTheFirst) {
    expectMentions(
        loadError(document(R"([{"name": "a", "type": "Sum"}, {"name": "a", "type": "Probe"}])")),
        {"scene.json: /nodes/1/name: duplicate node name 'a' (first at /nodes/0)"});
}

TEST(GraphLoaderTest, BadNodeNames) {
    const std::string longName(kGraphFileMaxNameBytes + 1, 'n');
    const Error error = loadError(document(fmt::format(
        R"([{{"name": "", "type": "Sum"}}, {{"name": "{}", "type": "Sum"}},
            {{"name": "a.b", "type": "Sum"}}, {{"name": 7, "type": "Sum"}}, {{"type": "Sum"}}])",
        longName)));
    expectMentions(error, {"/nodes/0/name: a node name needs 1 to 256 bytes, got 0",
                           "/nodes/1/name: a node name needs 1 to 256 bytes, got 257",
                           "/nodes/2/name: node name 'a.b' contains '.'",
                           "/nodes/3/name: expected a string, got number 7",
                           "/nodes/4: missing required key 'name'"});
}

TEST(GraphLoaderTest, EndpointMustBeNodeDotSlot) {
    const Error error = loadError(
        document(R"([{"name": "gradient", "type": "Sum"}, {"name": "p", "type": "Probe"}])",
                 R"([{"from": "gradient", "to": "p.value"}, {"from": ".value", "to": "p."},
            {"from": 3, "to": "p.value"}, {"to": "p.value"}])"));
    expectMentions(
        error,
        {
            R"(scene.json: /connections/0/from: expected "node.slot", got string "gradient")",
            R"(/connections/1/from: expected "node.slot", got string ".value")",
            R"(/connections/1/to: expected "node.slot", got string "p.")",
            "/connections/2/from: expected a string, got number 3",
            "/connections/3: missing required key 'from'",
        });
}

TEST(GraphLoaderTest, UnknownNodeInConnectionSuggestsAName) {
    expectMentions(loadError(document(R"([{"name": "blur", "type": "Sum"},
                                          {"name": "p", "type": "Probe"}])",
                                      R"([{"from": "blur.value", "to": "p.value"},
                                          {"from": "blurr.value", "to": "p.value"}])")),
                   {"scene.json: /connections/1/from: node 'blurr' not found (did you mean "
                    "'blur'?)"});
}

TEST(GraphLoaderTest, UnknownSlotsNameNodeTypeAndSlots) {
    const Error error = loadError(
        document(R"([{"name": "a", "type": "Sum"}, {"name": "p", "type": "Probe"}])",
                 R"([{"from": "a.valeu", "to": "p.value"}, {"from": "a.value", "to": "p.input"},
            {"from": "p.value", "to": "a.value"}])"));
    expectMentions(
        error,
        {
            "/connections/0/from: node 'a' (Sum) has no output slot 'valeu' (did you mean "
            "'value'?); outputs: value",
            "/connections/1/to: node 'p' (Probe) has no input slot 'input'; inputs: value",
            "/connections/2/from: slot 'value' of node 'p' (Probe) is an input; \"from\" takes an "
            "output slot (outputs: none)",
            "/connections/2/to: slot 'value' of node 'a' (Sum) is an output; \"to\" takes an input "
            "slot (inputs: terms)",
        });
}

TEST(GraphLoaderTest, UnknownKeysAreReportedEverywhere) {
    const Error error = loadError(R"({"vixen_graph": 1, "node": [],
        "options": {"mode": "sequential", "wokers": 2, "budget": {"device": 1}},
        "nodes": [{"name": "a", "type": "Sum", "keepalive": true}],
        "connections": [{"from": "a.value", "to": "a.terms", "via": "x"}]})");
    expectMentions(
        error,
        {
            "scene.json: /node: unknown top-level key 'node' (did you mean 'nodes'?); known: "
            "vixen_graph, options, nodes, connections",
            "/options/wokers: unknown option 'wokers' (did you mean 'workers'?)",
            "/options/budget/device: unknown budget key 'device'",
            "/nodes/0/keepalive: unknown node key 'keepalive' (did you mean 'keep_alive'?)",
            "/connections/0/via: unknown connection key 'via'",
        });
}

TEST(GraphLoaderTest, WrongJsonTypes) {
    expectMentions(loadError(R"({"vixen_graph": 1, "options": [], "nodes": {},
                                 "connections": "a.value"})"),
                   {"/options: expected an object, got an array",
                    "/nodes: expected an array of nodes, got an object",
                    "/connections: expected an array of connections, got string \"a.value\""});
    expectMentions(loadError(document(R"([{"name": "a", "type": "Sum", "keep_alive": "yes",
                                           "params": [1]}, 5])",
                                      "[null]")),
                   {"/nodes/0/keep_alive: expected true or false, got string \"yes\"",
                    "/nodes/0/params: expected an object, got an array",
                    "/nodes/1: expected a node object, got number 5",
                    "/connections/0: expected a connection object"});
    expectMentions(loadError(R"({"vixen_graph": 1, "nodes": [],
                                 "options": {"mode": 1, "budget": true}})"),
                   {"/options/mode: expected \"sequential\" or \"parallel\", got number 1",
                    "/options/budget: expected an object, got true"});
}

TEST(GraphLoaderTest, OptionsOutOfRange) {
    const Error error = loadError(R"({"vixen_graph": 1, "nodes": [], "options": {
        "workers": -1, "execute_budget": 1.5, "throttle": 1.5,
        "budget": {"device_local": -5, "staging": 18446744073709551616}}})");
    expectMentions(error,
                   {
                       "/options/workers: -1 is out of range; expected an integer in [0, 1024]",
                       "/options/execute_budget: expected a non-negative integer, got number 1.5",
                       "/options/throttle: 1.5 is out of range; expected a fraction in (0, 1]",
                       "/options/budget/device_local: -5 is out of range",
                       "/options/budget/staging: expected a non-negative integer, got number",
                   });
    expectMentions(loadError(R"({"vixen_graph": 1, "nodes": [],
                                 "options": {"workers": 5000, "throttle": 0}})"),
                   {"/options/workers: 5000 is out of range", "/options/throttle: 0 is out"});
}

TEST(GraphLoaderTest, VersionMissingOrUnsupported) {
    expectMentions(loadError(R"({"nodes": []})"),
                   {"scene.json: missing required key 'vixen_graph' (the format version; this "
                    "build reads 1)"});
    const Error unsupported = loadError(R"({"vixen_graph": 2, "nodes": 5, "shaders": []})");
    expectMentions(unsupported,
                   {"scene.json: /vixen_graph: unsupported format version 2; this build reads 1"});
    EXPECT_EQ(unsupported.message.find("/nodes"), std::string::npos) << unsupported.message;
    expectMentions(loadError(R"({"vixen_graph": "1", "nodes": []})"),
                   {"/vixen_graph: expected an integer, got string \"1\""});
}

TEST(GraphLoaderTest, NotJsonReportsByteOffset) {
    const Error broken = loadError(R"({"vixen_graph": 1, "nodes": [}")");
    EXPECT_EQ(broken.code, ErrorCode::ParseError);
    expectMentions(broken, {"scene.json: byte offset 29: invalid JSON: parse error at line 1"});

    const Error trailing = loadError(R"({"vixen_graph": 1, "nodes": []} x)");
    EXPECT_EQ(trailing.code, ErrorCode::ParseError);
    expectMentions(trailing, {"byte offset 32", "expected end of input"});

    expectMentions(loadError(""), {"scene.json: byte offset 0: invalid JSON"});
    expectMentions(loadError(R"({"vixen_graph": 1, "nodes": [], "x": 1e400})"),
                   {"scene.json: invalid JSON: number overflow"});
}

TEST(GraphLoaderTest, RootMustBeAnObject) {
    const Error error = loadError("[1, 2]");
    EXPECT_EQ(error.code, ErrorCode::InvalidArgument);
    expectMentions(error, {"scene.json: expected an object {\"vixen_graph\": 1, ...} at the "
                           "root, got an array"});
}

TEST(GraphLoaderTest, MissingFileIsAnIoError) {
    const TempFile file("missing.json");
    auto loaded = loadGraphFile(file.path(), registry());
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error().code, ErrorCode::IoError);
    expectMentions(loaded.error(), {file.path().string()});
}

TEST(GraphLoaderTest, OversizedFileIsRejectedBeforeReading) {
    const TempFile file("huge.json");
    std::ofstream(file.path()) << kValidGraph;
    std::filesystem::resize_file(file.path(), kGraphFileMaxBytes + 1);  // sparse: cheap
    auto loaded = loadGraphFile(file.path(), registry());
    ASSERT_FALSE(loaded);
    expectMentions(loaded.error(), {file.path().string(), "16777217 bytes", "16777216 bytes"});

    const std::string text(kGraphFileMaxBytes + 1, ' ');
    expectMentions(loadError(text), {"scene.json: 16777217 bytes, larger than the limit of "
                                     "16777216 bytes"});
}

// ---- hostile input --------------------------------------------------------------------

TEST(GraphLoaderTest, TooManyNodesAreRejectedQuickly) {
    const std::string nodes = jsonArray(200'000, [](std::size_t i) {
        return fmt::format(R"({{"name": "n{}", "type": "Sum"}})", i);
    });
    const auto start = std::chrono::steady_clock::now();
    const Error error = loadError(document(nodes));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    expectMentions(error, {"scene.json: /nodes: byte offset", "more than 100000 nodes"});
    // The pre-scan refuses it without building a tree; generous for sanitizer builds.
    EXPECT_LT(elapsed, std::chrono::seconds(2));
}

TEST(GraphLoaderTest, NodeLimitHoldsWhenTheKeyIsEscaped) {
    // "n\u006fdes" slips past the byte-level pre-scan; the parsed tree is checked too.
    const std::string nodes =
        jsonArray(kGraphFileMaxNodes + 1, [](std::size_t) { return std::string("{}"); });
    expectMentions(loadError(fmt::format(R"({{"vixen_graph": 1, "n\u006fdes": {}}})", nodes)),
                   {"scene.json: /nodes: 100001 nodes, more than the limit of 100000"});
}

TEST(GraphLoaderTest, TooManyConnectionsAreRejected) {
    const std::string connections =
        jsonArray(kGraphFileMaxConnections + 1, [](std::size_t) { return std::string("0"); });
    expectMentions(loadError(document("[]", connections)),
                   {"/connections: byte offset", "more than 1000000 connections"});
}

TEST(GraphLoaderTest, DeepNestingIsRejectedWithAnOffset) {
    const std::string prefix = R"({"vixen_graph": 1, "nodes": )";
    const std::string json = prefix + std::string(10'000, '[') + std::string(10'000, ']') + "}";
    // Depth 1 is the root object, so the 64th '[' opens level 65.
    const std::size_t offset = prefix.size() + kGraphFileMaxDepth - 1;
    expectMentions(
        loadError(json),
        {fmt::format("scene.json: byte offset {}: nesting deeper than 64 levels", offset)});
    // Brackets inside strings do not count.
    const std::string quoted =
        document(fmt::format(R"([{{"name": "{}", "type": "Sum"}}])", std::string(300, '[')));
    expectMentions(loadError(quoted), {"/nodes/0/name: a node name needs 1 to 256 bytes"});
}

TEST(GraphLoaderTest, GathersAllErrors) {
    const Error error = loadError(R"({"vixen_graph": 1, "colour": "red",
        "nodes": [{"name": "a", "type": "Sum"}, {"name": "b", "type": "Blurr"},
                  {"name": "a", "type": "Probe"}],
        "connections": [{"from": "a.value", "to": "c.terms"}]})");
    EXPECT_EQ(error.code, ErrorCode::InvalidArgument);
    EXPECT_EQ(lineCount(error.message), 4U) << error.message;
    expectMentions(error, {"scene.json: /colour: unknown top-level key 'colour'",
                           "scene.json: /nodes/1/type: unknown node type 'Blurr'",
                           "scene.json: /nodes/2/name: duplicate node name 'a'",
                           "scene.json: /connections/0/to: node 'c' not found"});
}

TEST(GraphLoaderTest, LongErrorListsAreCapped) {
    const std::string nodes = jsonArray(kGraphFileMaxListedErrors + 50, [](std::size_t i) {
        return fmt::format(R"({{"name": "n{}", "type": "Nope"}})", i);
    });
    const Error error = loadError(document(nodes));
    EXPECT_EQ(lineCount(error.message), kGraphFileMaxListedErrors + 1);
    expectMentions(error, {"scene.json: ... and 50 more errors"});
}

TEST(GraphLoaderTest, FuzzedInputNeverCrashes) {
    const std::string valid(kValidGraph);
    std::mt19937 random(1);
    std::size_t loadedCount = 0;
    for (int round = 0; round < 200; ++round) {
        std::string mutated = valid;
        const std::size_t at = random() % mutated.size();
        switch (round % 4) {
            case 0:
                mutated.resize(at);
                break;
            case 1:
                mutated[at] =
                    static_cast<char>(mutated[at] ^ static_cast<char>(1U << (random() % 8)));
                break;
            case 2:
                mutated[at] = static_cast<char>(random());
                break;
            default:
                for (std::size_t i = at; i < mutated.size() && i < at + 16; ++i) {
                    mutated[i] = static_cast<char>(random());
                }
                break;
        }
        auto loaded = loadGraph(mutated, "fuzz.json", registry());
        if (loaded) {
            ++loadedCount;
            (void)(*loaded)->compile();  // whatever it says, it must not crash
        } else {
            EXPECT_FALSE(loaded.error().message.empty()) << mutated;
        }
    }
    // Most single-byte changes break something; the loop must not have been vacuous.
    EXPECT_LT(loadedCount, 200U);
}

}  // namespace
}  // namespace vixen::graph
