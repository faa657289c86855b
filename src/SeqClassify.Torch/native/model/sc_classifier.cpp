#include "sc_classifier.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "sc_dropout.h"
#include "sc_embedding.h"
#include "sc_errors.h"

namespace sc {

namespace {

void require(bool ok, const std::string& message) {
    if (!ok) throw InvalidArgument(message);
}

bool in_unit_interval(float p) { return p >= 0.0f && p < 1.0f; }

// Row b, step t's segment: the batch's token type, or 0 where it gives none.
inline int64_t segment_of(const BatchView& batch, int64_t b, int64_t t) {
    return batch.type_ids ? batch.type_ids[b * batch.max_length + t] : 0;
}

}  // namespace

void validate_config(const sc_model_config& c) {
    require(c.vocabulary_size >= 0, "vocabulary_size must be >= 0, got " + std::to_string(c.vocabulary_size));
    require(c.vocabulary_size == 0 || c.vocabulary_size >= 2,
            "vocabulary_size must hold at least <pad> and <unk> (2), got " + std::to_string(c.vocabulary_size));
    require(c.input_size >= 1, "input_size must be >= 1, got " + std::to_string(c.input_size));
    require(c.hidden_size >= 1, "hidden_size must be >= 1, got " + std::to_string(c.hidden_size));
    require(c.num_layers >= 1, "num_layers must be >= 1, got " + std::to_string(c.num_layers));
    require(c.head_hidden_size >= 0, "head_hidden_size must be >= 0, got " + std::to_string(c.head_hidden_size));
    require(c.task >= SC_TASK_SINGLE_LABEL && c.task <= SC_TASK_REGRESSION, "task must be 0..2, got " + std::to_string(c.task));
    if (c.task == SC_TASK_SINGLE_LABEL) require(c.num_classes >= 2, "num_classes must be >= 2, got " + std::to_string(c.num_classes));
    if (c.task == SC_TASK_MULTI_LABEL) require(c.num_classes >= 1, "num_classes (labels) must be >= 1, got " + std::to_string(c.num_classes));
    if (c.task == SC_TASK_REGRESSION) require(c.num_classes == 1, "a regression has one output: num_classes must be 1, got " + std::to_string(c.num_classes));
    require(c.task == SC_TASK_SINGLE_LABEL || c.label_smoothing == 0.0f, "label_smoothing is cross-entropy's: it needs task 0 (single label)");
    require(c.task == SC_TASK_REGRESSION || c.huber_delta == 0.0f, "huber_delta is regression's: it needs task 2");
    require(c.huber_delta >= 0.0f && std::isfinite(c.huber_delta), "huber_delta must be finite and >= 0 (0: mean squared error)");
    require(c.window_pooling == SC_WINDOW_POOLING_MEAN || c.window_pooling == SC_WINDOW_POOLING_MAX,
            "window_pooling must be 0 (mean) or 1 (max), got " + std::to_string(c.window_pooling));
    require(c.encoder == SC_ENCODER_RNN || c.encoder == SC_ENCODER_TRANSFORMER,
            "encoder must be 0 (RNN) or 1 (Transformer), got " + std::to_string(c.encoder));
    require(c.cell >= SC_CELL_RNN && c.cell <= SC_CELL_LSTM, "cell must be 0..3, got " + std::to_string(c.cell));
    require(c.pooling >= SC_POOLING_LAST && c.pooling <= SC_POOLING_CLS_POOLER,
            "pooling must be 0..5, got " + std::to_string(c.pooling));
    require(c.token_types >= 0, "token_types must be >= 0, got " + std::to_string(c.token_types));
    if (c.encoder != SC_ENCODER_TRANSFORMER) {
        require(c.pooling != SC_POOLING_CLS_POOLER, "the pooler (BERT's tanh over the first position) needs a Transformer encoder");
        require(c.token_types == 0, "token_types need a Transformer encoder");
    }
    require(c.token_types == 0 || c.vocabulary_size > 0, "token_types need token input (vocabulary_size > 0)");
    require(c.segment_separator_id >= 0 && c.segment_separator_id < std::max<int64_t>(c.vocabulary_size, 1),
            "segment_separator_id must be 0 (none) or an id of the vocabulary, got " + std::to_string(c.segment_separator_id));
    require(c.segment_separator_id == 0 || c.token_types >= 2, "segment_separator_id needs at least 2 token_types");
    if (c.encoder == SC_ENCODER_TRANSFORMER) {
        require(c.pooling != SC_POOLING_LAST,
                "a Transformer has no final hidden state: pool by mean, max, first position, attention or BERT's pooler");
        require(c.heads >= 1, "heads must be >= 1, got " + std::to_string(c.heads));
        require(c.hidden_size % c.heads == 0, "heads (" + std::to_string(c.heads) + ") must divide the model width hidden_size (" +
                                                  std::to_string(c.hidden_size) + ")");
        require(c.feed_forward_size >= 1, "feed_forward_size must be >= 1, got " + std::to_string(c.feed_forward_size));
        require(c.max_positions >= 1, "max_positions must be >= 1, got " + std::to_string(c.max_positions));
        require(c.positional_encoding == SC_POSITIONAL_SINUSOIDAL || c.positional_encoding == SC_POSITIONAL_LEARNED,
                "positional_encoding must be 0 (sinusoidal) or 1 (learned), got " + std::to_string(c.positional_encoding));
        require(c.activation == SC_ACTIVATION_RELU || c.activation == SC_ACTIVATION_GELU,
                "activation must be 0 (relu) or 1 (gelu), got " + std::to_string(c.activation));
        require(c.norm_first == 0 || c.norm_first == 1, "norm_first must be 0 or 1, got " + std::to_string(c.norm_first));
        require(in_unit_interval(c.transformer_dropout), "transformer_dropout must be in [0, 1)");
        require(c.layer_norm_epsilon > 0.0 && c.layer_norm_epsilon < 1.0, "layer_norm_epsilon must be in (0, 1)");
        require(c.scale_embedding == 0 || c.scale_embedding == 1, "scale_embedding must be 0 or 1, got " + std::to_string(c.scale_embedding));
        require(c.embedding_norm == 0 || c.embedding_norm == 1, "embedding_norm must be 0 or 1, got " + std::to_string(c.embedding_norm));
        require(c.feed_forward_inner_dropout == 0 || c.feed_forward_inner_dropout == 1,
                "feed_forward_inner_dropout must be 0 or 1, got " + std::to_string(c.feed_forward_inner_dropout));
    }
    require(in_unit_interval(c.embedding_dropout), "embedding_dropout must be in [0, 1)");
    require(in_unit_interval(c.rnn_dropout), "rnn_dropout must be in [0, 1)");
    require(in_unit_interval(c.dropout), "dropout must be in [0, 1)");
    require(c.label_smoothing >= 0.0f && c.label_smoothing <= 1.0f, "label_smoothing must be in [0, 1]");
    require(in_unit_interval(c.adam_beta1) && in_unit_interval(c.adam_beta2), "Adam betas must be in [0, 1)");
    require(c.adam_epsilon > 0.0f, "adam_epsilon must be > 0");
    require(c.weight_decay >= 0.0f, "weight_decay must be >= 0");
    require(c.decay_biases_and_norms == 0 || c.decay_biases_and_norms == 1,
            "decay_biases_and_norms must be 0 or 1, got " + std::to_string(c.decay_biases_and_norms));
    require(c.gradient_clip_norm >= 0.0f, "gradient_clip_norm must be >= 0 (0 turns clipping off)");
    require(!c.pretrained_embeddings || c.vocabulary_size > 0, "pretrained_embeddings need token input (vocabulary_size > 0)");
    require(c.freeze_embeddings == 0 || c.freeze_embeddings == 1, "freeze_embeddings must be 0 or 1, got " + std::to_string(c.freeze_embeddings));
    // Frozen without pretrained vectors is allowed: a saved model that trained with frozen vectors is
    // rebuilt without them (its weights are imported next) and stays frozen if trained on.
    require(!c.freeze_embeddings || c.vocabulary_size > 0, "freeze_embeddings needs token input (vocabulary_size > 0)");
}

Classifier::Classifier(const sc_model_config& config) : config_(config), generator_(config.seed) {
    validate_config(config);
    // Neither caller pointer is kept beyond this call.
    config_.pretrained_embeddings = nullptr;
    config_.class_weights = nullptr;
    Generator& g = generator_;
    const bool transformer = config.encoder == SC_ENCODER_TRANSFORMER;
    const int64_t E = config.input_size, D = config.hidden_size;
    if (config.vocabulary_size > 0) {
        const bool frozen = config.freeze_embeddings != 0;
        embedding_ = &parameters_.add("embedding.weight", {config.vocabulary_size, E}, !frozen);
        if (transformer) {
            // As PyTorch's Transformer tutorial: small uniform vectors, which the sqrt(E) scaling
            // brings to the positional signal's magnitude.
            init_uniform(*embedding_, g, 0.1);
        } else {
            init_normal(*embedding_, g, 0.0, 1.0);  // nn.Embedding's N(0, 1)
        }
        for (int64_t j = 0; j < E; ++j) embedding_->value[j] = 0.0f;  // padding_idx = 0
        if (config.pretrained_embeddings) std::memcpy(embedding_->data(), config.pretrained_embeddings, sizeof(float) * embedding_->numel());
    }
    if (transformer) {
        if (config.vocabulary_size == 0 || E != D) input_projection_ = Linear(parameters_, "input_projection", E, D, true, g);
        if (config.positional_encoding == SC_POSITIONAL_LEARNED) {
            positional_ = &parameters_.add("positional.weight", {config.max_positions, D});
            init_normal(*positional_, g, 0.0, 0.02);
        } else {
            sinusoid_ = sinusoidal_positions(config.max_positions, D);
        }
        if (config.token_types > 0) {
            token_type_ = &parameters_.add("token_type.weight", {config.token_types, D});
            init_normal(*token_type_, g, 0.0, 0.02);  // BERT's initializer_range
        }
        if (config.embedding_norm) embedding_norm_ = LayerNorm(parameters_, "embedding_norm", D, config.layer_norm_epsilon);
        transformer_ = std::make_unique<TransformerEncoder>(parameters_, config, g);
    } else {
        rnn_ = std::make_unique<RecurrentEncoder>(parameters_, config, g);
    }
    const int64_t pooled = transformer ? D : rnn_->width();
    if (config.pooling == SC_POOLING_ATTENTION) attention_ = AdditivePooling(parameters_, "attention", pooled, g);
    if (config.pooling == SC_POOLING_CLS_POOLER) pooler_ = TanhPooler(parameters_, pooled, g);
    head_ = Head(parameters_, pooled, config.head_hidden_size, config.num_classes, config.dropout, g);
}

// What one forward pass leaves for its backward pass (inference fills only what it reads).
struct Classifier::StepCache {
    bool training = false;
    std::unique_ptr<Packing> packing;  // RNN
    Array<int64_t> ids;                // RNN: packed ids [N]; Transformer: [B, T'] ids
    Floats input;                      // RNN: packed input [N, I]; Transformer: [B, T', E] embedded or features
    Floats embedding_normalized;       // Transformer with embedding_norm, training: its x-hat [B, T', D] and rstd [B x T']
    Floats embedding_rstd;
    DropoutDraw input_dropout;
    RecurrentEncoder::Cache rnn;
    RecurrentEncoder::Output rnn_output;
    int64_t steps = 0;                 // T': the longest row's length
    Floats padded;                     // [B, T', D]: the Transformer's outputs, or RNN outputs padded for pooling
    Array<int64_t> argmax;             // RNN max pooling over packed outputs
    PaddedPoolingCache pooling;
    TanhPooler::Cache pooler;
    TransformerEncoder::Cache transformer;
    Head::Cache head;
};

namespace {

// The head's outputs of each document's rows [B, C] pooled into the document's [D, C]: their mean, or their
// element-wise maximum (argmax [D, C]: the row each maximum came from, for the backward pass).
Floats pool_documents(const Floats& outputs, const BatchView& batch, int64_t C, int32_t pooling, std::vector<int64_t>* argmax) {
    const int64_t B = batch.rows, D = batch.document_count;
    const auto& rows = batch.document_rows;
    Floats pooled(D * C);
    if (pooling == SC_WINDOW_POOLING_MAX) {
        if (argmax) argmax->assign(static_cast<size_t>(D * C), -1);
        for (int64_t i = 0; i < D * C; ++i) pooled[i] = -std::numeric_limits<float>::infinity();
        for (int64_t b = 0; b < B; ++b) {
            const int64_t d = batch.documents[b];
            for (int64_t c = 0; c < C; ++c) {
                if (outputs[b * C + c] > pooled[d * C + c]) {
                    pooled[d * C + c] = outputs[b * C + c];
                    if (argmax) (*argmax)[static_cast<size_t>(d * C + c)] = b;
                }
            }
        }
        return pooled;
    }
    for (int64_t i = 0; i < D * C; ++i) pooled[i] = 0.0f;
    for (int64_t b = 0; b < B; ++b) {
        const int64_t d = batch.documents[b];
        const float share = 1.0f / static_cast<float>(rows[static_cast<size_t>(d)]);
        for (int64_t c = 0; c < C; ++c) pooled[d * C + c] += outputs[b * C + c] * share;
    }
    return pooled;
}

// d loss / d rows' outputs [B, C] from d loss / d documents' [D, C]: shared out by the mean, or to the maximum's row.
Floats unpool_documents(const Floats& dpooled, const BatchView& batch, int64_t C, int32_t pooling, const std::vector<int64_t>& argmax) {
    const int64_t B = batch.rows, D = batch.document_count;
    Floats doutputs(B * C);
    for (int64_t i = 0; i < B * C; ++i) doutputs[i] = 0.0f;
    if (pooling == SC_WINDOW_POOLING_MAX) {
        for (int64_t i = 0; i < D * C; ++i) doutputs[argmax[static_cast<size_t>(i)] * C + i % C] += dpooled[i];
        return doutputs;
    }
    const auto& rows = batch.document_rows;
    for (int64_t b = 0; b < B; ++b) {
        const int64_t d = batch.documents[b];
        const float share = 1.0f / static_cast<float>(rows[static_cast<size_t>(d)]);
        for (int64_t c = 0; c < C; ++c) doutputs[b * C + c] = dpooled[d * C + c] * share;
    }
    return doutputs;
}

}  // namespace

Floats Classifier::predict(const BatchView& batch, Floats* attention_weights) const {
    StepCache cache;
    Floats outputs = const_cast<Classifier*>(this)->forward(batch, cache, attention_weights);
    if (batch.document_count > 0) return pool_documents(outputs, batch, config_.num_classes, config_.window_pooling, nullptr);
    return outputs;
}

LossResult Classifier::forward_backward(const BatchView& batch, const sc_targets& targets, const std::vector<float>& class_weights) {
    StepCache cache;
    cache.training = true;
    const int64_t B = batch.outputs(), C = config_.num_classes;
    Floats logits = forward(batch, cache, nullptr);
    // Windows of one document: the loss is of the document's pooled outputs.
    std::vector<int64_t> argmax;
    if (batch.document_count > 0) logits = pool_documents(logits, batch, C, config_.window_pooling, &argmax);
    Floats dlogits(B * C);
    const LossResult result =
        config_.task == SC_TASK_MULTI_LABEL ? binary_cross_entropy(logits.data(), B, C, targets.values, class_weights, dlogits.data())
        : config_.task == SC_TASK_REGRESSION ? squared_error(logits.data(), B, targets.values, config_.huber_delta, dlogits.data())
                                             : cross_entropy(logits.data(), B, C, targets.labels, class_weights, config_.label_smoothing, dlogits.data());
    if (batch.document_count > 0) dlogits = unpool_documents(dlogits, batch, C, config_.window_pooling, argmax);
    const int64_t rows = batch.rows, P = transformer_ ? config_.hidden_size : rnn_->width();
    Floats dpooled(rows * P);
    head_.backward(cache.head, rows, dlogits.data(), dpooled.data());
    if (rnn_) {
        rnn_backward(batch, cache, dpooled.data());
    } else {
        transformer_backward(batch, cache, dpooled.data());
    }
    return result;
}

const float* Classifier::position_table() const {
    if (!transformer_) return nullptr;
    return positional_ ? positional_->data() : sinusoid_.data();
}

void Classifier::to_probabilities(float* outputs, int64_t B) const {
    if (config_.task == SC_TASK_SINGLE_LABEL) softmax_rows(outputs, B, config_.num_classes);
    if (config_.task == SC_TASK_MULTI_LABEL) sigmoid(outputs, B * config_.num_classes);
    // A regression's score is its output.
}

void Classifier::parameters_changed() {
    parameters_.changed();
    if (rnn_) rnn_->drop_tables();
}

Floats Classifier::forward(const BatchView& batch, StepCache& cache, Floats* attention_weights) {
    Floats pooled = rnn_ ? rnn_pooled(batch, cache, attention_weights) : transformer_pooled(batch, cache, attention_weights);
    Floats logits(batch.rows * config_.num_classes);
    head_.forward(pooled.data(), batch.rows, logits.data(), cache.training ? &cache.head : nullptr, cache.training ? &generator_ : nullptr);
    return logits;
}

Floats Classifier::rnn_pooled(const BatchView& batch, StepCache& c, Floats* attention_weights) {
    c.packing = std::make_unique<Packing>(batch.lengths, batch.rows);
    const Packing& p = *c.packing;
    const int64_t N = p.packed_rows, B = batch.rows, T = batch.max_length, I = config_.input_size;
    Generator* g = c.training ? &generator_ : nullptr;
    RecurrentEncoder::Output out;
    if (embedding_) {
        c.ids = Array<int64_t>(N);
        for (int64_t b = 0; b < B; ++b) {
            for (int64_t t = 0; t < p.lengths[static_cast<size_t>(b)]; ++t) c.ids[p.at(b, t)] = batch.ids[b * T + t];
        }
    }
    // Pooled by the final states, inference never stores the last layer's outputs.
    const bool outputs = c.training || config_.pooling != SC_POOLING_LAST;
    if (embedding_ && !c.training) {
        out = rnn_->forward_ids(c.ids.data(), p, *embedding_, outputs);
    } else {
        c.input = Floats(N * I);
        if (embedding_) {
            embed(*embedding_, I, c.ids.data(), N, 1.0f, c.input.data());
        } else {
            for (int64_t b = 0; b < B; ++b) {
                for (int64_t t = 0; t < p.lengths[static_cast<size_t>(b)]; ++t) {
                    std::memcpy(c.input.data() + p.at(b, t) * I, batch.features + (b * T + t) * I, sizeof(float) * I);
                }
            }
        }
        c.input_dropout = c.training ? DropoutDraw::next(config_.embedding_dropout, generator_) : DropoutDraw{};
        c.input_dropout.apply(c.input.data(), c.input.size());
        out = rnn_->forward(c.input.data(), p, c.training ? &c.rnn : nullptr, g, outputs);
    }
    const int64_t D = rnn_->width(), H = config_.hidden_size;
    Floats pooled(B * D);
    switch (config_.pooling) {
        case SC_POOLING_LAST:
            // The last layer's final state per direction, concatenated; from sorted to the caller's order.
            for (int64_t b = 0; b < B; ++b) {
                const int64_t k = p.position[static_cast<size_t>(b)];
                for (size_t d = 0; d < out.last.size(); ++d) {
                    std::memcpy(pooled.data() + b * D + static_cast<int64_t>(d) * H, out.last[d].data() + k * H, sizeof(float) * H);
                }
            }
            break;
        case SC_POOLING_MEAN:
        case SC_POOLING_MAX:
            pool_packed(out.outputs.data(), D, p, config_.pooling, pooled.data(), &c.argmax);
            break;
        default: {
            // First position and attention need a row's steps side by side.
            c.steps = p.steps;
            c.padded = Floats(B * p.steps * D);
            pad_packed(out.outputs.data(), D, p, c.padded.data());
            pool_padded(c.padded.data(), B, p.steps, D, batch.lengths, config_.pooling, attention_, pooled.data(), c.pooling);
            if (attention_weights) *attention_weights = std::move(c.pooling.attention.weights);
        }
    }
    return pooled;
}

void Classifier::rnn_backward(const BatchView& batch, StepCache& c, float* dpooled) {
    const Packing& p = *c.packing;
    const int64_t N = p.packed_rows, B = batch.rows, D = rnn_->width(), H = config_.hidden_size, I = config_.input_size;
    Floats d_outputs = Floats::zeros(N * D);
    std::vector<Floats> d_last;
    switch (config_.pooling) {
        case SC_POOLING_LAST:
            for (int64_t d = 0; d < D / H; ++d) d_last.push_back(Floats::zeros(B * H));
            for (int64_t b = 0; b < B; ++b) {
                const int64_t k = p.position[static_cast<size_t>(b)];
                for (int64_t d = 0; d < D / H; ++d) std::memcpy(d_last[static_cast<size_t>(d)].data() + k * H, dpooled + b * D + d * H, sizeof(float) * H);
            }
            break;
        case SC_POOLING_MEAN:
        case SC_POOLING_MAX:
            pool_packed_backward(dpooled, D, p, config_.pooling, &c.argmax, d_outputs.data());
            break;
        default: {
            Floats d_padded = Floats::zeros(B * c.steps * D);
            pool_padded_backward(c.padded.data(), B, c.steps, D, batch.lengths, config_.pooling, attention_, c.pooling, dpooled, d_padded.data());
            pack_padded(d_padded.data(), D, p, d_outputs.data());
        }
    }
    const bool embedding_learns = embedding_ && embedding_->trainable;
    Floats dx(embedding_learns ? N * I : 0);
    rnn_->backward(c.input.data(), p, c.rnn, d_outputs.data(), d_last, embedding_learns ? dx.data() : nullptr);
    if (embedding_learns) {
        c.input_dropout.apply(dx.data(), dx.size());
        embed_backward(*embedding_, I, c.ids.data(), N, 1.0f, dx.data());
    }
}

Floats Classifier::transformer_pooled(const BatchView& batch, StepCache& c, Floats* attention_weights) {
    const int64_t B = batch.rows, T = batch.max_length, E = config_.input_size, D = config_.hidden_size;
    // Positions beyond the longest row are padding everywhere: drop them rather than attend past them.
    const int64_t steps = batch.longest();
    if (steps > config_.max_positions) {
        int64_t row = 0;
        while (batch.lengths[row] != steps) ++row;
        throw InvalidArgument("row " + std::to_string(row) + ": length " + std::to_string(steps) + " exceeds the model's max_positions (" +
                              std::to_string(config_.max_positions) + "); truncate longer sequences first");
    }
    c.steps = steps;
    const int64_t m = B * steps;
    c.input = Floats(m * E);  // [B, T', E]
    if (embedding_) {
        c.ids = Array<int64_t>(m);
        for (int64_t b = 0; b < B; ++b) std::memcpy(c.ids.data() + b * steps, batch.ids + b * T, sizeof(int64_t) * steps);
        embed(*embedding_, E, c.ids.data(), m, embedding_scale(), c.input.data());
    } else {
        // Padded steps are zeros whatever the caller left there (only valid steps are checked finite).
        for (int64_t b = 0; b < B; ++b) {
            for (int64_t t = 0; t < steps; ++t) {
                float* to = c.input.data() + (b * steps + t) * E;
                if (t < batch.lengths[b]) {
                    std::memcpy(to, batch.features + (b * T + t) * E, sizeof(float) * E);
                } else {
                    std::memset(to, 0, sizeof(float) * E);
                }
            }
        }
    }
    Floats x = input_projection_.defined() ? Floats(m * D) : Floats::copy_of(c.input.data(), m * D);  // [B, T', D]
    if (input_projection_.defined()) input_projection_.forward(c.input.data(), m, x.data(), !c.training);
    const float* positions = positional_ ? positional_->data() : sinusoid_.data();
    for (int64_t b = 0; b < B; ++b) {
        for (int64_t i = 0; i < steps * D; ++i) x[b * steps * D + i] += positions[i];
    }
    if (token_type_) {
        // Segment rows, type 0 where the batch gives none.
        const float* table = token_type_->data();
        for (int64_t b = 0; b < B; ++b) {
            for (int64_t t = 0; t < steps; ++t) {
                const float* row = table + segment_of(batch, b, t) * D;
                float* to = x.data() + (b * steps + t) * D;
                for (int64_t d = 0; d < D; ++d) to[d] += row[d];
            }
        }
    }
    if (embedding_norm_.defined()) {
        if (c.training) {
            c.embedding_normalized = Floats(m * D);
            c.embedding_rstd = Floats(m);
        }
        embedding_norm_.forward(x.data(), m, x.data(), c.training ? c.embedding_normalized.data() : nullptr,
                                c.training ? c.embedding_rstd.data() : nullptr);
    }
    c.input_dropout = c.training ? DropoutDraw::next(config_.embedding_dropout, generator_) : DropoutDraw{};
    c.input_dropout.apply(x.data(), x.size());
    transformer_->forward(x.data(), B, steps, batch.lengths, c.training ? &c.transformer : nullptr, c.training ? &generator_ : nullptr);
    Floats pooled(B * D);
    if (pooler_.defined()) {
        Floats first(B * D);
        pool_padded(x.data(), B, steps, D, batch.lengths, SC_POOLING_FIRST, attention_, first.data(), c.pooling);
        pooler_.forward(first.data(), B, pooled.data(), c.training ? &c.pooler : nullptr);
    } else {
        pool_padded(x.data(), B, steps, D, batch.lengths, config_.pooling, attention_, pooled.data(), c.pooling);
    }
    if (attention_weights) *attention_weights = std::move(c.pooling.attention.weights);
    c.padded = std::move(x);
    return pooled;
}

void Classifier::transformer_backward(const BatchView& batch, StepCache& c, float* dpooled) {
    const int64_t B = batch.rows, E = config_.input_size, D = config_.hidden_size, steps = c.steps, m = B * steps;
    Floats dx = Floats::zeros(m * D);
    if (pooler_.defined()) {
        Floats dfirst(B * D);
        pooler_.backward(c.pooler, B, dpooled, dfirst.data());
        pool_padded_backward(c.padded.data(), B, steps, D, batch.lengths, SC_POOLING_FIRST, attention_, c.pooling, dfirst.data(), dx.data());
    } else {
        pool_padded_backward(c.padded.data(), B, steps, D, batch.lengths, config_.pooling, attention_, c.pooling, dpooled, dx.data());
    }
    transformer_->backward(dx.data(), B, steps, batch.lengths, c.transformer);
    c.input_dropout.apply(dx.data(), dx.size());
    if (embedding_norm_.defined()) {
        Floats d_positioned = Floats::zeros(m * D);
        embedding_norm_.backward(c.embedding_normalized.data(), c.embedding_rstd.data(), m, dx.data(), d_positioned.data(), false);
        dx = std::move(d_positioned);
    }
    if (positional_) {
        float* grad = positional_->grad.data();
        for (int64_t b = 0; b < B; ++b) {
            for (int64_t i = 0; i < steps * D; ++i) grad[i] += dx[b * steps * D + i];
        }
    }
    if (token_type_ && token_type_->trainable) {
        float* grad = token_type_->grad.data();
        for (int64_t b = 0; b < B; ++b) {
            for (int64_t t = 0; t < steps; ++t) {
                float* row = grad + segment_of(batch, b, t) * D;
                const float* from = dx.data() + (b * steps + t) * D;
                for (int64_t d = 0; d < D; ++d) row[d] += from[d];
            }
        }
    }
    const bool embedding_learns = embedding_ && embedding_->trainable;
    Floats d_embedded;
    const float* d_input = dx.data();
    if (input_projection_.defined()) {
        if (embedding_learns) d_embedded = Floats(m * E);
        input_projection_.backward(c.input.data(), m, dx.data(), embedding_learns ? d_embedded.data() : nullptr, false);
        d_input = d_embedded.data();
    }
    if (embedding_learns) embed_backward(*embedding_, E, c.ids.data(), m, embedding_scale(), d_input);
}

}  // namespace sc
