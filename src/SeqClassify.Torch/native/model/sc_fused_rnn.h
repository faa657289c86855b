// One direction of one recurrent layer over a packed sequence, with a hand-written backward pass.
//
// The input projections of all steps are one matrix product, each step is one small product plus
// one pass of plain loops over the gates, and the backward pass is the mirror image, ending in three
// large products for the weight gradients. Every product runs on the engine's own kernels
// (sc_gemm.h), and each thread carries whole blocks of rows through all steps (no barrier between
// steps). Numbers agree with PyTorch's cells (tests/fixtures check against PyTorch).
#pragma once
#include "sc_array.h"
#include "sc_model_types.h"
#include "sc_packing.h"

namespace sc {

struct DirectionWeights {
    const float* w_ih;  // [G*H, I]
    const float* w_hh;  // [G*H, H]
    const float* b_ih;  // [G*H]
    const float* b_hh;  // [G*H]
    int64_t input, hidden;  // I, H
};

struct DirectionGradients {
    float* w_ih;
    float* w_hh;
    float* b_ih;
    float* b_hh;
};

// What a direction's forward pass leaves: its outputs and final states, and, when kept for the
// backward pass, the activations it needs.
struct DirectionState {
    Floats y;       // [N, H] packed outputs
    Floats h;       // [B, H] each row's final state, in sorted order
    Floats saved;   // [N, S] the gates (kept for backward)
    Floats h_prev;  // [N, H] each step's previous state (kept for backward)
};

// x: packed input [N, I]. With `table` set, x is ignored and a row's input projection is the table's
// row for its token id (ids: packed [N]): inference on token ids (see RecurrentEncoder). Without
// keep_outputs (inference that needs only the final states) out.y stays empty: the steps' outputs
// pass through per-thread scratch.
void rnn_direction_forward(int32_t cell, const float* x, const Packing& packing, const DirectionWeights& w, bool reverse,
                           bool keep_for_backward, DirectionState& out, const float* table = nullptr,
                           const int64_t* ids = nullptr, bool keep_outputs = true);

// Adds the weights' gradients to grads; dx [N, I] receives (accumulate: += ) d loss / dx when not
// null. dy [N, H]: the gradient reaching the outputs; dh_n [B, H] (sorted order, may be null): the
// gradient reaching the final states.
void rnn_direction_backward(int32_t cell, const float* x, const Packing& packing, const DirectionWeights& w, bool reverse,
                            const DirectionState& state, const float* dy, const float* dh_n, const DirectionGradients& grads,
                            float* dx, bool accumulate_dx);

}  // namespace sc
