// Upload throughput: 64 MiB from the host into a device-local buffer through the staging
// Uploader, against one raw vkCmdCopyBuffer of the same 64 MiB in the same run. Every
// variant moves the same 64 MiB per iteration into a device-local buffer and is waited for
// to the end (the last batch has landed) before the iteration stops.
//
// BM_UploadRawCopy: the reference. One vkCmdCopyBuffer of 64 MiB from an already-filled
//   host-visible buffer to a device-local one per iteration: record, one submit, wait on a
//   timeline. No host work at all: nobody writes the bytes.
// BM_UploadHostMemcpy: only the memcpy of the 64 MiB from ordinary host memory into a
//   host-visible buffer (the staging pool's memory type), the host cost an upload from the
//   producer's own memory cannot avoid. No device work.
// BM_UploadHostFill: only the producer's per-byte work of the direct variants below: a
//   memset of the 64 MiB, in 1 MiB pieces, straight into a host-visible buffer (the
//   staging pool's memory type), a new byte value every iteration. No device work. The
//   cheapest producer there is: real producers (decoders, generators) do more per byte, in
//   every variant alike.
// BM_UploadStaged/piece/staging: Uploader::upload of the 64 MiB from host memory, in
//   pieces of `piece` bytes, with a `staging`-byte pool (3 batches in flight, default flush
//   threshold), flushed and waited for at the end of each iteration. Includes the host
//   memcpy of every byte into staging (the producer wrote its memory before; not timed).
// BM_UploadStagedDirect/piece/staging: the zero-copy path. Uploader::stage of each piece,
//   and the producer memsets the returned staging span in place (the per-byte work of
//   BM_UploadHostFill, no memcpy); same pool, flush and wait as BM_UploadStaged.
// BM_UploadStagedChunks/staging: the zero-copy path for one large write: one
//   Uploader::stageChunks of the whole 64 MiB, whose fill memsets each chunk in place
//   (chunks as large as staging allows, at least a quarter of the pool).
// BM_UploadStagedChunksParallel/staging/threads/memory: BM_UploadStagedChunks with the producer
//   spread over `threads` threads (the benchmark thread and threads - 1 workers made
//   before the timed loop): each chunk is split into `threads` parts memset at once, and
//   fill returns when all are done. The same bytes and per-byte work, on more cores: what
//   a producer that can parallelise its work gets from the uploader. `memory` picks the
//   staging memory (UploaderOptions::stagingMemory): 0 the default host-visible kind
//   (often write-combined), 1 host-cached, 2 device-local and host-visible (a resizable
//   BAR, where the device has one: the producer writes into GPU memory directly). On lavapipe (2
//   cores, whose queue thread does the device's copies) more threads cannot help.
// BM_UploadMemcpyThenCopy: BM_UploadHostMemcpy's memcpy, then the raw copy, one after the
//   other: an upload from host memory without the Uploader's overlap.
// BM_UploadFillThenCopy: BM_UploadHostFill's memset into the raw copy's source, then the
//   raw copy, one after the other: the raw path given the producer's work, no overlap.
//
// Counters: vs_raw = bytes/s over BM_UploadRawCopy's, vs_memcpy = over
// BM_UploadHostMemcpy's, vs_fill = over BM_UploadHostFill's, each measured before in the
// same process (so run them together: --benchmark_filter=Upload; with repetitions, against
// the reference's last repetition). The Uploader overlaps host writes with device copies,
// so the best a staged variant can do is the slower of the two: vs_memcpy (or, for the
// direct variants, vs_fill) near 1 means the host's writes are all that is left. A direct
// variant's vs_raw compares producing-and-uploading with copying bytes nobody produced; its
// ratio over BM_UploadFillThenCopy is the like-for-like one.
// Times are wall-clock (UseRealTime): the copies run on the device (on lavapipe, on its
// queue thread). process_cpu_ms is the CPU time of every thread of the process per
// iteration (on lavapipe it includes the device's copies); allocs_per_iter counts heap
// allocations of every thread (the producers' and the driver's too) in the timed loop. The device
// is chosen like the engine's (VIXEN_DEVICE, else the best one), without the validation layer.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "gpu_bench_context.hpp"
#include "vixen/core/alloc_tracker.hpp"
#include "vixen/gpu/buffer.hpp"
#include "vixen/gpu/device.hpp"
#include "vixen/gpu/timeline.hpp"
#include "vixen/gpu/uploader.hpp"

namespace {

using namespace vixen::gpu;
using vixen::bench::context;
using Clock = std::chrono::steady_clock;

constexpr VkDeviceSize kKiB = 1024;
constexpr VkDeviceSize kMiB = 1024 * kKiB;
constexpr VkDeviceSize kTotalBytes = 64 * kMiB;

/// Bytes per second of BM_UploadRawCopy, BM_UploadHostMemcpy and BM_UploadHostFill in this
/// process; 0 until they ran.
double gRawBytesPerSecond = 0.0;
double gMemcpyBytesPerSecond = 0.0;
double gFillBytesPerSecond = 0.0;

/// The producer of the direct variants: a memset of `bytes` with a value that changes every
/// iteration, the cheapest per-byte work there is.
void produce(std::span<std::byte> bytes, std::uint64_t iteration) {
    std::memset(bytes.data(), static_cast<int>(iteration & 0xFFU), bytes.size());
}

std::vector<std::byte> makeSource(std::size_t size) {
    std::vector<std::byte> bytes(size);
    std::uint32_t state = 12345U;
    for (std::byte& b : bytes) {
        state = state * 1664525U + 1013904223U;
        b = static_cast<std::byte>(state >> 24);
    }
    return bytes;
}

std::optional<Buffer> makeBuffer(benchmark::State& state, VkDeviceSize size,
                                 VkBufferUsageFlags usage, MemoryUsage memory) {
    auto buffer = Buffer::create(*context().device(), context().allocator(),
                                 BufferDesc{.size = size, .usage = usage, .memory = memory},
                                 "upload benchmark buffer");
    if (!buffer) {
        state.SkipWithError(buffer.error().message.c_str());
        return std::nullopt;
    }
    return std::move(*buffer);
}

/// A command pool, one command buffer and a timeline to run a raw copy with.
class RawCopier {
public:
    explicit RawCopier(const Device& device) : device_(device.handle()), queue_(device.queue()) {
        VkCommandPoolCreateInfo poolInfo{};
        poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
        poolInfo.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
        poolInfo.queueFamilyIndex = device.queueFamily();
        ok_ = vkCreateCommandPool(device_, &poolInfo, nullptr, &pool_) == VK_SUCCESS;
        VkCommandBufferAllocateInfo allocInfo{};
        allocInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
        allocInfo.commandPool = pool_;
        allocInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
        allocInfo.commandBufferCount = 1;
        ok_ = ok_ && vkAllocateCommandBuffers(device_, &allocInfo, &commandBuffer_) == VK_SUCCESS;
        auto timeline = TimelineSemaphore::create(device, 0);
        ok_ = ok_ && timeline.has_value();
        if (timeline) {
            timeline_.emplace(std::move(*timeline));
        }
    }
    RawCopier(const RawCopier&) = delete;
    RawCopier& operator=(const RawCopier&) = delete;
    ~RawCopier() {
        if (pool_ != VK_NULL_HANDLE) {
            vkDestroyCommandPool(device_, pool_, nullptr);
        }
    }

    [[nodiscard]] bool ok() const { return ok_; }

    /// Records one vkCmdCopyBuffer of `size` bytes, submits it and waits for it.
    [[nodiscard]] bool copy(VkBuffer src, VkBuffer dst, VkDeviceSize size) {
        VkCommandBufferBeginInfo begin{};
        begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
        begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
        if (vkBeginCommandBuffer(commandBuffer_, &begin) != VK_SUCCESS) {
            return false;
        }
        const VkBufferCopy region{0, 0, size};
        vkCmdCopyBuffer(commandBuffer_, src, dst, 1, &region);
        if (vkEndCommandBuffer(commandBuffer_) != VK_SUCCESS) {
            return false;
        }
        VkCommandBufferSubmitInfo commandInfo{};
        commandInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO;
        commandInfo.commandBuffer = commandBuffer_;
        VkSemaphoreSubmitInfo signal{};
        signal.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO;
        signal.semaphore = timeline_->handle();
        signal.value = ++value_;
        signal.stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
        VkSubmitInfo2 submit{};
        submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO_2;
        submit.commandBufferInfoCount = 1;
        submit.pCommandBufferInfos = &commandInfo;
        submit.signalSemaphoreInfoCount = 1;
        submit.pSignalSemaphoreInfos = &signal;
        if (vkQueueSubmit2(queue_, 1, &submit, VK_NULL_HANDLE) != VK_SUCCESS) {
            return false;
        }
        return timeline_->wait(value_, std::chrono::seconds{30}).has_value();
    }

private:
    VkDevice device_ = VK_NULL_HANDLE;
    VkQueue queue_ = VK_NULL_HANDLE;
    VkCommandPool pool_ = VK_NULL_HANDLE;
    VkCommandBuffer commandBuffer_ = VK_NULL_HANDLE;
    std::optional<TimelineSemaphore> timeline_;
    std::uint64_t value_ = 0;
    bool ok_ = false;
};

[[nodiscard]] bool deviceReady(benchmark::State& state) {
    if (context().device() == nullptr) {
        state.SkipWithError(("no Vulkan device: " + context().error()).c_str());
        return false;
    }
    return true;
}

/// CPU time of the whole process (every thread: on lavapipe the device's too), in seconds.
double processCpuSeconds() {
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

/// Wall time, heap allocations and process CPU time of a timed loop.
struct Measure {
    Clock::time_point start = Clock::now();
    double cpuStart = processCpuSeconds();
    std::uint64_t heapStart = vixen::core::AllocationTracker::allThreads().allocations;
};

/// Sets bytes_per_second and the counters; returns the bytes per second.
double reportRate(benchmark::State& state, const Measure& measure) {
    const auto elapsed = Clock::now() - measure.start;
    const double cpu = processCpuSeconds() - measure.cpuStart;
    const std::uint64_t heapAllocations =
        vixen::core::AllocationTracker::allThreads().allocations - measure.heapStart;
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(kTotalBytes));
    state.counters["allocs_per_iter"] = benchmark::Counter(static_cast<double>(heapAllocations),
                                                           benchmark::Counter::kAvgIterations);
    state.counters["process_cpu_ms"] =
        benchmark::Counter(cpu * 1e3, benchmark::Counter::kAvgIterations);
    const double seconds = std::chrono::duration<double>(elapsed).count();
    const double rate = seconds > 0.0 ? static_cast<double>(state.iterations()) *
                                            static_cast<double>(kTotalBytes) / seconds
                                      : 0.0;
    if (gRawBytesPerSecond > 0.0) {
        state.counters["vs_raw"] = rate / gRawBytesPerSecond;
    }
    if (gMemcpyBytesPerSecond > 0.0) {
        state.counters["vs_memcpy"] = rate / gMemcpyBytesPerSecond;
    }
    if (gFillBytesPerSecond > 0.0) {
        state.counters["vs_fill"] = rate / gFillBytesPerSecond;
    }
    return rate;
}

void BM_UploadRawCopy(benchmark::State& state) {
    if (!deviceReady(state)) {
        return;
    }
    auto src =
        makeBuffer(state, kTotalBytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, MemoryUsage::Upload);
    auto dst =
        makeBuffer(state, kTotalBytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT, MemoryUsage::DeviceLocal);
    if (!src || !dst) {
        return;
    }
    const std::vector<std::byte> source = makeSource(kTotalBytes);
    std::memcpy(src->mapped().data(), source.data(), source.size());
    RawCopier copier(*context().device());
    if (!copier.ok() || !copier.copy(src->handle(), dst->handle(), kTotalBytes)) {  // warm-up
        state.SkipWithError("raw copy setup failed");
        return;
    }

    const Measure measure;
    for (auto _ : state) {
        if (!copier.copy(src->handle(), dst->handle(), kTotalBytes)) {
            state.SkipWithError("raw copy failed");
            return;
        }
    }
    gRawBytesPerSecond = 0.0;  // the reference reports no vs_raw of its own
    gRawBytesPerSecond = reportRate(state, measure);
}
BENCHMARK(BM_UploadRawCopy)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_UploadHostMemcpy(benchmark::State& state) {
    if (!deviceReady(state)) {
        return;
    }
    auto staging =
        makeBuffer(state, kTotalBytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, MemoryUsage::Upload);
    if (!staging) {
        return;
    }
    const std::vector<std::byte> source = makeSource(kTotalBytes);
    std::memcpy(staging->mapped().data(), source.data(), source.size());  // warm-up
    const Measure measure;
    for (auto _ : state) {
        std::memcpy(staging->mapped().data(), source.data(), source.size());
        benchmark::ClobberMemory();
    }
    gMemcpyBytesPerSecond = 0.0;
    gMemcpyBytesPerSecond = reportRate(state, measure);
}
BENCHMARK(BM_UploadHostMemcpy)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_UploadHostFill(benchmark::State& state) {
    if (!deviceReady(state)) {
        return;
    }
    const auto piece = static_cast<std::size_t>(state.range(0));
    auto staging =
        makeBuffer(state, kTotalBytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, MemoryUsage::Upload);
    if (!staging) {
        return;
    }
    const std::span<std::byte> all = staging->mapped().first(kTotalBytes);
    std::uint64_t iteration = 0;
    const auto fillAll = [&] {
        ++iteration;
        for (std::size_t offset = 0; offset < all.size(); offset += piece) {
            produce(all.subspan(offset, std::min(piece, all.size() - offset)), iteration);
        }
        benchmark::ClobberMemory();
    };
    fillAll();  // warm-up
    const Measure measure;
    for (auto _ : state) {
        fillAll();
    }
    gFillBytesPerSecond = 0.0;
    gFillBytesPerSecond = reportRate(state, measure);
}
BENCHMARK(BM_UploadHostFill)
    ->ArgName("piece")
    ->Arg(static_cast<std::int64_t>(1 * kMiB))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

/// An uploader with a `staging`-byte pool and 3 batches in flight, or a skipped benchmark.
std::optional<Uploader> makeUploader(benchmark::State& state, VkDeviceSize staging,
                                     MemoryUsage memory = MemoryUsage::Upload) {
    auto created = Uploader::create(
        *context().device(), context().allocator(),
        UploaderOptions{.stagingBytes = staging, .batchesInFlight = 3, .stagingMemory = memory});
    if (!created) {
        state.SkipWithError(created.error().message.c_str());
        return std::nullopt;
    }
    return std::move(*created);
}

/// Runs `uploadAll` (which flushes and waits) once to warm up, then in the timed loop, and
/// reports the rate and the uploader's counters per iteration.
template <class UploadAll>
void runUploads(benchmark::State& state, Uploader& uploader, UploadAll&& uploadAll) {
    if (!uploadAll()) {  // warm-up: touches the staging pages and the destination
        state.SkipWithError("upload failed");
        return;
    }
    const UploaderStats before = uploader.stats();
    const Measure measure;
    for (auto _ : state) {
        if (!uploadAll()) {
            state.SkipWithError("upload failed");
            return;
        }
    }
    reportRate(state, measure);
    const UploaderStats after = uploader.stats();
    const auto perIteration = [&](std::uint64_t count) {
        return benchmark::Counter(static_cast<double>(count), benchmark::Counter::kAvgIterations);
    };
    state.counters["submits"] = perIteration(after.submits - before.submits);
    state.counters["staging_waits"] = perIteration(after.staging.waits - before.staging.waits +
                                                   after.slotWaits - before.slotWaits);
    state.counters["copy_cmds"] = perIteration(after.copyCommands - before.copyCommands);
}

/// Pieces of 1 MiB and 64 KiB, through 16 MiB and 4 MiB of staging.
void piecesAndStaging(benchmark::internal::Benchmark* benchmark) {
    benchmark->ArgNames({"piece", "staging"});
    for (const VkDeviceSize staging : {16 * kMiB, 4 * kMiB}) {
        for (const VkDeviceSize piece : {1 * kMiB, 64 * kKiB}) {
            benchmark->Args({static_cast<std::int64_t>(piece), static_cast<std::int64_t>(staging)});
        }
    }
}

void BM_UploadStaged(benchmark::State& state) {
    if (!deviceReady(state)) {
        return;
    }
    const auto piece = static_cast<std::size_t>(state.range(0));
    auto dst =
        makeBuffer(state, kTotalBytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT, MemoryUsage::DeviceLocal);
    auto uploader = makeUploader(state, static_cast<VkDeviceSize>(state.range(1)));
    if (!dst || !uploader) {
        return;
    }
    const std::vector<std::byte> source = makeSource(kTotalBytes);
    const std::span<const std::byte> all(source);
    runUploads(state, *uploader, [&]() -> bool {
        for (std::size_t offset = 0; offset < all.size(); offset += piece) {
            const std::size_t size = std::min(piece, all.size() - offset);
            if (!uploader->upload(dst->handle(), offset, all.subspan(offset, size))) {
                return false;
            }
        }
        return uploader->finish().has_value();
    });
}
BENCHMARK(BM_UploadStaged)->Apply(piecesAndStaging)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_UploadStagedDirect(benchmark::State& state) {
    if (!deviceReady(state)) {
        return;
    }
    const auto piece = static_cast<VkDeviceSize>(state.range(0));
    auto dst =
        makeBuffer(state, kTotalBytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT, MemoryUsage::DeviceLocal);
    auto uploader = makeUploader(state, static_cast<VkDeviceSize>(state.range(1)));
    if (!dst || !uploader) {
        return;
    }
    std::uint64_t iteration = 0;
    runUploads(state, *uploader, [&]() -> bool {
        ++iteration;
        for (VkDeviceSize offset = 0; offset < kTotalBytes; offset += piece) {
            auto staged =
                uploader->stage(dst->handle(), offset, std::min(piece, kTotalBytes - offset));
            if (!staged) {
                return false;
            }
            produce(staged->bytes, iteration);
        }
        return uploader->finish().has_value();
    });
}
BENCHMARK(BM_UploadStagedDirect)
    ->Apply(piecesAndStaging)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_UploadStagedChunks(benchmark::State& state) {
    if (!deviceReady(state)) {
        return;
    }
    auto dst =
        makeBuffer(state, kTotalBytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT, MemoryUsage::DeviceLocal);
    auto uploader = makeUploader(state, static_cast<VkDeviceSize>(state.range(0)));
    if (!dst || !uploader) {
        return;
    }
    std::uint64_t iteration = 0;
    runUploads(state, *uploader, [&]() -> bool {
        ++iteration;
        const auto written =
            uploader->stageChunks(dst->handle(), 0, kTotalBytes,
                                  [&](std::span<std::byte> chunk, VkDeviceSize /*chunkOffset*/) {
                                      produce(chunk, iteration);
                                  });
        return written.has_value() && uploader->finish().has_value();
    });
}
BENCHMARK(BM_UploadStagedChunks)
    ->ArgName("staging")
    ->Arg(static_cast<std::int64_t>(16 * kMiB))
    ->Arg(static_cast<std::int64_t>(4 * kMiB))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

/// Threads that split a producer's work: `run(task)` calls task(part, parts) for every part
/// in [0, parts), part 0 on the calling thread, and returns when every part is done. The
/// threads are made at construction, so a run allocates nothing.
class Workers {
public:
    explicit Workers(unsigned parts) : parts_(parts) {
        threads_.reserve(parts - 1);
        for (unsigned part = 1; part < parts; ++part) {
            threads_.emplace_back([this, part] { serve(part); });
        }
    }
    Workers(const Workers&) = delete;
    Workers& operator=(const Workers&) = delete;
    ~Workers() {
        {
            const std::lock_guard lock(mutex_);
            stop_ = true;
        }
        wake_.notify_all();
        for (std::thread& thread : threads_) {
            thread.join();
        }
    }

    template <class Task>
    void run(Task& task) {
        {
            const std::lock_guard lock(mutex_);
            call_ = [](void* context, unsigned part, unsigned parts) {
                (*static_cast<Task*>(context))(part, parts);
            };
            context_ = &task;
            pending_ = parts_ - 1;
            ++generation_;
        }
        wake_.notify_all();
        task(0U, parts_);
        std::unique_lock lock(mutex_);
        done_.wait(lock, [this] { return pending_ == 0; });
    }

private:
    void serve(unsigned part) {
        std::uint64_t seen = 0;
        std::unique_lock lock(mutex_);
        for (;;) {
            wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
            if (stop_) {
                return;
            }
            seen = generation_;
            auto* const call = call_;
            void* const context = context_;
            lock.unlock();
            call(context, part, parts_);
            lock.lock();
            if (--pending_ == 0) {
                done_.notify_one();
            }
        }
    }

    const unsigned parts_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable done_;
    void (*call_)(void*, unsigned, unsigned) = nullptr;
    void* context_ = nullptr;
    std::uint64_t generation_ = 0;
    unsigned pending_ = 0;
    bool stop_ = false;
    std::vector<std::thread> threads_;  ///< last: started once the rest is set up
};

MemoryUsage stagingMemory(std::int64_t choice) {
    switch (choice) {
        case 1:
            return MemoryUsage::UploadCached;
        case 2:
            return MemoryUsage::UploadDeviceLocal;
        default:
            return MemoryUsage::Upload;
    }
}

void BM_UploadStagedChunksParallel(benchmark::State& state) {
    if (!deviceReady(state)) {
        return;
    }
    auto dst =
        makeBuffer(state, kTotalBytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT, MemoryUsage::DeviceLocal);
    auto uploader = makeUploader(state, static_cast<VkDeviceSize>(state.range(0)),
                                 stagingMemory(state.range(2)));
    if (!dst || !uploader) {
        return;
    }
    Workers workers(static_cast<unsigned>(state.range(1)));
    std::uint64_t iteration = 0;
    std::span<std::byte> current;
    // Part p of the chunk: from p/parts of it to (p+1)/parts, on 64-byte boundaries.
    auto fillPart = [&](unsigned part, unsigned parts) {
        const std::size_t size = current.size();
        const auto boundary = [&](unsigned index) {
            return index == parts ? size : size / parts * index / 64 * 64;
        };
        const std::size_t begin = boundary(part);
        produce(current.subspan(begin, boundary(part + 1) - begin), iteration);
    };
    runUploads(state, *uploader, [&]() -> bool {
        ++iteration;
        const auto written =
            uploader->stageChunks(dst->handle(), 0, kTotalBytes,
                                  [&](std::span<std::byte> chunk, VkDeviceSize /*chunkOffset*/) {
                                      current = chunk;
                                      workers.run(fillPart);
                                  });
        return written.has_value() && uploader->finish().has_value();
    });
}
BENCHMARK(BM_UploadStagedChunksParallel)
    ->ArgNames({"staging", "threads", "memory"})
    ->Args({static_cast<std::int64_t>(16 * kMiB), 2, 0})
    ->Args({static_cast<std::int64_t>(16 * kMiB), 4, 0})
    ->Args({static_cast<std::int64_t>(16 * kMiB), 8, 0})
    ->Args({static_cast<std::int64_t>(16 * kMiB), 1, 1})
    ->Args({static_cast<std::int64_t>(16 * kMiB), 4, 1})
    ->Args({static_cast<std::int64_t>(16 * kMiB), 8, 1})
    ->Args({static_cast<std::int64_t>(64 * kMiB), 4, 0})
    ->Args({static_cast<std::int64_t>(64 * kMiB), 8, 0})
    ->Args({static_cast<std::int64_t>(64 * kMiB), 8, 1})
    ->Args({static_cast<std::int64_t>(16 * kMiB), 1, 2})
    ->Args({static_cast<std::int64_t>(16 * kMiB), 4, 2})
    ->Args({static_cast<std::int64_t>(64 * kMiB), 8, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_UploadMemcpyThenCopy(benchmark::State& state) {
    if (!deviceReady(state)) {
        return;
    }
    auto src =
        makeBuffer(state, kTotalBytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, MemoryUsage::Upload);
    auto dst =
        makeBuffer(state, kTotalBytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT, MemoryUsage::DeviceLocal);
    if (!src || !dst) {
        return;
    }
    const std::vector<std::byte> source = makeSource(kTotalBytes);
    RawCopier copier(*context().device());
    std::memcpy(src->mapped().data(), source.data(), source.size());
    if (!copier.ok() || !copier.copy(src->handle(), dst->handle(), kTotalBytes)) {  // warm-up
        state.SkipWithError("raw copy setup failed");
        return;
    }
    const Measure measure;
    for (auto _ : state) {
        std::memcpy(src->mapped().data(), source.data(), source.size());
        if (!copier.copy(src->handle(), dst->handle(), kTotalBytes)) {
            state.SkipWithError("raw copy failed");
            return;
        }
    }
    reportRate(state, measure);
}
BENCHMARK(BM_UploadMemcpyThenCopy)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_UploadFillThenCopy(benchmark::State& state) {
    if (!deviceReady(state)) {
        return;
    }
    const auto piece = static_cast<std::size_t>(state.range(0));
    auto src =
        makeBuffer(state, kTotalBytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, MemoryUsage::Upload);
    auto dst =
        makeBuffer(state, kTotalBytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT, MemoryUsage::DeviceLocal);
    if (!src || !dst) {
        return;
    }
    const std::span<std::byte> all = src->mapped().first(kTotalBytes);
    std::uint64_t iteration = 0;
    RawCopier copier(*context().device());
    const auto fillAndCopy = [&] {
        ++iteration;
        for (std::size_t offset = 0; offset < all.size(); offset += piece) {
            produce(all.subspan(offset, std::min(piece, all.size() - offset)), iteration);
        }
        return copier.copy(src->handle(), dst->handle(), kTotalBytes);
    };
    if (!copier.ok() || !fillAndCopy()) {  // warm-up
        state.SkipWithError("raw copy setup failed");
        return;
    }
    const Measure measure;
    for (auto _ : state) {
        if (!fillAndCopy()) {
            state.SkipWithError("raw copy failed");
            return;
        }
    }
    reportRate(state, measure);
}
BENCHMARK(BM_UploadFillThenCopy)
    ->ArgName("piece")
    ->Arg(static_cast<std::int64_t>(1 * kMiB))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
