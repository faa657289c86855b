// A recurrent layer over a packed sequence with a hand-written backward pass.
//
// libtorch runs a packed RNN step by step through autograd: a dozen small operators per step, each
// dispatched, allocated and recorded, then replayed backwards. At the sizes of text classification
// that overhead, not arithmetic, is most of the time. Here the input projections of all steps are
// one matrix product, each step is one small product plus one pass of plain loops over the gates,
// and the backward pass is the mirror image, ending in three large products for the weight
// gradients. Every product runs on the engine's own kernels (sc_gemm.h), not libtorch's BLAS, and
// each thread carries whole blocks of rows through all steps (no barrier between steps). Numbers
// agree with libtorch's cells (tests/fixtures check against PyTorch).
#pragma once

#include <torch/torch.h>

#include "sc_model.h"

namespace sc {

struct DirectionWeights {
    torch::Tensor w_ih;  // [G*H, I]
    torch::Tensor w_hh;  // [G*H, H]
    torch::Tensor b_ih;  // [G*H]
    torch::Tensor b_hh;  // [G*H]
};

// Runs one direction of one layer. x: packed data [N, I] (rows grouped by step, longest first);
// batch_sizes: [T] int64 on the CPU. Returns {y [N, H], h_n [B, H]}, h_n in the packed (sorted)
// row order. Differentiable with respect to x and the weights.
std::vector<torch::Tensor> fused_rnn_direction(int32_t cell, const torch::Tensor& x, const torch::Tensor& batch_sizes,
                                               const DirectionWeights& weights, bool reverse);

// Inference only: the same layer on packed token ids [N] when every token's input projection
// (its embedding W_ih^T + b_ih) is a row of `table` [V, G*H]. Each step gathers its rows, so no
// [N, G*H] buffer exists. Returns {y [N, H], h_n [B, H]}.
std::vector<torch::Tensor> fused_rnn_direction_from_table(int32_t cell, const torch::Tensor& table, const torch::Tensor& ids,
                                                          const torch::Tensor& batch_sizes, const DirectionWeights& weights,
                                                          bool reverse);

}  // namespace sc
