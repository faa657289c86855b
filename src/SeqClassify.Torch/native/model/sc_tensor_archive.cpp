#include "sc_tensor_archive.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "sc_errors.h"

namespace sc {
namespace {

constexpr char kMagic[8] = {'S', 'C', 'T', 'E', 'N', 'S', 'O', 'R'};
constexpr uint8_t kMaxDims = 8;

template <typename T>
void append(std::vector<uint8_t>& out, T value) {
    const auto* bytes = reinterpret_cast<const uint8_t*>(&value);
    out.insert(out.end(), bytes, bytes + sizeof(T));
}

class Reader {
public:
    Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

    template <typename T>
    T take(const char* what) {
        T value;
        std::memcpy(&value, need(sizeof(T), what), sizeof(T));
        return value;
    }

    const uint8_t* need(size_t count, const char* what) {
        if (count > size_ - offset_) {
            throw FormatError("tensor archive truncated at byte " + std::to_string(offset_) +
                              ": expected " + std::to_string(count) + " bytes of " + what +
                              ", only " + std::to_string(size_ - offset_) + " left");
        }
        const uint8_t* at = data_ + offset_;
        offset_ += count;
        return at;
    }

    size_t offset() const { return offset_; }
    size_t remaining() const { return size_ - offset_; }

private:
    const uint8_t* data_;
    size_t size_;
    size_t offset_ = 0;
};

}  // namespace

int64_t ArchiveEntry::numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

std::vector<uint8_t> write_tensor_archive(const std::vector<ArchiveEntry>& entries) {
    std::vector<uint8_t> out(kMagic, kMagic + sizeof(kMagic));
    append<uint32_t>(out, kTensorArchiveVersion);
    append<uint32_t>(out, static_cast<uint32_t>(entries.size()));
    for (const auto& entry : entries) {
        append<uint32_t>(out, static_cast<uint32_t>(entry.name.size()));
        out.insert(out.end(), entry.name.begin(), entry.name.end());
        append<uint8_t>(out, entry.dtype);
        append<uint8_t>(out, static_cast<uint8_t>(entry.shape.size()));
        for (auto d : entry.shape) append<int64_t>(out, d);
        const size_t bytes = static_cast<size_t>(entry.numel()) * (entry.dtype == kArchiveFloat32 ? 4 : 8);
        out.insert(out.end(), entry.data, entry.data + bytes);
    }
    return out;
}

std::vector<ArchiveEntry> read_tensor_archive(const uint8_t* data, size_t size) {
    // An empty span arrives as (null, 0): that is a truncated archive, not a caller mistake.
    if (!data && size > 0) throw InvalidArgument("tensor archive buffer is null");
    Reader reader(data, size);
    if (std::memcmp(reader.need(sizeof(kMagic), "magic"), kMagic, sizeof(kMagic)) != 0) {
        throw FormatError("not a tensor archive: the first 8 bytes are not \"SCTENSOR\"");
    }
    const auto version = reader.take<uint32_t>("version");
    if (version != kTensorArchiveVersion) {
        throw FormatError("tensor archive version " + std::to_string(version) +
                          " is not supported (this build reads version " +
                          std::to_string(kTensorArchiveVersion) + ")");
    }
    const auto count = reader.take<uint32_t>("entry count");
    std::vector<ArchiveEntry> entries;
    for (uint32_t i = 0; i < count; ++i) {
        const auto name_len = reader.take<uint32_t>("name length");
        const auto* name_bytes = reader.need(name_len, "name");
        std::string name(reinterpret_cast<const char*>(name_bytes), name_len);
        const auto dtype = reader.take<uint8_t>("dtype");
        if (dtype != kArchiveFloat32 && dtype != kArchiveInt64) {
            throw FormatError("tensor '" + name + "' has unknown dtype code " + std::to_string(dtype));
        }
        const auto ndim = reader.take<uint8_t>("dimension count");
        if (ndim > kMaxDims) {
            throw FormatError("tensor '" + name + "' has " + std::to_string(ndim) + " dimensions");
        }
        std::vector<int64_t> dims(ndim);
        // numel is checked against the bytes that are left, so an absurd shape cannot allocate.
        size_t numel = 1;
        const size_t element = dtype == kArchiveFloat32 ? 4 : 8;
        for (auto& d : dims) {
            d = reader.take<int64_t>("dimension");
            if (d < 0 || (d > 0 && numel > reader.remaining() / static_cast<size_t>(d))) {
                throw FormatError("tensor '" + name + "' declares an impossible shape");
            }
            numel *= static_cast<size_t>(d);
        }
        if (numel > reader.remaining() / element) {
            throw FormatError("tensor '" + name + "' declares more data than the archive holds");
        }
        const auto* payload = reader.need(numel * element, "tensor data");
        entries.push_back(ArchiveEntry{std::move(name), dtype, std::move(dims), payload});
    }
    if (reader.remaining() != 0) {
        throw FormatError("tensor archive has " + std::to_string(reader.remaining()) +
                          " unexpected bytes after its last entry");
    }
    return entries;
}

void hand_out_buffer(const std::vector<uint8_t>& bytes, uint8_t** out_buffer, int64_t* out_size) {
    auto* buffer = static_cast<uint8_t*>(std::malloc(bytes.empty() ? 1 : bytes.size()));
    if (!buffer) throw std::bad_alloc();
    std::memcpy(buffer, bytes.data(), bytes.size());
    *out_buffer = buffer;
    *out_size = static_cast<int64_t>(bytes.size());
}

}  // namespace sc
