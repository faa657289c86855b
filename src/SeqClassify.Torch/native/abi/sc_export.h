// Export macro and the status codes shared by every header of the C ABI.
#pragma once
#include <stdint.h>

#if defined(SC_BUILDING_SHIM) && defined(_WIN32)
#define SC_API __declspec(dllexport)
#elif defined(SC_BUILDING_SHIM)
#define SC_API __attribute__((visibility("default")))
#else
#define SC_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

// Every export returns one of these. The managed side maps them in NativeStatus.ThrowIfFailed.
typedef enum sc_status {
    SC_OK = 0,
    SC_INVALID_ARGUMENT = 1,  // the caller passed something wrong: a shape, a range, a null
    SC_INVALID_STATE = 2,     // the object cannot do this now (e.g. frozen, disposed)
    SC_OUT_OF_MEMORY = 3,
    // 4 was SC_TORCH_ERROR (libtorch's errors), no longer produced: the engine has no libtorch.
    SC_FORMAT_ERROR = 5,      // a serialized buffer is malformed or does not fit the model
    SC_UNKNOWN_ERROR = 6,
    SC_DISTRIBUTED_ERROR = 7  // another rank of a process group died or hung; the message names it
} sc_status;

#ifdef __cplusplus
}
#endif
