#include "sc_runtime.h"

#include <torch/torch.h>
#include <dlfcn.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>

#include "sc_cpu_kernels.h"
#include "sc_float_mode.h"
#include "sc_gemm.h"
#include "sc_memory.h"
#include "sc_thread_pool.h"
#include "sc_status.h"

namespace {
// OpenBLAS exports this; looking it up at run time keeps the shim free of a link-time dependency
// (an official libtorch uses MKL instead, and then the symbol is simply absent).
void set_openblas_threads(int threads) {
    using SetThreads = void (*)(int);
    if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
        set(threads);
    }
}
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

extern "C" sc_status sc_runtime_blas(char* buffer, int32_t capacity) {
    return sc::guard([&] {
        using CoreName = char* (*)();
        auto core = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
        write_text(core ? "OpenBLAS " + std::string(core()) : "unknown", buffer, capacity);
    });
}

extern "C" sc_status sc_runtime_measure_sgemm(const char* path, int64_t m, int64_t n, int64_t k, int32_t repeats, double* out_gflops) {
    return sc::guard([&] {
        if (!path || !out_gflops) throw sc::InvalidArgument("path or out_gflops is null");
        if (m < 1 || n < 1 || k < 1 || repeats < 1) throw sc::InvalidArgument("m, n, k and repeats must be at least 1");
        const std::string which = path;
        if (which != "engine" && which != "libtorch") throw sc::InvalidArgument("path must be engine or libtorch, got " + which);
        sc::FlushDenormalsScope flush;
        torch::NoGradGuard no_grad;
        auto a = torch::randn({m, k}), b = torch::randn({k, n}), c = torch::empty({m, n});
        // Small products take microseconds: time enough of them per run to read the clock.
        const int64_t calls = std::max<int64_t>(1, static_cast<int64_t>(2e8 / (2.0 * m * n * k)));
        double seconds;
        if (which == "engine") {
            const auto packed = sc::PackedMatrix::pack_parallel({b.data_ptr<float>(), n, 1}, k, n);
            seconds = best_seconds(repeats, [&] {
                for (int64_t i = 0; i < calls; ++i) packed.multiply_parallel(m, {a.data_ptr<float>(), k, 1}, c.data_ptr<float>(), n, false);
            });
        } else {
            seconds = best_seconds(repeats, [&] {
                for (int64_t i = 0; i < calls; ++i) torch::mm_out(c, a, b);
            });
        }
        *out_gflops = 2.0 * static_cast<double>(m) * n * k * calls / seconds / 1e9;
    });
}

extern "C" sc_status sc_runtime_set_threads(int32_t threads) {
    return sc::guard([&] {
        if (threads < 1) {
            throw sc::InvalidArgument("threads must be at least 1, got " + std::to_string(threads));
        }
        set_openblas_threads(1);
        sc::ThreadPool::instance().set_threads(threads);
    });
}

extern "C" sc_status sc_runtime_get_threads(int32_t* out_threads) {
    return sc::guard([&] {
        if (!out_threads) throw sc::InvalidArgument("out_threads is null");
        *out_threads = sc::ThreadPool::instance().threads();
    });
}

extern "C" sc_status sc_runtime_torch_version(char* buffer, int32_t capacity) {
    return sc::guard([&] {
        if (!buffer || capacity < 1) throw sc::InvalidArgument("buffer is null or empty");
        std::snprintf(buffer, static_cast<size_t>(capacity), "%d.%d.%d", TORCH_VERSION_MAJOR,
                      TORCH_VERSION_MINOR, TORCH_VERSION_PATCH);
    });
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
