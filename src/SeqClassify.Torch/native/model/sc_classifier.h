// The sequence classifier behind sc_model: embedding (or feature input) -> packed recurrent encoder
// or Transformer encoder -> pooling -> head, with its forward pass for inference and its forward and
// backward passes for training. Parameter names match the PyTorch modules of
// tests/fixtures/make_fixtures.py, so that state dicts move between the two unchanged.
#pragma once
#include <cmath>
#include <memory>
#include <vector>

#include "sc_batch.h"
#include "sc_head.h"
#include "sc_loss.h"
#include "sc_model_types.h"
#include "sc_parameters.h"
#include "sc_pooler.h"
#include "sc_pooling.h"
#include "sc_random.h"
#include "sc_recurrent_encoder.h"
#include "sc_transformer.h"

namespace sc {

// Checks a config and throws InvalidArgument naming the first field that is out of range.
void validate_config(const sc_model_config& config);

class Classifier {
public:
    // Initialised from config.seed by PyTorch's rules; config.pretrained_embeddings is copied.
    explicit Classifier(const sc_model_config& config);

    Parameters& parameters() { return parameters_; }
    const Parameters& parameters() const { return parameters_; }

    // Inference (no dropout, nothing kept): logits [B, classes]. attention_weights (only for
    // attention pooling; may be null): the pooling's weights [B, T'], T' the longest row's length.
    // Safe to call from several threads at once.
    Floats predict(const BatchView& batch, Floats* attention_weights) const;

    // Training: the forward pass with dropout, the task's loss (targets checked by check_targets), and
    // the backward pass, whose gradients are added to the parameters' (zero them first). Draws dropout
    // masks from the model's generator. class_weights: cross-entropy's, or multi-label's positive weights.
    LossResult forward_backward(const BatchView& batch, const sc_targets& targets, const std::vector<float>& class_weights);

    // The head's outputs as the task reads them, in place: softmax, sigmoid, or the score itself.
    void to_probabilities(float* outputs, int64_t B) const;

    // A Transformer's position table [max_positions, hidden_size] as the forward pass adds it (the learned
    // "positional.weight", or the fixed sinusoids); null for an RNN.
    const float* position_table() const;

    // Call after the parameters changed (an update, an import): inference tables are rebuilt.
    void parameters_changed();

private:
    struct StepCache;
    // What embedded tokens are multiplied by: sqrt(input_size) (PyTorch's Transformer tutorial) or 1 (BERT).
    float embedding_scale() const {
        return config_.scale_embedding ? static_cast<float>(std::sqrt(static_cast<double>(config_.input_size))) : 1.0f;
    }
    // logits [B, classes]; with cache.training, keeps what the backward pass needs and drops out.
    // (Not const: training draws from the generator. predict, which does not, calls it through a
    // const_cast.)
    Floats forward(const BatchView& batch, StepCache& cache, Floats* attention_weights);
    Floats rnn_pooled(const BatchView& batch, StepCache& cache, Floats* attention_weights);
    Floats transformer_pooled(const BatchView& batch, StepCache& cache, Floats* attention_weights);
    void rnn_backward(const BatchView& batch, StepCache& cache, float* dpooled);
    void transformer_backward(const BatchView& batch, StepCache& cache, float* dpooled);

    sc_model_config config_;
    Generator generator_;  // initialisation, then dropout masks: drawn only by training, which holds the model exclusively
    Parameters parameters_;
    Parameter* embedding_ = nullptr;        // "embedding.weight" [V, E], or null for feature input
    // Transformer only: feature input, or embeddings narrower or wider than the model, become
    // hidden_size wide; learned positions (sinusoidal ones are a fixed table, not a parameter).
    Linear input_projection_;
    Parameter* positional_ = nullptr;       // "positional.weight" [max_positions, D]
    Parameter* token_type_ = nullptr;       // "token_type.weight" [token_types, D], with token_types
    Floats sinusoid_;                       // [max_positions, D]
    LayerNorm embedding_norm_;              // "embedding_norm": after the positions (BERT's embeddings), when asked for
    std::unique_ptr<RecurrentEncoder> rnn_;
    std::unique_ptr<TransformerEncoder> transformer_;
    AdditivePooling attention_;
    TanhPooler pooler_;                     // SC_POOLING_CLS_POOLER only
    Head head_;
};

}  // namespace sc
