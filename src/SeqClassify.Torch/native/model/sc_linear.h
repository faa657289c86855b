// nn.Linear on the engine's kernels and threads (sc_gemm.h): y = x W^T + b, and its backward pass.
#pragma once
#include <memory>
#include <mutex>
#include <string>

#include "sc_gemm.h"
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

    // y [m, out] = x [m, in] W^T + b. With keep_packed (inference), the weight packed for the kernels
    // is kept and reused until the parameter's generation or the kernel set changes, so that a
    // prediction does not repack every weight (for one short row of a 22M-parameter encoder, most of
    // its time); concurrent predictions share it. Training passes false: its weights change every
    // step, and a kept copy would only add memory.
    void forward(const float* x, int64_t m, float* y, bool keep_packed = false) const;
    // Adds d loss / dW and d loss / db to the gradients; dx [m, in] = dy W (added to dx when
    // accumulate_dx; skipped when dx is null).
    void backward(const float* x, int64_t m, const float* dy, float* dx, bool accumulate_dx) const;

private:
    // The packed W^T of the last inference call, the weight generation it was packed from, and the
    // lock that makes the first concurrent predictions after a change pack it once.
    struct Packed {
        std::mutex lock;
        std::shared_ptr<const PackedMatrix> matrix;
        uint64_t generation = 0;
    };
    std::shared_ptr<const PackedMatrix> packed_weight() const;

    std::shared_ptr<Packed> packed_ = std::make_shared<Packed>();
    Parameter* weight_ = nullptr;
    Parameter* bias_ = nullptr;
    int64_t in_ = 0, out_ = 0;
};

// out[c] += sum over rows of a[r, c] (a [rows, cols], row stride lda). Summed in pieces of a fixed
// number of rows and the pieces in order, so the result does not depend on the thread count.
void add_column_sums(const float* a, int64_t rows, int64_t cols, int64_t lda, float* out);

}  // namespace sc
