#include "sc_pooler.h"

#include <cmath>

namespace sc {

TanhPooler::TanhPooler(Parameters& parameters, int64_t width, Generator& g)
    : dense_(parameters, "pooler.dense", width, width, true, g) {}

void TanhPooler::forward(const float* first, int64_t B, float* pooled, Cache* cache) const {
    const int64_t D = dense_.out();
    dense_.forward(first, B, pooled, !cache);
    for (int64_t i = 0; i < B * D; ++i) pooled[i] = std::tanh(pooled[i]);
    if (cache) {
        cache->first = Floats::copy_of(first, B * D);
        cache->pooled = Floats::copy_of(pooled, B * D);
    }
}

void TanhPooler::backward(const Cache& cache, int64_t B, const float* dpooled, float* dfirst) const {
    const int64_t D = dense_.out();
    Floats dpre(B * D);
    for (int64_t i = 0; i < B * D; ++i) dpre[i] = dpooled[i] * (1.0f - cache.pooled[i] * cache.pooled[i]);
    dense_.backward(cache.first.data(), B, dpre.data(), dfirst, /*accumulate_dx=*/false);
}

}  // namespace sc
