#include "sc_gemm.h"

#include <algorithm>

#include "sc_thread_pool.h"

namespace sc {
namespace {
// Depth of one pass over the panels: a [kDepth, width] slice of a panel (48 KiB at width 32) stays
// in the L1/L2 caches while every row tile of a meets it.
constexpr int64_t kDepth = 384;
}  // namespace

PackedMatrix::PackedMatrix(int64_t k, int64_t n)
    : kernels_(&cpu::kernels()), k_(k), n_(n), width_(kernels_->panel_width),
      data_(new float[static_cast<size_t>(std::max<int64_t>(1, panels() * width_ * k))]) {}

PackedMatrix::PackedMatrix(StridedMatrix b, int64_t k, int64_t n) : PackedMatrix(k, n) { pack_panels(b, 0, panels()); }

PackedMatrix PackedMatrix::pack_parallel(StridedMatrix b, int64_t k, int64_t n) {
    PackedMatrix packed(k, n);
    parallel_pieces(packed.panels(), 1, [&](int64_t first, int64_t last, int64_t) { packed.pack_panels(b, first, last); });
    return packed;
}

void PackedMatrix::pack_panels(StridedMatrix b, int64_t first, int64_t last) {
    for (int64_t p = first; p < last; ++p) {
        float* panel = data_.get() + p * k_ * width_;
        const int64_t cols = std::min(width_, n_ - p * width_);
        for (int64_t i = 0; i < k_; ++i) {
            const float* row = b.data + i * b.row_stride + p * width_ * b.col_stride;
            float* out = panel + i * width_;
            for (int64_t j = 0; j < cols; ++j) out[j] = row[j * b.col_stride];
            for (int64_t j = cols; j < width_; ++j) out[j] = 0.0f;
        }
    }
}

void PackedMatrix::multiply(int64_t m, StridedMatrix a, float* c, int64_t ldc, bool accumulate) const {
    const int64_t tile_rows = kernels_->tile_rows;
    for (int64_t depth = 0; depth < k_ || depth == 0; depth += kDepth) {
        const int64_t slice = std::min(kDepth, k_ - depth);
        const bool add = accumulate || depth > 0;
        for (int64_t i = 0; i < m; i += tile_rows) {
            const int64_t rows = std::min(tile_rows, m - i);
            const float* a_tile = a.data + i * a.row_stride + depth * a.col_stride;
            for (int64_t p = 0; p < panels(); ++p) {
                kernels_->tile(slice, a_tile, a.row_stride, a.col_stride, rows, data_.get() + (p * k_ + depth) * width_,
                               c + i * ldc + p * width_, ldc, std::min(width_, n_ - p * width_), add);
            }
        }
        if (k_ == 0) break;
    }
}

void PackedMatrix::multiply_parallel(int64_t m, StridedMatrix a, float* c, int64_t ldc, bool accumulate) const {
    // Pieces of 4 tiles: big enough that taking one costs nothing, small enough to share evenly.
    parallel_pieces(m, 4 * kernels_->tile_rows, [&](int64_t first, int64_t last, int64_t) {
        multiply(last - first, {a.data + first * a.row_stride, a.row_stride, a.col_stride}, c + first * ldc, ldc, accumulate);
    });
}

}  // namespace sc
