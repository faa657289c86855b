// The byte format of named tensors that carries a model's parameters (and gradients) across the ABI.
//
// Version 1, little-endian:
//   magic    8 bytes  "SCTENSOR"
//   version  u32      1
//   count    u32      number of entries
//   entries, each:
//     name_len u32, name (UTF-8, name_len bytes)
//     dtype    u8     1 = float32, 2 = int64
//     ndim     u8
//     dims     i64 x ndim
//     data     numel x element size
// The managed reader/writer is TensorArchive.cs; tests/fixtures/make_fixtures.py writes it too.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace sc {

struct ArchiveEntry {
    std::string name;
    uint8_t dtype;               // kArchiveFloat32 or kArchiveInt64
    std::vector<int64_t> shape;
    const uint8_t* data;         // numel x element size bytes: borrowed (the archive's or the writer's)
    int64_t numel() const;
};

constexpr uint8_t kArchiveFloat32 = 1;
constexpr uint8_t kArchiveInt64 = 2;
constexpr uint32_t kTensorArchiveVersion = 1;

std::vector<uint8_t> write_tensor_archive(const std::vector<ArchiveEntry>& entries);

// The entries point into data, which must outlive them. Throws FormatError naming the byte offset
// and what was wrong.
std::vector<ArchiveEntry> read_tensor_archive(const uint8_t* data, size_t size);

// Copies a byte vector into a malloc'd buffer the caller frees with sc_runtime_free_buffer.
void hand_out_buffer(const std::vector<uint8_t>& bytes, uint8_t** out_buffer, int64_t* out_size);

}  // namespace sc
