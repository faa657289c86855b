// Process-wide settings of the engine and the buffers it hands out.
#pragma once
#include "sc_export.h"

#ifdef __cplusplus
extern "C" {
#endif

// Sets libtorch's intra-op thread count. OpenBLAS (which Debian's libtorch calls) is set to one
// thread, because its own pool beside libtorch's oversubscribes small machines.
SC_API sc_status sc_runtime_set_threads(int32_t threads);
SC_API sc_status sc_runtime_get_threads(int32_t* out_threads);

// Writes the libtorch version ("1.13.0") into buffer, NUL-terminated, truncated to capacity.
SC_API sc_status sc_runtime_torch_version(char* buffer, int32_t capacity);

// The engine's floating-point mode, for tests and benchmarks: out_caller_mode is the calling
// thread's control word (MXCSR on x86-64, 0 elsewhere) as it is now, outside any engine call;
// out_engine_flushes is 1 if, during an engine call, that thread and every libtorch pool thread
// flush denormals (FTZ and DAZ), 0 if not, -1 where the engine leaves the mode alone (not x86-64).
SC_API sc_status sc_runtime_float_mode(uint32_t* out_caller_mode, int32_t* out_engine_flushes);

// Frees a buffer that an export of this library allocated (e.g. sc_model_export_parameters).
SC_API void sc_runtime_free_buffer(void* buffer);

#ifdef __cplusplus
}
#endif
