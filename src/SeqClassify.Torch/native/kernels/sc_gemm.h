// Matrix products of the fused recurrent layer on the engine's own kernels (sc_cpu_kernels.h):
// c[m, n] (+)= a[m, k] . b[k, n], with b packed once into the kernel's panels and a read through
// strides, so that transposed operands (the weight gradients' a^T) need no copy.
#pragma once
#include <cstdint>
#include <memory>

#include "sc_cpu_kernels.h"

namespace sc {

// Reads element (i, j) at data[i * row_stride + j * col_stride].
struct StridedMatrix {
    const float* data;
    int64_t row_stride;
    int64_t col_stride;
};

// b [k, n] in column panels of the kernel's width, each [k, width] row-major, the last one padded
// with zeros. Remembers the kernel set it was packed for.
class PackedMatrix {
public:
    // Packs on the calling thread; pack_parallel splits the panels across the engine's pool.
    PackedMatrix(StridedMatrix b, int64_t k, int64_t n);
    static PackedMatrix pack_parallel(StridedMatrix b, int64_t k, int64_t n);

    int64_t k() const { return k_; }
    const cpu::KernelSet* kernels() const { return kernels_; }
    int64_t n() const { return n_; }

    // c[m, n] = (accumulate ? c : 0) + a[m, k] . this, on the calling thread. ldc: c's row stride.
    void multiply(int64_t m, StridedMatrix a, float* c, int64_t ldc, bool accumulate) const;

    // The same with a's rows split across the engine's pool (sc_thread_pool.h).
    void multiply_parallel(int64_t m, StridedMatrix a, float* c, int64_t ldc, bool accumulate) const;

private:
    PackedMatrix(int64_t k, int64_t n);
    void pack_panels(StridedMatrix b, int64_t first, int64_t last);
    int64_t panels() const { return (n_ + width_ - 1) / width_; }

    const cpu::KernelSet* kernels_;
    int64_t k_, n_, width_;
    std::unique_ptr<float[]> data_;
};

}  // namespace sc
