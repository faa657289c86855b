#include "sc_batch.h"

#include <cmath>
#include <string>

#include "sc_status.h"

namespace sc {
namespace {

template <typename Id>
void check_ids(const Id* ids, const sc_batch& batch, int64_t vocab_size) {
    for (int64_t row = 0; row < batch.batch_size; ++row) {
        const Id* row_ids = ids + row * batch.max_length;
        // Padding positions are looked up by the embedding too, so every position is checked.
        for (int64_t step = 0; step < batch.max_length; ++step) {
            const auto id = static_cast<int64_t>(row_ids[step]);
            if (id < 0 || id >= vocab_size) {
                throw InvalidArgument("row " + std::to_string(row) + ", step " + std::to_string(step) +
                                      ": token id " + std::to_string(id) +
                                      " is outside the vocabulary [0, " + std::to_string(vocab_size) + ")");
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

}  // namespace

BatchTensors view_batch(const sc_batch* batch, const sc_model_config& config) {
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
    // The caller's memory is borrowed; every tensor made from it is used within this call only.
    auto lengths = torch::from_blob(const_cast<int64_t*>(batch->lengths), {batch->batch_size}, torch::kInt64);
    const bool text = config.vocab_size > 0;
    if (text) {
        if (!batch->token_ids) throw InvalidArgument("this model takes token ids, but token_ids is null");
        if (batch->features) throw InvalidArgument("this model takes token ids, not features");
        if (batch->id_bits == 64) {
            check_ids(static_cast<const int64_t*>(batch->token_ids), *batch, config.vocab_size);
            auto ids = torch::from_blob(const_cast<void*>(batch->token_ids),
                                        {batch->batch_size, batch->max_length}, torch::kInt64);
            return {ids, lengths};
        }
        if (batch->id_bits == 32) {
            check_ids(static_cast<const int32_t*>(batch->token_ids), *batch, config.vocab_size);
            auto ids = torch::from_blob(const_cast<void*>(batch->token_ids),
                                        {batch->batch_size, batch->max_length}, torch::kInt32);
            return {ids.to(torch::kInt64), lengths};
        }
        throw InvalidArgument("id_bits must be 32 or 64, got " + std::to_string(batch->id_bits));
    }
    if (!batch->features) throw InvalidArgument("this model takes feature vectors, but features is null");
    if (batch->token_ids) throw InvalidArgument("this model takes feature vectors, not token ids");
    if (batch->feature_size <= 0) {
        throw InvalidArgument("feature_size must be at least 1, got " + std::to_string(batch->feature_size));
    }
    check_features(batch->features, *batch);
    // The batch's own feature size is used, so a mismatch with the model surfaces as libtorch's error.
    auto features = torch::from_blob(const_cast<float*>(batch->features),
                                     {batch->batch_size, batch->max_length, batch->feature_size}, torch::kFloat32);
    return {features, lengths};
}

torch::Tensor view_labels(const int64_t* labels, int64_t batch_size, int64_t num_classes) {
    if (!labels) throw InvalidArgument("labels is null");
    for (int64_t row = 0; row < batch_size; ++row) {
        if (labels[row] < 0 || labels[row] >= num_classes) {
            throw InvalidArgument("row " + std::to_string(row) + ": label " + std::to_string(labels[row]) +
                                  " is outside the classes [0, " + std::to_string(num_classes) + ")");
        }
    }
    return torch::from_blob(const_cast<int64_t*>(labels), {batch_size}, torch::kInt64);
}

}  // namespace sc
