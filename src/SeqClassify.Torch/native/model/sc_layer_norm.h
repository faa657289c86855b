// nn.LayerNorm over the last dimension (eps from the config: 1e-5 as nn.TransformerEncoderLayer's, 1e-12 as
// BERT's) and its backward pass.
#pragma once
#include <string>

#include "sc_parameters.h"

namespace sc {

class LayerNorm {
public:
    LayerNorm() = default;
    // "<prefix>.weight" (ones) and "<prefix>.bias" (zeros), [width].
    LayerNorm(Parameters& parameters, const std::string& prefix, int64_t width, double eps);
    bool defined() const { return weight_ != nullptr; }

    // y [m, D] = (x - mean) / sqrt(var + eps) * weight + bias per row. normalized [m, D] and rstd [m]
    // (null in inference) keep what the backward pass needs. y may be x.
    void forward(const float* x, int64_t m, float* y, float* normalized, float* rstd) const;
    // Adds to the parameters' gradients; dx [m, D] receives (accumulate: +=) d loss / dx.
    void backward(const float* normalized, const float* rstd, int64_t m, const float* dy, float* dx, bool accumulate) const;

private:
    Parameter* weight_ = nullptr;
    Parameter* bias_ = nullptr;
    int64_t width_ = 0;
    double eps_ = 1e-5;
};

}  // namespace sc
