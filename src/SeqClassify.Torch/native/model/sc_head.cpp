#include "sc_head.h"

#include <algorithm>

namespace sc {

Head::Head(Parameters& parameters, int64_t pooled, int64_t hidden, int64_t classes, float dropout, Generator& g) : dropout_(dropout) {
    if (hidden > 0) {
        hidden_ = Linear(parameters, "hidden", pooled, hidden, true, g);
        fc_ = Linear(parameters, "fc", hidden, classes, true, g);
    } else {
        fc_ = Linear(parameters, "fc", pooled, classes, true, g);
    }
}

void Head::forward(float* pooled, int64_t B, float* logits, Cache* cache, Generator* g) const {
    const int64_t P = hidden_.defined() ? hidden_.in() : fc_.in();
    const DropoutDraw input_dropout = cache ? DropoutDraw::next(dropout_, *g) : DropoutDraw{};
    input_dropout.apply(pooled, B * P);
    const float* x = pooled;
    Floats hidden;
    if (hidden_.defined()) {
        hidden = Floats(B * hidden_.out());
        hidden_.forward(pooled, B, hidden.data(), !cache);
        for (int64_t i = 0; i < hidden.size(); ++i) hidden[i] = std::max(hidden[i], 0.0f);
        const DropoutDraw hidden_dropout = cache ? DropoutDraw::next(dropout_, *g) : DropoutDraw{};
        hidden_dropout.apply(hidden.data(), hidden.size());
        if (cache) cache->hidden_dropout = hidden_dropout;
        x = hidden.data();
    }
    fc_.forward(x, B, logits, !cache);
    if (cache) {
        cache->input = Floats::copy_of(pooled, B * P);
        cache->input_dropout = input_dropout;
        cache->hidden = std::move(hidden);
    }
}

void Head::backward(const Cache& cache, int64_t B, const float* dlogits, float* dpooled) const {
    const int64_t P = hidden_.defined() ? hidden_.in() : fc_.in();
    if (hidden_.defined()) {
        Floats dhidden(B * hidden_.out());
        fc_.backward(cache.hidden.data(), B, dlogits, dhidden.data(), false);
        // Through the dropout and the ReLU: a zero output (dropped or negative) passes no gradient.
        cache.hidden_dropout.apply(dhidden.data(), dhidden.size());
        for (int64_t i = 0; i < dhidden.size(); ++i) {
            if (!(cache.hidden[i] > 0.0f)) dhidden[i] = 0.0f;
        }
        hidden_.backward(cache.input.data(), B, dhidden.data(), dpooled, false);
    } else {
        fc_.backward(cache.input.data(), B, dlogits, dpooled, false);
    }
    cache.input_dropout.apply(dpooled, B * P);
}

}  // namespace sc
