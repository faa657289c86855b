#include "sc_packed_pooling.h"

#include <limits>
#include <vector>

#include "sc_thread_pool.h"

namespace sc {
namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Each sorted row's length and the packed offset of every step.
struct Layout {
    std::vector<int64_t> offsets;  // [T]
    std::vector<int64_t> lengths;  // [B]
};

Layout layout_of(const Tensor& batch_sizes) {
    const auto* sizes = batch_sizes.data_ptr<int64_t>();
    const int64_t T = batch_sizes.size(0);
    Layout layout;
    layout.offsets.resize(static_cast<size_t>(T));
    layout.lengths.assign(static_cast<size_t>(sizes[0]), 0);
    int64_t offset = 0;
    for (int64_t t = 0; t < T; ++t) {
        layout.offsets[static_cast<size_t>(t)] = offset;
        offset += sizes[t];
        for (int64_t b = 0; b < sizes[t]; ++b) ++layout.lengths[static_cast<size_t>(b)];
    }
    return layout;
}

class PackedPool : public torch::autograd::Function<PackedPool> {
public:
    static variable_list forward(AutogradContext* ctx, const Tensor& data_in, const Tensor& batch_sizes, int64_t pooling) {
        const Tensor data = data_in.contiguous();
        const Layout layout = layout_of(batch_sizes);
        const int64_t B = static_cast<int64_t>(layout.lengths.size()), D = data.size(1);
        const bool max = pooling == SC_POOLING_MAX;
        Tensor pooled = torch::empty({B, D}, data.options());
        // Max: the packed row each maximum came from, for the backward pass.
        Tensor from = torch::empty({max ? B : 0, D}, data.options().dtype(torch::kInt64));
        const float* x = data.data_ptr<float>();
        parallel_pieces(B, 4, [&](int64_t first, int64_t last, int64_t) {
            for (int64_t b = first; b < last; ++b) {
                float* out = pooled.data_ptr<float>() + b * D;
                const int64_t length = layout.lengths[static_cast<size_t>(b)];
                if (max) {
                    int64_t* where = from.data_ptr<int64_t>() + b * D;
                    for (int64_t d = 0; d < D; ++d) {
                        out[d] = -std::numeric_limits<float>::infinity();
                        where[d] = 0;
                    }
                    for (int64_t t = 0; t < length; ++t) {
                        const int64_t row = layout.offsets[static_cast<size_t>(t)] + b;
                        const float* y = x + row * D;
                        // Strictly greater: the first step wins a tie, as torch::max over the padded block.
                        for (int64_t d = 0; d < D; ++d) {
                            if (y[d] > out[d] || t == 0) {
                                out[d] = y[d];
                                where[d] = row;
                            }
                        }
                    }
                } else {
                    for (int64_t d = 0; d < D; ++d) out[d] = 0.0f;
                    for (int64_t t = 0; t < length; ++t) {
                        const float* y = x + (layout.offsets[static_cast<size_t>(t)] + b) * D;
                        for (int64_t d = 0; d < D; ++d) out[d] += y[d];
                    }
                    const float count = static_cast<float>(length);
                    for (int64_t d = 0; d < D; ++d) out[d] /= count;
                }
            }
        });
        ctx->save_for_backward({from, batch_sizes});
        ctx->saved_data["pooling"] = pooling;
        ctx->saved_data["rows"] = data.size(0);
        return {pooled};
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        auto saved = ctx->get_saved_variables();
        const Tensor &from = saved[0], &batch_sizes = saved[1];
        const bool max = ctx->saved_data["pooling"].toInt() == SC_POOLING_MAX;
        const int64_t N = ctx->saved_data["rows"].toInt();
        const Tensor grad = grads[0].contiguous();
        const int64_t B = grad.size(0), D = grad.size(1);
        const Layout layout = layout_of(batch_sizes);
        Tensor dx = max ? torch::zeros({N, D}, grad.options()) : torch::empty({N, D}, grad.options());
        const float* g = grad.data_ptr<float>();
        float* out = dx.data_ptr<float>();
        // Rows write disjoint packed rows: each sequence owns its own.
        parallel_pieces(B, 4, [&](int64_t first, int64_t last, int64_t) {
            for (int64_t b = first; b < last; ++b) {
                const float* g_b = g + b * D;
                if (max) {
                    const int64_t* where = from.data_ptr<int64_t>() + b * D;
                    for (int64_t d = 0; d < D; ++d) out[where[d] * D + d] = g_b[d];
                } else {
                    const int64_t length = layout.lengths[static_cast<size_t>(b)];
                    for (int64_t t = 0; t < length; ++t) {
                        float* row = out + (layout.offsets[static_cast<size_t>(t)] + b) * D;
                        for (int64_t d = 0; d < D; ++d) row[d] = g_b[d] / static_cast<float>(length);
                    }
                }
            }
        });
        return {dx, Tensor(), Tensor()};
    }
};

}  // namespace

torch::Tensor pool_packed(const torch::Tensor& data, const torch::Tensor& batch_sizes, int32_t pooling) {
    TORCH_CHECK(data.dim() == 2 && data.scalar_type() == torch::kFloat32, "pool_packed: data must be float32 [N, D]");
    TORCH_CHECK(pooling == SC_POOLING_MEAN || pooling == SC_POOLING_MAX, "pool_packed: pooling must be mean or max");
    return PackedPool::apply(data, batch_sizes, static_cast<int64_t>(pooling))[0];
}

}  // namespace sc
