// AdamW as torch.optim.AdamW computes it (decoupled weight decay, bias correction, no amsgrad), with
// gradient-norm clipping as torch.nn.utils.clip_grad_norm_, in one pass per parameter on the
// engine's pool: each element is read and written once (a text model's largest parameter, the
// embedding, changes in every row at every step, since the moments decay even where the gradient
// is zero).
#pragma once
#include <vector>

#include "sc_parameters.h"

namespace sc {

class FusedAdamW {
public:
    // Steps every trainable parameter of the set. decay_rank1 false: no weight decay on parameters of
    // rank 1 (every bias and LayerNorm weight; Hugging Face's Trainer exempts exactly these in BERT).
    FusedAdamW(Parameters& parameters, double beta1, double beta2, double eps, double weight_decay, bool decay_rank1);

    // One update at learning rate lr. clip_norm > 0: first scales all gradients by
    // clip_norm / (norm + 1e-6) when their total 2-norm exceeds clip_norm.
    void step(double lr, double clip_norm);

private:
    struct State {
        Parameter* parameter;
        Floats exp_avg, exp_avg_sq;
        int64_t steps = 0;
        bool decays = true;
    };
    std::vector<State> states_;
    double beta1_, beta2_, eps_, weight_decay_;
};

}  // namespace sc
