// Dropout with the mask drawn on the engine's pool.
//
// Each element's draw is a hash of (seed, index), so any thread can draw any element, the mask does
// not depend on the thread count, and a backward pass redraws its forward pass's mask from the seed
// instead of keeping it. The seed comes from the model's generator (sc_random.h), so the model's seed
// makes training reproducible. (The masks differ from PyTorch's, which no parity test can see: they
// compare without dropout.)
#pragma once
#include <cstdint>

#include "sc_random.h"

namespace sc {

// One dropout mask's draws: element i is kept (and scaled by 1 / (1 - p)) or zeroed.
struct DropoutDraw {
    uint64_t seed = 0;
    uint64_t threshold = 0;  // an element is kept when its 24-bit uniform draw is at least this
    float scale = 1.0f;      // 1 / (1 - p)
    bool active = false;     // false: p == 0, or not training (every element kept unscaled)

    // A fresh mask with probability p of dropping, its seed from g; inactive when p <= 0.
    static DropoutDraw next(double p, Generator& g);
    static DropoutDraw with_seed(double p, uint64_t seed);
    bool keep(uint64_t i) const;
    // x[i] = keep(first + i) ? x[i] * scale : 0 for i in [0, n), in place, on the pool. The backward
    // pass applies the same to the gradient. Nothing when inactive.
    void apply(float* x, int64_t n, uint64_t first = 0) const;
};

}  // namespace sc
