#include "sc_fused_rnn.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace sc {
namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

inline float sigmoid(float v) { return 1.0f / (1.0f + std::exp(-v)); }

int64_t gates_of(int32_t cell) { return cell == SC_CELL_GRU ? 3 : cell == SC_CELL_LSTM ? 4 : 1; }

// Floats saved per row for the backward pass (besides the output itself).
int64_t saved_of(int32_t cell, int64_t h) {
    switch (cell) {
        case SC_CELL_GRU: return 4 * h;   // r, z, n, (W_hn h + b_hn)
        case SC_CELL_LSTM: return 6 * h;  // i, f, g, o, c, c_prev
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

// One step's gate arithmetic for `rows` rows. gi, gh: [rows, G*H] pre-activations (input and
// hidden parts, biases included); h, c: the running state [rows, H], updated in place.
void step_forward(int32_t cell, int64_t rows, int64_t H, const float* gi, const float* gh, float* h, float* c, float* y,
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
                    s[4 * H + j] = c_new;
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
                    const float i = s[j], f = s[H + j], g = s[2 * H + j], o = s[3 * H + j], c = s[4 * H + j], cp = s[5 * H + j];
                    const float tc = std::tanh(c);
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
                          const Tensor& b_ih, const Tensor& b_hh, bool reverse, bool keep_for_backward) {
    torch::NoGradGuard no_grad;
    const int64_t N = x.size(0), H = w_hh.size(1), G = w_hh.size(0), B = batch_sizes[0].item<int64_t>();
    const int64_t S = saved_of(kind, H);
    // All steps' input projections at once: [N, G*H].
    Tensor gi = torch::addmm(b_ih, x, w_ih.t());
    ForwardResult r;
    r.y = torch::empty({N, H}, x.options());
    r.h = torch::zeros({B, H}, x.options());
    r.saved = torch::empty({keep_for_backward ? N : B, S}, x.options());
    r.h_prev = torch::empty({keep_for_backward ? N : B, H}, x.options());
    Tensor c = torch::zeros({kind == SC_CELL_LSTM ? B : 0, H}, x.options());
    Tensor gh = torch::empty({B, G}, x.options());
    for (const auto& step : steps_of(batch_sizes, reverse)) {
        auto gh_t = gh.narrow(0, 0, step.rows);
        torch::addmm_out(gh_t, b_hh, r.h.narrow(0, 0, step.rows), w_hh.t());  // [rows, G*H]
        const int64_t keep_at = keep_for_backward ? step.offset : 0;
        step_forward(kind, step.rows, H, gi.data_ptr<float>() + step.offset * G, gh_t.data_ptr<float>(), r.h.data_ptr<float>(),
                     c.data_ptr<float>(), r.y.data_ptr<float>() + step.offset * H, r.saved.data_ptr<float>() + keep_at * S,
                     r.h_prev.data_ptr<float>() + keep_at * H);
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
            auto dh_t = dh.narrow(0, 0, step->rows);
            auto running_t = dh_running.narrow(0, 0, step->rows);
            torch::add_out(dh_t, running_t, dy.narrow(0, step->offset, step->rows));
            auto dgh_t = dgh.narrow(0, step->offset, step->rows);
            step_backward(kind, step->rows, H, dh_t.data_ptr<float>(), dc_running.data_ptr<float>(),
                          y.data_ptr<float>() + step->offset * H, saved.data_ptr<float>() + step->offset * saved.size(1),
                          h_prev.data_ptr<float>() + step->offset * H, dgi.data_ptr<float>() + step->offset * G,
                          dgh_t.data_ptr<float>(), running_t.data_ptr<float>());
            // The previous state's gradient: the direct part (already in running_t) plus dgh W_hh.
            running_t.addmm_(dgh_t, w_hh);
        }
        // Weight gradients over all steps at once.
        Tensor d_w_hh = torch::mm(dgh.t(), h_prev);
        Tensor d_b_hh = dgh.sum(0);
        Tensor d_w_ih = torch::mm(dgi.t(), x);
        Tensor d_b_ih = dgi.sum(0);
        Tensor dx = torch::mm(dgi, w_ih);
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

}  // namespace sc
