#include "sc_layer_norm.h"

#include <cmath>

#include "sc_linear.h"
#include "sc_thread_pool.h"

namespace sc {

LayerNorm::LayerNorm(Parameters& parameters, const std::string& prefix, int64_t width, double eps) : width_(width), eps_(eps) {
    weight_ = &parameters.add(prefix + ".weight", {width});
    init_constant(*weight_, 1.0f);
    bias_ = &parameters.add(prefix + ".bias", {width});
    init_constant(*bias_, 0.0f);
}

void LayerNorm::forward(const float* x, int64_t m, float* y, float* normalized, float* rstd) const {
    const int64_t D = width_;
    const float* gamma = weight_->data();
    const float* beta = bias_->data();
    parallel_pieces(m, 64, [&](int64_t first, int64_t last, int64_t) {
        for (int64_t r = first; r < last; ++r) {
            const float* row = x + r * D;
            // Two passes in float, as PyTorch's CPU kernel accumulates (the loops vectorise).
            float sum = 0.0f, squares = 0.0f;
            for (int64_t d = 0; d < D; ++d) sum += row[d];
            const float mu = sum / static_cast<float>(D);
            for (int64_t d = 0; d < D; ++d) squares += (row[d] - mu) * (row[d] - mu);
            const float inv = 1.0f / std::sqrt(squares / static_cast<float>(D) + static_cast<float>(eps_));
            float* out = y + r * D;
            float* n = normalized ? normalized + r * D : nullptr;
            for (int64_t d = 0; d < D; ++d) {
                const float xhat = (row[d] - mu) * inv;
                if (n) n[d] = xhat;
                out[d] = xhat * gamma[d] + beta[d];
            }
            if (rstd) rstd[r] = inv;
        }
    });
}

void LayerNorm::backward(const float* normalized, const float* rstd, int64_t m, const float* dy, float* dx, bool accumulate) const {
    const int64_t D = width_;
    const float* gamma = weight_->data();
    parallel_pieces(m, 64, [&](int64_t first, int64_t last, int64_t) {
        for (int64_t r = first; r < last; ++r) {
            const float* n = normalized + r * D;
            const float* g = dy + r * D;
            // dxhat = dy * gamma; dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)).
            float mean_d = 0.0f, mean_dn = 0.0f;
            for (int64_t d = 0; d < D; ++d) {
                const float dxhat = g[d] * gamma[d];
                mean_d += dxhat;
                mean_dn += dxhat * n[d];
            }
            mean_d /= static_cast<float>(D);
            mean_dn /= static_cast<float>(D);
            float* out = dx + r * D;
            const float s = rstd[r];
            if (accumulate) {
                for (int64_t d = 0; d < D; ++d) out[d] += s * (g[d] * gamma[d] - mean_d - n[d] * mean_dn);
            } else {
                for (int64_t d = 0; d < D; ++d) out[d] = s * (g[d] * gamma[d] - mean_d - n[d] * mean_dn);
            }
        }
    });
    // d weight = Σ_rows dy * xhat; d bias = Σ_rows dy: column sums of [m, D] products.
    Floats products(m * D);
    parallel_pieces(m * D, 1 << 14, [&](int64_t first, int64_t last, int64_t) {
        for (int64_t i = first; i < last; ++i) products[i] = dy[i] * normalized[i];
    });
    add_column_sums(products.data(), m, D, D, weight_->grad.data());
    add_column_sums(dy, m, D, D, bias_->grad.data());
}

}  // namespace sc
