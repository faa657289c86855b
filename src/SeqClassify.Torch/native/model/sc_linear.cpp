#include "sc_linear.h"

#include <algorithm>
#include <cmath>

#include "sc_gemm.h"
#include "sc_thread_pool.h"

namespace sc {

Linear::Linear(Parameters& parameters, const std::string& prefix, int64_t in, int64_t out, bool bias, Generator& g)
    : in_(in), out_(out) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(in));
    weight_ = &parameters.add(prefix + ".weight", {out, in});
    init_uniform(*weight_, g, bound);
    if (bias) {
        bias_ = &parameters.add(prefix + ".bias", {out});
        init_uniform(*bias_, g, bound);
    }
}

Linear::Linear(Parameter& weight, Parameter* bias)
    : weight_(&weight), bias_(bias), in_(weight.shape.at(1)), out_(weight.shape.at(0)) {}

std::shared_ptr<const PackedMatrix> Linear::packed_weight() const {
    std::lock_guard<std::mutex> hold(packed_->lock);
    // A packing remembers its kernel set: one made before the set changed would run the old kernels.
    if (!packed_->matrix || packed_->generation != weight_->generation || packed_->matrix->kernels() != &cpu::kernels()) {
        packed_->matrix = std::make_shared<const PackedMatrix>(PackedMatrix::pack_parallel({weight_->data(), 1, in_}, in_, out_));
        packed_->generation = weight_->generation;
    }
    return packed_->matrix;
}

void Linear::forward(const float* x, int64_t m, float* y, bool keep_packed) const {
    // W^T [in, out] is W read with swapped strides.
    if (keep_packed) {
        packed_weight()->multiply_parallel(m, {x, in_, 1}, y, out_, false);
    } else {
        PackedMatrix::pack_parallel({weight_->data(), 1, in_}, in_, out_).multiply_parallel(m, {x, in_, 1}, y, out_, false);
    }
    if (bias_) {
        const float* b = bias_->data();
        parallel_pieces(m, 256, [&](int64_t first, int64_t last, int64_t) {
            for (int64_t r = first; r < last; ++r) {
                float* row = y + r * out_;
                for (int64_t j = 0; j < out_; ++j) row[j] += b[j];
            }
        });
    }
}

void Linear::backward(const float* x, int64_t m, const float* dy, float* dx, bool accumulate_dx) const {
    if (dx) PackedMatrix::pack_parallel({weight_->data(), in_, 1}, out_, in_).multiply_parallel(m, {dy, out_, 1}, dx, in_, accumulate_dx);
    if (weight_->trainable) {
        // dW [out, in] = dy^T x: dy^T read through strides.
        PackedMatrix::pack_parallel({x, in_, 1}, m, in_).multiply_parallel(out_, {dy, 1, out_}, weight_->grad.data(), in_, true);
    }
    if (bias_ && bias_->trainable) add_column_sums(dy, m, out_, out_, bias_->grad.data());
}

void add_column_sums(const float* a, int64_t rows, int64_t cols, int64_t lda, float* out) {
    constexpr int64_t kRows = 128;
    const int64_t pieces = (rows + kRows - 1) / kRows;
    if (pieces <= 0) return;
    Floats partial(pieces * cols);
    parallel_pieces(pieces, 1, [&](int64_t first, int64_t last, int64_t) {
        for (int64_t p = first; p < last; ++p) {
            float* sum = partial.data() + p * cols;
            for (int64_t c = 0; c < cols; ++c) sum[c] = 0.0f;
            const int64_t end = std::min(rows, (p + 1) * kRows);
            for (int64_t r = p * kRows; r < end; ++r) {
                const float* row = a + r * lda;
                for (int64_t c = 0; c < cols; ++c) sum[c] += row[c];
            }
        }
    });
    for (int64_t p = 0; p < pieces; ++p) {
        const float* sum = partial.data() + p * cols;
        for (int64_t c = 0; c < cols; ++c) out[c] += sum[c];
    }
}

}  // namespace sc
