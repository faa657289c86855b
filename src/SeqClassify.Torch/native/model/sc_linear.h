// nn.Linear on the engine's kernels and threads (sc_gemm.h): y = x W^T + b, and its backward pass.
#pragma once
#include <string>

#include "sc_parameters.h"

namespace sc {

class Linear {
public:
    Linear() = default;
    // "<prefix>.weight" [out, in] and "<prefix>.bias" [out], initialised as nn.Linear's
    // reset_parameters: U(-1/sqrt(in), 1/sqrt(in)) for both.
    Linear(Parameters& parameters, const std::string& prefix, int64_t in, int64_t out, bool bias, Generator& g);
    // Over parameters registered elsewhere: weight [out, in], bias [out] or null.
    Linear(Parameter& weight, Parameter* bias);

    bool defined() const { return weight_ != nullptr; }
    int64_t in() const { return in_; }
    int64_t out() const { return out_; }
    Parameter& weight() const { return *weight_; }
    Parameter* bias() const { return bias_; }

    // y [m, out] = x [m, in] W^T + b.
    void forward(const float* x, int64_t m, float* y) const;
    // Adds d loss / dW and d loss / db to the gradients; dx [m, in] = dy W (added to dx when
    // accumulate_dx; skipped when dx is null).
    void backward(const float* x, int64_t m, const float* dy, float* dx, bool accumulate_dx) const;

private:
    Parameter* weight_ = nullptr;
    Parameter* bias_ = nullptr;
    int64_t in_ = 0, out_ = 0;
};

// out[c] += sum over rows of a[r, c] (a [rows, cols], row stride lda). Summed in pieces of a fixed
// number of rows and the pieces in order, so the result does not depend on the thread count.
void add_column_sums(const float* a, int64_t rows, int64_t cols, int64_t lda, float* out);

}  // namespace sc
