// Data-parallel training across processes (one machine or many) over Gloo, the collective library
// of PyTorch's DistributedDataParallel on CPU: every rank holds the same model, trains on
// its own rows, and the gradients are averaged across ranks before clipping and the optimizer
// step, so that every rank's parameters stay identical.
#pragma once
#include "sc_export.h"
#include "sc_model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sc_process_group sc_process_group;

#define SC_PROCESS_GROUP_ABI_VERSION 2

// Rendezvous through a store served by rank 0 at master_address:master_port (it listens on that
// address only), which admits only processes that present the run's token.
typedef struct sc_process_group_config {
    uint32_t struct_size;        // sizeof(sc_process_group_config)
    uint32_t version;            // SC_PROCESS_GROUP_ABI_VERSION
    const char* master_address;  // rank 0's address (IPv4 or a host name); every rank connects to it
    int32_t master_port;         // 1..65535
    int32_t world_size;          // ranks in all, >= 1
    int32_t rank;                // this process's, in [0, world_size)
    int32_t timeout_ms;          // how long a collective (and the rendezvous) waits for the other ranks
    int32_t reserved;
    const char* token;           // the run's secret, the same on every rank ("" or null: none)
} sc_process_group_config;

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

typedef enum sc_reduce_type { SC_REDUCE_FLOAT32 = 0, SC_REDUCE_FLOAT64 = 1, SC_REDUCE_INT64 = 2, SC_REDUCE_UINT8 = 3 } sc_reduce_type;
typedef enum sc_reduce_op { SC_REDUCE_SUM = 0, SC_REDUCE_MIN = 1, SC_REDUCE_MAX = 2 } sc_reduce_op;

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
#endif
