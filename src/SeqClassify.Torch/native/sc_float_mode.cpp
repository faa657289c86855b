#include "sc_float_mode.h"

#include <ATen/Parallel.h>

#include <atomic>

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

// Runs f once on every thread of libtorch's pool, the calling thread included (it is the OpenMP
// team's first thread): at::parallel_for over one index per thread with a grain of 1 gives each
// team thread exactly one index. Inside another parallel region it runs inline, on the calling
// thread only, which is then the only one doing this call's work.
template <typename F>
void on_every_pool_thread(F&& f) {
    at::parallel_for(0, at::get_num_threads(), 1, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) f();
    });
}

}  // namespace

FlushDenormalsScope::FlushDenormalsScope() : caller_mode_(read_mode()) {
    if (!SC_HAS_MXCSR) return;
    write_mode(caller_mode_ | kFlushBits);
    on_every_pool_thread([] { write_mode(read_mode() | kFlushBits); });
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
    std::atomic<bool> all{true};
    on_every_pool_thread([&] {
        if ((read_mode() & kFlushBits) != kFlushBits) all = false;
    });
    return all && ThreadPool::instance().pool_threads_flush_denormals() ? 1 : 0;
}

}  // namespace sc
