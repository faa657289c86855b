// The model's own random numbers: initialisation and dropout seeds.
//
// Each model owns a generator seeded from its config, so two models created or trained at once on
// two threads never draw from each other's stream (libtorch's process-wide generator made them), and
// a seed gives the same model and the same training on any thread count. The draws follow
// PyTorch's rules (uniform bounds, normal deviations) but not its bit stream: the PyTorch parity
// fixtures import their parameters and train without dropout, so they do not depend on it.
#pragma once
#include <cstdint>

namespace sc {

class Generator {
public:
    explicit Generator(uint64_t seed) : state_(seed) {}

    // SplitMix64: every 64-bit output of a Weyl sequence through a strong mixer.
    uint64_t next() {
        uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    // Uniform in [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
    // Uniform in [low, high).
    float uniform(double low, double high) { return static_cast<float>(low + (high - low) * uniform()); }
    // Normal with this mean and standard deviation (Box-Muller).
    float normal(double mean, double stddev);

private:
    uint64_t state_;
};

}  // namespace sc
