#include "sc_attention.h"

#include <cmath>
#include <vector>

#include "sc_cpu_kernels.h"
#include "sc_dropout.h"
#include "sc_gemm.h"
#include "sc_thread_pool.h"

namespace sc {
namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Where one (row, head) task reads and writes.
struct Shape {
    int64_t B, T, D, heads, width;  // width: one head's share of D
    float scale;                    // 1 / sqrt(width)

    int64_t items() const { return B * heads; }
    // Offset of item i's query in a [B, T, 3D] tensor (key: + D, value: + 2D); rows 3D apart.
    int64_t qkv_offset(int64_t i) const { return (i / heads) * T * 3 * D + (i % heads) * width; }
    // Offset of item i's output in a [B, T, D] tensor; rows D apart.
    int64_t out_offset(int64_t i) const { return (i / heads) * T * D + (i % heads) * width; }
    // Item i's weights in a [B, heads, T, T] tensor, compactly [L, L].
    int64_t weights_offset(int64_t i) const { return i * T * T; }
};

Shape shape_of(const Tensor& qkv, int64_t heads) {
    const int64_t D = qkv.size(2) / 3;
    return {qkv.size(0), qkv.size(1), D, heads, D / heads, static_cast<float>(1.0 / std::sqrt(static_cast<double>(D / heads)))};
}

// Scratch of the calling thread, reused across tasks.
float* scratch(std::vector<float>& buffer, int64_t n) {
    if (static_cast<int64_t>(buffer.size()) < n) buffer.resize(static_cast<size_t>(n));
    return buffer.data();
}

// The dropped weights of item i: p times the mask, into out ([L, L]); the mask's index of an
// element is its place in the batch's [B, heads, T, T].
void drop(const DropoutDraw& draw, const Shape& s, int64_t i, int64_t L, const float* p, float* out) {
    for (int64_t r = 0; r < L; ++r) {
        const uint64_t base = static_cast<uint64_t>((i * s.T + r) * s.T);
        for (int64_t c = 0; c < L; ++c) out[r * L + c] = draw.keep(base + static_cast<uint64_t>(c)) ? p[r * L + c] * draw.scale : 0.0f;
    }
}

class Attention : public torch::autograd::Function<Attention> {
public:
    static variable_list forward(AutogradContext* ctx, const Tensor& qkv, const Tensor& lengths, int64_t heads, double p) {
        const Shape s = shape_of(qkv, heads);
        const bool keep_weights = ctx != nullptr;
        const bool dropping = p > 0.0;
        const DropoutDraw draw = dropping ? DropoutDraw::next(p) : DropoutDraw::with_seed(0.0, 0);
        auto out = torch::zeros({s.B, s.T, s.D}, qkv.options());
        // The softmax of each item, kept for the backward pass ([L, L] at the start of each [T, T]).
        Tensor weights = keep_weights ? torch::empty({s.B, heads, s.T, s.T}, qkv.options()) : Tensor();
        const float* x = qkv.data_ptr<float>();
        const int64_t* length = lengths.data_ptr<int64_t>();
        float* o = out.data_ptr<float>();
        float* w = keep_weights ? weights.data_ptr<float>() : nullptr;
        const auto& k = cpu::kernels();
        parallel_pieces(s.items(), 1, [&](int64_t first, int64_t last, int64_t) {
            thread_local std::vector<float> own_scores, own_dropped;
            for (int64_t i = first; i < last; ++i) {
                const int64_t L = length[i / heads];
                const float* q = x + s.qkv_offset(i);
                float* scores = keep_weights ? w + s.weights_offset(i) : scratch(own_scores, L * L);
                // scores = q k^T over the valid positions, then softmax(scale * scores) row by row.
                PackedMatrix(StridedMatrix{q + s.D, 1, 3 * s.D}, s.width, L).multiply(L, {q, 3 * s.D, 1}, scores, L, false);
                k.softmax_rows(scores, L, L, L, s.scale);
                const float* used = scores;
                if (dropping) {
                    float* dropped = scratch(own_dropped, L * L);
                    drop(draw, s, i, L, scores, dropped);
                    used = dropped;
                }
                PackedMatrix({q + 2 * s.D, 3 * s.D, 1}, L, s.width).multiply(L, {used, L, 1}, o + s.out_offset(i), s.D, false);
            }
        });
        if (keep_weights) {
            ctx->save_for_backward({qkv, lengths, weights});
            ctx->saved_data["heads"] = heads;
            ctx->saved_data["p"] = p;
            ctx->saved_data["seed"] = static_cast<int64_t>(draw.seed);
        }
        return {out};
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        auto saved = ctx->get_saved_variables();
        const Tensor &qkv = saved[0], &lengths = saved[1], &weights = saved[2];
        const int64_t heads = ctx->saved_data["heads"].toInt();
        const double p = ctx->saved_data["p"].toDouble();
        const Shape s = shape_of(qkv, heads);
        const bool dropping = p > 0.0;
        // The forward pass's mask, drawn again from its seed.
        const DropoutDraw draw = DropoutDraw::with_seed(p, static_cast<uint64_t>(ctx->saved_data["seed"].toInt()));
        auto dout = grads[0].contiguous();
        auto dqkv = torch::zeros_like(qkv);
        const float* x = qkv.data_ptr<float>();
        const float* w = weights.data_ptr<float>();
        const float* dy = dout.data_ptr<float>();
        const int64_t* length = lengths.data_ptr<int64_t>();
        float* dx = dqkv.data_ptr<float>();
        const auto& k = cpu::kernels();
        parallel_pieces(s.items(), 1, [&](int64_t first, int64_t last, int64_t) {
            thread_local std::vector<float> own_dweights, own_dropped;
            for (int64_t i = first; i < last; ++i) {
                const int64_t L = length[i / heads];
                const float* q = x + s.qkv_offset(i);
                const float* weights_i = w + s.weights_offset(i);
                const float* dy_i = dy + s.out_offset(i);
                float* dq = dx + s.qkv_offset(i);
                const float* used = weights_i;
                if (dropping) {
                    float* dropped = scratch(own_dropped, L * L);
                    drop(draw, s, i, L, weights_i, dropped);
                    used = dropped;
                }
                // dv = used^T dy
                PackedMatrix({dy_i, s.D, 1}, L, s.width).multiply(L, {used, 1, L}, dq + 2 * s.D, 3 * s.D, false);
                // d(used) = dy v^T, through the mask to d(weights), then through the softmax to d(scores).
                float* dweights = scratch(own_dweights, L * L);
                PackedMatrix({q + 2 * s.D, 1, 3 * s.D}, s.width, L).multiply(L, {dy_i, s.D, 1}, dweights, L, false);
                if (dropping) drop(draw, s, i, L, dweights, dweights);
                k.softmax_backward_rows(weights_i, dweights, L, L, L, s.scale);
                // dq = d(scores) k, dk = d(scores)^T q
                PackedMatrix({q + s.D, 3 * s.D, 1}, L, s.width).multiply(L, {dweights, L, 1}, dq, 3 * s.D, false);
                PackedMatrix({q, 3 * s.D, 1}, L, s.width).multiply(L, {dweights, 1, L}, dq + s.D, 3 * s.D, false);
            }
        });
        return {dqkv, Tensor(), Tensor(), Tensor()};
    }
};

}  // namespace

Tensor attention(const Tensor& qkv, const Tensor& lengths, int64_t heads, double dropout, bool training) {
    TORCH_CHECK(qkv.dim() == 3 && qkv.size(2) % (3 * heads) == 0 && qkv.scalar_type() == torch::kFloat32,
                "attention: qkv must be [B, T, 3D] float32 with D divisible by heads, got ", qkv.sizes());
    TORCH_CHECK(lengths.scalar_type() == torch::kInt64 && lengths.numel() == qkv.size(0), "attention: one int64 length per row");
    const double p = training ? dropout : 0.0;
    auto contiguous = qkv.contiguous();
    auto lengths_here = lengths.contiguous();
    if (!torch::GradMode::is_enabled() || !qkv.requires_grad()) {
        // Inference: nothing is kept for a backward pass.
        return Attention::forward(nullptr, contiguous, lengths_here, heads, p)[0];
    }
    return Attention::apply(contiguous, lengths_here, heads, p)[0];
}

}  // namespace sc
