#include "sc_packing.h"

#include <algorithm>
#include <numeric>

namespace sc {

Packing::Packing(const int64_t* row_lengths, int64_t B)
    : rows(B), lengths(row_lengths, row_lengths + B) {
    order.resize(static_cast<size_t>(B));
    std::iota(order.begin(), order.end(), int64_t{0});
    // Stable: rows of equal length keep the caller's order, so the layout is the same every time.
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return lengths[static_cast<size_t>(a)] > lengths[static_cast<size_t>(b)]; });
    position.resize(static_cast<size_t>(B));
    for (int64_t k = 0; k < B; ++k) position[static_cast<size_t>(order[static_cast<size_t>(k)])] = k;
    steps = B > 0 ? lengths[static_cast<size_t>(order[0])] : 0;
    batch_sizes.assign(static_cast<size_t>(steps), 0);
    offsets.assign(static_cast<size_t>(steps), 0);
    for (int64_t b = 0; b < B; ++b) {
        for (int64_t t = 0; t < lengths[static_cast<size_t>(b)]; ++t) ++batch_sizes[static_cast<size_t>(t)];
    }
    for (int64_t t = 0; t < steps; ++t) {
        offsets[static_cast<size_t>(t)] = packed_rows;
        packed_rows += batch_sizes[static_cast<size_t>(t)];
    }
}

}  // namespace sc
