// A differentiable linear layer on the engine's kernels and threads (sc_gemm.h), for the
// Transformer encoder (its attention's products are sc_attention.h's).
//
// Why: through libtorch these products run on Debian's OpenBLAS (its AVX2 kernels here, SSE3 ones on
// CPUs newer than itself), single-threaded as the engine keeps libtorch: half of a Transformer
// training step's time went to OpenBLAS's sgemm (perf, bench/README.md "Issue 11"). The engine's
// kernels are chosen from the CPU's feature flags and run on the engine's pool.
#pragma once
#include <torch/torch.h>

namespace sc {

// x [..., in] . w^T + b, as torch::nn::functional::linear; w [out, in], b [out] (or undefined).
torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b);

}  // namespace sc
