#include "sc_batch.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "sc_errors.h"

namespace sc {
namespace {

template <typename Id>
void check_ids(const Id* ids, const sc_batch& batch, int64_t vocab_size, const char* what, const char* range) {
    for (int64_t row = 0; row < batch.batch_size; ++row) {
        const Id* row_ids = ids + row * batch.max_length;
        // Padding positions are looked up by the embedding too, so every position is checked.
        for (int64_t step = 0; step < batch.max_length; ++step) {
            const auto id = static_cast<int64_t>(row_ids[step]);
            if (id < 0 || id >= vocab_size) {
                throw InvalidArgument("row " + std::to_string(row) + ", step " + std::to_string(step) +
                                      ": " + what + " " + std::to_string(id) + " is outside " + range + " [0, " +
                                      std::to_string(vocab_size) + ")");
            }
        }
    }
}

void check_features(const float* features, const sc_batch& batch) {
    const int64_t input_size = batch.feature_size;
    for (int64_t row = 0; row < batch.batch_size; ++row) {
        for (int64_t step = 0; step < batch.lengths[row]; ++step) {
            const float* at = features + (row * batch.max_length + step) * input_size;
            for (int64_t f = 0; f < input_size; ++f) {
                if (!std::isfinite(at[f])) {
                    throw InvalidArgument("row " + std::to_string(row) + ", step " + std::to_string(step) +
                                          ", feature " + std::to_string(f) + ": value " +
                                          std::to_string(at[f]) + " is not finite");
                }
            }
        }
    }
}

// Checks ids of the batch's width against [0, limit) and returns them as int64 (int32 ones widened into widened).
const int64_t* widen(const void* ids, const sc_batch& batch, int64_t limit, const char* what, const char* range, Array<int64_t>& widened) {
    if (batch.id_bits == 64) {
        const auto* wide = static_cast<const int64_t*>(ids);
        check_ids(wide, batch, limit, what, range);
        return wide;
    }
    const auto* narrow = static_cast<const int32_t*>(ids);
    check_ids(narrow, batch, limit, what, range);
    const int64_t cells = batch.batch_size * batch.max_length;
    widened = Array<int64_t>(cells);
    for (int64_t i = 0; i < cells; ++i) widened[i] = narrow[i];
    return widened.data();
}

}  // namespace

int64_t BatchView::longest() const {
    int64_t longest = 0;
    for (int64_t row = 0; row < rows; ++row) longest = std::max(longest, lengths[row]);
    return longest;
}

BatchView view_batch(const sc_batch* batch, const sc_model_config& config) {
    if (!batch) throw InvalidArgument("batch is null");
    if (batch->batch_size <= 0) {
        throw InvalidArgument("batch size must be at least 1, got " + std::to_string(batch->batch_size));
    }
    if (batch->max_length <= 0) {
        throw InvalidArgument("max_length must be at least 1, got " + std::to_string(batch->max_length));
    }
    if (!batch->lengths) throw InvalidArgument("lengths is null");
    for (int64_t row = 0; row < batch->batch_size; ++row) {
        const auto length = batch->lengths[row];
        if (length < 1 || length > batch->max_length) {
            throw InvalidArgument("row " + std::to_string(row) + ": length " + std::to_string(length) +
                                  " is outside [1, " + std::to_string(batch->max_length) +
                                  "] (the padded row length)");
        }
    }
    BatchView view;
    view.rows = batch->batch_size;
    view.max_length = batch->max_length;
    view.lengths = batch->lengths;
    if (batch->document_count < 0 || batch->document_count > batch->batch_size) {
        throw InvalidArgument("document_count must be 0 (each row its own) or between 1 and the batch's " + std::to_string(batch->batch_size) +
                              " rows, got " + std::to_string(batch->document_count));
    }
    if (batch->document_count > 0) {
        if (!batch->documents) throw InvalidArgument("document_count is " + std::to_string(batch->document_count) + " but documents is null");
        auto& rows_of = view.document_rows;
        rows_of.assign(static_cast<size_t>(batch->document_count), 0);
        for (int64_t row = 0; row < batch->batch_size; ++row) {
            const int64_t d = batch->documents[row];
            if (d < 0 || d >= batch->document_count) {
                throw InvalidArgument("row " + std::to_string(row) + ": document " + std::to_string(d) + " is outside [0, " +
                                      std::to_string(batch->document_count) + ")");
            }
            ++rows_of[static_cast<size_t>(d)];
        }
        for (int64_t d = 0; d < batch->document_count; ++d) {
            if (rows_of[static_cast<size_t>(d)] == 0) throw InvalidArgument("document " + std::to_string(d) + " has no row");
        }
        view.documents = batch->documents;
        view.document_count = batch->document_count;
    }
    if (config.vocabulary_size > 0) {
        if (!batch->token_ids) throw InvalidArgument("this model takes token ids, but token_ids is null");
        if (batch->features) throw InvalidArgument("this model takes token ids, not features");
        if (batch->id_bits != 64 && batch->id_bits != 32) throw InvalidArgument("id_bits must be 32 or 64, got " + std::to_string(batch->id_bits));
        view.ids = widen(batch->token_ids, *batch, config.vocabulary_size, "token id", "the vocabulary", view.widened_ids);
        if (batch->token_type_ids) {
            if (config.token_types == 0) throw InvalidArgument("the batch has token_type_ids, but this model has no token types");
            view.type_ids = widen(batch->token_type_ids, *batch, config.token_types, "token type", "the token types", view.widened_type_ids);
        } else if (config.token_types > 1 && config.segment_separator_id > 0) {
            // BERT's pairs, [CLS] a [SEP] b [SEP]: segment 0 through the first separator, 1 after it.
            const int64_t cells = batch->batch_size * batch->max_length;
            view.widened_type_ids = Array<int64_t>(cells);
            for (int64_t row = 0; row < batch->batch_size; ++row) {
                int64_t type = 0;
                for (int64_t step = 0; step < batch->max_length; ++step) {
                    const int64_t at = row * batch->max_length + step;
                    view.widened_type_ids[at] = type;
                    if (view.ids[at] == config.segment_separator_id) type = 1;
                }
            }
            view.type_ids = view.widened_type_ids.data();
        }
        return view;
    }
    if (!batch->features) throw InvalidArgument("this model takes feature vectors, but features is null");
    if (batch->token_ids) throw InvalidArgument("this model takes feature vectors, not token ids");
    if (batch->token_type_ids) throw InvalidArgument("this model takes feature vectors, not token types");
    if (batch->feature_size != config.input_size) {
        throw InvalidArgument("the batch has " + std::to_string(batch->feature_size) + " features per step; this model takes " +
                              std::to_string(config.input_size));
    }
    check_features(batch->features, *batch);
    view.features = batch->features;
    view.features_per_step = batch->feature_size;
    return view;
}

void check_labels(const int64_t* labels, int64_t batch_size, int64_t num_classes) {
    if (!labels) throw InvalidArgument("labels is null");
    for (int64_t row = 0; row < batch_size; ++row) {
        if (labels[row] < 0 || labels[row] >= num_classes) {
            throw InvalidArgument("row " + std::to_string(row) + ": label " + std::to_string(labels[row]) +
                                  " is outside the classes [0, " + std::to_string(num_classes) + ")");
        }
    }
}

namespace {
// A target as a message shows it: 2, 0.5, NaN, infinity.
std::string shown(float v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "infinity" : "-infinity";
    char text[32];
    std::snprintf(text, sizeof text, "%g", static_cast<double>(v));
    return text;
}
}  // namespace

void check_targets(const sc_targets* targets, int64_t batch_size, const sc_model_config& config) {
    if (!targets) throw InvalidArgument("targets is null");
    if (config.task == SC_TASK_SINGLE_LABEL) {
        check_labels(targets->labels, batch_size, config.num_classes);
        return;
    }
    if (!targets->values) throw InvalidArgument("targets' values are null (a multi-label or regression model trains on values)");
    const int64_t per_row = config.task == SC_TASK_MULTI_LABEL ? config.num_classes : 1;
    for (int64_t row = 0; row < batch_size; ++row) {
        for (int64_t k = 0; k < per_row; ++k) {
            const float v = targets->values[row * per_row + k];
            if (config.task == SC_TASK_MULTI_LABEL && !(v >= 0.0f && v <= 1.0f)) {
                throw InvalidArgument("row " + std::to_string(row) + ", label " + std::to_string(k) + ": target " + shown(v) +
                                      " is outside [0, 1]");
            }
            if (config.task == SC_TASK_REGRESSION && !std::isfinite(v)) {
                throw InvalidArgument("row " + std::to_string(row) + ": the score " + shown(v) + " is not a finite number");
            }
        }
    }
}

}  // namespace sc
