// One vector per sequence from an encoder's per-step outputs, over each sequence's valid steps.
//
// Two layouts come in: packed [N, D] (the recurrent encoders; mean and max are read straight from
// it, with no padded copy) and padded [B, T, D] (the Transformer's outputs, and the recurrent ones
// when pooled by first position or attention, which need a row's steps side by side). Every pooled
// result [B, D] is in the caller's row order.
#pragma once
#include <string>

#include "sc_array.h"
#include "sc_linear.h"
#include "sc_model_types.h"
#include "sc_packing.h"

namespace sc {

// Mean or max over packed outputs. argmax [B, D] (max only): the packed row each maximum came from.
void pool_packed(const float* x, int64_t D, const Packing& packing, int32_t pooling, float* pooled, Array<int64_t>* argmax);
// dx [N, D] (written whole) from dpooled [B, D].
void pool_packed_backward(const float* dpooled, int64_t D, const Packing& packing, int32_t pooling,
                          const Array<int64_t>* argmax, float* dx);

// Packed [N, D] to padded [B, T, D] in the caller's order, zeros after each row's end; and back.
void pad_packed(const float* packed, int64_t D, const Packing& packing, float* padded);
void pack_padded(const float* padded, int64_t D, const Packing& packing, float* packed);

// Learned additive attention (Bahdanau et al.): score_t = v · tanh(W x_t + b), softmax over a row's
// valid steps, pooled = Σ_t weight_t x_t. Parameters "<prefix>.projection.weight/bias" [D, D], [D]
// and "<prefix>.score.weight" [1, D]. Padding gets weight 0 exactly.
class AdditivePooling {
public:
    AdditivePooling() = default;
    AdditivePooling(Parameters& parameters, const std::string& prefix, int64_t width, Generator& g);
    bool defined() const { return projection_.defined(); }

    struct Cache {
        Floats activations;  // [B, T, D] tanh(W x + b)
        Floats weights;      // [B, T]
    };
    // x [B, T, D]; pooled [B, D]; the weights [B, T] stay in cache.weights.
    void forward(const float* x, int64_t B, int64_t T, const int64_t* lengths, float* pooled, Cache& cache) const;
    // Adds to the parameters' gradients and to dx [B, T, D].
    void backward(const float* x, int64_t B, int64_t T, const int64_t* lengths, const Cache& cache, const float* dpooled,
                  float* dx) const;

private:
    Linear projection_;
    Linear score_;
};

// Mean, max, first position or attention over padded x [B, T, D].
struct PaddedPoolingCache {
    Array<int64_t> argmax;          // [B, D] max: the step each maximum came from
    AdditivePooling::Cache attention;
};
void pool_padded(const float* x, int64_t B, int64_t T, int64_t D, const int64_t* lengths, int32_t pooling,
                 const AdditivePooling& attention, float* pooled, PaddedPoolingCache& cache);
// Adds d loss / dx to dx [B, T, D] (and the attention's parameter gradients).
void pool_padded_backward(const float* x, int64_t B, int64_t T, int64_t D, const int64_t* lengths, int32_t pooling,
                          const AdditivePooling& attention, const PaddedPoolingCache& cache, const float* dpooled, float* dx);

}  // namespace sc
