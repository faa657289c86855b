#include "sc_float_mode.h"

#include "sc_thread_pool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#define SC_HAS_MXCSR 1
#else
#define SC_HAS_MXCSR 0
#endif

namespace sc {
namespace {

#if SC_HAS_MXCSR
constexpr uint32_t kFlushBits = 0x8040;  // FTZ (bit 15) | DAZ (bit 6)
uint32_t read_mode() { return _mm_getcsr(); }
void write_mode(uint32_t mode) { _mm_setcsr(mode); }
#else
constexpr uint32_t kFlushBits = 0;
uint32_t read_mode() { return 0; }
void write_mode(uint32_t) {}
#endif

}  // namespace

FlushDenormalsScope::FlushDenormalsScope() : caller_mode_(read_mode()) {
    if (!SC_HAS_MXCSR) return;
    write_mode(caller_mode_ | kFlushBits);
}

FlushDenormalsScope::~FlushDenormalsScope() {
    if (SC_HAS_MXCSR) write_mode(caller_mode_);
}

uint32_t current_float_mode() { return read_mode(); }

void flush_denormals_on_this_thread() { write_mode(read_mode() | kFlushBits); }

bool thread_flushes_denormals() { return (read_mode() & kFlushBits) == kFlushBits; }

int32_t engine_flushes_denormals() {
    if (!SC_HAS_MXCSR) return -1;
    FlushDenormalsScope scope;
    return thread_flushes_denormals() && ThreadPool::instance().pool_threads_flush_denormals() ? 1 : 0;
}

}  // namespace sc
