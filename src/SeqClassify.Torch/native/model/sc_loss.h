// Cross-entropy over logits as torch.nn.functional.cross_entropy computes it, with class weights and
// label smoothing, and its gradient.
//
// With weights w, smoothing e, C classes and log-probabilities lp, PyTorch's mean is
//   (1 - e) Σ_i w[y_i] (-lp[i, y_i]) / W  +  (e / C) Σ_i Σ_c w[c] (-lp[i, c]) / W,   W = Σ_i w[y_i]
// (w = 1 and W = rows without weights).
#pragma once
#include <cstdint>
#include <vector>

namespace sc {

struct LossResult {
    double loss = 0.0;    // the mean above
    int64_t correct = 0;  // rows whose arg-max is the label
    double weight = 0.0;  // W: the mean's denominator
};

// logits [B, C]; weights: C class weights or empty. dlogits [B, C] (null: not wanted) receives
// d loss / d logits.
LossResult cross_entropy(const float* logits, int64_t B, int64_t C, const int64_t* labels, const std::vector<float>& weights,
                         float smoothing, float* dlogits);

// Each row of x [B, C] becomes its softmax, in place.
void softmax_rows(float* x, int64_t B, int64_t C);

}  // namespace sc
