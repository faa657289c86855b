#include "sc_gradient_reduction.h"

#include <cmath>
#include <cstring>

#include "sc_errors.h"

namespace sc {

TouchedRows::TouchedRows(ProcessGroup& group, int64_t vocabulary, const int64_t* ids, int64_t count)
    : touched_(static_cast<size_t>(vocabulary), 0) {
    for (int64_t i = 0; ids && i < count; ++i) touched_[static_cast<size_t>(ids[i])] = 1;
    pending_ = group.start_all_reduce(touched_.data(), vocabulary, ReduceType::UInt8, ReduceOp::Max);
}

std::vector<int64_t> TouchedRows::wait() {
    pending_->wait();
    std::vector<int64_t> rows;
    for (size_t i = 0; i < touched_.size(); ++i) {
        if (touched_[i]) rows.push_back(static_cast<int64_t>(i));
    }
    return rows;
}

Parameter* trainable_embedding(Parameters& parameters) {
    Parameter* embedding = parameters.find("embedding.weight");
    return embedding && embedding->trainable ? embedding : nullptr;
}

void reduce_gradients(ProcessGroup& group, Parameters& parameters, TouchedRows* touched, StepOutcome& outcome) {
    Parameter* embedding = trainable_embedding(parameters);
    std::vector<int64_t> rows;
    if (embedding) {
        if (!touched) throw InvalidState("the embedding's touched rows were not gathered");
        rows = touched->wait();
    }
    // The flat buffer: every other trainable parameter's gradient, then the touched embedding rows,
    // each scaled by this rank's weight; then the weight, the weighted loss, correct rows and rows.
    int64_t count = 4;
    for (const auto& p : parameters.all()) {
        if (p->trainable && p.get() != embedding) count += p->numel();
    }
    const int64_t width = embedding ? embedding->shape[1] : 0;
    count += static_cast<int64_t>(rows.size()) * width;
    std::vector<float> flat(static_cast<size_t>(count));
    const float weight = static_cast<float>(outcome.weight);
    size_t at = 0;
    for (const auto& p : parameters.all()) {
        if (!p->trainable || p.get() == embedding) continue;
        for (int64_t i = 0; i < p->numel(); ++i) flat[at++] = p->grad[i] * weight;
    }
    for (int64_t row : rows) {
        for (int64_t j = 0; j < width; ++j) flat[at++] = embedding->grad[row * width + j] * weight;
    }
    flat[at++] = weight;
    flat[at++] = static_cast<float>(outcome.loss * outcome.weight);
    flat[at++] = static_cast<float>(outcome.correct);
    flat[at++] = static_cast<float>(outcome.rows);
    group.all_reduce(flat.data(), count, ReduceType::Float32, ReduceOp::Sum);
    const double total_weight = flat[static_cast<size_t>(count - 4)];
    // A step where no rank had rows leaves the (zero) sums as they are.
    const float divisor = total_weight > 0.0 ? static_cast<float>(total_weight) : 1.0f;
    at = 0;
    for (const auto& p : parameters.all()) {
        if (!p->trainable || p.get() == embedding) continue;
        for (int64_t i = 0; i < p->numel(); ++i) p->grad[i] = flat[at++] / divisor;
    }
    for (int64_t row : rows) {
        for (int64_t j = 0; j < width; ++j) {
            embedding->grad[row * width + j] = flat[at++] / divisor;
        }
    }
    outcome.loss = total_weight > 0.0 ? flat[static_cast<size_t>(count - 3)] / total_weight : 0.0;
    outcome.correct = static_cast<int64_t>(std::llround(flat[static_cast<size_t>(count - 2)]));
    outcome.rows = static_cast<int64_t>(std::llround(flat[static_cast<size_t>(count - 1)]));
    outcome.weight = total_weight;
}

}  // namespace sc
