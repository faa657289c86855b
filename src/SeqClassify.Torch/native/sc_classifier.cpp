#include "sc_classifier.h"

#include <limits>
#include <string>

#include "sc_dropout.h"
#include "sc_fused_rnn.h"
#include "sc_packed_pooling.h"
#include "sc_status.h"

namespace sc {
using torch::nn::utils::rnn::PackedSequence;

namespace {

void require(bool ok, const std::string& message) {
    if (!ok) throw InvalidArgument(message);
}

bool in_unit_interval(float p) { return p >= 0.0f && p < 1.0f; }

}  // namespace

void validate_config(const sc_model_config& c) {
    require(c.vocab_size >= 0, "vocab_size must be >= 0, got " + std::to_string(c.vocab_size));
    require(c.vocab_size == 0 || c.vocab_size >= 2,
            "vocab_size must hold at least <pad> and <unk> (2), got " + std::to_string(c.vocab_size));
    require(c.input_size >= 1, "input_size must be >= 1, got " + std::to_string(c.input_size));
    require(c.hidden_size >= 1, "hidden_size must be >= 1, got " + std::to_string(c.hidden_size));
    require(c.num_layers >= 1, "num_layers must be >= 1, got " + std::to_string(c.num_layers));
    require(c.head_hidden_size >= 0, "head_hidden_size must be >= 0, got " + std::to_string(c.head_hidden_size));
    require(c.num_classes >= 2, "num_classes must be >= 2, got " + std::to_string(c.num_classes));
    require(c.encoder == SC_ENCODER_RNN || c.encoder == SC_ENCODER_TRANSFORMER,
            "encoder must be 0 (RNN) or 1 (Transformer), got " + std::to_string(c.encoder));
    require(c.cell >= SC_CELL_RNN_TANH && c.cell <= SC_CELL_LSTM, "cell must be 0..3, got " + std::to_string(c.cell));
    require(c.pooling >= SC_POOLING_LAST && c.pooling <= SC_POOLING_ATTENTION,
            "pooling must be 0..4, got " + std::to_string(c.pooling));
    if (c.encoder == SC_ENCODER_TRANSFORMER) {
        require(c.pooling != SC_POOLING_LAST,
                "a Transformer has no final hidden state: pool by mean, max, first position or attention");
        require(c.heads >= 1, "heads must be >= 1, got " + std::to_string(c.heads));
        require(c.hidden_size % c.heads == 0, "heads (" + std::to_string(c.heads) + ") must divide the model width hidden_size (" +
                                                  std::to_string(c.hidden_size) + ")");
        require(c.feedforward_size >= 1, "feedforward_size must be >= 1, got " + std::to_string(c.feedforward_size));
        require(c.max_positions >= 1, "max_positions must be >= 1, got " + std::to_string(c.max_positions));
        require(c.positional == SC_POSITIONAL_SINUSOIDAL || c.positional == SC_POSITIONAL_LEARNED,
                "positional must be 0 (sinusoidal) or 1 (learned), got " + std::to_string(c.positional));
        require(c.activation == SC_ACTIVATION_RELU || c.activation == SC_ACTIVATION_GELU,
                "activation must be 0 (relu) or 1 (gelu), got " + std::to_string(c.activation));
        require(c.norm_first == 0 || c.norm_first == 1, "norm_first must be 0 or 1, got " + std::to_string(c.norm_first));
        require(in_unit_interval(c.transformer_dropout), "transformer_dropout must be in [0, 1)");
        require(!c.libtorch_rnn, "libtorch_rnn applies to the RNN encoder only");
    }
    require(in_unit_interval(c.embedding_dropout), "embedding_dropout must be in [0, 1)");
    require(in_unit_interval(c.rnn_dropout), "rnn_dropout must be in [0, 1)");
    require(in_unit_interval(c.dropout), "dropout must be in [0, 1)");
    require(c.label_smoothing >= 0.0f && c.label_smoothing <= 1.0f, "label_smoothing must be in [0, 1]");
    require(in_unit_interval(c.adam_beta1) && in_unit_interval(c.adam_beta2), "Adam betas must be in [0, 1)");
    require(c.adam_eps > 0.0f, "adam_eps must be > 0");
    require(c.weight_decay >= 0.0f, "weight_decay must be >= 0");
    require(c.clip_norm >= 0.0f, "clip_norm must be >= 0 (0 turns clipping off)");
    require(!c.pretrained_embeddings || c.vocab_size > 0, "pretrained_embeddings need token input (vocab_size > 0)");
    require(!c.freeze_embeddings || c.pretrained_embeddings, "freeze_embeddings needs pretrained_embeddings");
}

SequenceClassifierImpl::SequenceClassifierImpl(const sc_model_config& config) : config_(config) {
    validate_config(config);
    const bool transformer = config.encoder == SC_ENCODER_TRANSFORMER;
    if (config.vocab_size > 0) {
        embedding_ = register_module(
            "embedding", torch::nn::Embedding(torch::nn::EmbeddingOptions(config.vocab_size, config.input_size)
                                                  .padding_idx(0)));
        if (transformer) {
            // As PyTorch's Transformer tutorial: small uniform vectors, which the sqrt(E) scaling
            // brings to the positional signal's magnitude.
            torch::NoGradGuard no_grad;
            embedding_->weight.uniform_(-0.1, 0.1);
            embedding_->weight[0].zero_();
        }
        if (config.pretrained_embeddings) {
            torch::NoGradGuard no_grad;
            auto given = torch::from_blob(const_cast<float*>(config.pretrained_embeddings),
                                          {config.vocab_size, config.input_size}, torch::kFloat32);
            embedding_->weight.copy_(given);
            embedding_->weight.set_requires_grad(!config.freeze_embeddings);
        }
    }
    const int64_t pooled = transformer ? config.hidden_size : config.hidden_size * (config.bidirectional ? 2 : 1);
    if (transformer) {
        build_transformer();
    } else {
        build_rnn();
    }
    if (config.pooling == SC_POOLING_ATTENTION) attention_ = register_module("attention", AdditiveAttention(pooled));
    if (config.head_hidden_size > 0) {
        hidden_ = register_module("hidden", torch::nn::Linear(pooled, config.head_hidden_size));
        fc_ = register_module("fc", torch::nn::Linear(config.head_hidden_size, config.num_classes));
    } else {
        fc_ = register_module("fc", torch::nn::Linear(pooled, config.num_classes));
    }
}

void SequenceClassifierImpl::build_transformer() {
    const auto& config = config_;
    if (config.vocab_size == 0 || config.input_size != config.hidden_size) {
        input_projection_ = register_module("input_projection", torch::nn::Linear(config.input_size, config.hidden_size));
    }
    if (config.positional == SC_POSITIONAL_LEARNED) {
        positional_ = register_module("positional", torch::nn::Embedding(config.max_positions, config.hidden_size));
        torch::NoGradGuard no_grad;
        positional_->weight.normal_(0.0, 0.02);
    } else {
        sinusoid_ = sinusoidal_positions(config.max_positions, config.hidden_size);
    }
    transformer_ = register_module("encoder", TransformerEncoder(config));
}

void SequenceClassifierImpl::build_rnn() {
    const auto& config = config_;
    // PyTorch ignores inter-layer dropout on a single layer (and warns); do the same silently.
    const double between_layers = config.num_layers > 1 ? config.rnn_dropout : 0.0;
    switch (config.cell) {
        case SC_CELL_GRU:
            gru_ = register_module("rnn", torch::nn::GRU(torch::nn::GRUOptions(config.input_size, config.hidden_size)
                                                             .num_layers(config.num_layers)
                                                             .batch_first(true)
                                                             .bidirectional(config.bidirectional != 0)
                                                             .dropout(between_layers)));
            break;
        case SC_CELL_LSTM:
            lstm_ = register_module("rnn", torch::nn::LSTM(torch::nn::LSTMOptions(config.input_size, config.hidden_size)
                                                               .num_layers(config.num_layers)
                                                               .batch_first(true)
                                                               .bidirectional(config.bidirectional != 0)
                                                               .dropout(between_layers)));
            break;
        default: {
            auto options = torch::nn::RNNOptions(config.input_size, config.hidden_size)
                               .num_layers(config.num_layers)
                               .batch_first(true)
                               .bidirectional(config.bidirectional != 0)
                               .dropout(between_layers);
            if (config.cell == SC_CELL_RNN_RELU) {
                options.nonlinearity(torch::kReLU);
            } else {
                options.nonlinearity(torch::kTanh);
            }
            rnn_ = register_module("rnn", torch::nn::RNN(options));
        }
    }
}

torch::Tensor SequenceClassifierImpl::forward(const torch::Tensor& inputs, const torch::Tensor& lengths,
                                              torch::Tensor* attention_weights) {
    return config_.encoder == SC_ENCODER_TRANSFORMER ? transformer_forward(inputs, lengths, attention_weights)
                                                     : rnn_forward(inputs, lengths, attention_weights);
}

torch::Tensor SequenceClassifierImpl::transformer_forward(const torch::Tensor& inputs, const torch::Tensor& lengths,
                                                          torch::Tensor* attention_weights) {
    // Positions beyond the longest row are padding everywhere: drop them rather than attend past them.
    const int64_t steps = lengths.max().item<int64_t>();
    if (steps > config_.max_positions) {
        const int64_t row = lengths.argmax().item<int64_t>();
        throw InvalidArgument("row " + std::to_string(row) + ": length " + std::to_string(steps) +
                              " exceeds the model's max_positions (" + std::to_string(config_.max_positions) +
                              "); truncate longer sequences first");
    }
    auto x = inputs.narrow(1, 0, steps);
    if (embedding_) x = embedding_(x) * std::sqrt(static_cast<double>(config_.input_size));  // [B, T, E]
    if (input_projection_) x = input_projection_(x);                                        // [B, T, D]
    x = x + (positional_ ? positional_->weight.narrow(0, 0, steps) : sinusoid_.narrow(0, 0, steps));
    x = sc::dropout(x, config_.embedding_dropout, is_training());
    x = transformer_(x, lengths);
    return head(pool_padded(x, lengths, config_.pooling, attention_, attention_weights));
}

torch::Tensor SequenceClassifierImpl::rnn_forward(const torch::Tensor& inputs, const torch::Tensor& lengths,
                                                  torch::Tensor* attention_weights) {
    if (embedding_ && !is_training() && !config_.libtorch_rnn) {
        // Inference on token ids: layer 0's input projection comes from a per-token table, so the
        // ids are packed as they are ([N]) and never embedded one by one.
        auto packed_ids = torch::nn::utils::rnn::pack_padded_sequence(inputs, lengths, /*batch_first=*/true,
                                                                      /*enforce_sorted=*/false);
        auto [outputs, final_hidden] = run_fused_rnn(packed_ids, /*token_ids=*/true);
        return head(pool(outputs, final_hidden, attention_weights));
    }
    {
        // Training changes the weights: drop the inference tables rather than keep stale memory.
        std::lock_guard<std::mutex> lock(tables_lock_);
        for (auto& entry : tables_) entry = ProjectionTable{};
    }
    // [B, T] ids -> [B, T, E]; feature input is already [B, T, F].
    auto steps = embedding_ ? embedding_(inputs) : inputs;
    steps = sc::dropout(steps, config_.embedding_dropout, is_training());
    // enforce_sorted=false: the batch keeps the caller's order; libtorch sorts and unsorts inside.
    auto packed = torch::nn::utils::rnn::pack_padded_sequence(steps, lengths, /*batch_first=*/true,
                                                              /*enforce_sorted=*/false);
    // outputs: packed [sum(lengths), H * directions]; final_hidden: [layers * directions, B, H].
    auto [outputs, final_hidden] = run_rnn(packed);
    return head(pool(outputs, final_hidden, attention_weights));  // pooled: [B, H * directions]
}

torch::Tensor SequenceClassifierImpl::head(torch::Tensor pooled) {
    pooled = sc::dropout(pooled, config_.dropout, is_training());
    if (hidden_) {
        pooled = torch::relu(hidden_(pooled));  // [B, head_hidden]
        pooled = sc::dropout(pooled, config_.dropout, is_training());
    }
    return fc_(pooled);  // [B, classes]
}

std::tuple<PackedSequence, torch::Tensor> SequenceClassifierImpl::run_rnn(const PackedSequence& packed) {
    if (!config_.libtorch_rnn) return run_fused_rnn(packed, /*token_ids=*/false);
    if (gru_) return gru_->forward_with_packed_input(packed);
    if (lstm_) {
        auto [outputs, state] = lstm_->forward_with_packed_input(packed);
        return {outputs, std::get<0>(state)};  // h, not c
    }
    return rnn_->forward_with_packed_input(packed);
}

torch::Tensor SequenceClassifierImpl::projection_table(const torch::Tensor& w_ih, const torch::Tensor& b_ih, bool reverse) {
    std::lock_guard<std::mutex> lock(tables_lock_);
    auto& entry = tables_[reverse ? 1 : 0];
    const std::array<int64_t, 3> versions{embedding_->weight._version(), w_ih._version(), b_ih._version()};
    if (!entry.table.defined() || entry.versions != versions) {
        torch::NoGradGuard no_grad;
        entry.table = torch::addmm(b_ih, embedding_->weight, w_ih.t());  // [V, G*H]
        entry.versions = versions;
    }
    return entry.table;
}

std::tuple<PackedSequence, torch::Tensor> SequenceClassifierImpl::run_fused_rnn(const PackedSequence& packed, bool token_ids) {
    // The weights stay those of the registered libtorch module ("rnn.weight_ih_l0", ...), so names,
    // shapes, initialisation and saved models are the same whichever path runs.
    torch::nn::Module& rnn = gru_ ? static_cast<torch::nn::Module&>(*gru_)
                             : lstm_ ? static_cast<torch::nn::Module&>(*lstm_) : static_cast<torch::nn::Module&>(*rnn_);
    auto parameters = rnn.named_parameters(/*recurse=*/false);
    auto weights = [&](int64_t layer, bool reverse) {
        const std::string suffix = "_l" + std::to_string(layer) + (reverse ? "_reverse" : "");
        return DirectionWeights{parameters["weight_ih" + suffix], parameters["weight_hh" + suffix],
                                parameters["bias_ih" + suffix], parameters["bias_hh" + suffix]};
    };
    torch::Tensor layer_input = packed.data();  // [N, I]
    std::vector<torch::Tensor> finals;          // per layer and direction: [B, H] in packed (sorted) order
    for (int64_t layer = 0; layer < config_.num_layers; ++layer) {
        if (layer > 0) layer_input = sc::dropout(layer_input, config_.rnn_dropout, is_training());
        std::vector<torch::Tensor> outputs;
        for (bool reverse : config_.bidirectional ? std::vector<bool>{false, true} : std::vector<bool>{false}) {
            auto w = weights(layer, reverse);
            auto result = layer == 0 && token_ids
                              ? fused_rnn_direction_from_table(config_.cell, projection_table(w.w_ih, w.b_ih, reverse),
                                                               layer_input, packed.batch_sizes(), w, reverse)
                              : fused_rnn_direction(config_.cell, layer_input, packed.batch_sizes(), w, reverse);
            outputs.push_back(result[0]);
            finals.push_back(result[1]);
        }
        layer_input = outputs.size() == 1 ? outputs[0] : torch::cat(outputs, 1);  // [N, H * directions]
    }
    // [layers * directions, B, H], back in the caller's row order, as libtorch returns h_n.
    auto final_hidden = torch::stack(finals).index_select(1, packed.unsorted_indices());
    return {PackedSequence(layer_input, packed.batch_sizes(), packed.sorted_indices(), packed.unsorted_indices()), final_hidden};
}

torch::Tensor SequenceClassifierImpl::pool(const PackedSequence& outputs, const torch::Tensor& final_hidden,
                                           torch::Tensor* attention_weights) {
    if (config_.pooling == SC_POOLING_ATTENTION || config_.pooling == SC_POOLING_FIRST) {
        // These need a row's steps side by side: [B, T, D] in the caller's row order.
        auto [padded, lengths] = torch::nn::utils::rnn::pad_packed_sequence(outputs, /*batch_first=*/true);
        return pool_padded(padded, lengths, config_.pooling, attention_, attention_weights);
    }
    if (config_.pooling == SC_POOLING_LAST) {
        // The last layer's final state per direction: indices -2 (forward) and -1 (backward).
        const auto layers = final_hidden.size(0);
        if (config_.bidirectional) {
            return torch::cat({final_hidden[layers - 2], final_hidden[layers - 1]}, 1);
        }
        return final_hidden[layers - 1];
    }
    // Straight from the packed outputs (sc_packed_pooling.h), then back to the caller's row order.
    auto pooled = pool_packed(outputs.data(), outputs.batch_sizes(), config_.pooling);  // [B, D], sorted
    return outputs.unsorted_indices().defined() ? pooled.index_select(0, outputs.unsorted_indices()) : pooled;
}

}  // namespace sc
