// Work sharing that survives a busy neighbour.
//
// at::parallel_for hands each thread an equal share up front: if another process holds one core,
// the thread there finishes its share late and every other thread waits for it. Here the work is
// cut into pieces that threads take one at a time, so a slowed thread simply takes fewer pieces.
#pragma once
#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <cstdint>

namespace sc {

// Calls body(first, last, worker) for consecutive pieces [first, last) of [0, count), at most
// `piece` long, on up to libtorch's thread count of threads. worker in [0, workers) names the
// thread's slot for per-thread scratch; workers_for(count, piece) says how many slots to allocate.
inline int64_t workers_for(int64_t count, int64_t piece) {
    const int64_t pieces = (count + piece - 1) / piece;
    return std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), pieces));
}

template <class Body>
void parallel_pieces(int64_t count, int64_t piece, const Body& body) {
    const int64_t pieces = (count + piece - 1) / piece;
    std::atomic<int64_t> next{0};
    at::parallel_for(0, workers_for(count, piece), 1, [&](int64_t first_worker, int64_t last_worker) {
        for (int64_t worker = first_worker; worker < last_worker; ++worker) {
            for (int64_t p; (p = next.fetch_add(1, std::memory_order_relaxed)) < pieces;) {
                body(p * piece, std::min(count, (p + 1) * piece), worker);
            }
        }
    });
}

}  // namespace sc
