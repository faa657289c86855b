#include "sc_memory.h"

#include "sc_platform.h"


#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>
#include <map>
#include <vector>

namespace sc {
namespace {

constexpr size_t kAlignment = 64;             // a cache line: any vector load is aligned
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

class CachingAllocator {
public:
    static void* allocate(size_t n) {
        if (n == 0) return nullptr;
        size_t bytes = n < kSmallest ? n : size_class(n);
        void* block = take(bytes, &bytes);
        if (!block) {
            block = platform::aligned_allocate(kAlignment, kHeader + bytes);
            if (!block) throw std::bad_alloc();
        }
        *static_cast<size_t*>(block) = bytes;
        return static_cast<char*>(block) + kHeader;
    }

    static size_t release_idle() {
        std::lock_guard<std::mutex> guard(lock());
        for (auto& [bytes, blocks] : idle()) {
            for (void* block : blocks) platform::aligned_free(block);
            blocks.clear();
        }
        const size_t freed = idle_bytes();
        idle_bytes() = 0;
        return freed;
    }

private:
    static std::mutex& lock() {
        static std::mutex m;
        return m;
    }
    // By size class, smallest first.
    static std::map<size_t, std::vector<void*>>& idle() {
        static std::map<size_t, std::vector<void*>> blocks;
        return blocks;
    }
    static size_t& idle_bytes() {
        static size_t bytes = 0;
        return bytes;
    }

    // An idle block for a request of size class `bytes`: of that class, or else of one up to 4x larger
    // (its pages are resident already; a fresh block would add its own). On a miss, the idle blocks
    // of smaller classes are freed: the batches have grown past them (prediction scores its batches in
    // length order), and kept, blocks of every class a run passes through would pile up (195 MB after
    // scoring SST-2's 1,821 test sentences). Returns the block and, in *block_bytes, its class.
    static void* take(size_t bytes, size_t* block_bytes) {
        if (bytes < kSmallest) return nullptr;
        std::lock_guard<std::mutex> guard(lock());
        for (auto it = idle().lower_bound(bytes); it != idle().end() && it->first <= 4 * bytes; ++it) {
            if (it->second.empty()) continue;
            void* block = it->second.back();
            it->second.pop_back();
            idle_bytes() -= it->first;
            *block_bytes = it->first;
            return block;
        }
        for (auto it = idle().begin(); it != idle().end() && it->first < bytes; ++it) {
            for (void* block : it->second) platform::aligned_free(block);
            idle_bytes() -= it->first * it->second.size();
            it->second.clear();
        }
        return nullptr;
    }

public:
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
        platform::aligned_free(block);
    }
};

}  // namespace

void* allocate(size_t bytes) { return CachingAllocator::allocate(bytes); }

void release(void* data) { CachingAllocator::release(data); }

size_t release_idle_memory() {
    const size_t freed = CachingAllocator::release_idle();
    platform::return_free_heap();
    return freed;
}

void keep_batch_memory() {
    static std::once_flag once;
    std::call_once(once, [] {
        platform::keep_big_blocks_mapped();
    });
}

}  // namespace sc
