// BERT's pooler: the first position's output through a dense layer and tanh,
// pooled = tanh(W x_[CLS] + b), as BertPooler computes it. Parameters "pooler.dense.weight" [D, D]
// and "pooler.dense.bias" [D] (BertModel's names without the "bert." prefix), so a checkpoint's
// pooler moves in unchanged.
#pragma once
#include "sc_array.h"
#include "sc_linear.h"

namespace sc {

class TanhPooler {
public:
    TanhPooler() = default;
    TanhPooler(Parameters& parameters, int64_t width, Generator& g);
    bool defined() const { return dense_.defined(); }

    struct Cache {
        Floats first;   // [B, D] the first position's outputs
        Floats pooled;  // [B, D] tanh(W first + b)
    };
    // first [B, D] -> pooled [B, D]; cache null: inference.
    void forward(const float* first, int64_t B, float* pooled, Cache* cache) const;
    // dfirst [B, D] (written) from dpooled [B, D]; adds to the dense layer's gradients.
    void backward(const Cache& cache, int64_t B, const float* dpooled, float* dfirst) const;

private:
    Linear dense_;
};

}  // namespace sc
