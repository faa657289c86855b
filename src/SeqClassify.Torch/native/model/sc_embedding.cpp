#include "sc_embedding.h"

#include "sc_thread_pool.h"

namespace sc {

void embed(const Parameter& table, int64_t width, const int64_t* ids, int64_t n, float scale, float* out) {
    const float* rows = table.data();
    parallel_pieces(n, 256, [&](int64_t first, int64_t last, int64_t) {
        for (int64_t i = first; i < last; ++i) {
            const float* from = rows + ids[i] * width;
            float* to = out + i * width;
            for (int64_t j = 0; j < width; ++j) to[j] = scale * from[j];
        }
    });
}

void embed_backward(Parameter& table, int64_t width, const int64_t* ids, int64_t n, float scale, const float* d) {
    if (!table.trainable) return;
    // In order, on one thread: several positions may share a token, and the sum must not depend on
    // the thread count. (A batch's [N, width] adds are a small part of a step.)
    float* grad = table.grad.data();
    for (int64_t i = 0; i < n; ++i) {
        const int64_t id = ids[i];
        if (id == 0) continue;
        float* to = grad + id * width;
        const float* from = d + i * width;
        for (int64_t j = 0; j < width; ++j) to[j] += scale * from[j];
    }
}

}  // namespace sc
