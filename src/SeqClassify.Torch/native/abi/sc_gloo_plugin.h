// The C ABI of libseqclassify_gloo.so, the plugin that holds everything distributed training needs
// beyond the engine: Gloo (Debian's libgloo0) and the rendezvous store. The engine loads it with
// dlopen only when a process group is made (abi/sc_process_group_plugin.cpp), so a single-machine user
// never needs Gloo installed; the plugin's own build needs Gloo's headers (libgloo-dev).
//
// Every function returns a status as the engine's exports do (no C++ exception crosses it), with the
// plugin's own thread-local last error.
#pragma once
#include "sc_process_group_types.h"
#include "sc_export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SC_GLOO_PLUGIN_VERSION 1

typedef struct sc_gloo_group sc_gloo_group;
typedef struct sc_gloo_pending sc_gloo_pending;

typedef struct sc_gloo_plugin {
    uint32_t version;  // SC_GLOO_PLUGIN_VERSION
    sc_status (*create)(const sc_process_group_config* config, sc_gloo_group** out_group);
    void (*dispose)(sc_gloo_group* group);
    // type: sc_reduce_type (SC_REDUCE_UINT8 included); op: sc_reduce_op. The values stay the caller's
    // until wait returns.
    sc_status (*start_all_reduce)(sc_gloo_group* group, void* values, int64_t count, int32_t type, int32_t op,
                                  sc_gloo_pending** out_pending);
    // Waits for a started collective and frees it.
    sc_status (*wait)(sc_gloo_pending* pending);
    sc_status (*broadcast)(sc_gloo_group* group, float* values, int64_t count);
    sc_status (*barrier)(sc_gloo_group* group);
    void (*statistics)(sc_gloo_group* group, double* out_seconds, int64_t* out_collectives, int64_t* out_bytes);
    const char* (*last_error)(void);
} sc_gloo_plugin;

SC_API const sc_gloo_plugin* sc_gloo_plugin_get(void);

#ifdef __cplusplus
}
#endif
