#include "sc_runtime.h"

#include <torch/torch.h>
#include <dlfcn.h>

#include <cstdlib>
#include <cstring>

#include "sc_float_mode.h"
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
}  // namespace

extern "C" sc_status sc_runtime_set_threads(int32_t threads) {
    return sc::guard([&] {
        if (threads < 1) {
            throw sc::InvalidArgument("threads must be at least 1, got " + std::to_string(threads));
        }
        set_openblas_threads(1);
        torch::set_num_threads(threads);
    });
}

extern "C" sc_status sc_runtime_get_threads(int32_t* out_threads) {
    return sc::guard([&] {
        if (!out_threads) throw sc::InvalidArgument("out_threads is null");
        *out_threads = static_cast<int32_t>(torch::get_num_threads());
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

extern "C" void sc_runtime_free_buffer(void* buffer) { std::free(buffer); }
