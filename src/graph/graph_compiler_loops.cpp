// The loop stages of GraphCompiler. A loop's body must run as a unit (all of its nodes, in
// their order, once per step), so its nodes must be contiguous in the execution order: the
// schedule is a topological order of the graph with each loop contracted to one vertex,
// each loop then expanded into its own waves. That is possible exactly when no path leaves
// a loop and comes back into it (the loop is convex), which checkLoops verifies.
#include <algorithm>
#include <cassert>
#include <memory>
#include <numeric>
#include <string>

#include "graph_compiler.hpp"
#include "loop_schedule.hpp"
#include "vixen/graph/sub_graph.hpp"

namespace vixen::graph {
namespace {

constexpr std::uint32_t kNoLoop = UINT32_MAX;

}  // namespace

void GraphCompiler::checkLoops() {
    loops_.clear();
    for (const auto& subGraph : graph_.subGraphs_) {
        if (subGraph && subGraph->isLoop()) {
            loops_.push_back(subGraph.get());
        }
    }
    if (loops_.empty()) {
        return;
    }
    loopOf_.assign(nodeCount_, kNoLoop);
    for (std::uint32_t loop = 0; loop < loops_.size(); ++loop) {
        for (const NodeId node : loops_[loop]->nodes_) {
            loopOf_[node.value] = loop;
        }
    }
    // Per loop, a breadth-first search from the loop's kept members over the kept nodes
    // outside it; an outside node that feeds a member is on a path back in. Only kept nodes
    // count: culled ones never run. One error per loop, with the path it found.
    std::vector<std::uint32_t> reachedBy(nodeCount_, kNoLoop);  // loop whose search got there
    std::vector<std::uint32_t> cameFrom(nodeCount_, 0);
    std::vector<std::uint32_t> queue;
    for (std::uint32_t loop = 0; loop < loops_.size(); ++loop) {
        queue.clear();
        for (const NodeId member : loops_[loop]->nodes_) {
            if (kept_[member.value] == 0) {
                continue;
            }
            for (std::uint32_t e = consumerOffsets_[member.value];
                 e < consumerOffsets_[member.value + 1]; ++e) {
                const std::uint32_t consumer = consumers_[e];
                if (kept_[consumer] != 0 && loopOf_[consumer] != loop &&
                    reachedBy[consumer] != loop) {
                    reachedBy[consumer] = loop;
                    cameFrom[consumer] = member.value;
                    queue.push_back(consumer);
                }
            }
        }
        bool convex = true;
        for (std::size_t head = 0; head < queue.size() && convex; ++head) {
            const std::uint32_t outside = queue[head];
            for (std::uint32_t e = consumerOffsets_[outside]; e < consumerOffsets_[outside + 1];
                 ++e) {
                const std::uint32_t consumer = consumers_[e];
                if (kept_[consumer] == 0) {
                    continue;
                }
                if (loopOf_[consumer] == loop) {
                    reportNonConvexLoop(loop, outside, consumer, cameFrom);
                    convex = false;
                    break;
                }
                if (reachedBy[consumer] != loop) {
                    reachedBy[consumer] = loop;
                    cameFrom[consumer] = outside;
                    queue.push_back(consumer);
                }
            }
        }
        loopsConvex_ = loopsConvex_ && convex;
    }
}

void GraphCompiler::reportNonConvexLoop(std::uint32_t loop, std::uint32_t outside,
                                        std::uint32_t reentry,
                                        const std::vector<std::uint32_t>& cameFrom) {
    // Walk back from the last outside node to the member the path left from.
    std::vector<std::uint32_t> path{reentry};
    std::uint32_t at = outside;
    while (loopOf_[at] != loop) {
        path.push_back(at);
        at = cameFrom[at];
    }
    path.push_back(at);
    std::string route;
    std::string through;
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
        route += fmt::format("{}'{}'", route.empty() ? "" : " -> ", nodeAt(*it).name());
        if (loopOf_[*it] != loop) {
            through += fmt::format("{}'{}'", through.empty() ? "" : ", ", nodeAt(*it).name());
        }
    }
    error(Error{ErrorCode::Cycle,
                fmt::format("loop '{}' is not convex: {} leaves the loop and comes back "
                            "through {}, so its body cannot run as one unit; move {} into the "
                            "loop or off that path",
                            loops_[loop]->path(), route, through, through)});
}

void GraphCompiler::scheduleLoopWaves() {
    // Runs on an acyclic graph: with convex loops the contracted graph is acyclic too.
    if (loops_.empty() || !loopsConvex_) {
        return;
    }
    const auto loopCount = static_cast<std::uint32_t>(loops_.size());
    const auto unitOf = [this](std::uint32_t node) {
        return loopOf_[node] == kNoLoop ? node : nodeCount_ + loopOf_[node];
    };
    // Each loop's kept members, in topological order.
    loopMemberOffsets_.assign(loopCount + 2, 0);
    for (const std::uint32_t node : topologicalOrder_) {
        if (kept_[node] != 0 && loopOf_[node] != kNoLoop) {
            ++loopMemberOffsets_[loopOf_[node] + 2];
        }
    }
    std::partial_sum(loopMemberOffsets_.begin(), loopMemberOffsets_.end(),
                     loopMemberOffsets_.begin());
    loopMembers_.resize(loopMemberOffsets_.back());
    for (const std::uint32_t node : topologicalOrder_) {
        if (kept_[node] != 0 && loopOf_[node] != kNoLoop) {
            loopMembers_[loopMemberOffsets_[loopOf_[node] + 1]++] = node;
        }
    }
    loopMemberOffsets_.pop_back();

    // Kahn's algorithm over units (a node outside loops, or a whole loop), with levels.
    std::vector<std::uint32_t> pending(nodeCount_ + loopCount, 0);
    for (const std::uint32_t node : keptNodes_) {
        for (std::uint32_t e = consumerOffsets_[node]; e < consumerOffsets_[node + 1]; ++e) {
            const std::uint32_t consumer = consumers_[e];
            if (kept_[consumer] != 0 && unitOf(consumer) != unitOf(node)) {
                ++pending[unitOf(consumer)];
            }
        }
    }
    std::vector<std::uint32_t> queue;
    queue.reserve(keptNodes_.size());
    for (const std::uint32_t node : keptNodes_) {
        if (loopOf_[node] == kNoLoop && pending[node] == 0) {
            queue.push_back(node);
        }
    }
    std::uint32_t units = static_cast<std::uint32_t>(keptNodes_.size());
    for (std::uint32_t loop = 0; loop < loopCount; ++loop) {
        const std::uint32_t members = loopMemberOffsets_[loop + 1] - loopMemberOffsets_[loop];
        units -= members == 0 ? 0 : members - 1;
        if (members != 0 && pending[nodeCount_ + loop] == 0) {
            queue.push_back(nodeCount_ + loop);
        }
    }
    std::vector<std::uint32_t> unitLevel(nodeCount_ + loopCount, 0);
    const auto release = [&](std::uint32_t unit, std::uint32_t node) {
        for (std::uint32_t e = consumerOffsets_[node]; e < consumerOffsets_[node + 1]; ++e) {
            const std::uint32_t consumer = consumers_[e];
            const std::uint32_t next = unitOf(consumer);
            if (kept_[consumer] == 0 || next == unit) {
                continue;
            }
            unitLevel[next] = std::max(unitLevel[next], unitLevel[unit] + 1);
            if (--pending[next] == 0) {
                queue.push_back(next);
            }
        }
    };
    for (std::size_t head = 0; head < queue.size(); ++head) {
        const std::uint32_t unit = queue[head];
        if (unit < nodeCount_) {
            release(unit, unit);
            continue;
        }
        const std::uint32_t loop = unit - nodeCount_;
        for (std::uint32_t m = loopMemberOffsets_[loop]; m < loopMemberOffsets_[loop + 1]; ++m) {
            release(unit, loopMembers_[m]);
        }
    }
    assert(queue.size() == units && "convex loops in an acyclic graph contract acyclically");
    static_cast<void>(units);

    // Inside each loop, a member's wave is one past its latest producer in the loop.
    std::vector<std::uint32_t> innerLevel(nodeCount_, 0);
    loopWaveCount_.assign(loopCount, 0);
    for (const std::uint32_t member : loopMembers_) {
        const std::uint32_t loop = loopOf_[member];
        loopWaveCount_[loop] = std::max(loopWaveCount_[loop], innerLevel[member] + 1);
        for (std::uint32_t e = consumerOffsets_[member]; e < consumerOffsets_[member + 1]; ++e) {
            const std::uint32_t consumer = consumers_[e];
            if (kept_[consumer] != 0 && loopOf_[consumer] == loop) {
                innerLevel[consumer] = std::max(innerLevel[consumer], innerLevel[member] + 1);
            }
        }
    }

    // Level by level: one wave for the nodes outside loops, then each loop's waves. Units
    // of one level are independent, so this order is topological.
    std::uint32_t levels = 0;
    for (const std::uint32_t unit : queue) {
        levels = std::max(levels, unitLevel[unit] + 1);
    }
    std::vector<std::uint32_t> plainWave(levels, kNoLoop);
    for (const std::uint32_t node : keptNodes_) {
        if (loopOf_[node] == kNoLoop) {
            plainWave[unitLevel[node]] = 0;
        }
    }
    std::vector<std::uint32_t> loopsByLevel;
    for (std::uint32_t loop = 0; loop < loopCount; ++loop) {
        if (loopWaveCount_[loop] != 0) {
            loopsByLevel.push_back(loop);
        }
    }
    std::stable_sort(loopsByLevel.begin(), loopsByLevel.end(),
                     [&](std::uint32_t a, std::uint32_t b) {
                         return unitLevel[nodeCount_ + a] < unitLevel[nodeCount_ + b];
                     });
    loopFirstWave_.assign(loopCount, 0);
    std::uint32_t wave = 0;
    auto nextLoop = loopsByLevel.begin();
    for (std::uint32_t level = 0; level < levels; ++level) {
        if (plainWave[level] != kNoLoop) {
            plainWave[level] = wave++;
        }
        for (; nextLoop != loopsByLevel.end() && unitLevel[nodeCount_ + *nextLoop] == level;
             ++nextLoop) {
            loopFirstWave_[*nextLoop] = wave;
            wave += loopWaveCount_[*nextLoop];
        }
    }
    // scheduleWaves and planTransientLifetimes place nodes by these waves.
    for (const std::uint32_t node : keptNodes_) {
        const std::uint32_t loop = loopOf_[node];
        level_[node] =
            loop == kNoLoop ? plainWave[unitLevel[node]] : loopFirstWave_[loop] + innerLevel[node];
    }
}

void GraphCompiler::publishLoopSchedule() {
    if (loops_.empty()) {
        graph_.loopSchedule_.reset();
        return;
    }
    auto schedule = std::make_unique<RenderGraph::LoopSchedule>();
    std::vector<std::uint32_t> loopStarting(report_.waveCount(), kNoLoop);
    for (std::uint32_t loop = 0; loop < loops_.size(); ++loop) {
        if (loopWaveCount_[loop] == 0) {
            continue;  // every member culled: nothing to run or decide
        }
        loopStarting[loopFirstWave_[loop]] = loop;
        LoopState& state = *loops_[loop]->loop_;
        schedule->loops.push_back(&state);
        schedule->readsClock = schedule->readsClock || state.policy().rate == LoopRate::FixedStep;
        // Every step takes its members' frame scratch again.
        const std::uint32_t extraSteps = state.policy().maxSteps() - 1;
        for (std::uint32_t m = loopMemberOffsets_[loop]; m < loopMemberOffsets_[loop + 1]; ++m) {
            const std::uint64_t bytes = graph_.estimates_[loopMembers_[m]].frameScratchBytes;
            if (bytes != 0) {
                report_.totalEstimate.frameScratchBytes += extraSteps * bytes;
                report_.frameScratchUsers += extraSteps;
            }
        }
    }
    auto& blocks = schedule->blocks;
    for (std::uint32_t wave = 0; wave < loopStarting.size();) {
        const std::uint32_t loop = loopStarting[wave];
        if (loop != kNoLoop) {
            blocks.push_back({wave, wave + loopWaveCount_[loop], &*loops_[loop]->loop_});
            wave += loopWaveCount_[loop];
        } else if (!blocks.empty() && blocks.back().loop == nullptr) {
            blocks.back().endWave = ++wave;
        } else {
            blocks.push_back({wave, wave + 1, nullptr});
            ++wave;
        }
    }
    graph_.loopSchedule_ = std::move(schedule);
}

}  // namespace vixen::graph
