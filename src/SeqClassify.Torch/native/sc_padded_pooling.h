// Pooling over the valid positions of padded outputs [B, T, D]: the Transformer encoder's outputs,
// and the recurrent models' when pooled by attention (which needs every step of a row at once).
// Packed recurrent outputs pooled by mean or max go through sc_packed_pooling.h instead.
#pragma once
#include <torch/torch.h>

#include "sc_model.h"

namespace sc {

// Learned additive attention (Bahdanau et al.): score_t = v · tanh(W x_t + b), softmax over a row's
// valid steps, pooled = Σ_t weight_t x_t. Parameters "projection.weight/bias" [D, D], [D] and
// "score.weight" [1, D]. Padding gets weight 0 exactly.
class AdditiveAttentionImpl : public torch::nn::Module {
public:
    explicit AdditiveAttentionImpl(int64_t width);
    // outputs: [B, T, D]; padding: [B, T] bool (true = padding). Returns the weights [B, T].
    torch::Tensor weights(const torch::Tensor& outputs, const torch::Tensor& padding);

private:
    torch::nn::Linear projection_{nullptr};
    torch::nn::Linear score_{nullptr};
};
TORCH_MODULE(AdditiveAttention);

// One vector per row, [B, D], from outputs [B, T, D] over each row's valid positions.
// pooling: SC_POOLING_MEAN, SC_POOLING_MAX, SC_POOLING_FIRST or SC_POOLING_ATTENTION (then
// attention is the module, and its weights [B, T] are written to *attention_weights when given).
torch::Tensor pool_padded(const torch::Tensor& outputs, const torch::Tensor& lengths, int32_t pooling,
                          AdditiveAttention& attention, torch::Tensor* attention_weights);

}  // namespace sc
