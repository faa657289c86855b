#include "sc_matmul.h"


#include "sc_gemm.h"
#include "sc_thread_pool.h"

namespace sc {
namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// A 2-D float tensor (any strides) as the kernels read it.
StridedMatrix strided(const Tensor& t) { return {t.data_ptr<float>(), t.stride(0), t.stride(1)}; }

// c [m, n] = a [m, k] . b [k, n] (any strides for a and b), rows of a split across the pool.
Tensor product(const Tensor& a, const Tensor& b) {
    auto c = torch::empty({a.size(0), b.size(1)}, a.options());
    PackedMatrix::pack_parallel(strided(b), b.size(0), b.size(1)).multiply_parallel(a.size(0), strided(a), c.data_ptr<float>(), c.stride(0), false);
    return c;
}

void require_float(const Tensor& t, const char* what) {
    TORCH_CHECK(t.scalar_type() == torch::kFloat32 && t.device().is_cpu(), what, " must be a float32 CPU tensor");
}

class Linear : public torch::autograd::Function<Linear> {
public:
    static variable_list forward(AutogradContext* ctx, const Tensor& x, const Tensor& w, const Tensor& b) {
        auto rows = x.reshape({-1, x.size(-1)});  // [m, in], a view when x is contiguous
        auto y = product(rows, w.t());             // [m, out]
        if (b.defined()) y.add_(b);
        ctx->save_for_backward({rows, w, b});
        auto sizes = x.sizes().vec();
        sizes.back() = w.size(0);
        return {y.view(sizes)};
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        auto saved = ctx->get_saved_variables();
        const auto &rows = saved[0], &w = saved[1], &b = saved[2];
        auto dy = grads[0].reshape({-1, w.size(0)}).contiguous();  // [m, out]
        auto sizes = grads[0].sizes().vec();
        sizes.back() = w.size(1);
        Tensor dx = ctx->needs_input_grad(0) ? product(dy, w).view(sizes) : Tensor();   // [m, in]
        Tensor dw = ctx->needs_input_grad(1) ? product(dy.t(), rows) : Tensor();        // [out, in]
        Tensor db = b.defined() && ctx->needs_input_grad(2) ? dy.sum(0) : Tensor();
        return {dx, dw, db};
    }
};

}  // namespace

Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b) {
    require_float(x, "linear's input");
    TORCH_CHECK(x.size(-1) == w.size(1), "linear: the input has ", x.size(-1), " features, the weight expects ", w.size(1));
    return Linear::apply(x.contiguous(), w, b)[0];
}

}  // namespace sc
