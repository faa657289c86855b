// The Transformer encoder of sc_model (encoder == SC_ENCODER_TRANSFORMER): PyTorch's
// nn.TransformerEncoder(nn.TransformerEncoderLayer(batch_first=True, ...)) with a key-padding
// mask, written with libtorch's differentiable operators so that the engine's dropout and threads
// are used. Parameter names are PyTorch's ("encoder.layers.0.self_attn.in_proj_weight", ...), so a
// state dict moves between the two unchanged (tests/fixtures/make_fixtures.py checks the numbers).
#pragma once
#include <torch/torch.h>

#include "sc_model.h"

namespace sc {

// nn.MultiheadAttention's parameters and its forward for self-attention (query = key = value).
class SelfAttentionImpl : public torch::nn::Module {
public:
    SelfAttentionImpl(int64_t width, int64_t heads);
    // x: [B, T, D]; lengths [B] int64: positions from a row's length on are padding (never attended
    // to; their outputs are 0, see sc_attention.h).
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& lengths, double dropout, bool training);

    torch::Tensor in_proj_weight, in_proj_bias;  // [3D, D], [3D]: query, key, value stacked
    torch::nn::Linear out_proj{nullptr};

private:
    int64_t heads_;
};
TORCH_MODULE(SelfAttention);

// One nn.TransformerEncoderLayer: self-attention and a feed-forward block, each with a residual
// connection and a LayerNorm, after (post-norm, PyTorch's default) or before (pre-norm) the block.
class EncoderLayerImpl : public torch::nn::Module {
public:
    explicit EncoderLayerImpl(const sc_model_config& config);
    torch::Tensor forward(torch::Tensor x, const torch::Tensor& lengths);

private:
    torch::Tensor attention_block(const torch::Tensor& x, const torch::Tensor& lengths);
    torch::Tensor feed_forward_block(const torch::Tensor& x);

    sc_model_config config_;
    SelfAttention self_attn_{nullptr};
    torch::nn::Linear linear1_{nullptr}, linear2_{nullptr};
    torch::nn::LayerNorm norm1_{nullptr}, norm2_{nullptr};
};
TORCH_MODULE(EncoderLayer);

// The stack ("encoder.layers.N") and, with pre-norm, a final LayerNorm ("encoder.norm"), as a
// pre-norm nn.TransformerEncoder is built (without it the last residual sum would be unnormalised).
class TransformerEncoderImpl : public torch::nn::Module {
public:
    explicit TransformerEncoderImpl(const sc_model_config& config);
    torch::Tensor forward(torch::Tensor x, const torch::Tensor& lengths);

private:
    torch::nn::ModuleList layers_{nullptr};
    torch::nn::LayerNorm norm_{nullptr};
};
TORCH_MODULE(TransformerEncoder);

// The sinusoidal table of "Attention Is All You Need" (as in PyTorch's tutorials):
// row p, column 2i: sin(p / 10000^(2i/D)); column 2i+1: cos of the same. [positions, D].
torch::Tensor sinusoidal_positions(int64_t positions, int64_t width);

}  // namespace sc
