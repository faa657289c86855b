// Process-wide settings of the engine and the buffers it hands out.
#pragma once
#include "sc_export.h"

#ifdef __cplusplus
extern "C" {
#endif

// Sets the engine's thread count (its own pool, sc_thread_pool.h, which runs every parallel part of
// a training step or a prediction), the caller included.
SC_API sc_status sc_runtime_set_threads(int32_t threads);
SC_API sc_status sc_runtime_get_threads(int32_t* out_threads);

// Writes the engine's version ("2.0.0", SC_ENGINE_VERSION) into buffer, NUL-terminated, truncated to capacity.
SC_API sc_status sc_runtime_engine_version(char* buffer, int32_t capacity);

// The engine's floating-point mode, for tests and benchmarks: out_caller_mode is the calling
// thread's control word (MXCSR on x86-64, 0 elsewhere) as it is now, outside any engine call;
// out_engine_flushes is 1 if, during an engine call, that thread and every pool thread
// flush denormals (FTZ and DAZ), 0 if not, -1 where the engine leaves the mode alone (not x86-64).
SC_API sc_status sc_runtime_float_mode(uint32_t* out_caller_mode, int32_t* out_engine_flushes);

// The fused layer's kernel sets (sc_cpu_kernels.h). sc_runtime_kernel_sets writes the names this
// CPU can run, best first, comma-separated ("avx512,avx2,baseline"); sc_runtime_kernels the one in
// use. sc_runtime_select_kernels chooses one by name (tests and benchmarks compare them); an unknown
// name, or one the CPU cannot run, is refused.
SC_API sc_status sc_runtime_kernel_sets(char* buffer, int32_t capacity);
SC_API sc_status sc_runtime_kernels(char* buffer, int32_t capacity);
SC_API sc_status sc_runtime_select_kernels(const char* name);

// Measures single-precision matrix products [m, k] x [k, n] on the engine's kernels and threads (b
// packed once, outside the timing, as a layer packs a weight once per batch), best of `repeats`, in
// GFLOP/s. For benchmarks: the machine's sgemm rate that training's FLOP rate is compared with, and
// the per-step shapes of the recurrence.
SC_API sc_status sc_runtime_measure_sgemm(int64_t m, int64_t n, int64_t k, int32_t repeats, double* out_gflops);

// Returns the engine's cached batch memory (sc_memory.h) to the system; *out_bytes (may be null)
// receives the bytes of cached blocks freed. The trainer calls it when a training run ends.
SC_API sc_status sc_runtime_release_memory(int64_t* out_bytes);

// Frees a buffer that an export of this library allocated (e.g. sc_model_export_parameters).
SC_API void sc_runtime_free_buffer(void* buffer);

#ifdef __cplusplus
}
#endif
