#include "vixen/events/event_bus.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <thread>
#include <vector>

#include "vixen/core/alloc_tracker.hpp"

namespace vixen::events {
namespace {

struct Ping {
    static constexpr EventCategory kCategory = category::kUser;
    std::int32_t value = 0;
};

struct KeyPressed {
    static constexpr EventCategory kCategory = category::kInput;
    std::uint32_t key = 0;
};

struct SwapchainInvalidated {
    static constexpr EventCategory kCategory = category::kSwapchain;
    std::uint32_t width = 0;
    std::uint32_t height = 0;
};

struct FramebufferInvalidated {
    static constexpr EventCategory kCategory = category::kFramebuffer;
    std::uint32_t width = 0;
    std::uint32_t height = 0;
};

struct RenderPassInvalidated {
    static constexpr EventCategory kCategory = category::kRenderPass;
    std::uint32_t generation = 0;
};

struct WindowResized {
    static constexpr EventCategory kCategory = category::kWindow;
    using Implies = EventList<SwapchainInvalidated, FramebufferInvalidated, RenderPassInvalidated>;
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::uint32_t generation = 0;

    explicit operator SwapchainInvalidated() const { return {width, height}; }
    // Distinct values per conversion, so a test can tell which one a handler received.
    explicit operator FramebufferInvalidated() const { return {width + 1, height + 1}; }
    explicit operator RenderPassInvalidated() const { return {generation}; }
};

struct Tagged {  // one event from a worker thread
    static constexpr EventCategory kCategory = category::kUser;
    std::uint32_t thread = 0;
    std::uint32_t sequence = 0;
};

struct Tiny {
    static constexpr EventCategory kCategory = category::kUser;
    std::uint8_t value = 0;
};

struct alignas(16) Wide {  // over-aligned, and the largest size at that alignment
    static constexpr EventCategory kCategory = category::kUser;
    std::array<std::uint32_t, 12> values{};
};

struct Largest {
    static constexpr EventCategory kCategory = category::kUser;
    std::array<std::uint64_t, kMaxEventSize / 8> values{};
};

struct NotTrivial {
    static constexpr EventCategory kCategory = category::kUser;
    std::vector<int> values;
};
struct NoCategory {
    int value = 0;
};

static_assert(Event<Ping> && Event<WindowResized>);
static_assert(!Event<NotTrivial> && !Event<NoCategory> && !Event<int>);
static_assert(CompositeEvent<WindowResized> && !CompositeEvent<SwapchainInvalidated>);

TEST(EventTypeTest, IdsAreDenseAndNamesReadable) {
    const std::array ids{eventTypeId<Ping>(), eventTypeId<KeyPressed>(),
                         eventTypeId<SwapchainInvalidated>(), eventTypeId<WindowResized>()};
    for (std::size_t i = 0; i < ids.size(); ++i) {
        EXPECT_LT(ids[i], detail::registeredEventTypes());
        for (std::size_t j = i + 1; j < ids.size(); ++j) {
            EXPECT_NE(ids[i], ids[j]);
        }
    }
    EXPECT_EQ(eventTypeId<Ping>(), eventTypeId<Ping>());
    // GCC spells a type in an anonymous namespace "{anonymous}::WindowResized".
    const std::string_view name = eventTypeName<WindowResized>();
    EXPECT_TRUE(name.ends_with("::WindowResized")) << name;
    EXPECT_EQ(name.find_first_of(";[]= "), std::string_view::npos) << name;
    EXPECT_EQ(EventView(eventTypeId<Ping>(), nullptr).typeName(), eventTypeName<Ping>());
}

TEST(EventBusTest, TypedSubscriberReceivesPayloadOnlyOnDispatch) {
    EventBus bus;
    std::vector<std::int32_t> seen;
    bus.subscribe<Ping>(bus.newSubscriber(),
                        [&seen](const Ping& ping) { seen.push_back(ping.value); });
    ASSERT_TRUE(bus.emit(Ping{7}));
    ASSERT_TRUE(bus.emit(KeyPressed{1}));  // nobody listens: delivered to no one
    EXPECT_TRUE(seen.empty());
    const DispatchReport report = bus.dispatch();
    EXPECT_EQ(seen, std::vector<std::int32_t>{7});
    EXPECT_EQ(report.delivered, 2U);
    EXPECT_EQ(report.handlerCalls, 1U);
    EXPECT_EQ(report.dropped, 0U);
    EXPECT_EQ(report.capacity, EventBus::kDefaultEventsPerFrame);
    EXPECT_EQ(bus.dispatch().delivered, 0U);
}

TEST(EventBusTest, CategorySubscriberMatchesMaskAndViewsEvent) {
    EventBus bus;
    std::vector<std::uint32_t> types;
    std::vector<std::uint32_t> keys;
    std::vector<std::int32_t> typedPings;
    const SubscriberId logger = bus.newSubscriber();
    bus.subscribeCategory(logger, category::kInput | category::kUser, [&](const EventView& view) {
        types.push_back(view.typeId());
        EXPECT_NE(view.category() & (category::kInput | category::kUser), 0U);
        if (const auto* key = view.as<KeyPressed>()) {
            EXPECT_EQ(view.as<Ping>(), nullptr);
            keys.push_back(key->key);
        }
    });
    // Another owner listens to Ping both ways: the typed subscription wins, once.
    const SubscriberId node = bus.newSubscriber();
    int nodeViews = 0;
    bus.subscribeCategory(node, category::kUser, [&nodeViews](const EventView&) { ++nodeViews; });
    bus.subscribe<Ping>(node,
                        [&typedPings](const Ping& ping) { typedPings.push_back(ping.value); });

    ASSERT_TRUE(bus.emit(KeyPressed{42}));
    ASSERT_TRUE(bus.emit(Ping{3}));
    ASSERT_TRUE(bus.emit(SwapchainInvalidated{1, 1}));  // matches no mask
    EXPECT_EQ(bus.dispatch().handlerCalls, 3U);
    EXPECT_EQ(types, (std::vector{eventTypeId<KeyPressed>(), eventTypeId<Ping>()}));
    EXPECT_EQ(keys, std::vector<std::uint32_t>{42});
    EXPECT_EQ(typedPings, std::vector<std::int32_t>{3});
    EXPECT_EQ(nodeViews, 0);
}

TEST(EventBusTest, DeferredEventsArriveInFifoOrder) {
    EventBus bus(256);
    std::vector<std::int32_t> seen;
    const SubscriberId owner = bus.newSubscriber();
    bus.subscribe<Ping>(owner, [&seen](const Ping& ping) { seen.push_back(ping.value); });
    bus.subscribe<KeyPressed>(owner, [&seen](const KeyPressed& key) {
        seen.push_back(-static_cast<std::int32_t>(key.key));
    });
    std::vector<std::int32_t> expected;
    for (std::int32_t i = 1; i <= 200; ++i) {
        if (i % 3 == 0) {
            ASSERT_TRUE(bus.emit(KeyPressed{static_cast<std::uint32_t>(i)}));
            expected.push_back(-i);
        } else {
            ASSERT_TRUE(bus.emit(Ping{i}));
            expected.push_back(i);
        }
    }
    const DispatchReport report = bus.dispatch();
    EXPECT_EQ(seen, expected);
    EXPECT_EQ(report.delivered, 200U);
    EXPECT_EQ(report.peakQueueDepth, 200U);
}

TEST(EventBusTest, MixedSizesAndAlignmentsSurviveTheRingWrapping) {
    EventBus bus(8);
    const SubscriberId owner = bus.newSubscriber();
    std::vector<std::uint64_t> seen;
    bool aligned = true;
    bus.subscribe<Tiny>(owner, [&seen](const Tiny& e) { seen.push_back(e.value); });
    bus.subscribe<Wide>(owner, [&seen, &aligned](const Wide& e) {
        aligned = aligned && reinterpret_cast<std::uintptr_t>(&e) % alignof(Wide) == 0;
        seen.push_back(e.values.front() + e.values.back());
    });
    bus.subscribe<Largest>(
        owner, [&seen](const Largest& e) { seen.push_back(e.values.front() * e.values.back()); });
    std::vector<std::uint64_t> expected;
    for (std::uint32_t frame = 0; frame < 50; ++frame) {  // many laps of an 8-event ring
        for (std::uint32_t i = 0; i < 8; ++i) {
            const std::uint32_t v = frame * 8 + i;
            if (i % 3 == 0) {
                ASSERT_TRUE(bus.emit(Tiny{static_cast<std::uint8_t>(v)}));
                expected.push_back(static_cast<std::uint8_t>(v));
            } else if (i % 3 == 1) {
                Wide wide;
                wide.values.front() = v;
                wide.values.back() = 1;
                ASSERT_TRUE(bus.emit(wide));
                expected.push_back(v + 1);
            } else {
                Largest largest;
                largest.values.front() = v;
                largest.values.back() = 3;
                ASSERT_TRUE(bus.emit(largest));
                expected.push_back(std::uint64_t{v} * 3);
            }
        }
        EXPECT_FALSE(bus.emit(Tiny{}));  // the ninth does not fit, whatever the sizes
        EXPECT_EQ(bus.dispatch().delivered, 8U);
    }
    EXPECT_EQ(seen, expected);
    EXPECT_TRUE(aligned);
}

TEST(EventBusTest, PublishDeliversImmediatelyWithoutQueueing) {
    EventBus bus;
    std::vector<std::int32_t> seen;
    bus.subscribe<Ping>(bus.newSubscriber(),
                        [&seen](const Ping& ping) { seen.push_back(ping.value); });
    ASSERT_TRUE(bus.emit(Ping{1}));
    EXPECT_EQ(bus.publish(Ping{2}), 1U);
    EXPECT_EQ(seen, std::vector<std::int32_t>{2});  // the queued one waits for dispatch
    EXPECT_EQ(bus.dispatch().delivered, 1U);
    EXPECT_EQ(seen, (std::vector<std::int32_t>{2, 1}));
}

// Which payload each owner received from one WindowResized{640, 480, 9}.
struct CompositeLog {
    std::vector<WindowResized> composite;
    std::vector<SwapchainInvalidated> swapchain;
    std::vector<FramebufferInvalidated> framebuffer;
    std::vector<RenderPassInvalidated> renderPass;
    std::vector<std::uint32_t> viewTypes;
    int bothInvalidations = 0;  // the owner subscribed to swapchain and framebuffer
    int compositeAndImplied = 0;
};

void subscribeCompositeOwners(EventBus& bus, CompositeLog& log) {
    const SubscriberId twoImplied = bus.newSubscriber();  // framebuffer first, then swapchain
    bus.subscribe<FramebufferInvalidated>(twoImplied, [&log](const FramebufferInvalidated& e) {
        ++log.bothInvalidations;
        log.framebuffer.push_back(e);
    });
    bus.subscribe<SwapchainInvalidated>(twoImplied, [&log](const SwapchainInvalidated& e) {
        ++log.bothInvalidations;
        log.swapchain.push_back(e);
    });
    const SubscriberId whole = bus.newSubscriber();  // the composite beats its implied types
    bus.subscribe<RenderPassInvalidated>(
        whole, [&log](const RenderPassInvalidated&) { ++log.compositeAndImplied; });
    bus.subscribe<WindowResized>(whole, [&log](const WindowResized& e) {
        ++log.compositeAndImplied;
        log.composite.push_back(e);
    });
    bus.subscribe<RenderPassInvalidated>(
        bus.newSubscriber(),
        [&log](const RenderPassInvalidated& e) { log.renderPass.push_back(e); });
    // By category: matches an implied category, receives the composite itself.
    bus.subscribeCategory(
        bus.newSubscriber(), category::kFramebuffer | category::kRenderPass,
        [&log](const EventView& view) { log.viewTypes.push_back(view.typeId()); });
    bus.subscribe<Ping>(bus.newSubscriber(), [](const Ping&) { ADD_FAILURE() << "not implied"; });
}

void expectEachOwnerOnce(const CompositeLog& log) {
    EXPECT_EQ(log.bothInvalidations, 1);
    ASSERT_EQ(log.swapchain.size(), 1U);  // Implies order, not subscription order, picks it
    EXPECT_EQ(log.swapchain[0].width, 640U);
    EXPECT_EQ(log.swapchain[0].height, 480U);
    EXPECT_TRUE(log.framebuffer.empty());
    EXPECT_EQ(log.compositeAndImplied, 1);
    ASSERT_EQ(log.composite.size(), 1U);
    EXPECT_EQ(log.composite[0].generation, 9U);
    ASSERT_EQ(log.renderPass.size(), 1U);
    EXPECT_EQ(log.renderPass[0].generation, 9U);
    EXPECT_EQ(log.viewTypes, std::vector<std::uint32_t>{eventTypeId<WindowResized>()});
}

TEST(EventBusTest, DispatchedCompositeCallsEachOwnerOnce) {
    EventBus bus;
    CompositeLog log;
    subscribeCompositeOwners(bus, log);
    ASSERT_TRUE(bus.emit(WindowResized{640, 480, 9}));
    const DispatchReport report = bus.dispatch();
    EXPECT_EQ(report.delivered, 1U);
    EXPECT_EQ(report.handlerCalls, 4U);
    expectEachOwnerOnce(log);
}

TEST(EventBusTest, PublishedCompositeCallsEachOwnerOnce) {
    EventBus bus;
    CompositeLog log;
    subscribeCompositeOwners(bus, log);
    EXPECT_EQ(bus.publish(WindowResized{640, 480, 9}), 4U);
    expectEachOwnerOnce(log);
}

TEST(EventBusTest, ImpliedEventEmittedAloneReachesOnlyItsSubscribers) {
    EventBus bus;
    CompositeLog log;
    subscribeCompositeOwners(bus, log);
    ASSERT_TRUE(bus.emit(FramebufferInvalidated{5, 6}));
    EXPECT_EQ(bus.dispatch().handlerCalls, 2U);
    ASSERT_EQ(log.framebuffer.size(), 1U);
    EXPECT_EQ(log.framebuffer[0].width, 5U);
    EXPECT_TRUE(log.composite.empty());
    EXPECT_EQ(log.viewTypes, std::vector<std::uint32_t>{eventTypeId<FramebufferInvalidated>()});
}

TEST(EventBusTest, HandlerEmitsAreDeliveredInTheSameDispatchAfterQueuedOnes) {
    EventBus bus;
    std::vector<std::int32_t> order;
    const SubscriberId owner = bus.newSubscriber();
    bus.subscribe<KeyPressed>(owner, [&bus, &order](const KeyPressed& key) {
        order.push_back(-static_cast<std::int32_t>(key.key));
        EXPECT_TRUE(bus.emit(Ping{static_cast<std::int32_t>(key.key) * 10}));
    });
    bus.subscribe<Ping>(owner, [&order](const Ping& ping) { order.push_back(ping.value); });
    ASSERT_TRUE(bus.emit(KeyPressed{1}));
    ASSERT_TRUE(bus.emit(Ping{2}));
    ASSERT_TRUE(bus.emit(KeyPressed{3}));
    const DispatchReport report = bus.dispatch();
    EXPECT_EQ(order, (std::vector<std::int32_t>{-1, 2, -3, 10, 30}));
    EXPECT_EQ(report.delivered, 5U);
    EXPECT_EQ(report.deferred, 0U);
}

TEST(EventBusTest, SelfFeedingCascadeStopsAtTheRoundLimit) {
    EventBus bus;
    int calls = 0;
    bus.subscribe<Ping>(bus.newSubscriber(), [&bus, &calls](const Ping& ping) {
        ++calls;
        EXPECT_TRUE(bus.emit(Ping{ping.value + 1}));
    });
    ASSERT_TRUE(bus.emit(Ping{0}));
    const DispatchReport first = bus.dispatch();
    EXPECT_EQ(first.delivered, EventBus::kMaxDispatchRounds);
    EXPECT_EQ(first.deferred, 1U);
    EXPECT_EQ(calls, static_cast<int>(EventBus::kMaxDispatchRounds));
    EXPECT_EQ(bus.dispatch().delivered, EventBus::kMaxDispatchRounds);  // it carries on, bounded
}

TEST(EventBusTest, WorkerThreadEmitsAreDeliveredOnceOnTheOwnerThread) {
    constexpr std::uint32_t kThreads = 3;
    constexpr std::uint32_t kPerThread = 2000;
    EventBus bus(kThreads * kPerThread);
    std::array<std::uint32_t, kThreads> received{};
    std::array<std::uint32_t, kThreads> nextSequence{};
    bool inOrder = true;
    bool onOwner = true;
    bus.subscribe<Tagged>(bus.newSubscriber(), [&](const Tagged& event) {
        onOwner = onOwner && bus.isOwnerThread();
        inOrder = inOrder && event.sequence == nextSequence[event.thread];
        nextSequence[event.thread] = event.sequence + 1;
        ++received[event.thread];
    });
    std::atomic<std::uint32_t> accepted{0};
    std::atomic<std::uint32_t> finished{0};
    std::vector<std::thread> workers;
    for (std::uint32_t t = 0; t < kThreads; ++t) {
        workers.emplace_back([&, t] {
            EXPECT_FALSE(bus.isOwnerThread());
            for (std::uint32_t i = 0; i < kPerThread; ++i) {
                accepted.fetch_add(bus.emit(Tagged{t, i}) ? 1U : 0U, std::memory_order_relaxed);
            }
            finished.fetch_add(1);
        });
    }
    std::size_t delivered = 0;
    while (finished.load() < kThreads) {  // dispatch while they emit
        delivered += bus.dispatch().delivered;
    }
    for (std::thread& worker : workers) {
        worker.join();
    }
    delivered += bus.dispatch().delivered;
    EXPECT_EQ(accepted.load(), kThreads * kPerThread);
    EXPECT_EQ(delivered, kThreads * kPerThread);
    for (std::uint32_t t = 0; t < kThreads; ++t) {
        EXPECT_EQ(received[t], kPerThread) << "thread " << t;
    }
    EXPECT_TRUE(inOrder);
    EXPECT_TRUE(onOwner);
}

// dispatch() delivers the owner thread's events inline and carries on out of line only when
// there is more: these pin down that both report the same.
TEST(EventBusTest, OwnerOnlyDispatchReportsEveryField) {
    EventBus bus(16);
    int pings = 0;
    int views = 0;
    bus.subscribe<Ping>(bus.newSubscriber(), [&pings](const Ping&) { ++pings; });
    bus.subscribeCategory(bus.newSubscriber(), category::kUser,
                          [&views](const EventView&) { ++views; });
    const DispatchReport empty = bus.dispatch();  // builds the lists, delivers nothing
    EXPECT_EQ(empty.delivered, 0U);
    EXPECT_EQ(empty.handlerCalls, 0U);
    EXPECT_EQ(empty.dropped, 0U);
    EXPECT_EQ(empty.deferred, 0U);
    EXPECT_EQ(empty.capacity, 16U);
    EXPECT_EQ(empty.peakQueueDepth, 0U);
    for (std::int32_t i = 0; i < 5; ++i) {
        ASSERT_TRUE(bus.emit(Ping{i}));
    }
    ASSERT_TRUE(bus.emit(KeyPressed{1}));  // no subscriber
    const DispatchReport report = bus.dispatch();
    EXPECT_EQ(report.delivered, 6U);
    EXPECT_EQ(report.handlerCalls, 10U);  // two owners per Ping
    EXPECT_EQ(report.dropped, 0U);
    EXPECT_EQ(report.deferred, 0U);
    EXPECT_EQ(report.capacity, 16U);
    EXPECT_EQ(report.peakQueueDepth, 6U);
    EXPECT_EQ(pings, 5);
    EXPECT_EQ(views, 5);
    EXPECT_TRUE(bus.idle());
}

TEST(EventBusTest, WorkerEmitsDuringTheFirstRoundArriveInTheSameDispatch) {
    EventBus bus(4);
    std::vector<std::int32_t> seen;
    bus.subscribe<KeyPressed>(bus.newSubscriber(), [&bus](const KeyPressed&) {
        // While the owner thread's events are being delivered, another thread fills its queue
        // and overflows it: round 1 still takes its events, and the report its drops.
        std::thread([&bus] {
            for (std::int32_t i = 0; i < 6; ++i) {
                (void)bus.emit(Ping{100 + i});
            }
        }).join();
    });
    bus.subscribe<Ping>(bus.newSubscriber(),
                        [&seen](const Ping& ping) { seen.push_back(ping.value); });
    ASSERT_TRUE(bus.emit(KeyPressed{1}));
    ASSERT_TRUE(bus.emit(Ping{1}));
    const DispatchReport report = bus.dispatch();
    EXPECT_EQ(seen, (std::vector<std::int32_t>{1, 100, 101, 102, 103}));
    EXPECT_EQ(report.delivered, 6U);
    EXPECT_EQ(report.handlerCalls, 6U);
    EXPECT_EQ(report.dropped, 2U);
    EXPECT_EQ(report.peakQueueDepth, 6U);
    EXPECT_EQ(bus.dispatch().dropped, 0U);  // counted once
}

TEST(EventBusTest, OverflowIsReportedWithCountsAndAllocatesNothing) {
    EventBus bus(4);
    int calls = 0;
    bus.subscribe<Ping>(bus.newSubscriber(), [&calls](const Ping&) { ++calls; });
    bus.reserve(4);  // after subscribing, so the dispatch lists are built here, not in dispatch()
    std::array<bool, 6> accepted{};
    DispatchReport report;
    {
        const core::NoAllocationGuard guard;
        for (std::size_t i = 0; i < accepted.size(); ++i) {
            accepted[i] = bus.emit(Ping{static_cast<std::int32_t>(i)});
        }
        report = bus.dispatch();
        ASSERT_TRUE(guard.ok()) << guard.describe();
    }
    EXPECT_EQ(accepted, (std::array{true, true, true, true, false, false}));
    EXPECT_EQ(calls, 4);
    EXPECT_EQ(report.delivered, 4U);
    EXPECT_EQ(report.dropped, 2U);
    EXPECT_EQ(report.capacity, 4U);

    const Result<void> overflow = bus.takeOverflowError();
    ASSERT_FALSE(overflow.has_value());
    EXPECT_EQ(overflow.error().code, ErrorCode::CapacityExceeded);
    EXPECT_EQ(overflow.error().message,
              "event queue overflow: 2 events dropped since the last check (2 emitted on the "
              "owner thread, 0 from other threads), capacity 4 per queue (raise the "
              "events-per-frame estimate)");
    EXPECT_TRUE(bus.takeOverflowError().has_value());  // the count was cleared
}

TEST(EventBusTest, WorkerOverflowIsCounted) {
    EventBus bus(4);
    std::uint32_t accepted = 0;
    std::thread([&] {
        for (std::int32_t i = 0; i < 10; ++i) {
            accepted += bus.emit(Ping{i}) ? 1U : 0U;
        }
    }).join();
    EXPECT_EQ(accepted, 4U);
    const DispatchReport report = bus.dispatch();
    EXPECT_EQ(report.delivered, 4U);
    EXPECT_EQ(report.dropped, 6U);
    const Result<void> overflow = bus.takeOverflowError();
    ASSERT_FALSE(overflow.has_value());
    EXPECT_NE(overflow.error().message.find("6 events dropped"), std::string::npos);
    EXPECT_NE(overflow.error().message.find("6 from other threads"), std::string::npos);
}

TEST(EventBusTest, BusWorksNormallyAfterOverflow) {
    EventBus bus(2);
    std::int32_t sum = 0;
    bus.subscribe<Ping>(bus.newSubscriber(), [&sum](const Ping& ping) { sum += ping.value; });
    EXPECT_TRUE(bus.emit(Ping{1}));
    EXPECT_TRUE(bus.emit(Ping{2}));
    EXPECT_FALSE(bus.emit(Ping{100}));
    EXPECT_EQ(bus.dispatch().dropped, 1U);
    EXPECT_EQ(sum, 3);
    EXPECT_TRUE(bus.emit(Ping{10}));
    EXPECT_TRUE(bus.emit(Ping{20}));
    const DispatchReport report = bus.dispatch();
    EXPECT_EQ(report.delivered, 2U);
    EXPECT_EQ(report.dropped, 0U);
    EXPECT_EQ(sum, 33);
    bus.reserve(100);  // the remedy the error message asks for
    EXPECT_EQ(bus.capacity(), 128U);
    for (std::int32_t i = 0; i < 100; ++i) {
        ASSERT_TRUE(bus.emit(Ping{1}));
    }
    EXPECT_EQ(bus.dispatch().delivered, 100U);
    EXPECT_EQ(sum, 133);
}

TEST(EventBusTest, SteadyStateEmitDispatchAndPublishAllocateNothing) {
    EventBus bus;
    std::uint32_t sum = 0;  // the handlers themselves allocate nothing either
    const SubscriberId node = bus.newSubscriber();
    bus.subscribe<SwapchainInvalidated>(node,
                                        [&sum](const SwapchainInvalidated& e) { sum += e.width; });
    bus.subscribe<FramebufferInvalidated>(node,
                                          [&sum](const FramebufferInvalidated&) { sum += 1000; });
    bus.subscribe<WindowResized>(bus.newSubscriber(),
                                 [&sum](const WindowResized& e) { sum += e.generation; });
    bus.subscribeCategory(bus.newSubscriber(), category::kInput | category::kRenderPass,
                          [&sum](const EventView& view) {
                              if (const auto* key = view.as<KeyPressed>()) {
                                  sum += key->key;
                              }
                          });
    bus.reserve(64);  // builds the dispatch lists too
    const core::NoAllocationGuard guard;
    for (std::uint32_t frame = 0; frame < 10; ++frame) {
        EXPECT_TRUE(bus.emit(KeyPressed{1}));
        EXPECT_TRUE(bus.emit(WindowResized{20, 0, 300}));
        bus.publish(KeyPressed{4000});
        bus.publish(RenderPassInvalidated{});
        EXPECT_EQ(bus.dispatch().handlerCalls, 4U);
    }
    EXPECT_TRUE(guard.ok()) << guard.describe();
    EXPECT_EQ(sum, 10U * (1 + 20 + 300 + 4000));
}

TEST(EventBusTest, UnsubscribeStopsDelivery) {
    EventBus bus;
    int typed = 0;
    int viewed = 0;
    const SubscriberId first = bus.newSubscriber();
    const SubscriberId second = bus.newSubscriber();
    const SubscriptionHandle handle =
        bus.subscribe<Ping>(first, [&typed](const Ping&) { ++typed; });
    bus.subscribeCategory(second, category::kAll, [&viewed](const EventView&) { ++viewed; });
    bus.subscribe<KeyPressed>(second, [&viewed](const KeyPressed&) { ++viewed; });
    EXPECT_EQ(bus.publish(Ping{}), 2U);

    EXPECT_TRUE(bus.unsubscribe(handle));
    EXPECT_FALSE(bus.unsubscribe(handle));
    EXPECT_EQ(bus.publish(Ping{}), 1U);
    EXPECT_EQ(bus.unsubscribeAll(second), 2U);
    EXPECT_EQ(bus.publish(Ping{}), 0U);
    ASSERT_TRUE(bus.emit(KeyPressed{}));
    EXPECT_EQ(bus.dispatch().handlerCalls, 0U);
    EXPECT_EQ(typed, 1);
    EXPECT_EQ(viewed, 2);
}

TEST(EventBusTest, BindToCurrentThreadMovesOwnership) {
    EventBus bus;
    int calls = 0;
    bus.subscribe<Ping>(bus.newSubscriber(), [&calls](const Ping&) { ++calls; });
    std::thread([&] {
        bus.bindToCurrentThread();
        EXPECT_TRUE(bus.isOwnerThread());
        EXPECT_TRUE(bus.emit(Ping{}));
        EXPECT_EQ(bus.dispatch().delivered, 1U);
    }).join();
    EXPECT_FALSE(bus.isOwnerThread());
    EXPECT_EQ(calls, 1);
}

#ifndef NDEBUG
TEST(EventBusDeathTest, SubscribingInsideAHandlerAsserts) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EventBus bus;
    const SubscriberId owner = bus.newSubscriber();
    bus.subscribe<Ping>(owner, [&bus, owner](const Ping&) {
        bus.subscribe<KeyPressed>(owner, [](const KeyPressed&) {});
    });
    EXPECT_DEATH(bus.publish(Ping{}), "not from inside a handler");
}
#endif

}  // namespace
}  // namespace vixen::events
