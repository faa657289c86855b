#include "sc_dropout.h"

#include <ATen/CPUGeneratorImpl.h>

#include <mutex>

#include "sc_thread_pool.h"

namespace sc {
namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// SplitMix64's finaliser: consecutive inputs give independent-looking 64-bit outputs.
inline uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t next_seed() {
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    return generator.get<at::CPUGeneratorImpl>()->random64();
}

class Dropout : public torch::autograd::Function<Dropout> {
public:
    static variable_list forward(AutogradContext* ctx, const Tensor& x_in, double p) {
        const Tensor x = x_in.contiguous();
        const int64_t n = x.numel();
        // mask holds 0 or 1 / (1 - p): the backward pass multiplies by it too.
        Tensor mask = torch::empty_like(x);
        Tensor y = torch::empty_like(x);
        const DropoutDraw draw = DropoutDraw::next(p);
        const float* in = x.data_ptr<float>();
        float* m = mask.data_ptr<float>();
        float* out = y.data_ptr<float>();
        parallel_pieces(n, 1 << 16, [&](int64_t first, int64_t last, int64_t) {
            for (int64_t i = first; i < last; ++i) {
                m[i] = draw.keep(static_cast<uint64_t>(i)) ? draw.scale : 0.0f;
                out[i] = in[i] * m[i];
            }
        });
        ctx->save_for_backward({mask});
        return {y};
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const Tensor mask = ctx->get_saved_variables()[0];
        return {grads[0] * mask, Tensor()};
    }
};

}  // namespace

DropoutDraw DropoutDraw::next(double p) { return with_seed(p, next_seed()); }

DropoutDraw DropoutDraw::with_seed(double p, uint64_t seed) {
    return {seed, static_cast<uint64_t>(p * static_cast<double>(1 << 24)), static_cast<float>(1.0 / (1.0 - p))};
}

bool DropoutDraw::keep(uint64_t i) const { return (mix(seed + 0x9e3779b97f4a7c15ULL * i) >> 40) >= threshold; }

torch::Tensor dropout(const torch::Tensor& x, double p, bool training) {
    if (!training || p <= 0.0) return x;
    TORCH_CHECK(p < 1.0 && x.scalar_type() == torch::kFloat32, "dropout: p must be in [0, 1) and x float32");
    return Dropout::apply(x, p)[0];
}

}  // namespace sc
