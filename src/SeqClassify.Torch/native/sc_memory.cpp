#include "sc_memory.h"

#include <c10/core/CPUAllocator.h>
#include <malloc.h>

#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

namespace sc {
namespace {

constexpr size_t kAlignment = 64;             // libtorch's own CPU alignment (vector loads)
constexpr size_t kHeader = kAlignment;        // a block's size class, just before its data
constexpr size_t kSmallest = 256 * 1024;      // smaller blocks go straight to malloc and back
constexpr size_t kMaxIdle = size_t{512} << 20;  // bytes of blocks kept idle at most (address space)

// The size class of an n-byte request: the next power of two. Batches differ in length, so their
// buffers differ in size; coarse classes let the next batch find them. The unused tail of a block
// costs address space only: pages nobody writes are never made resident.
size_t size_class(size_t n) {
    size_t power = kSmallest;
    while (power < n) power *= 2;
    return power;
}

class CachingCpuAllocator final : public c10::Allocator {
public:
    c10::DataPtr allocate(size_t n) const override {
        if (n == 0) return {nullptr, nullptr, &release, c10::Device(c10::DeviceType::CPU)};
        const size_t bytes = n < kSmallest ? n : size_class(n);
        void* block = take(bytes);
        if (!block) {
            block = std::aligned_alloc(kAlignment, (kHeader + bytes + kAlignment - 1) / kAlignment * kAlignment);
            if (!block) throw std::bad_alloc();
        }
        *static_cast<size_t*>(block) = bytes;
        void* data = static_cast<char*>(block) + kHeader;
        return {data, data, &release, c10::Device(c10::DeviceType::CPU)};
    }

    c10::DeleterFnPtr raw_deleter() const override { return &release; }

private:
    static std::mutex& lock() {
        static std::mutex m;
        return m;
    }
    static std::unordered_map<size_t, std::vector<void*>>& idle() {
        static std::unordered_map<size_t, std::vector<void*>> blocks;
        return blocks;
    }
    static size_t& idle_bytes() {
        static size_t bytes = 0;
        return bytes;
    }

    static void* take(size_t bytes) {
        if (bytes < kSmallest) return nullptr;
        std::lock_guard<std::mutex> guard(lock());
        auto found = idle().find(bytes);
        if (found == idle().end() || found->second.empty()) return nullptr;
        void* block = found->second.back();
        found->second.pop_back();
        idle_bytes() -= bytes;
        return block;
    }

    static void release(void* data) {
        if (!data) return;
        void* block = static_cast<char*>(data) - kHeader;
        const size_t bytes = *static_cast<size_t*>(block);
        if (bytes >= kSmallest) {
            std::lock_guard<std::mutex> guard(lock());
            if (idle_bytes() + bytes <= kMaxIdle) {
                idle()[bytes].push_back(block);
                idle_bytes() += bytes;
                return;
            }
        }
        std::free(block);
    }
};

}  // namespace

void keep_batch_memory() {
    static std::once_flag once;
    std::call_once(once, [] {
        mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
        mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
        // Never destroyed: tensors may be freed during the process's exit.
        static auto* allocator = new CachingCpuAllocator();
        c10::SetCPUAllocator(allocator, /*priority=*/1);
    });
}

}  // namespace sc
