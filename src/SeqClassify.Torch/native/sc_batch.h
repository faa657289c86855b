// Checks a caller's sc_batch and views it as tensors.
#pragma once

#include <torch/types.h>

#include "sc_model.h"

namespace sc {

struct BatchTensors {
    torch::Tensor inputs;   // [B, T] int64 ids, or [B, T, F] float features
    torch::Tensor lengths;  // [B] int64, on the CPU (pack_padded_sequence wants them there)
};

// Throws InvalidArgument naming the row and value for a zero batch, a length outside
// [1, max_length], an id outside [0, vocab_size), or a NaN/Inf feature.
BatchTensors view_batch(const sc_batch* batch, const sc_model_config& config);

// Throws InvalidArgument naming the row of a label outside [0, num_classes).
torch::Tensor view_labels(const int64_t* labels, int64_t batch_size, int64_t num_classes);

}  // namespace sc
