#include "sc_optimizer.h"

#include <cmath>

#include "sc_cpu_kernels.h"
#include "sc_thread_pool.h"

namespace sc {
namespace {

// Elements per piece of work: large enough that handing it out costs nothing, small enough that
// the embedding splits evenly across threads.
constexpr int64_t kPiece = 1 << 16;

struct Slice {
    size_t state;
    int64_t first, last;
};

}  // namespace

FusedAdamW::FusedAdamW(Parameters& parameters, double beta1, double beta2, double eps, double weight_decay, bool decay_rank1)
    : beta1_(beta1), beta2_(beta2), eps_(eps), weight_decay_(weight_decay) {
    for (const auto& p : parameters.all()) {
        if (p->trainable) states_.push_back(State{p.get(), Floats(), Floats(), 0, decay_rank1 || p->shape.size() != 1});
    }
}

void FusedAdamW::step(double lr, double clip_norm) {
    std::vector<Slice> slices;
    for (size_t i = 0; i < states_.size(); ++i) {
        const int64_t n = states_[i].parameter->numel();
        for (int64_t first = 0; first < n; first += kPiece) slices.push_back({i, first, std::min(n, first + kPiece)});
    }
    double grad_scale = 1.0;
    if (clip_norm > 0.0) {
        // Each slice's sum of squares, then the slices in order: the same norm on any thread count.
        std::vector<double> squares(slices.size());
        parallel_pieces(static_cast<int64_t>(slices.size()), 1, [&](int64_t first, int64_t last, int64_t) {
            for (int64_t s = first; s < last; ++s) {
                const auto& slice = slices[static_cast<size_t>(s)];
                const float* g = states_[slice.state].parameter->grad.data();
                double sum = 0.0;
                for (int64_t i = slice.first; i < slice.last; ++i) sum += static_cast<double>(g[i]) * g[i];
                squares[static_cast<size_t>(s)] = sum;
            }
        });
        double total = 0.0;
        for (double s : squares) total += s;
        const double coefficient = clip_norm / (std::sqrt(total) + 1e-6);
        if (coefficient < 1.0) grad_scale = coefficient;
    }
    // Per parameter: its step count and the scalars of this update, as PyTorch computes them.
    std::vector<cpu::AdamWStep> updates(states_.size());
    for (size_t i = 0; i < states_.size(); ++i) {
        auto& state = states_[i];
        // The moments are made at the first step, so a model that only predicts never holds them.
        if (state.steps == 0) {
            state.exp_avg = Floats::zeros(state.parameter->numel());
            state.exp_avg_sq = Floats::zeros(state.parameter->numel());
        }
        ++state.steps;
        const double bias_correction1 = 1.0 - std::pow(beta1_, static_cast<double>(state.steps));
        const double bias_correction2 = 1.0 - std::pow(beta2_, static_cast<double>(state.steps));
        updates[i] = cpu::AdamWStep{static_cast<float>(grad_scale),
                                    static_cast<float>(weight_decay_ != 0.0 && state.decays ? 1.0 - lr * weight_decay_ : 1.0),
                                    static_cast<float>(beta1_),
                                    static_cast<float>(1.0 - beta1_),
                                    static_cast<float>(beta2_),
                                    static_cast<float>(1.0 - beta2_),
                                    static_cast<float>(std::sqrt(bias_correction2)),
                                    static_cast<float>(eps_),
                                    static_cast<float>(-(lr / bias_correction1))};
    }
    const auto& kernels = cpu::kernels();
    parallel_pieces(static_cast<int64_t>(slices.size()), 1, [&](int64_t first, int64_t last, int64_t) {
        for (int64_t s = first; s < last; ++s) {
            const auto& slice = slices[static_cast<size_t>(s)];
            auto& state = states_[slice.state];
            Parameter& p = *state.parameter;
            const int64_t at = slice.first;
            kernels.adamw(slice.last - at, p.data() + at, p.grad.data() + at, state.exp_avg.data() + at, state.exp_avg_sq.data() + at,
                          updates[slice.state]);
        }
    });
}

}  // namespace sc
