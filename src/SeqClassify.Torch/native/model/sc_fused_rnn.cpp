#include "sc_fused_rnn.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "sc_cell.h"
#include "sc_gemm.h"
#include "sc_linear.h"
#include "sc_thread_pool.h"

namespace sc {
namespace {

// Floats saved per row for the backward pass (besides the output itself).
int64_t saved_of(int32_t cell, int64_t h) {
    switch (cell) {
        case kCellGru: return 4 * h;   // r, z, n, (W_hn h + b_hn)
        case kCellLstm: return 6 * h;  // i, f, g, o, tanh(c), c_prev
        default: return 0;                // tanh' and relu' come from the output
    }
}

// The steps in processing order, with each step's first packed row and batch size. Rows are sorted
// longest first, so the rows alive at a step are always its first `rows` rows.
struct Step {
    int64_t offset;
    int64_t rows;
};

std::vector<Step> steps_of(const Packing& packing, bool reverse) {
    std::vector<Step> steps;
    for (int64_t t = 0; t < packing.steps; ++t) steps.push_back({packing.offsets[static_cast<size_t>(t)], packing.batch_sizes[static_cast<size_t>(t)]});
    if (reverse) std::reverse(steps.begin(), steps.end());
    return steps;
}

// Threading: the rows of a batch are independent, so the batch is cut once into blocks of a tile's
// rows, and each thread runs whole blocks through every step, taking the next free block when it
// finishes one (sc_thread_pool.h). No thread waits for another between steps: a barrier at every
// step, hundreds per batch, lost two thirds of the speed beside a busy process.
int64_t rows_per_block() { return cpu::kernels().tile_rows; }

// Copies `bias` [n] into each of `rows` rows of out (row stride n): products then accumulate onto it.
void fill_rows(float* out, const float* bias, int64_t rows, int64_t n) {
    for (int64_t b = 0; b < rows; ++b) std::memcpy(out + b * n, bias, sizeof(float) * n);
}

}  // namespace

void rnn_direction_forward(int32_t kind, const float* x, const Packing& packing, const DirectionWeights& w, bool reverse,
                           bool keep_for_backward, DirectionState& r, const float* table, const int64_t* ids, bool keep_outputs) {
    const bool gather = table != nullptr;
    const int64_t N = packing.packed_rows, B = packing.rows, H = w.hidden, I = w.input;
    const int64_t G = cell_gates(kind) * H, S = saved_of(kind, H);
    // h . W_hh^T: W_hh^T [H, G] is W_hh read with swapped strides.
    const PackedMatrix hidden_weights({w.w_hh, 1, H}, H, G);
    // The input projections of all steps at once: gi [N, G] = b_ih + x . W_ih^T.
    Floats gi;
    if (!gather) {
        gi = Floats(N * G);
        const PackedMatrix input_weights({w.w_ih, 1, I}, I, G);
        parallel_pieces(N, 256, [&](int64_t first, int64_t last, int64_t) { fill_rows(gi.data() + first * G, w.b_ih, last - first, G); });
        input_weights.multiply_parallel(N, {x, I, 1}, gi.data(), G, /*accumulate=*/true);
    }
    keep_outputs = keep_outputs || keep_for_backward;
    r.y = keep_outputs ? Floats(N * H) : Floats();
    r.h = Floats::zeros(B * H);
    if (keep_for_backward) {
        r.saved = Floats(N * S);
        r.h_prev = Floats(N * H);
    }
    Floats c = Floats::zeros(kind == kCellLstm ? B * H : 0);
    const auto steps = steps_of(packing, reverse);
    const int64_t R = rows_per_block(), workers = workers_for(B, R);
    // Per worker: gh [R, G], and without keep: saved [R, S], h_prev [R, H], and gathered gi [R, G], and
    // without outputs y [R, H].
    const int64_t scratch_floats = R * G + (keep_for_backward ? 0 : R * (S + H)) + (gather ? R * G : 0) + (keep_outputs ? 0 : R * H);
    Floats scratch(workers * scratch_floats);
    parallel_pieces(B, R, [&](int64_t first, int64_t last, int64_t worker) {
        float* gh = scratch.data() + worker * scratch_floats;
        float* spare = gh + R * G;
        float* y_spare = gh + scratch_floats - R * H;  // used only without keep_outputs
        for (const Step& step : steps) {
            const int64_t rows = std::min(last, step.rows) - first;
            if (rows <= 0) continue;  // these rows' sequences have ended (or, reversed, not begun)
            const int64_t at = step.offset + first;
            const float* gi_rows;
            if (gather) {
                float* gathered = spare + (keep_for_backward ? 0 : R * (S + H));
                for (int64_t b = 0; b < rows; ++b) std::memcpy(gathered + b * G, table + ids[at + b] * G, sizeof(float) * G);
                gi_rows = gathered;
            } else {
                gi_rows = gi.data() + at * G;
            }
            float* h = r.h.data() + first * H;
            hidden_weights.multiply(rows, {h, H, 1}, gh, G, /*accumulate=*/false);
            cpu::kernels().gates_forward(kind, rows, H, gi_rows, gh, w.b_hh, h, kind == kCellLstm ? c.data() + first * H : nullptr,
                                         keep_outputs ? r.y.data() + at * H : y_spare, keep_for_backward ? r.saved.data() + at * S : spare,
                                         keep_for_backward ? r.h_prev.data() + at * H : spare + R * S);
        }
    });
}

void rnn_direction_backward(int32_t kind, const float* x, const Packing& packing, const DirectionWeights& w, bool reverse,
                            const DirectionState& state, const float* dy, const float* dh_n, const DirectionGradients& grads,
                            float* dx, bool accumulate_dx) {
    const int64_t N = packing.packed_rows, B = packing.rows, H = w.hidden, I = w.input;
    const int64_t G = cell_gates(kind) * H, S = saved_of(kind, H);
    // The running gradient of the hidden state starts as that of h_n: each row's final state.
    Floats dh_running = dh_n ? Floats::copy_of(dh_n, B * H) : Floats::zeros(B * H);
    Floats dc_running = Floats::zeros(kind == kCellLstm ? B * H : 0);
    Floats dgi(N * G), dgh(N * G);
    const PackedMatrix hidden_weights({w.w_hh, H, 1}, G, H);  // dgh . W_hh
    const auto steps = steps_of(packing, reverse);
    const int64_t R = rows_per_block();
    Floats scratch(workers_for(B, R) * R * H);
    parallel_pieces(B, R, [&](int64_t first, int64_t last, int64_t worker) {
        float* dh = scratch.data() + worker * R * H;
        float* running = dh_running.data() + first * H;
        for (auto step = steps.rbegin(); step != steps.rend(); ++step) {
            const int64_t rows = std::min(last, step->rows) - first;
            if (rows <= 0) continue;
            const int64_t at = step->offset + first;
            const float* dy_rows = dy + at * H;
            for (int64_t j = 0; j < rows * H; ++j) dh[j] = running[j] + dy_rows[j];
            float* dgh_rows = dgh.data() + at * G;
            cpu::kernels().gates_backward(kind, rows, H, dh, kind == kCellLstm ? dc_running.data() + first * H : nullptr,
                                          state.y.data() + at * H, state.saved.data() + at * S, state.h_prev.data() + at * H,
                                          dgi.data() + at * G, dgh_rows, running);
            // The previous state's gradient: the direct part (already in running) plus dgh . W_hh.
            hidden_weights.multiply(rows, {dgh_rows, G, 1}, running, H, /*accumulate=*/true);
        }
    });
    // Weight gradients over all steps at once: dW = dg^T . input, dg^T read through strides.
    PackedMatrix::pack_parallel({state.h_prev.data(), H, 1}, N, H).multiply_parallel(G, {dgh.data(), 1, G}, grads.w_hh, H, true);
    PackedMatrix::pack_parallel({x, I, 1}, N, I).multiply_parallel(G, {dgi.data(), 1, G}, grads.w_ih, I, true);
    add_column_sums(dgi.data(), N, G, G, grads.b_ih);
    add_column_sums(dgh.data(), N, G, G, grads.b_hh);
    if (dx) PackedMatrix({w.w_ih, I, 1}, G, I).multiply_parallel(N, {dgi.data(), G, 1}, dx, I, accumulate_dx);
}

}  // namespace sc
