// The classifier's head: dropout, then either a linear layer ("fc") or linear ("hidden") -> ReLU ->
// dropout -> linear ("fc"). [B, pooled] -> [B, classes].
#pragma once
#include "sc_dropout.h"
#include "sc_linear.h"

namespace sc {

class Head {
public:
    Head() = default;
    Head(Parameters& parameters, int64_t pooled, int64_t hidden, int64_t classes, float dropout, Generator& g);

    struct Cache {
        Floats input;    // [B, pooled] after dropout
        Floats hidden;   // [B, hidden] after ReLU and dropout
        DropoutDraw input_dropout, hidden_dropout;
    };
    // pooled [B, P] (consumed: dropout applies in place) -> logits [B, C]. cache null: inference.
    void forward(float* pooled, int64_t B, float* logits, Cache* cache, Generator* g) const;
    // dpooled [B, P] from dlogits [B, C]; adds to the parameters' gradients.
    void backward(const Cache& cache, int64_t B, const float* dlogits, float* dpooled) const;

private:
    Linear hidden_, fc_;
    float dropout_ = 0.0f;
};

}  // namespace sc
