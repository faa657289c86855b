#include "sc_dropout.h"

#include "sc_thread_pool.h"

namespace sc {
namespace {

// SplitMix64's finaliser: consecutive inputs give independent-looking 64-bit outputs.
inline uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

}  // namespace

DropoutDraw DropoutDraw::next(double p, Generator& g) {
    if (!(p > 0.0)) return DropoutDraw{};
    return with_seed(p, g.next());
}

DropoutDraw DropoutDraw::with_seed(double p, uint64_t seed) {
    if (!(p > 0.0)) return DropoutDraw{};
    return {seed, static_cast<uint64_t>(p * static_cast<double>(1 << 24)), static_cast<float>(1.0 / (1.0 - p)), true};
}

bool DropoutDraw::keep(uint64_t i) const { return !active || (mix(seed + 0x9e3779b97f4a7c15ULL * i) >> 40) >= threshold; }

void DropoutDraw::apply(float* x, int64_t n, uint64_t first) const {
    if (!active) return;
    parallel_pieces(n, 1 << 16, [&](int64_t begin, int64_t end, int64_t) {
        for (int64_t i = begin; i < end; ++i) x[i] = keep(first + static_cast<uint64_t>(i)) ? x[i] * scale : 0.0f;
    });
}

}  // namespace sc
