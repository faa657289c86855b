#include "sc_loss.h"

#include <cmath>

namespace sc {

void softmax_rows(float* x, int64_t B, int64_t C) {
    for (int64_t b = 0; b < B; ++b) {
        float* row = x + b * C;
        float top = row[0];
        for (int64_t c = 1; c < C; ++c) top = std::max(top, row[c]);
        float sum = 0.0f;
        for (int64_t c = 0; c < C; ++c) sum += (row[c] = std::exp(row[c] - top));
        for (int64_t c = 0; c < C; ++c) row[c] /= sum;
    }
}

LossResult cross_entropy(const float* logits, int64_t B, int64_t C, const int64_t* labels, const std::vector<float>& weights,
                         float smoothing, float* dlogits) {
    auto w = [&](int64_t c) { return weights.empty() ? 1.0 : static_cast<double>(weights[static_cast<size_t>(c)]); };
    double weight_sum = 0.0;  // Σ_c w[c]
    for (int64_t c = 0; c < C; ++c) weight_sum += w(c);
    LossResult result;
    double nll = 0.0, smooth = 0.0;
    std::vector<double> p(static_cast<size_t>(C));
    for (int64_t b = 0; b < B; ++b) {
        const float* row = logits + b * C;
        const int64_t y = labels[b];
        int64_t best = 0;
        double top = row[0];
        for (int64_t c = 1; c < C; ++c) {
            if (row[c] > top) {
                top = row[c];
                best = c;
            }
        }
        if (best == y) ++result.correct;
        double sum = 0.0;
        for (int64_t c = 0; c < C; ++c) sum += std::exp(static_cast<double>(row[c]) - top);
        const double log_sum = std::log(sum) + top;
        for (int64_t c = 0; c < C; ++c) {
            const double log_p = static_cast<double>(row[c]) - log_sum;
            p[static_cast<size_t>(c)] = std::exp(log_p);
            smooth -= w(c) * log_p;
            if (c == y) nll -= w(c) * log_p;
        }
        result.weight += w(y);
        if (dlogits) {
            // d/dz_c of the row's terms (divided by W below): (1 - e) w[y] (p_c - [c = y]) + (e / C) (Σw p_c - w[c]).
            for (int64_t c = 0; c < C; ++c) {
                const double pc = p[static_cast<size_t>(c)];
                dlogits[b * C + c] = static_cast<float>((1.0 - smoothing) * w(y) * (pc - (c == y ? 1.0 : 0.0)) +
                                                        smoothing / static_cast<double>(C) * (weight_sum * pc - w(c)));
            }
        }
    }
    const double W = result.weight;
    result.loss = W > 0.0 ? ((1.0 - smoothing) * nll + smoothing / static_cast<double>(C) * smooth) / W : 0.0;
    if (dlogits && W > 0.0) {
        for (int64_t i = 0; i < B * C; ++i) dlogits[i] = static_cast<float>(dlogits[i] / W);
    }
    return result;
}

}  // namespace sc
