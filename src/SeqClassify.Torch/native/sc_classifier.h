// The libtorch module behind sc_model: embedding -> packed RNN or Transformer encoder -> pooling ->
// dropout -> head. Parameter names match the PyTorch modules in tests/fixtures/make_fixtures.py,
// so that state dicts move between the two unchanged.
#pragma once

#include <torch/torch.h>

#include <array>
#include <mutex>

#include "sc_model.h"
#include "sc_padded_pooling.h"
#include "sc_transformer.h"

namespace sc {

class SequenceClassifierImpl : public torch::nn::Module {
public:
    explicit SequenceClassifierImpl(const sc_model_config& config);

    // inputs: [B, T] int64 ids or [B, T, F] floats; lengths: [B] int64 on the CPU.
    // Returns logits [B, num_classes]. With attention pooling, *attention_weights (when given)
    // receives the pooling's weights [B, T'] (T' = the longest row's length).
    torch::Tensor forward(const torch::Tensor& inputs, const torch::Tensor& lengths,
                          torch::Tensor* attention_weights = nullptr);

private:
    void build_rnn();
    void build_transformer();
    torch::Tensor rnn_forward(const torch::Tensor& inputs, const torch::Tensor& lengths, torch::Tensor* attention_weights);
    torch::Tensor transformer_forward(const torch::Tensor& inputs, const torch::Tensor& lengths,
                                      torch::Tensor* attention_weights);
    std::tuple<torch::nn::utils::rnn::PackedSequence, torch::Tensor> run_rnn(
        const torch::nn::utils::rnn::PackedSequence& packed);
    // packed holds either embedded steps [N, I] or, in inference, token ids [N] (see forward).
    std::tuple<torch::nn::utils::rnn::PackedSequence, torch::Tensor> run_fused_rnn(
        const torch::nn::utils::rnn::PackedSequence& packed, bool token_ids);
    // Inference: embedding · W_ih^T + b_ih for every token id of the vocabulary, [V, G*H], cached
    // until any of those parameters changes (their version counters key the cache).
    torch::Tensor projection_table(const torch::Tensor& w_ih, const torch::Tensor& b_ih, bool reverse);

    struct ProjectionTable {
        torch::Tensor table;
        std::array<int64_t, 3> versions{-1, -1, -1};
    };
    std::mutex tables_lock_;
    std::array<ProjectionTable, 2> tables_;  // forward, reverse direction of layer 0
    // One vector per sequence from the RNN's packed outputs and final hidden state.
    // Dropout, the optional hidden layer, then the output layer: [B, pooled] -> [B, classes].
    torch::Tensor head(torch::Tensor pooled);
    torch::Tensor pool(const torch::nn::utils::rnn::PackedSequence& outputs, const torch::Tensor& final_hidden,
                       torch::Tensor* attention_weights);

    sc_model_config config_;
    torch::nn::Embedding embedding_{nullptr};
    torch::nn::RNN rnn_{nullptr};
    torch::nn::GRU gru_{nullptr};
    torch::nn::LSTM lstm_{nullptr};
    // Transformer only: feature input, or embeddings narrower or wider than the model, become
    // hidden_size wide; learned positions (sinusoidal ones are a fixed table, not a parameter).
    torch::nn::Linear input_projection_{nullptr};
    torch::nn::Embedding positional_{nullptr};
    torch::Tensor sinusoid_;
    TransformerEncoder transformer_{nullptr};
    AdditiveAttention attention_{nullptr};
    torch::nn::Linear hidden_{nullptr};
    torch::nn::Linear fc_{nullptr};
};
TORCH_MODULE(SequenceClassifier);

// Checks a config and throws InvalidArgument naming the first field that is out of range.
void validate_config(const sc_model_config& config);

}  // namespace sc
