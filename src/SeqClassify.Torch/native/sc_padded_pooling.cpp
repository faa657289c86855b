#include "sc_padded_pooling.h"

#include <limits>

#include "sc_status.h"

namespace sc {

AdditiveAttentionImpl::AdditiveAttentionImpl(int64_t width) {
    projection_ = register_module("projection", torch::nn::Linear(width, width));
    score_ = register_module("score", torch::nn::Linear(torch::nn::LinearOptions(width, 1).bias(false)));
}

torch::Tensor AdditiveAttentionImpl::weights(const torch::Tensor& outputs, const torch::Tensor& padding) {
    auto scores = score_(torch::tanh(projection_(outputs))).squeeze(-1);  // [B, T]
    return torch::softmax(scores.masked_fill(padding, -std::numeric_limits<float>::infinity()), 1);
}

namespace {
// [B, T] bool, true at positions t >= lengths[b].
torch::Tensor padding_mask(const torch::Tensor& lengths, int64_t steps) {
    return torch::arange(steps, torch::kInt64).unsqueeze(0).ge(lengths.unsqueeze(1));
}
}  // namespace

torch::Tensor pool_padded(const torch::Tensor& outputs, const torch::Tensor& lengths, int32_t pooling,
                          AdditiveAttention& attention, torch::Tensor* attention_weights) {
    const auto padding = padding_mask(lengths, outputs.size(1));  // [B, T]
    switch (pooling) {
        case SC_POOLING_FIRST:
            return outputs.select(1, 0);
        case SC_POOLING_MEAN:
            return outputs.masked_fill(padding.unsqueeze(-1), 0.0).sum(1) / lengths.to(outputs.scalar_type()).unsqueeze(1);
        case SC_POOLING_MAX:
            return std::get<0>(outputs.masked_fill(padding.unsqueeze(-1), -std::numeric_limits<float>::infinity()).max(1));
        case SC_POOLING_ATTENTION: {
            auto weights = attention->weights(outputs, padding);  // [B, T]
            if (attention_weights) *attention_weights = weights.detach();
            return torch::bmm(weights.unsqueeze(1), outputs).squeeze(1);  // [B, D]
        }
        default:
            throw InvalidArgument("pooling " + std::to_string(pooling) + " is not a pooling over padded outputs");
    }
}

}  // namespace sc
