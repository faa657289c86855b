#include "sc_attention.h"

#include <cmath>
#include <vector>

#include "sc_cpu_kernels.h"
#include "sc_gemm.h"
#include "sc_thread_pool.h"

namespace sc {
namespace {

// Where one (row, head) task reads and writes.
struct Layout {
    int64_t B, T, D, heads, width;  // width: one head's share of D
    float scale;                    // 1 / sqrt(width)

    explicit Layout(const AttentionShape& s)
        : B(s.rows), T(s.steps), D(s.width), heads(s.heads), width(s.width / s.heads),
          scale(static_cast<float>(1.0 / std::sqrt(static_cast<double>(s.width / s.heads)))) {}
    int64_t items() const { return B * heads; }
    // Offset of item i's query in a [B, T, 3D] array (key: + D, value: + 2D); rows 3D apart.
    int64_t qkv_offset(int64_t i) const { return (i / heads) * T * 3 * D + (i % heads) * width; }
    // Offset of item i's output in a [B, T, D] array; rows D apart.
    int64_t out_offset(int64_t i) const { return (i / heads) * T * D + (i % heads) * width; }
    // Item i's weights in a [B, heads, T, T] array, compactly [L, L].
    int64_t weights_offset(int64_t i) const { return i * T * T; }
};

// Scratch of the calling thread, reused across tasks.
float* scratch(std::vector<float>& buffer, int64_t n) {
    if (static_cast<int64_t>(buffer.size()) < n) buffer.resize(static_cast<size_t>(n));
    return buffer.data();
}

// The dropped weights of item i: p times the mask, into out ([L, L]); the mask's index of an
// element is its place in the batch's [B, heads, T, T].
void drop(const DropoutDraw& draw, const Layout& s, int64_t i, int64_t L, const float* p, float* out) {
    for (int64_t r = 0; r < L; ++r) {
        const uint64_t base = static_cast<uint64_t>((i * s.T + r) * s.T);
        for (int64_t c = 0; c < L; ++c) out[r * L + c] = draw.keep(base + static_cast<uint64_t>(c)) ? p[r * L + c] * draw.scale : 0.0f;
    }
}

}  // namespace

void attention_forward(const AttentionShape& shape, const float* x, const int64_t* length, const DropoutDraw& draw, float* o,
                       float* w) {
    const Layout s(shape);
    const bool keep_weights = w != nullptr;
    const auto& k = cpu::kernels();
    parallel_pieces(s.items(), 1, [&](int64_t first, int64_t last, int64_t) {
        thread_local std::vector<float> own_scores, own_dropped;
        for (int64_t i = first; i < last; ++i) {
            const int64_t L = length[i / s.heads];
            const float* q = x + s.qkv_offset(i);
            float* out = o + s.out_offset(i);
            // Padded queries' outputs are 0.
            for (int64_t t = L; t < s.T; ++t) {
                for (int64_t j = 0; j < s.width; ++j) out[t * s.D + j] = 0.0f;
            }
            float* scores = keep_weights ? w + s.weights_offset(i) : scratch(own_scores, L * L);
            // scores = q k^T over the valid positions, then softmax(scale * scores) row by row.
            PackedMatrix(StridedMatrix{q + s.D, 1, 3 * s.D}, s.width, L).multiply(L, {q, 3 * s.D, 1}, scores, L, false);
            k.softmax_rows(scores, L, L, L, s.scale);
            const float* used = scores;
            if (draw.active) {
                float* dropped = scratch(own_dropped, L * L);
                drop(draw, s, i, L, scores, dropped);
                used = dropped;
            }
            PackedMatrix({q + 2 * s.D, 3 * s.D, 1}, L, s.width).multiply(L, {used, L, 1}, out, s.D, false);
        }
    });
}

void attention_backward(const AttentionShape& shape, const float* x, const int64_t* length, const DropoutDraw& draw,
                        const float* w, const float* dy, float* dx) {
    const Layout s(shape);
    const auto& k = cpu::kernels();
    parallel_pieces(s.items(), 1, [&](int64_t first, int64_t last, int64_t) {
        thread_local std::vector<float> own_dweights, own_dropped;
        for (int64_t i = first; i < last; ++i) {
            const int64_t L = length[i / s.heads];
            const float* q = x + s.qkv_offset(i);
            const float* weights_i = w + s.weights_offset(i);
            const float* dy_i = dy + s.out_offset(i);
            float* dq = dx + s.qkv_offset(i);
            // Padded positions get no gradient.
            for (int64_t t = L; t < s.T; ++t) {
                for (int64_t part = 0; part < 3; ++part) {
                    for (int64_t j = 0; j < s.width; ++j) dq[t * 3 * s.D + part * s.D + j] = 0.0f;
                }
            }
            const float* used = weights_i;
            if (draw.active) {
                float* dropped = scratch(own_dropped, L * L);
                drop(draw, s, i, L, weights_i, dropped);
                used = dropped;
            }
            // dv = used^T dy
            PackedMatrix({dy_i, s.D, 1}, L, s.width).multiply(L, {used, 1, L}, dq + 2 * s.D, 3 * s.D, false);
            // d(used) = dy v^T, through the mask to d(weights), then through the softmax to d(scores).
            float* dweights = scratch(own_dweights, L * L);
            PackedMatrix({q + 2 * s.D, 1, 3 * s.D}, s.width, L).multiply(L, {dy_i, s.D, 1}, dweights, L, false);
            if (draw.active) drop(draw, s, i, L, dweights, dweights);
            k.softmax_backward_rows(weights_i, dweights, L, L, L, s.scale);
            // dq = d(scores) k, dk = d(scores)^T q
            PackedMatrix({q + s.D, 3 * s.D, 1}, L, s.width).multiply(L, {dweights, L, 1}, dq, 3 * s.D, false);
            PackedMatrix({q, 3 * s.D, 1}, L, s.width).multiply(L, {dweights, 1, L}, dq + s.D, 3 * s.D, false);
        }
    });
}

}  // namespace sc
