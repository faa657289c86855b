// Dropout with the mask drawn on the engine's pool.
//
// Why: libtorch's dropout draws its Bernoulli mask one element at a time from the global
// generator, on one thread: 6-7 ms per default-configuration batch (the embedded steps are
// [B, T, E]), a tenth of the step. Here each element's draw is a hash of (seed, index), so any
// thread can draw any element and the mask does not depend on the thread count. The seed comes from
// libtorch's default generator, so the model's seed still makes training reproducible. (The masks
// differ from libtorch's, which no parity test can see: they compare without dropout.)
#pragma once
#include <torch/torch.h>

namespace sc {

// One dropout mask's draws: element i is kept (and scaled by 1 / (1 - p)) or zeroed, decided by a
// hash of (seed, i), so the mask can be drawn again, by any thread, from the seed alone.
struct DropoutDraw {
    uint64_t seed;
    uint64_t threshold;  // an element is kept when its 24-bit uniform draw is at least this
    float scale;         // 1 / (1 - p)

    // A fresh mask's draws (its seed from libtorch's default generator, so the model's seed decides).
    static DropoutDraw next(double p);
    // The draws of the mask drawn with this seed (a backward pass redrawing its forward pass's mask).
    static DropoutDraw with_seed(double p, uint64_t seed);
    bool keep(uint64_t i) const;
};

// x with each element zeroed with probability p and the rest scaled by 1 / (1 - p) when training;
// x itself otherwise. Differentiable with respect to x.
torch::Tensor dropout(const torch::Tensor& x, double p, bool training);

}  // namespace sc
