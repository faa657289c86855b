// Flush-to-zero (FTZ) and denormals-are-zero (DAZ) for the engine's math.
//
// Why: the recurrence and its backward pass produce denormal floats (values below ~1.2e-38), and on
// Intel CPUs each one costs a microcode assist: measured 8x slower training with one thread, 14x with
// two, on a Sapphire Rapids machine. AMD CPUs barely notice. With FTZ/DAZ such values become 0, which
// changes nothing the PyTorch parity tests can see (logits 1e-5, gradients 1e-4).
//
// Where: only on threads doing the engine's work. Each engine call sets it on the calling thread and
// puts that thread's previous mode back when it returns, so the host application's threads keep
// whatever mode they had. The engine's own pool threads (sc_thread_pool.h), which run nothing but
// engine work, flush from their start.
#pragma once
#include <cstdint>

namespace sc {

class FlushDenormalsScope {
public:
    FlushDenormalsScope();
    ~FlushDenormalsScope();
    FlushDenormalsScope(const FlushDenormalsScope&) = delete;
    FlushDenormalsScope& operator=(const FlushDenormalsScope&) = delete;

private:
    uint32_t caller_mode_;
};

// The calling thread's floating-point control word (MXCSR on x86-64; 0 elsewhere).
uint32_t current_float_mode();

// For the engine's own pool threads (sc_thread_pool.h), which run nothing else: flush from now on,
// and whether the calling thread flushes.
void flush_denormals_on_this_thread();
bool thread_flushes_denormals();

// Whether, inside a scope, the calling thread and every pool thread flush denormals:
// 1 yes, 0 no, -1 on a CPU where the engine leaves the mode alone (not x86-64).
int32_t engine_flushes_denormals();

}  // namespace sc
