// Multi-head self-attention's core, softmax(q k^T / sqrt(d)) v per row and head, fused: one task of
// the engine's pool per (row, head) does the scores, the softmax (with dropout) and the weighted
// sum, and only over the row's valid positions.
//
// Why: materialised, the scores of a whole batch take [rows, heads, T, T] several times over (the
// product, the mask, the softmax, the dropout), and padded positions cost as much as real ones. Here
// a task's scores fit in the cache, nothing but the softmax (for the backward pass) is kept, and a
// row of length L costs L^2, not T^2.
//
// Padded positions are neither attended to (keys, as with PyTorch's key-padding mask) nor computed
// (queries: their outputs are 0). Nothing downstream reads a padded position's output (pooling
// masks them, and no valid position attends to them), so logits and gradients are PyTorch's.
#pragma once
#include <cstdint>

#include "sc_dropout.h"

namespace sc {

struct AttentionShape {
    int64_t rows, steps, width, heads;  // B, T, D (the model width), heads dividing D
};

// qkv [B, T, 3D]: each position's query, key and value side by side (in_proj's output). out [B, T, D]:
// the heads' outputs side by side (out_proj's input). weights [B, heads, T, T] (null in inference):
// receives each (row, head)'s softmax, [L, L] at the start of its [T, T], for the backward pass.
// draw: dropout on the attention weights (inactive in inference).
void attention_forward(const AttentionShape& s, const float* qkv, const int64_t* lengths, const DropoutDraw& draw, float* out,
                       float* weights);

// dqkv [B, T, 3D] (written whole) from dout [B, T, D], with the forward pass's weights and draw.
void attention_backward(const AttentionShape& s, const float* qkv, const int64_t* lengths, const DropoutDraw& draw,
                        const float* weights, const float* dout, float* dqkv);

}  // namespace sc
