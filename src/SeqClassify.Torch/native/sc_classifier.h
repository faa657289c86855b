// The libtorch module behind sc_model: embedding -> packed RNN -> pooling -> dropout -> head.
// Parameter names match the PyTorch module in tests/fixtures/make_fixtures.py, so that state
// dicts move between the two unchanged.
#pragma once

#include <torch/torch.h>

#include "sc_model.h"

namespace sc {

class SequenceClassifierImpl : public torch::nn::Module {
public:
    explicit SequenceClassifierImpl(const sc_model_config& config);

    // inputs: [B, T] int64 ids or [B, T, F] floats; lengths: [B] int64 on the CPU.
    // Returns logits [B, num_classes].
    torch::Tensor forward(const torch::Tensor& inputs, const torch::Tensor& lengths);

private:
    std::tuple<torch::nn::utils::rnn::PackedSequence, torch::Tensor> run_rnn(
        const torch::nn::utils::rnn::PackedSequence& packed);
    std::tuple<torch::nn::utils::rnn::PackedSequence, torch::Tensor> run_fused_rnn(
        const torch::nn::utils::rnn::PackedSequence& packed);
    // One vector per sequence from the RNN's packed outputs and final hidden state.
    torch::Tensor pool(const torch::nn::utils::rnn::PackedSequence& outputs, const torch::Tensor& final_hidden,
                       const torch::Tensor& lengths);

    sc_model_config config_;
    torch::nn::Embedding embedding_{nullptr};
    torch::nn::RNN rnn_{nullptr};
    torch::nn::GRU gru_{nullptr};
    torch::nn::LSTM lstm_{nullptr};
    torch::nn::Linear hidden_{nullptr};
    torch::nn::Linear fc_{nullptr};
};
TORCH_MODULE(SequenceClassifier);

// Checks a config and throws InvalidArgument naming the first field that is out of range.
void validate_config(const sc_model_config& config);

}  // namespace sc
