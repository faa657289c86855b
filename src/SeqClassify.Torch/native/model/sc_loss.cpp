#include "sc_loss.h"

#include <algorithm>
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

void sigmoid(float* x, int64_t n) {
    for (int64_t i = 0; i < n; ++i) x[i] = static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(x[i]))));
}

LossResult binary_cross_entropy(const float* logits, int64_t B, int64_t C, const float* targets,
                                const std::vector<float>& pos_weights, float* dlogits) {
    LossResult result;
    result.weight = static_cast<double>(B * C);
    double total = 0.0;
    for (int64_t b = 0; b < B; ++b) {
        bool right = true;
        for (int64_t c = 0; c < C; ++c) {
            const int64_t i = b * C + c;
            const double z = logits[i], y = targets[i];
            const double p = pos_weights.empty() ? 1.0 : static_cast<double>(pos_weights[static_cast<size_t>(c)]);
            // log σ(z) and log(1 - σ(z)) = log σ(-z), each without overflow: log σ(z) = -softplus(-z).
            const double softplus_minus = std::max(-z, 0.0) + std::log1p(std::exp(-std::abs(z)));  // softplus(-z)
            const double log_sig = -softplus_minus, log_one_minus = -z - softplus_minus;
            total -= p * y * log_sig + (1.0 - y) * log_one_minus;
            right = right && ((z > 0.0) == (y >= 0.5));
            if (dlogits) {
                const double sig = 1.0 / (1.0 + std::exp(-z));
                dlogits[i] = static_cast<float>((sig * (p * y + 1.0 - y) - p * y) / result.weight);
            }
        }
        if (right) ++result.correct;
    }
    result.loss = result.weight > 0.0 ? total / result.weight : 0.0;
    return result;
}

LossResult squared_error(const float* scores, int64_t B, const float* targets, float huber_delta, float* dscores) {
    LossResult result;
    result.weight = static_cast<double>(B);
    const double delta = huber_delta;
    double total = 0.0;
    for (int64_t b = 0; b < B; ++b) {
        const double d = static_cast<double>(scores[b]) - targets[b];
        double gradient;
        if (delta > 0.0 && std::abs(d) > delta) {
            total += delta * (std::abs(d) - 0.5 * delta);
            gradient = d > 0.0 ? delta : -delta;
        } else if (delta > 0.0) {
            total += 0.5 * d * d;
            gradient = d;
        } else {
            total += d * d;
            gradient = 2.0 * d;
        }
        if (dscores) dscores[b] = static_cast<float>(gradient / result.weight);
    }
    result.loss = B > 0 ? total / result.weight : 0.0;
    return result;
}

}  // namespace sc
