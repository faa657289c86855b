#include "sc_fused_rnn.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "sc_gemm.h"
#include "sc_thread_pool.h"

namespace sc {
namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Floats saved per row for the backward pass (besides the output itself).
int64_t saved_of(int32_t cell, int64_t h) {
    switch (cell) {
        case SC_CELL_GRU: return 4 * h;   // r, z, n, (W_hn h + b_hn)
        case SC_CELL_LSTM: return 6 * h;  // i, f, g, o, tanh(c), c_prev
        default: return 0;                // tanh' and relu' come from the output
    }
}

float* data_of(const Tensor& t) { return t.data_ptr<float>(); }

// The steps in processing order, with each step's first packed row and batch size. Rows are sorted
// longest first, so the rows alive at a step are always its first `rows` rows.
struct Step {
    int64_t offset;
    int64_t rows;
};

std::vector<Step> steps_of(const Tensor& batch_sizes, bool reverse) {
    const auto* sizes = batch_sizes.data_ptr<int64_t>();
    std::vector<Step> steps;
    int64_t offset = 0;
    for (int64_t t = 0; t < batch_sizes.size(0); ++t) {
        steps.push_back({offset, sizes[t]});
        offset += sizes[t];
    }
    if (reverse) std::reverse(steps.begin(), steps.end());
    return steps;
}

// Threading: the rows of a batch are independent, so the batch is cut once into blocks of a tile's
// rows, and each thread runs whole blocks through every step, taking the next free block when it
// finishes one (sc_thread_pool.h). No thread waits for another between steps: the previous design met
// a barrier at every step, hundreds per batch, and lost two thirds of its speed beside a busy process.
int64_t rows_per_block() { return cpu::kernels().tile_rows; }

// Copies `bias` [n] into each of `rows` rows of out (row stride n): products then accumulate onto it.
void fill_rows(float* out, const float* bias, int64_t rows, int64_t n) {
    for (int64_t b = 0; b < rows; ++b) std::memcpy(out + b * n, bias, sizeof(float) * n);
}

struct ForwardResult {
    Tensor y;       // [N, H]
    Tensor h;       // [B, H], each row's final state
    Tensor saved;   // [N, saved_of] when kept for the backward pass
    Tensor h_prev;  // [N, H] when kept
};

// The forward pass. Without keep_for_backward the per-step activations go to per-thread scratch
// that is overwritten step by step (inference keeps nothing). With a table, the input projection
// of a row is the table's row for its token id, gathered step by step (no [N, G] buffer).
ForwardResult run_forward(int32_t kind, const Tensor& x, const Tensor& batch_sizes, const DirectionWeights& w, bool reverse,
                          bool keep_for_backward, const Tensor& table = Tensor(), const Tensor& ids = Tensor()) {
    torch::NoGradGuard no_grad;
    const bool gather = table.defined();
    const int64_t N = gather ? ids.size(0) : x.size(0);
    const int64_t H = w.w_hh.size(1), G = w.w_hh.size(0), B = batch_sizes[0].item<int64_t>();
    const int64_t S = saved_of(kind, H);
    const auto options = w.w_hh.options();
    const Tensor w_hh = w.w_hh.contiguous(), b_hh = w.b_hh.contiguous();
    // h . W_hh^T: W_hh^T [H, G] is W_hh read with swapped strides.
    const PackedMatrix hidden_weights({data_of(w_hh), 1, H}, H, G);
    // The input projections of all steps at once: gi [N, G] = b_ih + x . W_ih^T.
    Tensor gi;
    if (!gather) {
        const Tensor w_ih = w.w_ih.contiguous(), b_ih = w.b_ih.contiguous();
        const int64_t I = w_ih.size(1);
        gi = torch::empty({N, G}, options);
        const PackedMatrix input_weights({data_of(w_ih), 1, I}, I, G);
        parallel_pieces(N, 256, [&](int64_t first, int64_t last, int64_t) { fill_rows(data_of(gi) + first * G, data_of(b_ih), last - first, G); });
        input_weights.multiply_parallel(N, {data_of(x), I, 1}, data_of(gi), G, /*accumulate=*/true);
    }
    ForwardResult r;
    r.y = torch::empty({N, H}, options);
    r.h = torch::zeros({B, H}, options);
    if (keep_for_backward) {
        r.saved = torch::empty({N, S}, options);
        r.h_prev = torch::empty({N, H}, options);
    }
    Tensor c = torch::zeros({kind == SC_CELL_LSTM ? B : 0, H}, options);
    const auto steps = steps_of(batch_sizes, reverse);
    const int64_t R = rows_per_block(), workers = workers_for(B, R);
    // Per worker: gh [R, G], and without keep: saved [R, S], h_prev [R, H], and gathered gi [R, G].
    const int64_t scratch_floats = R * G + (keep_for_backward ? 0 : R * (S + H)) + (gather ? R * G : 0);
    std::vector<float> scratch(static_cast<size_t>(workers * scratch_floats));
    parallel_pieces(B, R, [&](int64_t first, int64_t last, int64_t worker) {
        float* gh = scratch.data() + worker * scratch_floats;
        float* spare = gh + R * G;
        for (const Step& step : steps) {
            const int64_t rows = std::min(last, step.rows) - first;
            if (rows <= 0) continue;  // these rows' sequences have ended (or, reversed, not begun)
            const int64_t at = step.offset + first;
            const float* gi_rows;
            if (gather) {
                float* gathered = spare + (keep_for_backward ? 0 : R * (S + H));
                const int64_t* id = ids.data_ptr<int64_t>() + at;
                for (int64_t b = 0; b < rows; ++b) std::memcpy(gathered + b * G, data_of(table) + id[b] * G, sizeof(float) * G);
                gi_rows = gathered;
            } else {
                gi_rows = data_of(gi) + at * G;
            }
            float* h = data_of(r.h) + first * H;
            hidden_weights.multiply(rows, {h, H, 1}, gh, G, /*accumulate=*/false);
            cpu::kernels().gates_forward(kind, rows, H, gi_rows, gh, data_of(b_hh), h, kind == SC_CELL_LSTM ? data_of(c) + first * H : nullptr, data_of(r.y) + at * H,
                          keep_for_backward ? data_of(r.saved) + at * S : spare,
                          keep_for_backward ? data_of(r.h_prev) + at * H : spare + R * S);
        }
    });
    return r;
}

class FusedRnn : public torch::autograd::Function<FusedRnn> {
public:
    static variable_list forward(AutogradContext* ctx, const Tensor& x, const Tensor& batch_sizes, const Tensor& w_ih,
                                 const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh, int64_t cell, bool reverse) {
        auto r = run_forward(static_cast<int32_t>(cell), x, batch_sizes, {w_ih, w_hh, b_ih, b_hh}, reverse, true);
        ctx->save_for_backward({x, w_ih, w_hh, r.y, r.saved, r.h_prev, batch_sizes});
        ctx->saved_data["cell"] = cell;
        ctx->saved_data["reverse"] = reverse;
        return {r.y, r.h};
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        torch::NoGradGuard no_grad;
        auto s = ctx->get_saved_variables();
        const Tensor x = s[0], w_ih = s[1].contiguous(), w_hh = s[2].contiguous(), &y = s[3], &saved = s[4], &h_prev = s[5],
                     &batch_sizes = s[6];
        const int32_t kind = static_cast<int32_t>(ctx->saved_data["cell"].toInt());
        const bool reverse = ctx->saved_data["reverse"].toBool();
        const int64_t N = x.size(0), I = x.size(1), H = w_hh.size(1), G = w_hh.size(0), B = batch_sizes[0].item<int64_t>();
        const int64_t S = saved.size(1);
        Tensor dy = grads[0].defined() ? grads[0].contiguous() : torch::zeros({N, H}, x.options());
        // The running gradient of the hidden state starts as that of h_n: each row's final state.
        Tensor dh_running = grads[1].defined() ? grads[1].contiguous().clone() : torch::zeros({B, H}, x.options());
        Tensor dc_running = torch::zeros({kind == SC_CELL_LSTM ? B : 0, H}, x.options());
        Tensor dgi = torch::empty({N, G}, x.options());
        Tensor dgh = torch::empty({N, G}, x.options());
        const PackedMatrix hidden_weights({data_of(w_hh), H, 1}, G, H);  // dgh . W_hh
        const auto steps = steps_of(batch_sizes, reverse);
        const int64_t R = rows_per_block();
        std::vector<float> scratch(static_cast<size_t>(workers_for(B, R) * R * H));
        parallel_pieces(B, R, [&](int64_t first, int64_t last, int64_t worker) {
            float* dh = scratch.data() + worker * R * H;
            float* running = data_of(dh_running) + first * H;
            for (auto step = steps.rbegin(); step != steps.rend(); ++step) {
                const int64_t rows = std::min(last, step->rows) - first;
                if (rows <= 0) continue;
                const int64_t at = step->offset + first;
                const float* dy_rows = data_of(dy) + at * H;
                for (int64_t j = 0; j < rows * H; ++j) dh[j] = running[j] + dy_rows[j];
                float* dgh_rows = data_of(dgh) + at * G;
                cpu::kernels().gates_backward(kind, rows, H, dh, kind == SC_CELL_LSTM ? data_of(dc_running) + first * H : nullptr, data_of(y) + at * H,
                               data_of(saved) + at * S, data_of(h_prev) + at * H, data_of(dgi) + at * G, dgh_rows, running);
                // The previous state's gradient: the direct part (already in running) plus dgh . W_hh.
                hidden_weights.multiply(rows, {dgh_rows, G, 1}, running, H, /*accumulate=*/true);
            }
        });
        // Weight gradients over all steps at once: dW = dg^T . input, a^T read through strides.
        Tensor d_w_hh = torch::empty({G, H}, x.options());
        PackedMatrix::pack_parallel({data_of(h_prev), H, 1}, N, H).multiply_parallel(G, {data_of(dgh), 1, G}, data_of(d_w_hh), H, false);
        Tensor d_w_ih = torch::empty({G, I}, x.options());
        PackedMatrix::pack_parallel({data_of(x), I, 1}, N, I).multiply_parallel(G, {data_of(dgi), 1, G}, data_of(d_w_ih), I, false);
        Tensor dx = torch::empty_like(x);
        PackedMatrix({data_of(w_ih), I, 1}, G, I).multiply_parallel(N, {data_of(dgi), G, 1}, data_of(dx), I, false);
        return {dx, Tensor(), d_w_ih, d_w_hh, dgi.sum(0), dgh.sum(0), Tensor(), Tensor()};
    }
};

// The kernels read raw memory: every shape they rely on is checked here first.
void check_shapes(int32_t cell, int64_t input_size, const torch::Tensor& batch_sizes, const DirectionWeights& w) {
    const int64_t H = w.w_hh.size(1), G = sc_cell_gates(cell) * H;
    TORCH_CHECK(w.w_hh.dim() == 2 && w.w_hh.size(0) == G && w.w_ih.dim() == 2 && w.w_ih.size(0) == G && w.b_ih.numel() == G &&
                    w.b_hh.numel() == G,
                "fused recurrent layer: weights do not match a cell of hidden size ", H);
    TORCH_CHECK(input_size == w.w_ih.size(1), "fused recurrent layer: the input has ", input_size,
                " features per step, the layer expects ", w.w_ih.size(1));
    TORCH_CHECK(batch_sizes.dim() == 1 && batch_sizes.numel() > 0 && batch_sizes.scalar_type() == torch::kInt64,
                "fused recurrent layer: batch_sizes must be a non-empty int64 vector");
}

}  // namespace

std::vector<torch::Tensor> fused_rnn_direction(int32_t cell, const torch::Tensor& x, const torch::Tensor& batch_sizes,
                                               const DirectionWeights& weights, bool reverse) {
    TORCH_CHECK(x.dim() == 2 && x.scalar_type() == torch::kFloat32, "fused recurrent layer: the input must be float32 [N, features]");
    check_shapes(cell, x.size(1), batch_sizes, weights);
    const bool differentiable = torch::GradMode::is_enabled() &&
                                (x.requires_grad() || weights.w_ih.requires_grad() || weights.w_hh.requires_grad());
    if (!differentiable) {
        auto r = run_forward(cell, x.contiguous(), batch_sizes, weights, reverse, false);
        return {r.y, r.h};
    }
    return FusedRnn::apply(x.contiguous(), batch_sizes, weights.w_ih, weights.w_hh, weights.b_ih, weights.b_hh,
                           static_cast<int64_t>(cell), reverse);
}

std::vector<torch::Tensor> fused_rnn_direction_from_table(int32_t cell, const torch::Tensor& table, const torch::Tensor& ids,
                                                          const torch::Tensor& batch_sizes, const DirectionWeights& weights,
                                                          bool reverse) {
    check_shapes(cell, weights.w_ih.size(1), batch_sizes, weights);
    TORCH_CHECK(table.dim() == 2 && table.size(1) == weights.w_hh.size(0) && ids.dim() == 1,
                "fused recurrent layer: the projection table must be [vocabulary, gates x hidden]");
    auto r = run_forward(cell, torch::Tensor(), batch_sizes, weights, reverse, false, table.contiguous(), ids.contiguous());
    return {r.y, r.h};
}

}  // namespace sc
