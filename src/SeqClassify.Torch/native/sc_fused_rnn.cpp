#include "sc_fused_rnn.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include <ATen/Parallel.h>

namespace sc {
namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

int64_t gates_of(int32_t cell) { return cell == SC_CELL_GRU ? 3 : cell == SC_CELL_LSTM ? 4 : 1; }

// Floats saved per row for the backward pass (besides the output itself).
int64_t saved_of(int32_t cell, int64_t h) {
    switch (cell) {
        case SC_CELL_GRU: return 4 * h;   // r, z, n, (W_hn h + b_hn)
        case SC_CELL_LSTM: return 6 * h;  // i, f, g, o, tanh(c), c_prev
        default: return 0;                // tanh' and relu' come from the output
    }
}

// The steps in processing order, with each step's first packed row and batch size.
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

// Rows per thread below which a step is not split: smaller slices cost more in scheduling than
// they save.
constexpr int64_t kRowGrain = 8;

// Up to this many rows a step runs as scalar loops (step_forward_small); above, as vectorised kernels.
constexpr int64_t kSmallRows = 2;

// OpenBLAS is kept single-threaded (sc_runtime.cpp), so each matrix product runs on one core.
// The products here are split by rows across libtorch's threads instead: rows are independent.
// Grad mode is thread-local and OpenMP's workers start with it on, so every parallel body turns
// it off itself (the arithmetic here is never recorded; FusedRnn::backward is the gradient).

// out = bias + a @ w^T, rows split across threads.
void parallel_addmm(torch::Tensor out, const torch::Tensor& bias, const torch::Tensor& a, const torch::Tensor& w) {
    at::parallel_for(0, a.size(0), 256, [&](int64_t begin, int64_t end) {
        torch::NoGradGuard no_grad;
        auto slice = out.narrow(0, begin, end - begin);
        torch::addmm_out(slice, bias, a.narrow(0, begin, end - begin), w.t());
    });
}

// a^T @ b summed over rows: each thread multiplies its block of rows, then the blocks are added.
torch::Tensor parallel_mm_tn(const torch::Tensor& a, const torch::Tensor& b) {
    const int64_t threads = std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), a.size(0) / 256));
    std::vector<torch::Tensor> partial(static_cast<size_t>(threads));
    const int64_t chunk = (a.size(0) + threads - 1) / threads;
    at::parallel_for(0, threads, 1, [&](int64_t begin, int64_t end) {
        torch::NoGradGuard no_grad;
        for (int64_t t = begin; t < end; ++t) {
            const int64_t from = t * chunk, rows = std::min(chunk, a.size(0) - from);
            partial[static_cast<size_t>(t)] = torch::mm(a.narrow(0, from, rows).t(), b.narrow(0, from, rows));
        }
    });
    for (size_t t = 1; t < partial.size(); ++t) partial[0].add_(partial[t]);
    return partial[0];
}

inline float sigmoid(float v) { return 1.0f / (1.0f + std::exp(-v)); }

// The same step in one pass of scalar loops, for a few rows (single-text prediction): there the
// dispatch of ATen's vectorised kernels costs more than the arithmetic. Same saved layout.
void step_forward_small(int32_t cell, int64_t rows, int64_t H, const float* gi, const float* gh, float* h, float* c, float* y,
                  float* saved, float* h_prev) {
    const int64_t G = gates_of(cell) * H;
    for (int64_t b = 0; b < rows; ++b) {
        const float* gi_b = gi + b * G;
        const float* gh_b = gh + b * G;
        float* h_b = h + b * H;
        float* y_b = y + b * H;
        float* hp_b = h_prev + b * H;
        for (int64_t j = 0; j < H; ++j) hp_b[j] = h_b[j];
        switch (cell) {
            case SC_CELL_GRU: {
                float* s = saved + b * 4 * H;
                for (int64_t j = 0; j < H; ++j) {
                    const float r = sigmoid(gi_b[j] + gh_b[j]);
                    const float z = sigmoid(gi_b[H + j] + gh_b[H + j]);
                    const float n = std::tanh(gi_b[2 * H + j] + r * gh_b[2 * H + j]);
                    const float out = (1.0f - z) * n + z * h_b[j];
                    s[j] = r;
                    s[H + j] = z;
                    s[2 * H + j] = n;
                    s[3 * H + j] = gh_b[2 * H + j];
                    h_b[j] = out;
                    y_b[j] = out;
                }
                break;
            }
            case SC_CELL_LSTM: {
                float* s = saved + b * 6 * H;
                float* c_b = c + b * H;
                for (int64_t j = 0; j < H; ++j) {
                    const float i = sigmoid(gi_b[j] + gh_b[j]);
                    const float f = sigmoid(gi_b[H + j] + gh_b[H + j]);
                    const float g = std::tanh(gi_b[2 * H + j] + gh_b[2 * H + j]);
                    const float o = sigmoid(gi_b[3 * H + j] + gh_b[3 * H + j]);
                    const float c_new = f * c_b[j] + i * g;
                    const float out = o * std::tanh(c_new);
                    s[j] = i;
                    s[H + j] = f;
                    s[2 * H + j] = g;
                    s[3 * H + j] = o;
                    s[4 * H + j] = std::tanh(c_new);
                    s[5 * H + j] = c_b[j];
                    c_b[j] = c_new;
                    h_b[j] = out;
                    y_b[j] = out;
                }
                break;
            }
            default: {
                const bool relu = cell == SC_CELL_RNN_RELU;
                for (int64_t j = 0; j < H; ++j) {
                    const float a = gi_b[j] + gh_b[j];
                    const float out = relu ? (a > 0.0f ? a : 0.0f) : std::tanh(a);
                    h_b[j] = out;
                    y_b[j] = out;
                }
            }
        }
    }
}

// One step for `rows` rows. gi, gh: [rows, G*H] pre-activations (input and hidden parts, biases
// included); h, c: the running state [rows, H], updated in place; y: this step's output rows;
// saved: [rows, saved_of] activations for the backward pass; h_prev: receives h before the update.
// Sigmoid and tanh run as ATen's vectorised kernels over the whole block; the rest is plain loops.
// (Tensors by value: they are handles, and the in-place kernels need non-const ones.)
void step_forward(int32_t cell, int64_t H, torch::Tensor gi, torch::Tensor gh, torch::Tensor h, torch::Tensor c,
                  torch::Tensor y, torch::Tensor saved, torch::Tensor h_prev) {
    const int64_t rows = gi.size(0);
    h_prev.copy_(h);
    switch (cell) {
        case SC_CELL_GRU: {
            // saved per row: r | z | n | (W_hn h + b_hn)
            auto rz = saved.narrow(1, 0, 2 * H);
            torch::add_out(rz, gi.narrow(1, 0, 2 * H), gh.narrow(1, 0, 2 * H));
            rz.sigmoid_();
            const int64_t S = saved.stride(0), G = gi.stride(0);
            for (int64_t b = 0; b < rows; ++b) {
                float* s = saved.data_ptr<float>() + b * S;
                const float* gi_b = gi.data_ptr<float>() + b * G;
                const float* gh_b = gh.data_ptr<float>() + b * G;
                for (int64_t j = 0; j < H; ++j) {
                    s[3 * H + j] = gh_b[2 * H + j];
                    s[2 * H + j] = gi_b[2 * H + j] + s[j] * gh_b[2 * H + j];
                }
            }
            saved.narrow(1, 2 * H, H).tanh_();
            for (int64_t b = 0; b < rows; ++b) {
                const float* s = saved.data_ptr<float>() + b * S;
                float* h_b = h.data_ptr<float>() + b * H;
                float* y_b = y.data_ptr<float>() + b * H;
                for (int64_t j = 0; j < H; ++j) {
                    const float z = s[H + j], n = s[2 * H + j];
                    y_b[j] = h_b[j] = n + z * (h_b[j] - n);
                }
            }
            break;
        }
        case SC_CELL_LSTM: {
            // saved per row: i | f | g | o | tanh(c) | c_prev
            auto gates = saved.narrow(1, 0, 4 * H);
            torch::add_out(gates, gi, gh);
            gates.narrow(1, 0, 2 * H).sigmoid_();
            gates.narrow(1, 2 * H, H).tanh_();
            gates.narrow(1, 3 * H, H).sigmoid_();
            const int64_t S = saved.stride(0);
            for (int64_t b = 0; b < rows; ++b) {
                float* s = saved.data_ptr<float>() + b * S;
                float* c_b = c.data_ptr<float>() + b * H;
                for (int64_t j = 0; j < H; ++j) {
                    s[5 * H + j] = c_b[j];
                    c_b[j] = s[H + j] * c_b[j] + s[j] * s[2 * H + j];
                    s[4 * H + j] = c_b[j];
                }
            }
            saved.narrow(1, 4 * H, H).tanh_();
            for (int64_t b = 0; b < rows; ++b) {
                const float* s = saved.data_ptr<float>() + b * S;
                float* h_b = h.data_ptr<float>() + b * H;
                float* y_b = y.data_ptr<float>() + b * H;
                for (int64_t j = 0; j < H; ++j) y_b[j] = h_b[j] = s[3 * H + j] * s[4 * H + j];
            }
            break;
        }
        default: {
            torch::add_out(y, gi, gh);
            if (cell == SC_CELL_RNN_RELU) {
                y.relu_();
            } else {
                y.tanh_();
            }
            h.copy_(y);
        }
    }
}

// The mirror of step_forward. dh: gradient reaching this step's output [rows, H] (from the layer
// output and from the next step); dc: the cell-state gradient (LSTM), updated in place to the
// previous step's. Writes the pre-activation gradients dgi, dgh [rows, G*H] and the part of the
// previous hidden state's gradient that bypasses W_hh into dh_direct [rows, H].
void step_backward(int32_t cell, int64_t rows, int64_t H, const float* dh, float* dc, const float* y, const float* saved,
                   const float* h_prev, float* dgi, float* dgh, float* dh_direct) {
    const int64_t G = gates_of(cell) * H;
    for (int64_t b = 0; b < rows; ++b) {
        const float* dh_b = dh + b * H;
        float* dgi_b = dgi + b * G;
        float* dgh_b = dgh + b * G;
        float* dd_b = dh_direct + b * H;
        switch (cell) {
            case SC_CELL_GRU: {
                const float* s = saved + b * 4 * H;
                const float* hp = h_prev + b * H;
                for (int64_t j = 0; j < H; ++j) {
                    const float r = s[j], z = s[H + j], n = s[2 * H + j], ghn = s[3 * H + j];
                    const float dn = dh_b[j] * (1.0f - z);
                    const float dz = dh_b[j] * (hp[j] - n);
                    const float dan = dn * (1.0f - n * n);
                    const float dar = dan * ghn * r * (1.0f - r);
                    const float daz = dz * z * (1.0f - z);
                    dgi_b[j] = dar;
                    dgi_b[H + j] = daz;
                    dgi_b[2 * H + j] = dan;
                    dgh_b[j] = dar;
                    dgh_b[H + j] = daz;
                    dgh_b[2 * H + j] = dan * r;
                    dd_b[j] = dh_b[j] * z;
                }
                break;
            }
            case SC_CELL_LSTM: {
                const float* s = saved + b * 6 * H;
                float* dc_b = dc + b * H;
                for (int64_t j = 0; j < H; ++j) {
                    const float i = s[j], f = s[H + j], g = s[2 * H + j], o = s[3 * H + j], tc = s[4 * H + j], cp = s[5 * H + j];
                    const float dcell = dc_b[j] + dh_b[j] * o * (1.0f - tc * tc);
                    const float dai = dcell * g * i * (1.0f - i);
                    const float daf = dcell * cp * f * (1.0f - f);
                    const float dag = dcell * i * (1.0f - g * g);
                    const float dao = dh_b[j] * tc * o * (1.0f - o);
                    dgi_b[j] = dgh_b[j] = dai;
                    dgi_b[H + j] = dgh_b[H + j] = daf;
                    dgi_b[2 * H + j] = dgh_b[2 * H + j] = dag;
                    dgi_b[3 * H + j] = dgh_b[3 * H + j] = dao;
                    dc_b[j] = dcell * f;
                    dd_b[j] = 0.0f;
                }
                break;
            }
            default: {
                const float* y_b = y + b * H;
                const bool relu = cell == SC_CELL_RNN_RELU;
                for (int64_t j = 0; j < H; ++j) {
                    const float da = relu ? (y_b[j] > 0.0f ? dh_b[j] : 0.0f) : dh_b[j] * (1.0f - y_b[j] * y_b[j]);
                    dgi_b[j] = dgh_b[j] = da;
                    dd_b[j] = 0.0f;
                }
            }
        }
    }
}

struct ForwardResult {
    Tensor y;        // [N, H]
    Tensor h;        // [B, H], each row's final state
    Tensor saved;    // [N, saved_of] when kept for the backward pass
    Tensor h_prev;   // [N, H] when kept
};

// The forward pass. Without keep_for_backward the per-step activations go to a small scratch
// buffer that is overwritten step by step (inference keeps nothing).
ForwardResult run_forward(int32_t kind, const Tensor& x, const Tensor& batch_sizes, const Tensor& w_ih, const Tensor& w_hh,
                          const Tensor& b_ih, const Tensor& b_hh, bool reverse, bool keep_for_backward,
                          const Tensor& table = Tensor(), const Tensor& ids = Tensor()) {
    torch::NoGradGuard no_grad;
    const bool gather = table.defined();
    const int64_t N = gather ? ids.size(0) : x.size(0);
    const int64_t H = w_hh.size(1), G = w_hh.size(0), B = batch_sizes[0].item<int64_t>();
    const int64_t S = saved_of(kind, H);
    const auto options = w_hh.options();
    // The input projections: of all steps at once [N, G*H], or gathered step by step into [B, G*H].
    Tensor gi = torch::empty({gather ? B : N, G}, options);
    if (!gather) parallel_addmm(gi, b_ih, x, w_ih);
    ForwardResult r;
    r.y = torch::empty({N, H}, options);
    r.h = torch::zeros({B, H}, options);
    r.saved = torch::empty({keep_for_backward ? N : B, S}, options);
    r.h_prev = torch::empty({keep_for_backward ? N : B, H}, options);
    Tensor c = torch::zeros({kind == SC_CELL_LSTM ? B : 0, H}, options);
    Tensor gh = torch::empty({B, G}, options);
    for (const auto& step : steps_of(batch_sizes, reverse)) {
        const int64_t keep_at = keep_for_backward ? step.offset : 0;
        const int64_t gi_at = gather ? 0 : step.offset;
        // Each thread takes a slice of the step's rows: its product and its gates.
        at::parallel_for(0, step.rows, kRowGrain, [&](int64_t begin, int64_t end) {
            torch::NoGradGuard no_grad;
            const int64_t rows = end - begin;
            if (gather) {
                const int64_t* id = ids.data_ptr<int64_t>() + step.offset;
                for (int64_t b = begin; b < end; ++b) {
                    std::memcpy(gi.data_ptr<float>() + b * G, table.data_ptr<float>() + id[b] * G, sizeof(float) * G);
                }
            }
            auto gh_t = gh.narrow(0, begin, rows);
            torch::addmm_out(gh_t, b_hh, r.h.narrow(0, begin, rows), w_hh.t());  // [rows, G*H]
            if (rows <= kSmallRows) {
                step_forward_small(kind, rows, H, gi.data_ptr<float>() + (gi_at + begin) * G, gh_t.data_ptr<float>(),
                                   r.h.data_ptr<float>() + begin * H, kind == SC_CELL_LSTM ? c.data_ptr<float>() + begin * H : nullptr,
                                   r.y.data_ptr<float>() + (step.offset + begin) * H, r.saved.data_ptr<float>() + (keep_at + begin) * S,
                                   r.h_prev.data_ptr<float>() + (keep_at + begin) * H);
                return;
            }
            step_forward(kind, H, gi.narrow(0, gi_at + begin, rows), gh_t, r.h.narrow(0, begin, rows),
                         kind == SC_CELL_LSTM ? c.narrow(0, begin, rows) : c, r.y.narrow(0, step.offset + begin, rows),
                         r.saved.narrow(0, keep_at + begin, rows), r.h_prev.narrow(0, keep_at + begin, rows));
        });
    }
    return r;
}

class FusedRnn : public torch::autograd::Function<FusedRnn> {
public:
    static variable_list forward(AutogradContext* ctx, const Tensor& x, const Tensor& batch_sizes, const Tensor& w_ih,
                                 const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh, int64_t cell, bool reverse) {
        auto r = run_forward(static_cast<int32_t>(cell), x, batch_sizes, w_ih, w_hh, b_ih, b_hh, reverse, true);
        ctx->save_for_backward({x, w_ih, w_hh, r.y, r.saved, r.h_prev, batch_sizes});
        ctx->saved_data["cell"] = cell;
        ctx->saved_data["reverse"] = reverse;
        return {r.y, r.h};
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        auto s = ctx->get_saved_variables();
        const Tensor &x = s[0], &w_ih = s[1], &w_hh = s[2], &y = s[3], &saved = s[4], &h_prev = s[5], &batch_sizes = s[6];
        const int32_t kind = static_cast<int32_t>(ctx->saved_data["cell"].toInt());
        const bool reverse = ctx->saved_data["reverse"].toBool();
        const int64_t N = x.size(0), H = w_hh.size(1), G = w_hh.size(0), B = batch_sizes[0].item<int64_t>();
        Tensor dy = grads[0].defined() ? grads[0].contiguous() : torch::zeros({N, H}, x.options());
        // The running gradient of the hidden state starts as that of h_n: each row's final state.
        Tensor dh_running = grads[1].defined() ? grads[1].clone() : torch::zeros({B, H}, x.options());
        Tensor dc_running = torch::zeros({kind == SC_CELL_LSTM ? B : 0, H}, x.options());
        Tensor dgi = torch::empty({N, G}, x.options());
        Tensor dgh = torch::empty({N, G}, x.options());
        Tensor dh = torch::empty({B, H}, x.options());
        auto steps = steps_of(batch_sizes, reverse);
        for (auto step = steps.rbegin(); step != steps.rend(); ++step) {
            at::parallel_for(0, step->rows, kRowGrain, [&](int64_t begin, int64_t end) {
                torch::NoGradGuard no_grad;
                const int64_t rows = end - begin, at = step->offset + begin;
                auto dh_t = dh.narrow(0, begin, rows);
                auto running_t = dh_running.narrow(0, begin, rows);
                torch::add_out(dh_t, running_t, dy.narrow(0, at, rows));
                auto dgh_t = dgh.narrow(0, at, rows);
                step_backward(kind, rows, H, dh_t.data_ptr<float>(),
                              kind == SC_CELL_LSTM ? dc_running.data_ptr<float>() + begin * H : nullptr,
                              y.data_ptr<float>() + at * H, saved.data_ptr<float>() + at * saved.size(1),
                              h_prev.data_ptr<float>() + at * H, dgi.data_ptr<float>() + at * G, dgh_t.data_ptr<float>(),
                              running_t.data_ptr<float>());
                // The previous state's gradient: the direct part (already in running_t) plus dgh W_hh.
                running_t.addmm_(dgh_t, w_hh);
            });
        }
        // Weight gradients over all steps at once.
        Tensor d_w_hh = parallel_mm_tn(dgh, h_prev);
        Tensor d_b_hh = dgh.sum(0);
        Tensor d_w_ih = parallel_mm_tn(dgi, x);
        Tensor d_b_ih = dgi.sum(0);
        Tensor dx = torch::empty_like(x);
        parallel_addmm(dx, torch::zeros({x.size(1)}, x.options()), dgi, w_ih.t());
        return {dx, Tensor(), d_w_ih, d_w_hh, d_b_ih, d_b_hh, Tensor(), Tensor()};
    }
};

}  // namespace

std::vector<torch::Tensor> fused_rnn_direction(int32_t cell, const torch::Tensor& x, const torch::Tensor& batch_sizes,
                                               const DirectionWeights& weights, bool reverse) {
    const bool differentiable = torch::GradMode::is_enabled() &&
                                (x.requires_grad() || weights.w_ih.requires_grad() || weights.w_hh.requires_grad());
    if (!differentiable) {
        auto r = run_forward(cell, x.contiguous(), batch_sizes, weights.w_ih, weights.w_hh, weights.b_ih, weights.b_hh, reverse, false);
        return {r.y, r.h};
    }
    return FusedRnn::apply(x.contiguous(), batch_sizes, weights.w_ih, weights.w_hh, weights.b_ih, weights.b_hh,
                           static_cast<int64_t>(cell), reverse);
}

std::vector<torch::Tensor> fused_rnn_direction_from_table(int32_t cell, const torch::Tensor& table, const torch::Tensor& ids,
                                                          const torch::Tensor& batch_sizes, const DirectionWeights& weights,
                                                          bool reverse) {
    auto r = run_forward(cell, torch::Tensor(), batch_sizes, weights.w_ih, weights.w_hh, weights.b_ih, weights.b_hh, reverse,
                         false, table.contiguous(), ids.contiguous());
    return {r.y, r.h};
}

}  // namespace sc
