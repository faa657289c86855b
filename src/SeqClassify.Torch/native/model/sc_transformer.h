// The Transformer encoder of sc_model (encoder == SC_ENCODER_TRANSFORMER): PyTorch's
// nn.TransformerEncoder(nn.TransformerEncoderLayer(batch_first=True, ...)) with a key-padding mask,
// forward and backward written out. Parameter names are PyTorch's
// ("encoder.layers.0.self_attn.in_proj_weight", ...), so a state dict moves between the two
// unchanged (tests/fixtures/make_fixtures.py checks the numbers).
#pragma once
#include <vector>

#include "sc_array.h"
#include "sc_dropout.h"
#include "sc_layer_norm.h"
#include "sc_linear.h"
#include "sc_model_types.h"

namespace sc {

// One nn.TransformerEncoderLayer: self-attention and a feed-forward block, each with a residual
// connection and a LayerNorm, after (post-norm, PyTorch's default) or before (pre-norm) the block.
class EncoderLayer {
public:
    EncoderLayer(Parameters& parameters, const std::string& prefix, const sc_model_config& config, Generator& g);

    // What the backward pass needs of one layer's forward pass.
    struct Cache {
        Floats attention_input;    // [m, D] in_proj's input
        Floats qkv;                // [m, 3D]
        Floats weights;            // [B, heads, T, T] the attention's softmax
        Floats mixed;              // [m, D] out_proj's input
        Floats norm1, norm2;       // [m, D] normalized rows
        Floats rstd1, rstd2;       // [m]
        Floats feed_forward_input; // [m, D] linear1's input
        Floats inner;              // [m, F] linear1's output (before the activation)
        Floats activated;          // [m, F] linear2's input (activation and dropout applied)
        DropoutDraw attention_dropout, attention_out_dropout, inner_dropout, out_dropout;
    };

    // x [B, T, D] becomes the layer's output, in place. cache null: inference (no dropout, nothing kept).
    void forward(float* x, int64_t B, int64_t T, const int64_t* lengths, Cache* cache, Generator* g) const;
    // dx [B, T, D]: d loss / d output in, d loss / d input out. Adds to the parameters' gradients.
    void backward(float* dx, int64_t B, int64_t T, const int64_t* lengths, const Cache& cache) const;

private:
    // The attention block's output [m, D] from its input.
    void attention_block(const float* input, int64_t B, int64_t T, const int64_t* lengths, float* out, Cache* cache,
                         Generator* g) const;
    void feed_forward_block(const float* input, int64_t m, float* out, Cache* cache, Generator* g) const;
    // d loss / d block input, added to d_input, from d loss / d block output (d_out, consumed).
    void attention_block_backward(float* d_out, int64_t B, int64_t T, const int64_t* lengths, const Cache& cache,
                                  float* d_input) const;
    void feed_forward_block_backward(float* d_out, int64_t m, const Cache& cache, float* d_input) const;

    sc_model_config config_;
    Linear in_proj_, out_proj_, linear1_, linear2_;
    LayerNorm norm1_, norm2_;
};

// The stack ("encoder.layers.N") and, with pre-norm, a final LayerNorm ("encoder.norm"), as a
// pre-norm nn.TransformerEncoder is built (without it the last residual sum would be unnormalised).
class TransformerEncoder {
public:
    TransformerEncoder(Parameters& parameters, const sc_model_config& config, Generator& g);

    struct Cache {
        std::vector<EncoderLayer::Cache> layers;
        Floats norm, rstd;  // the final LayerNorm's
    };
    // x [B, T, D] in place; cache null: inference.
    void forward(float* x, int64_t B, int64_t T, const int64_t* lengths, Cache* cache, Generator* g) const;
    void backward(float* dx, int64_t B, int64_t T, const int64_t* lengths, const Cache& cache) const;

private:
    int64_t width_;
    std::vector<EncoderLayer> layers_;
    LayerNorm norm_;
};

// The sinusoidal table of "Attention Is All You Need" (as in PyTorch's tutorials): row p, column 2i:
// sin(p / 10000^(2i/D)); column 2i+1: cos of the same. [positions, D].
Floats sinusoidal_positions(int64_t positions, int64_t width);

}  // namespace sc
