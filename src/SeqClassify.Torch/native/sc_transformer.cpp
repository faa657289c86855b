#include "sc_transformer.h"

#include <cmath>
#include <limits>
#include <string>

#include "sc_dropout.h"

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

torch::Tensor SelfAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& padding, double dropout,
                                         bool training) {
    const int64_t B = x.size(0), T = x.size(1), D = x.size(2), head_width = D / heads_;
    // [B, T, 3D] -> three [B, H, T, D/H]
    auto qkv = torch::nn::functional::linear(x, in_proj_weight, in_proj_bias).view({B, T, 3, heads_, head_width});
    auto q = qkv.select(2, 0).transpose(1, 2);
    auto k = qkv.select(2, 1).transpose(1, 2);
    auto v = qkv.select(2, 2).transpose(1, 2);
    // Queries scaled before the product, as PyTorch does, for the same rounding.
    auto scores = torch::matmul(q / std::sqrt(static_cast<double>(head_width)), k.transpose(-2, -1));  // [B, H, T, T]
    scores = scores.masked_fill(padding.view({B, 1, 1, T}), -std::numeric_limits<float>::infinity());
    auto weights = sc::dropout(torch::softmax(scores, -1), dropout, training);
    auto mixed = torch::matmul(weights, v).transpose(1, 2).reshape({B, T, D});  // [B, T, D]
    return out_proj(mixed);
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

torch::Tensor EncoderLayerImpl::attention_block(const torch::Tensor& x, const torch::Tensor& padding) {
    const double p = config_.transformer_dropout;
    return sc::dropout(self_attn_(x, padding, p, is_training()), p, is_training());
}

torch::Tensor EncoderLayerImpl::feed_forward_block(const torch::Tensor& x) {
    const double p = config_.transformer_dropout;
    auto inner = linear1_(x);
    inner = config_.activation == SC_ACTIVATION_GELU ? torch::gelu(inner) : torch::relu(inner);
    return sc::dropout(linear2_(sc::dropout(inner, p, is_training())), p, is_training());
}

torch::Tensor EncoderLayerImpl::forward(torch::Tensor x, const torch::Tensor& padding) {
    if (config_.norm_first) {
        x = x + attention_block(norm1_(x), padding);
        return x + feed_forward_block(norm2_(x));
    }
    x = norm1_(x + attention_block(x, padding));
    return norm2_(x + feed_forward_block(x));
}

TransformerEncoderImpl::TransformerEncoderImpl(const sc_model_config& config) {
    layers_ = register_module("layers", torch::nn::ModuleList());
    for (int64_t i = 0; i < config.num_layers; ++i) layers_->push_back(EncoderLayer(config));
    if (config.norm_first) {
        norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.hidden_size}).eps(1e-5)));
    }
}

torch::Tensor TransformerEncoderImpl::forward(torch::Tensor x, const torch::Tensor& padding) {
    for (const auto& layer : *layers_) x = layer->as<EncoderLayerImpl>()->forward(x, padding);
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
