// Data-parallel training across processes (one machine or many) over Gloo, the collective library
// of PyTorch's DistributedDataParallel on CPU: every rank holds the same model, trains on
// its own rows, and the gradients are averaged across ranks before clipping and the optimizer
// step, so that every rank's parameters stay identical.
#pragma once
#include "sc_export.h"
#include "sc_model.h"
#include "sc_process_group_types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sc_process_group sc_process_group;

// The group's options and the collectives' value types and operations are the distributed layer's own
// plain-C types (distributed/sc_process_group_types.h), passed through unchanged.

// 1 if distributed training can run here: the engine's Gloo plugin (libseqclassify_gloo.so) was
// built and loads (it needs Gloo's library, Debian's libgloo0), else 0.
SC_API int32_t sc_process_group_available(void);

// Joins the group; returns once every rank has joined, or fails after timeout_ms naming who is missing.
SC_API sc_status sc_process_group_create(const sc_process_group_config* config, sc_process_group** out_group);
SC_API void sc_process_group_dispose(sc_process_group* group);

// The model trains as one replica of the group from now on: rank 0's parameters are broadcast to
// every rank (a collective: every rank calls it), and each training step (and sc_model_compute_gradients)
// averages the gradients across ranks. The model keeps the group alive.
SC_API sc_status sc_model_join_process_group(sc_model* model, sc_process_group* group);

// A collective check that every rank holds the same parameters: *out_identical is 1 if a checksum of
// them is the same on every rank, else 0.
SC_API sc_status sc_model_replicas_identical(sc_model* model, int32_t* out_identical);

// A collective: every rank's count values (of type sc_reduce_type) become their sum, minimum or
// maximum across ranks, in place. For what the trainer agrees on: seeds, data hashes, metrics.
SC_API sc_status sc_process_group_all_reduce(sc_process_group* group, void* values, int64_t count, int32_t type, int32_t op);

// A collective that returns once every rank has entered it.
SC_API sc_status sc_process_group_barrier(sc_process_group* group);

// Time spent in this rank's collectives so far (waiting for the others included), how many, and
// the bytes each rank contributed to them.
SC_API sc_status sc_process_group_statistics(sc_process_group* group, double* out_seconds, int64_t* out_collectives,
                                             int64_t* out_bytes);

#ifdef __cplusplus
}

#include <memory>

#include "sc_process_group.h"

namespace sc {
// The group behind a handle, for the exports that take one (sc_model_join_process_group); throws
// InvalidArgument for a null handle.
std::shared_ptr<ProcessGroup> process_group_of(sc_process_group* group);
}  // namespace sc
#endif
