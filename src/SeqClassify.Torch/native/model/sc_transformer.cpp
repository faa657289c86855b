#include "sc_transformer.h"

#include <cmath>
#include <cstring>
#include <string>

#include "sc_attention.h"
#include "sc_thread_pool.h"

namespace sc {
namespace {

constexpr int64_t kPiece = 1 << 14;

// a[i] += b[i] over n floats.
void add_into(float* a, const float* b, int64_t n) {
    parallel_pieces(n, kPiece, [&](int64_t first, int64_t last, int64_t) {
        for (int64_t i = first; i < last; ++i) a[i] += b[i];
    });
}

Floats copy(const float* x, int64_t n) { return Floats::copy_of(x, n); }

// GELU as PyTorch's default (exact): x Φ(x), and its derivative Φ(x) + x φ(x).
inline float gelu(float x) { return 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752f)); }
inline float gelu_grad(float x) {
    return 0.5f * (1.0f + std::erf(x * 0.70710678118654752f)) + x * 0.39894228040143268f * std::exp(-0.5f * x * x);
}

}  // namespace

EncoderLayer::EncoderLayer(Parameters& parameters, const std::string& prefix, const sc_model_config& config, Generator& g)
    : config_(config) {
    const int64_t D = config.hidden_size;
    // nn.MultiheadAttention's initialisation: Xavier-uniform in_proj, zero biases (in_proj's and out_proj's).
    Parameter& in_weight = parameters.add(prefix + ".self_attn.in_proj_weight", {3 * D, D});
    init_uniform(in_weight, g, std::sqrt(6.0 / static_cast<double>(D + 3 * D)));
    Parameter& in_bias = parameters.add(prefix + ".self_attn.in_proj_bias", {3 * D});
    init_constant(in_bias, 0.0f);
    in_proj_ = Linear(in_weight, &in_bias);
    out_proj_ = Linear(parameters, prefix + ".self_attn.out_proj", D, D, true, g);
    init_constant(*out_proj_.bias(), 0.0f);
    linear1_ = Linear(parameters, prefix + ".linear1", D, config.feed_forward_size, true, g);
    linear2_ = Linear(parameters, prefix + ".linear2", config.feed_forward_size, D, true, g);
    norm1_ = LayerNorm(parameters, prefix + ".norm1", D, config.layer_norm_epsilon);
    norm2_ = LayerNorm(parameters, prefix + ".norm2", D, config.layer_norm_epsilon);
}

void EncoderLayer::attention_block(const float* input, int64_t B, int64_t T, const int64_t* lengths, float* out, Cache* cache,
                                   Generator* g) const {
    const int64_t D = config_.hidden_size, m = B * T;
    const double p = cache ? config_.transformer_dropout : 0.0;
    Floats qkv(m * 3 * D);                         // [B, T, 3D]: queries, keys, values
    in_proj_.forward(input, m, qkv.data(), !cache);
    Floats mixed(m * D);                           // [B, T, D]: the heads side by side
    Floats weights(cache ? B * config_.heads * T * T : 0);
    const DropoutDraw attention_dropout = cache ? DropoutDraw::next(p, *g) : DropoutDraw{};
    attention_forward({B, T, D, config_.heads}, qkv.data(), lengths, attention_dropout, mixed.data(), cache ? weights.data() : nullptr);
    out_proj_.forward(mixed.data(), m, out, !cache);
    const DropoutDraw out_dropout = cache ? DropoutDraw::next(p, *g) : DropoutDraw{};
    out_dropout.apply(out, m * D);
    if (cache) {
        cache->attention_input = copy(input, m * D);
        cache->qkv = std::move(qkv);
        cache->weights = std::move(weights);
        cache->mixed = std::move(mixed);
        cache->attention_dropout = attention_dropout;
        cache->attention_out_dropout = out_dropout;
    }
}

void EncoderLayer::feed_forward_block(const float* input, int64_t m, float* out, Cache* cache, Generator* g) const {
    const int64_t F = config_.feed_forward_size, D = config_.hidden_size;
    const double p = cache ? config_.transformer_dropout : 0.0;
    Floats inner(m * F);
    linear1_.forward(input, m, inner.data(), !cache);
    // Inference activates in place; training keeps the pre-activation for the backward pass.
    Floats activated = cache ? Floats(m * F) : Floats();
    float* a = cache ? activated.data() : inner.data();
    const float* pre = inner.data();
    if (config_.activation == SC_ACTIVATION_GELU) {
        parallel_pieces(m * F, kPiece, [&](int64_t first, int64_t last, int64_t) {
            for (int64_t i = first; i < last; ++i) a[i] = gelu(pre[i]);
        });
    } else {
        parallel_pieces(m * F, kPiece, [&](int64_t first, int64_t last, int64_t) {
            for (int64_t i = first; i < last; ++i) a[i] = std::max(pre[i], 0.0f);
        });
    }
    // nn.TransformerEncoderLayer drops out after the activation; BERT does not (feed_forward_inner_dropout 0).
    const DropoutDraw inner_dropout = cache && config_.feed_forward_inner_dropout ? DropoutDraw::next(p, *g) : DropoutDraw{};
    inner_dropout.apply(a, m * F);
    linear2_.forward(a, m, out, !cache);
    const DropoutDraw out_dropout = cache ? DropoutDraw::next(p, *g) : DropoutDraw{};
    out_dropout.apply(out, m * D);
    if (cache) {
        cache->feed_forward_input = copy(input, m * D);
        cache->inner = std::move(inner);
        cache->activated = std::move(activated);
        cache->inner_dropout = inner_dropout;
        cache->out_dropout = out_dropout;
    }
}

void EncoderLayer::forward(float* x, int64_t B, int64_t T, const int64_t* lengths, Cache* cache, Generator* g) const {
    const int64_t D = config_.hidden_size, m = B * T;
    Floats block(m * D);
    if (cache) {
        cache->norm1 = Floats(m * D);
        cache->norm2 = Floats(m * D);
        cache->rstd1 = Floats(m);
        cache->rstd2 = Floats(m);
    }
    float* n1 = cache ? cache->norm1.data() : nullptr;
    float* r1 = cache ? cache->rstd1.data() : nullptr;
    float* n2 = cache ? cache->norm2.data() : nullptr;
    float* r2 = cache ? cache->rstd2.data() : nullptr;
    if (config_.norm_first) {
        // x = x + attention(norm1(x)); x = x + feed_forward(norm2(x))
        Floats normed(m * D);
        norm1_.forward(x, m, normed.data(), n1, r1);
        attention_block(normed.data(), B, T, lengths, block.data(), cache, g);
        add_into(x, block.data(), m * D);
        norm2_.forward(x, m, normed.data(), n2, r2);
        feed_forward_block(normed.data(), m, block.data(), cache, g);
        add_into(x, block.data(), m * D);
        return;
    }
    // x = norm1(x + attention(x)); x = norm2(x + feed_forward(x))
    attention_block(x, B, T, lengths, block.data(), cache, g);
    add_into(x, block.data(), m * D);
    norm1_.forward(x, m, x, n1, r1);
    feed_forward_block(x, m, block.data(), cache, g);
    add_into(x, block.data(), m * D);
    norm2_.forward(x, m, x, n2, r2);
}

void EncoderLayer::attention_block_backward(float* d_out, int64_t B, int64_t T, const int64_t* lengths, const Cache& cache,
                                            float* d_input) const {
    const int64_t D = config_.hidden_size, m = B * T;
    cache.attention_out_dropout.apply(d_out, m * D);
    Floats d_mixed(m * D);
    out_proj_.backward(cache.mixed.data(), m, d_out, d_mixed.data(), false);
    Floats d_qkv(m * 3 * D);
    attention_backward({B, T, D, config_.heads}, cache.qkv.data(), lengths, cache.attention_dropout, cache.weights.data(),
                       d_mixed.data(), d_qkv.data());
    in_proj_.backward(cache.attention_input.data(), m, d_qkv.data(), d_input, true);
}

void EncoderLayer::feed_forward_block_backward(float* d_out, int64_t m, const Cache& cache, float* d_input) const {
    const int64_t F = config_.feed_forward_size, D = config_.hidden_size;
    cache.out_dropout.apply(d_out, m * D);
    Floats d_inner(m * F);
    linear2_.backward(cache.activated.data(), m, d_out, d_inner.data(), false);
    cache.inner_dropout.apply(d_inner.data(), m * F);
    const float* inner = cache.inner.data();
    float* d = d_inner.data();
    if (config_.activation == SC_ACTIVATION_GELU) {
        parallel_pieces(m * F, kPiece, [&](int64_t first, int64_t last, int64_t) {
            for (int64_t i = first; i < last; ++i) d[i] *= gelu_grad(inner[i]);
        });
    } else {
        parallel_pieces(m * F, kPiece, [&](int64_t first, int64_t last, int64_t) {
            for (int64_t i = first; i < last; ++i) d[i] = inner[i] > 0.0f ? d[i] : 0.0f;
        });
    }
    linear1_.backward(cache.feed_forward_input.data(), m, d_inner.data(), d_input, true);
}

void EncoderLayer::backward(float* dx, int64_t B, int64_t T, const int64_t* lengths, const Cache& cache) const {
    const int64_t D = config_.hidden_size, m = B * T;
    if (config_.norm_first) {
        // x2 = x1 + ff(norm2(x1)): d x1 = d x2 + norm2'(ff'(d x2)); the same for the attention block.
        Floats d_block = copy(dx, m * D), d_normed = Floats::zeros(m * D);
        feed_forward_block_backward(d_block.data(), m, cache, d_normed.data());
        norm2_.backward(cache.norm2.data(), cache.rstd2.data(), m, d_normed.data(), dx, true);
        std::memcpy(d_block.data(), dx, sizeof(float) * static_cast<size_t>(m * D));
        d_normed.fill(0.0f);
        attention_block_backward(d_block.data(), B, T, lengths, cache, d_normed.data());
        norm1_.backward(cache.norm1.data(), cache.rstd1.data(), m, d_normed.data(), dx, true);
        return;
    }
    // x2 = norm2(x1 + ff(x1)): d s2 = norm2'(d x2), d x1 = d s2 + ff'(d s2); x1 = norm1(x + attn(x)) likewise.
    Floats d_sum(m * D);
    norm2_.backward(cache.norm2.data(), cache.rstd2.data(), m, dx, d_sum.data(), false);
    std::memcpy(dx, d_sum.data(), sizeof(float) * static_cast<size_t>(m * D));
    feed_forward_block_backward(d_sum.data(), m, cache, dx);
    norm1_.backward(cache.norm1.data(), cache.rstd1.data(), m, dx, d_sum.data(), false);
    std::memcpy(dx, d_sum.data(), sizeof(float) * static_cast<size_t>(m * D));
    attention_block_backward(d_sum.data(), B, T, lengths, cache, dx);
}

TransformerEncoder::TransformerEncoder(Parameters& parameters, const sc_model_config& config, Generator& g)
    : width_(config.hidden_size) {
    for (int64_t i = 0; i < config.num_layers; ++i) layers_.emplace_back(parameters, "encoder.layers." + std::to_string(i), config, g);
    if (config.norm_first) norm_ = LayerNorm(parameters, "encoder.norm", config.hidden_size, config.layer_norm_epsilon);
}

void TransformerEncoder::forward(float* x, int64_t B, int64_t T, const int64_t* lengths, Cache* cache, Generator* g) const {
    if (cache) cache->layers.resize(layers_.size());
    for (size_t i = 0; i < layers_.size(); ++i) layers_[i].forward(x, B, T, lengths, cache ? &cache->layers[i] : nullptr, g);
    if (!norm_.defined()) return;
    const int64_t m = B * T;
    if (cache) {
        cache->norm = Floats(m * width_);
        cache->rstd = Floats(m);
    }
    norm_.forward(x, m, x, cache ? cache->norm.data() : nullptr, cache ? cache->rstd.data() : nullptr);
}

void TransformerEncoder::backward(float* dx, int64_t B, int64_t T, const int64_t* lengths, const Cache& cache) const {
    const int64_t m = B * T;
    if (norm_.defined()) {
        Floats d_input(m * width_);
        norm_.backward(cache.norm.data(), cache.rstd.data(), m, dx, d_input.data(), false);
        std::memcpy(dx, d_input.data(), sizeof(float) * static_cast<size_t>(m * width_));
    }
    for (size_t i = layers_.size(); i-- > 0;) layers_[i].backward(dx, B, T, lengths, cache.layers[i]);
}

Floats sinusoidal_positions(int64_t positions, int64_t width) {
    Floats table = Floats::zeros(positions * width);
    // As the tutorials compute it, in float: rates exp(2i * -ln(10000) / D), angles position * rate.
    for (int64_t i = 0; 2 * i < width; ++i) {
        const float rate = std::exp(static_cast<float>(2 * i) * static_cast<float>(-std::log(10000.0) / static_cast<double>(width)));
        for (int64_t p = 0; p < positions; ++p) {
            const float angle = static_cast<float>(p) * rate;
            table[p * width + 2 * i] = std::sin(angle);
            if (2 * i + 1 < width) table[p * width + 2 * i + 1] = std::cos(angle);
        }
    }
    return table;
}

}  // namespace sc
