#include "sc_transformer.h"

#include <cmath>
#include <string>

#include "sc_attention.h"
#include "sc_dropout.h"
#include "sc_matmul.h"

namespace sc {

SelfAttentionImpl::SelfAttentionImpl(int64_t width, int64_t heads) : heads_(heads) {
    // nn.MultiheadAttention's initialisation: Xavier-uniform projections, zero biases.
    in_proj_weight = register_parameter("in_proj_weight", torch::empty({3 * width, width}));
    in_proj_bias = register_parameter("in_proj_bias", torch::zeros({3 * width}));
    out_proj = register_module("out_proj", torch::nn::Linear(width, width));
    torch::NoGradGuard no_grad;
    torch::nn::init::xavier_uniform_(in_proj_weight);
    out_proj->bias.zero_();
}

torch::Tensor SelfAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& lengths, double dropout, bool training) {
    auto qkv = sc::linear(x, in_proj_weight, in_proj_bias);                  // [B, T, 3D]: queries, keys, values
    auto mixed = sc::attention(qkv, lengths, heads_, dropout, training);     // [B, T, D]: the heads side by side
    return sc::linear(mixed, out_proj->weight, out_proj->bias);
}

EncoderLayerImpl::EncoderLayerImpl(const sc_model_config& config) : config_(config) {
    const int64_t D = config.hidden_size;
    self_attn_ = register_module("self_attn", SelfAttention(D, config.heads));
    linear1_ = register_module("linear1", torch::nn::Linear(D, config.feedforward_size));
    linear2_ = register_module("linear2", torch::nn::Linear(config.feedforward_size, D));
    // LayerNorm's eps as nn.TransformerEncoderLayer's default.
    norm1_ = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({D}).eps(1e-5)));
    norm2_ = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({D}).eps(1e-5)));
}

torch::Tensor EncoderLayerImpl::attention_block(const torch::Tensor& x, const torch::Tensor& lengths) {
    const double p = config_.transformer_dropout;
    return sc::dropout(self_attn_(x, lengths, p, is_training()), p, is_training());
}

torch::Tensor EncoderLayerImpl::feed_forward_block(const torch::Tensor& x) {
    const double p = config_.transformer_dropout;
    auto inner = sc::linear(x, linear1_->weight, linear1_->bias);
    // In place when nothing is kept for a backward pass: the widest tensor of the layer, not copied.
    const bool in_place = !torch::GradMode::is_enabled();
    if (config_.activation == SC_ACTIVATION_GELU) {
        inner = in_place ? at::gelu_(inner) : torch::gelu(inner);
    } else {
        inner = in_place ? inner.relu_() : torch::relu(inner);
    }
    inner = sc::dropout(inner, p, is_training());
    return sc::dropout(sc::linear(inner, linear2_->weight, linear2_->bias), p, is_training());
}

torch::Tensor EncoderLayerImpl::forward(torch::Tensor x, const torch::Tensor& lengths) {
    if (config_.norm_first) {
        x = x + attention_block(norm1_(x), lengths);
        return x + feed_forward_block(norm2_(x));
    }
    x = norm1_(x + attention_block(x, lengths));
    return norm2_(x + feed_forward_block(x));
}

TransformerEncoderImpl::TransformerEncoderImpl(const sc_model_config& config) {
    layers_ = register_module("layers", torch::nn::ModuleList());
    for (int64_t i = 0; i < config.num_layers; ++i) layers_->push_back(EncoderLayer(config));
    if (config.norm_first) {
        norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.hidden_size}).eps(1e-5)));
    }
}

torch::Tensor TransformerEncoderImpl::forward(torch::Tensor x, const torch::Tensor& lengths) {
    for (const auto& layer : *layers_) x = layer->as<EncoderLayerImpl>()->forward(x, lengths);
    return norm_ ? norm_(x) : x;
}

torch::Tensor sinusoidal_positions(int64_t positions, int64_t width) {
    auto position = torch::arange(positions, torch::kFloat32).unsqueeze(1);  // [P, 1]
    auto rates = torch::exp(torch::arange(0, width, 2, torch::kFloat32) * (-std::log(10000.0) / static_cast<double>(width)));
    auto table = torch::zeros({positions, width});
    table.slice(1, 0, width, 2).copy_(torch::sin(position * rates));
    // An odd width has one fewer cosine column than sine columns.
    table.slice(1, 1, width, 2).copy_(torch::cos(position * rates.slice(0, 0, width / 2)));
    return table;
}

}  // namespace sc
