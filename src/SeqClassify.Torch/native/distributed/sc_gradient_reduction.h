// Data-parallel training's step: every rank's gradients become those of all ranks' rows together.
#pragma once
#include <memory>
#include <vector>

#include "sc_parameters.h"
#include "sc_process_group.h"

namespace sc {

// What a training step reports: over the batch, or over every rank's batch of the step together.
struct StepOutcome {
    double loss = 0.0;
    int64_t correct = 0;
    int64_t rows = 0;
    double weight = 0.0;  // the loss mean's denominator: rows, or the sum of the labels' class weights
};

// The embedding's rows whose gradient may be non-zero on some rank this step: those of the ids in
// some rank's batch (padding included); every other row's gradient is exactly zero on every rank.
// Found by a MAX all-reduce of a byte per vocabulary entry, started before the forward pass (it
// needs the ids alone), so that it travels while the step computes.
class TouchedRows {
public:
    // ids: the batch's count token ids; null for a rank without rows this step.
    TouchedRows(ProcessGroup& group, int64_t vocabulary, const int64_t* ids, int64_t count);
    // The rows, ascending.
    std::vector<int64_t> wait();

private:
    std::vector<uint8_t> touched_;
    std::unique_ptr<PendingCollective> pending_;
};

// The gradient each rank computed is the mean over its own rows; afterwards every rank holds the
// mean of the ranks' means weighted by each one's loss weight, which equals one process's gradient
// over the whole global batch. One all-reduce carries every gradient and the outcome's sums; of a
// trainable embedding ("embedding.weight") only the rows some rank touched travel (a batch touches
// hundreds of a vocabulary's tens of thousands, and the embedding is most of the model).
void reduce_gradients(ProcessGroup& group, Parameters& parameters, TouchedRows* touched, StepOutcome& outcome);

// A trainable embedding's parameter, or null.
Parameter* trainable_embedding(Parameters& parameters);

}  // namespace sc
