// nn.Embedding(padding_idx=0): rows of a table looked up by token id, and its backward pass, which
// (as PyTorch's) leaves the padding row's gradient at zero.
#pragma once
#include <cstdint>

#include "sc_parameters.h"

namespace sc {

// out[i] = scale * table[ids[i]] for n ids; table [V, width].
void embed(const Parameter& table, int64_t width, const int64_t* ids, int64_t n, float scale, float* out);
// table.grad[ids[i]] += scale * d[i], except for id 0 (the padding row). Nothing for a frozen table.
void embed_backward(Parameter& table, int64_t width, const int64_t* ids, int64_t n, float scale, const float* d);

}  // namespace sc
