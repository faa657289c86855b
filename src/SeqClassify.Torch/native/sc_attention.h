// Multi-head self-attention's core, softmax(q k^T / sqrt(d)) v per row and head, fused: one task of
// the engine's pool per (row, head) does the scores, the softmax (with dropout) and the weighted
// sum, and only over the row's valid positions.
//
// Why: through libtorch the scores of a whole batch are materialised several times over
// ([rows, heads, T, T] for the product, the mask, the softmax, the dropout), single-threaded, and
// padded positions cost as much as real ones. Here a task's scores fit in the cache, nothing but
// the softmax (for the backward pass) is kept, and a row of length L costs L^2, not T^2.
//
// Padded positions are neither attended to (keys, as with PyTorch's key-padding mask) nor computed
// (queries: their outputs are 0). Nothing downstream reads a padded position's output (pooling
// masks them, and no valid position attends to them), so logits and gradients are PyTorch's.
#pragma once
#include <torch/torch.h>

namespace sc {

// qkv: [B, T, 3D], each position's query, key and value side by side (in_proj's output), heads
// D / heads wide; lengths [B] int64. Returns [B, T, D], the heads' outputs side by side (out_proj's
// input). Differentiable with respect to qkv. dropout applies to the attention weights when training.
torch::Tensor attention(const torch::Tensor& qkv, const torch::Tensor& lengths, int64_t heads, double dropout, bool training);

}  // namespace sc
