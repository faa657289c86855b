// Mean and max over each sequence's valid steps, read straight from a packed sequence's data.
//
// Why: the padded route (pad_packed_sequence into [B, T_max, D] filled with 0 or -inf, then a
// reduction over T, and the mirror image backwards) copied every output twice and a padded block
// besides: about a tenth of a default-configuration training step. Numbers are the same (tests
// compare both routes against the PyTorch fixtures).
#pragma once
#include <torch/torch.h>

#include "sc_model.h"

namespace sc {

// data: packed [N, D] (rows grouped by step, longest sequence first); batch_sizes: [T] int64.
// pooling: SC_POOLING_MEAN or SC_POOLING_MAX. Returns [B, D] in the packed (sorted) row order;
// differentiable with respect to data.
torch::Tensor pool_packed(const torch::Tensor& data, const torch::Tensor& batch_sizes, int32_t pooling);

}  // namespace sc
