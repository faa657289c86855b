#include "sc_pooling.h"

#include <cmath>
#include <limits>

#include "sc_errors.h"
#include "sc_thread_pool.h"

namespace sc {

void pool_packed(const float* x, int64_t D, const Packing& packing, int32_t pooling, float* pooled, Array<int64_t>* argmax) {
    const bool max = pooling == SC_POOLING_MAX;
    if (max) *argmax = Array<int64_t>(packing.rows * D);
    parallel_pieces(packing.rows, 4, [&](int64_t first, int64_t last, int64_t) {
        for (int64_t b = first; b < last; ++b) {
            float* out = pooled + b * D;
            const int64_t length = packing.lengths[static_cast<size_t>(b)];
            if (max) {
                int64_t* where = argmax->data() + b * D;
                for (int64_t t = 0; t < length; ++t) {
                    const int64_t row = packing.at(b, t);
                    const float* y = x + row * D;
                    // Strictly greater: the first step wins a tie, as torch.max over the padded block.
                    for (int64_t d = 0; d < D; ++d) {
                        if (t == 0 || y[d] > out[d]) {
                            out[d] = y[d];
                            where[d] = row;
                        }
                    }
                }
            } else {
                for (int64_t d = 0; d < D; ++d) out[d] = 0.0f;
                for (int64_t t = 0; t < length; ++t) {
                    const float* y = x + packing.at(b, t) * D;
                    for (int64_t d = 0; d < D; ++d) out[d] += y[d];
                }
                const float count = static_cast<float>(length);
                for (int64_t d = 0; d < D; ++d) out[d] /= count;
            }
        }
    });
}

void pool_packed_backward(const float* dpooled, int64_t D, const Packing& packing, int32_t pooling,
                          const Array<int64_t>* argmax, float* dx) {
    const bool max = pooling == SC_POOLING_MAX;
    // Rows write disjoint packed rows: each sequence owns its own.
    parallel_pieces(packing.rows, 4, [&](int64_t first, int64_t last, int64_t) {
        for (int64_t b = first; b < last; ++b) {
            const float* g = dpooled + b * D;
            const int64_t length = packing.lengths[static_cast<size_t>(b)];
            for (int64_t t = 0; t < length; ++t) {
                float* row = dx + packing.at(b, t) * D;
                for (int64_t d = 0; d < D; ++d) row[d] = max ? 0.0f : g[d] / static_cast<float>(length);
            }
            if (max) {
                const int64_t* where = argmax->data() + b * D;
                for (int64_t d = 0; d < D; ++d) dx[where[d] * D + d] = g[d];
            }
        }
    });
}

void pad_packed(const float* packed, int64_t D, const Packing& packing, float* padded) {
    const int64_t T = packing.steps;
    parallel_pieces(packing.rows, 4, [&](int64_t first, int64_t last, int64_t) {
        for (int64_t b = first; b < last; ++b) {
            const int64_t length = packing.lengths[static_cast<size_t>(b)];
            for (int64_t t = 0; t < T; ++t) {
                float* to = padded + (b * T + t) * D;
                if (t < length) {
                    const float* from = packed + packing.at(b, t) * D;
                    for (int64_t d = 0; d < D; ++d) to[d] = from[d];
                } else {
                    for (int64_t d = 0; d < D; ++d) to[d] = 0.0f;
                }
            }
        }
    });
}

void pack_padded(const float* padded, int64_t D, const Packing& packing, float* packed) {
    const int64_t T = packing.steps;
    parallel_pieces(packing.rows, 4, [&](int64_t first, int64_t last, int64_t) {
        for (int64_t b = first; b < last; ++b) {
            const int64_t length = packing.lengths[static_cast<size_t>(b)];
            for (int64_t t = 0; t < length; ++t) {
                const float* from = padded + (b * T + t) * D;
                float* to = packed + packing.at(b, t) * D;
                for (int64_t d = 0; d < D; ++d) to[d] = from[d];
            }
        }
    });
}

AdditivePooling::AdditivePooling(Parameters& parameters, const std::string& prefix, int64_t width, Generator& g)
    : projection_(parameters, prefix + ".projection", width, width, true, g),
      score_(parameters, prefix + ".score", width, 1, false, g) {}

void AdditivePooling::forward(const float* x, int64_t B, int64_t T, const int64_t* lengths, float* pooled, Cache& cache) const {
    const int64_t D = projection_.in();
    cache.activations = Floats(B * T * D);
    projection_.forward(x, B * T, cache.activations.data());
    cache.weights = Floats(B * T);
    const float* v = score_.weight().data();
    parallel_pieces(B, 4, [&](int64_t first, int64_t last, int64_t) {
        for (int64_t b = first; b < last; ++b) {
            const int64_t L = lengths[b];
            float* w = cache.weights.data() + b * T;
            float top = -std::numeric_limits<float>::infinity();
            for (int64_t t = 0; t < T; ++t) {
                float* a = cache.activations.data() + (b * T + t) * D;
                float score = 0.0f;
                for (int64_t d = 0; d < D; ++d) {
                    a[d] = std::tanh(a[d]);
                    score += v[d] * a[d];
                }
                w[t] = score;
                if (t < L) top = std::max(top, score);
            }
            float sum = 0.0f;
            for (int64_t t = 0; t < T; ++t) {
                w[t] = t < L ? std::exp(w[t] - top) : 0.0f;
                sum += w[t];
            }
            float* out = pooled + b * D;
            for (int64_t d = 0; d < D; ++d) out[d] = 0.0f;
            for (int64_t t = 0; t < L; ++t) {
                w[t] /= sum;
                const float* xt = x + (b * T + t) * D;
                for (int64_t d = 0; d < D; ++d) out[d] += w[t] * xt[d];
            }
        }
    });
}

void AdditivePooling::backward(const float* x, int64_t B, int64_t T, const int64_t* lengths, const Cache& cache,
                               const float* dpooled, float* dx) const {
    const int64_t D = projection_.in();
    // d loss / d (W x + b) [B, T, D], and the scores' gradients [B, T].
    Floats dpre = Floats::zeros(B * T * D);
    Floats dscore = Floats::zeros(B * T);
    const float* v = score_.weight().data();
    parallel_pieces(B, 4, [&](int64_t first, int64_t last, int64_t) {
        for (int64_t b = first; b < last; ++b) {
            const int64_t L = lengths[b];
            const float* w = cache.weights.data() + b * T;
            const float* g = dpooled + b * D;
            // pooled = Σ w_t x_t: d x_t += w_t g, d w_t = x_t · g; then through the softmax.
            float dot = 0.0f;
            std::vector<float> dw(static_cast<size_t>(L));
            for (int64_t t = 0; t < L; ++t) {
                const float* xt = x + (b * T + t) * D;
                float* dxt = dx + (b * T + t) * D;
                float s = 0.0f;
                for (int64_t d = 0; d < D; ++d) {
                    dxt[d] += w[t] * g[d];
                    s += xt[d] * g[d];
                }
                dw[static_cast<size_t>(t)] = s;
                dot += w[t] * s;
            }
            for (int64_t t = 0; t < L; ++t) {
                const float ds = w[t] * (dw[static_cast<size_t>(t)] - dot);
                dscore[b * T + t] = ds;
                const float* a = cache.activations.data() + (b * T + t) * D;
                float* dp = dpre.data() + (b * T + t) * D;
                for (int64_t d = 0; d < D; ++d) dp[d] = ds * v[d] * (1.0f - a[d] * a[d]);
            }
        }
    });
    // score.weight [1, D]: Σ_t dscore_t a_t, in a fixed order.
    Parameter& vw = score_.weight();
    if (vw.trainable) {
        float* dv = vw.grad.data();
        for (int64_t i = 0; i < B * T; ++i) {
            const float ds = dscore[i];
            if (ds == 0.0f) continue;
            const float* a = cache.activations.data() + i * D;
            for (int64_t d = 0; d < D; ++d) dv[d] += ds * a[d];
        }
    }
    projection_.backward(x, B * T, dpre.data(), dx, /*accumulate_dx=*/true);
}

void pool_padded(const float* x, int64_t B, int64_t T, int64_t D, const int64_t* lengths, int32_t pooling,
                 const AdditivePooling& attention, float* pooled, PaddedPoolingCache& cache) {
    switch (pooling) {
        case SC_POOLING_ATTENTION:
            attention.forward(x, B, T, lengths, pooled, cache.attention);
            return;
        case SC_POOLING_FIRST:
        case SC_POOLING_MEAN:
        case SC_POOLING_MAX:
            break;
        default:
            throw InvalidArgument("pooling " + std::to_string(pooling) + " is not a pooling over padded outputs");
    }
    if (pooling == SC_POOLING_MAX) cache.argmax = Array<int64_t>(B * D);
    parallel_pieces(B, 4, [&](int64_t first, int64_t last, int64_t) {
        for (int64_t b = first; b < last; ++b) {
            const int64_t L = pooling == SC_POOLING_FIRST ? 1 : lengths[b];
            float* out = pooled + b * D;
            for (int64_t t = 0; t < L; ++t) {
                const float* xt = x + (b * T + t) * D;
                for (int64_t d = 0; d < D; ++d) {
                    if (pooling == SC_POOLING_MAX) {
                        if (t == 0 || xt[d] > out[d]) {
                            out[d] = xt[d];
                            cache.argmax[b * D + d] = t;
                        }
                    } else {
                        out[d] = t == 0 ? xt[d] : out[d] + xt[d];
                    }
                }
            }
            if (pooling == SC_POOLING_MEAN) {
                for (int64_t d = 0; d < D; ++d) out[d] /= static_cast<float>(L);
            }
        }
    });
}

void pool_padded_backward(const float* x, int64_t B, int64_t T, int64_t D, const int64_t* lengths, int32_t pooling,
                          const AdditivePooling& attention, const PaddedPoolingCache& cache, const float* dpooled, float* dx) {
    if (pooling == SC_POOLING_ATTENTION) {
        attention.backward(x, B, T, lengths, cache.attention, dpooled, dx);
        return;
    }
    parallel_pieces(B, 4, [&](int64_t first, int64_t last, int64_t) {
        for (int64_t b = first; b < last; ++b) {
            const float* g = dpooled + b * D;
            if (pooling == SC_POOLING_FIRST) {
                for (int64_t d = 0; d < D; ++d) dx[b * T * D + d] += g[d];
            } else if (pooling == SC_POOLING_MAX) {
                for (int64_t d = 0; d < D; ++d) dx[(b * T + cache.argmax[b * D + d]) * D + d] += g[d];
            } else {
                const int64_t L = lengths[b];
                for (int64_t t = 0; t < L; ++t) {
                    float* dxt = dx + (b * T + t) * D;
                    for (int64_t d = 0; d < D; ++d) dxt[d] += g[d] / static_cast<float>(L);
                }
            }
        }
    });
}

}  // namespace sc
