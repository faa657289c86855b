// The engine's one container of numbers: a flat, 64-byte-aligned array that owns its memory (from
// the batch cache, sc_memory.h). Shapes live in the code that uses an array, written as comments
// ([N, H]: N rows of H floats, row-major) wherever one is made or reshaped.
#pragma once
#include <cstdint>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

#include "sc_memory.h"

namespace sc {

template <typename T>
class Array {
    static_assert(std::is_trivially_copyable_v<T>, "arrays hold plain numbers");

public:
    Array() = default;
    // n elements, uninitialised.
    explicit Array(int64_t n) : data_(static_cast<T*>(allocate(sizeof(T) * static_cast<size_t>(n)))), size_(n) {}
    static Array zeros(int64_t n) {
        Array a(n);
        a.fill(T{});
        return a;
    }
    static Array copy_of(const T* values, int64_t n) {
        Array a(n);
        if (n > 0) std::memcpy(a.data_, values, sizeof(T) * static_cast<size_t>(n));
        return a;
    }
    ~Array() { release(data_); }
    Array(Array&& other) noexcept : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
    Array& operator=(Array&& other) noexcept {
        if (this != &other) {
            release(data_);
            data_ = std::exchange(other.data_, nullptr);
            size_ = std::exchange(other.size_, 0);
        }
        return *this;
    }
    Array(const Array&) = delete;
    Array& operator=(const Array&) = delete;

    T* data() { return data_; }
    const T* data() const { return data_; }
    int64_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    T& operator[](int64_t i) { return data_[i]; }
    const T& operator[](int64_t i) const { return data_[i]; }
    void fill(T value) {
        for (int64_t i = 0; i < size_; ++i) data_[i] = value;
    }

private:
    T* data_ = nullptr;
    int64_t size_ = 0;
};

using Floats = Array<float>;

}  // namespace sc
