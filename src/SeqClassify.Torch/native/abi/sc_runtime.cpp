#include "sc_runtime.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "sc_cpu_kernels.h"
#include "sc_float_mode.h"
#include "sc_gemm.h"
#include "sc_memory.h"
#include "sc_random.h"
#include "sc_thread_pool.h"
#include "sc_status.h"

namespace {
void write_text(const std::string& text, char* buffer, int32_t capacity) {
    if (!buffer || capacity < 1) throw sc::InvalidArgument("buffer is null or empty");
    std::snprintf(buffer, static_cast<size_t>(capacity), "%s", text.c_str());
}

// Seconds of the fastest of `repeats` runs of work().
template <class Work>
double best_seconds(int32_t repeats, const Work& work) {
    double best = 1e300;
    for (int32_t i = 0; i < repeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        work();
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return best;
}
}  // namespace

extern "C" sc_status sc_runtime_kernel_sets(char* buffer, int32_t capacity) {
    return sc::guard([&] {
        std::string names;
        for (const auto* set : sc::cpu::available_kernels()) names += (names.empty() ? "" : ",") + std::string(set->name);
        write_text(names, buffer, capacity);
    });
}

extern "C" sc_status sc_runtime_kernels(char* buffer, int32_t capacity) {
    return sc::guard([&] { write_text(sc::cpu::kernels().name, buffer, capacity); });
}

extern "C" sc_status sc_runtime_select_kernels(const char* name) {
    return sc::guard([&] {
        if (!name) throw sc::InvalidArgument("name is null");
        if (!sc::cpu::select_kernels(name)) {
            throw sc::InvalidArgument("kernel set '" + std::string(name) + "' is unknown or this CPU cannot run it");
        }
    });
}

extern "C" sc_status sc_runtime_measure_sgemm(int64_t m, int64_t n, int64_t k, int32_t repeats, double* out_gflops) {
    return sc::guard([&] {
        if (!out_gflops) throw sc::InvalidArgument("out_gflops is null");
        if (m < 1 || n < 1 || k < 1 || repeats < 1) throw sc::InvalidArgument("m, n, k and repeats must be at least 1");
        sc::FlushDenormalsScope flush;
        sc::Generator g(1);
        std::vector<float> a(static_cast<size_t>(m * k)), b(static_cast<size_t>(k * n)), c(static_cast<size_t>(m * n));
        for (auto& v : a) v = g.normal(0.0, 1.0);
        for (auto& v : b) v = g.normal(0.0, 1.0);
        // Small products take microseconds: time enough of them per run to read the clock.
        const int64_t calls = std::max<int64_t>(1, static_cast<int64_t>(2e8 / (2.0 * m * n * k)));
        const auto packed = sc::PackedMatrix::pack_parallel({b.data(), n, 1}, k, n);
        const double seconds = best_seconds(repeats, [&] {
            for (int64_t i = 0; i < calls; ++i) packed.multiply_parallel(m, {a.data(), k, 1}, c.data(), n, false);
        });
        *out_gflops = 2.0 * static_cast<double>(m) * n * k * calls / seconds / 1e9;
    });
}

extern "C" sc_status sc_runtime_set_threads(int32_t threads) {
    return sc::guard([&] {
        if (threads < 1) {
            throw sc::InvalidArgument("threads must be at least 1, got " + std::to_string(threads));
        }
        sc::ThreadPool::instance().set_threads(threads);
    });
}

extern "C" sc_status sc_runtime_get_threads(int32_t* out_threads) {
    return sc::guard([&] {
        if (!out_threads) throw sc::InvalidArgument("out_threads is null");
        *out_threads = sc::ThreadPool::instance().threads();
    });
}

extern "C" sc_status sc_runtime_engine_version(char* buffer, int32_t capacity) {
    return sc::guard([&] { write_text(SC_ENGINE_VERSION, buffer, capacity); });
}

extern "C" sc_status sc_runtime_float_mode(uint32_t* out_caller_mode, int32_t* out_engine_flushes) {
    if (out_caller_mode) *out_caller_mode = 0;
    if (out_engine_flushes) *out_engine_flushes = 0;
    return sc::guard([&] {
        if (!out_caller_mode || !out_engine_flushes) throw sc::InvalidArgument("out_caller_mode or out_engine_flushes is null");
        *out_caller_mode = sc::current_float_mode();
        *out_engine_flushes = sc::engine_flushes_denormals();
    });
}

extern "C" sc_status sc_runtime_release_memory(int64_t* out_bytes) {
    if (out_bytes) *out_bytes = 0;
    return sc::guard([&] {
        const auto freed = static_cast<int64_t>(sc::release_idle_memory());
        if (out_bytes) *out_bytes = freed;
    });
}

extern "C" void sc_runtime_free_buffer(void* buffer) { std::free(buffer); }
