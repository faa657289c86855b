// A packed batch's layout, as pack_padded_sequence(enforce_sorted=False) makes it: rows sorted by
// length, longest first; step t holds the first batch_sizes[t] sorted rows, at packed rows
// offsets[t] .. offsets[t] + batch_sizes[t]. A recurrence then needs no masks: the rows alive at a
// step are always its first ones.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sc {

struct Packing {
    int64_t rows = 0;                   // B
    int64_t steps = 0;                  // T, the longest row's length
    int64_t packed_rows = 0;            // N, the sum of the lengths
    std::vector<int64_t> batch_sizes;   // [T]
    std::vector<int64_t> offsets;       // [T]
    std::vector<int64_t> order;         // sorted position -> the caller's row
    std::vector<int64_t> position;      // the caller's row -> sorted position
    std::vector<int64_t> lengths;       // [B], the caller's rows

    Packing(const int64_t* lengths, int64_t rows);
    // The packed row of the caller's row b at step t (t < lengths[b]).
    int64_t at(int64_t b, int64_t t) const { return offsets[static_cast<size_t>(t)] + position[static_cast<size_t>(b)]; }
};

}  // namespace sc
