// AdamW as torch::optim::AdamW computes it (decoupled weight decay, bias correction, no amsgrad),
// with gradient-norm clipping as torch::nn::utils::clip_grad_norm_, in one pass per parameter on
// the engine's pool.
//
// Why: libtorch's AdamW walks every parameter about ten times (one operator per term) on one
// thread, and a text model's largest parameter, the embedding, changes in every row at every step
// (the moments decay even where the gradient is zero), so the walks cost 6-8 ms per batch, a
// seventh of the reference model's step. Here each element is read and written once.
#pragma once
#include <torch/torch.h>

#include <vector>

namespace sc {

class FusedAdamW {
public:
    FusedAdamW(std::vector<torch::Tensor> parameters, double beta1, double beta2, double eps, double weight_decay);

    // Drops the gradients (libtorch's zero_grad with set_to_none): the next backward allocates them.
    void zero_grad();

    // One update at learning rate lr. clip_norm > 0: first scales all gradients by
    // clip_norm / (norm + 1e-6) when their total 2-norm exceeds clip_norm. Parameters without a
    // gradient are skipped, as libtorch skips them.
    void step(double lr, double clip_norm);

private:
    struct State {
        torch::Tensor exp_avg, exp_avg_sq;
        int64_t steps = 0;
    };
    std::vector<torch::Tensor> parameters_;
    std::vector<State> states_;
    double beta1_, beta2_, eps_, weight_decay_;
};

}  // namespace sc
