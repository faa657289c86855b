// The losses of the three tasks (sc_task) over the head's outputs, as PyTorch computes them, and their
// gradients: cross-entropy (single label), binary cross-entropy with logits (multi-label) and mean
// squared error or Huber (regression).
//
// Cross-entropy, as torch.nn.functional.cross_entropy with class weights and label smoothing.
// With weights w, smoothing e, C classes and log-probabilities lp, PyTorch's mean is
//   (1 - e) Σ_i w[y_i] (-lp[i, y_i]) / W  +  (e / C) Σ_i Σ_c w[c] (-lp[i, c]) / W,   W = Σ_i w[y_i]
// (w = 1 and W = rows without weights).
#pragma once
#include <cstdint>
#include <vector>

namespace sc {

struct LossResult {
    double loss = 0.0;    // the task's mean
    int64_t correct = 0;  // rows predicted right (sc_step_result's correct)
    double weight = 0.0;  // W: the mean's denominator (what gradient accumulation weighs a batch by)
};

// logits [B, C]; weights: C class weights or empty. dlogits [B, C] (null: not wanted) receives
// d loss / d logits.
LossResult cross_entropy(const float* logits, int64_t B, int64_t C, const int64_t* labels, const std::vector<float>& weights,
                         float smoothing, float* dlogits);

// Multi-label: torch.nn.BCEWithLogitsLoss(pos_weight=...) over logits and targets [B, C], the mean over all
// B x C terms (W = B C): -(p_c y log σ(z) + (1 - y) log(1 - σ(z))), p_c = pos_weights[c] (1 when empty).
// A row is correct when every label's decision (z > 0) agrees with its target (y >= 0.5).
LossResult binary_cross_entropy(const float* logits, int64_t B, int64_t C, const float* targets,
                                const std::vector<float>& pos_weights, float* dlogits);

// Regression: the mean over B scores of (z - y)^2 (nn.MSELoss), or with delta > 0 of Huber's
// 0.5 d^2 (|d| <= delta) and delta (|d| - 0.5 delta) beyond (nn.HuberLoss). W = B; correct is 0.
LossResult squared_error(const float* scores, int64_t B, const float* targets, float huber_delta, float* dscores);

// Each row of x [B, C] becomes its softmax, in place.
void softmax_rows(float* x, int64_t B, int64_t C);

// Each of the n values becomes its logistic sigmoid, in place.
void sigmoid(float* x, int64_t n);

}  // namespace sc
