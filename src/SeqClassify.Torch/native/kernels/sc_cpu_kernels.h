// Matrix-product and activation kernels of the fused recurrent layer (and the Transformer's
// attention), compiled once per x86-64
// instruction set (sc_cpu_kernels_avx512.cpp, _avx2.cpp, _baseline.cpp from sc_cpu_kernels.inc)
// and chosen at run time from what the CPU reports.
//
// Why our own (and no BLAS): Debian's OpenBLAS 0.3.21, which libtorch multiplied through, picks its kernels by
// recognising the CPU model and falls back to SSE3 kernels on CPUs newer than itself (measured 2-4x
// slower sgemm on Sapphire Rapids). The CPU's feature flags, not its model name, choose here. The
// per-step products of a recurrence are also small ([rows <= 32] x 128 x 384), where a library
// call's dispatch costs as much as the arithmetic.
#pragma once
#include <cstdint>
#include <vector>

namespace sc::cpu {

// One AdamW update's scalars (sc_optimizer.h), already in float as PyTorch applies them.
struct AdamWStep {
    float grad_scale;     // gradient clipping's factor (1: none)
    float decay;          // 1 - lr * weight_decay
    float beta1, one_minus_beta1, beta2, one_minus_beta2;
    float sqrt_bias_correction2;
    float eps;
    float neg_step_size;  // -lr / bias_correction1
};

struct KernelSet {
    const char* name;     // "avx512", "avx2", "baseline"
    int64_t panel_width;  // columns of B in one packed panel
    int64_t tile_rows;    // rows of A one tile call takes at most
    // c[rows, cols] = (accumulate ? c : 0) + a[rows, k] . panel[k, panel_width] (its first cols columns).
    // a(i, j) = a[i * a_row_stride + j * a_col_stride]; panel is row-major [k, panel_width].
    void (*tile)(int64_t k, const float* a, int64_t a_row_stride, int64_t a_col_stride, int64_t rows, const float* panel,
                 float* c, int64_t ldc, int64_t cols, bool accumulate);
    // In place over n floats: 1 / (1 + e^-x), and tanh(x). Absolute error below 1e-6 (the parity
    // tests' tolerances are 1e-5 for values and 1e-4 for gradients).
    void (*sigmoid)(float* x, int64_t n);
    void (*tanh)(float* x, int64_t n);
    // One step of a cell (sc_cell) for `rows` rows; the layouts are sc_fused_rnn.cpp's. Forward: gi
    // [rows, G] the input part of the pre-activations (b_ih included), gh [rows, G] the hidden
    // part without its bias b_hh [G] (added here, saving a pass); h, c the running state [rows, H],
    // updated; y the step's outputs; saved [rows, S] what the backward pass needs; h_prev receives h
    // before the update.
    void (*gates_forward)(int32_t cell, int64_t rows, int64_t H, const float* gi, const float* gh, const float* b_hh, float* h,
                          float* c, float* y, float* saved, float* h_prev);
    // Backward: dh the gradient reaching the step's outputs [rows, H]; dc the cell-state gradient
    // (LSTM), updated to the previous step's; writes dgi, dgh [rows, G] and the part of the previous
    // state's gradient that bypasses W_hh into dh_direct [rows, H].
    void (*gates_backward)(int32_t cell, int64_t rows, int64_t H, const float* dh, float* dc, const float* y, const float* saved,
                           const float* h_prev, float* dgi, float* dgh, float* dh_direct);
    // AdamW over n elements: g *= grad_scale (written back when it is not 1, as clipping leaves the
    // gradient), p *= decay, m = beta1 m + (1 - beta1) g, v = beta2 v + (1 - beta2) g^2,
    // p += neg_step_size m / (sqrt(v) / sqrt_bias_correction2 + eps).
    void (*adamw)(int64_t n, float* p, float* g, float* m, float* v, const AdamWStep& step);
    // Attention (sc_attention.h). Each row of x [rows, cols] (row stride ld) becomes the softmax of
    // scale * row, in place (scale > 0).
    void (*softmax_rows)(float* x, int64_t rows, int64_t cols, int64_t ld, float scale);
    // Its backward: d (the gradient reaching p = softmax(scale * s)) becomes the gradient reaching s,
    // scale * p * (d - sum(d * p)) row by row, in place.
    void (*softmax_backward_rows)(const float* p, float* d, int64_t rows, int64_t cols, int64_t ld, float scale);
};

// One set per instruction set, each defined by its own file.
namespace avx512 { extern const KernelSet kKernelSet; }
namespace avx2 { extern const KernelSet kKernelSet; }
namespace baseline { extern const KernelSet kKernelSet; }

// Every kernel set this build has, best first; those the CPU cannot run are left out.
const std::vector<const KernelSet*>& available_kernels();

// The set in use: the best available, unless select_kernels chose another.
const KernelSet& kernels();

// Chooses a set by name (tests and benchmarks compare them); false if this CPU cannot run it.
bool select_kernels(const char* name);

}  // namespace sc::cpu
