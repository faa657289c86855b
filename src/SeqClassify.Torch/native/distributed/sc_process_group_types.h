// A process group's options and the value types and operations of its collectives, as plain C: the C ABI
// (abi/sc_distributed.h) and the Gloo plugin's (abi/sc_gloo_plugin.h) pass them unchanged, and the
// distributed layer names them without including either.
#pragma once
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

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

typedef enum sc_reduce_type { SC_REDUCE_FLOAT32 = 0, SC_REDUCE_FLOAT64 = 1, SC_REDUCE_INT64 = 2, SC_REDUCE_UINT8 = 3 } sc_reduce_type;
typedef enum sc_reduce_op { SC_REDUCE_SUM = 0, SC_REDUCE_MIN = 1, SC_REDUCE_MAX = 2 } sc_reduce_op;

#ifdef __cplusplus
}
#endif
