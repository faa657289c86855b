// The thread-local last-error message, and the guard that keeps C++ exceptions inside the shim.
#pragma once
#include "sc_export.h"

#ifdef __cplusplus
extern "C" {
#endif

// The message of the last failed call on this thread ("" when none). Valid until the next call.
SC_API const char* sc_status_last_error(void);

#ifdef __cplusplus
}

#include <stdexcept>
#include <string>

namespace sc {

// Thrown inside the shim for caller mistakes; becomes SC_INVALID_ARGUMENT.
struct InvalidArgument : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};
// A serialized buffer that is malformed or does not fit; becomes SC_FORMAT_ERROR.
struct FormatError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// The object cannot do this now; becomes SC_INVALID_STATE.
struct InvalidState : std::logic_error {
    using std::logic_error::logic_error;
};

// Another rank of a process group died or hung; becomes SC_DISTRIBUTED_ERROR.
struct PeerFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

void set_last_error(const std::string& message);
// The calling thread's last error, as sc_status_last_error returns it (for code that cannot name the
// export: the Gloo plugin, whose export of that name the engine's would shadow).
const char* last_error_message();
void clear_last_error();
sc_status status_from_current_exception();

// Runs body; every exception becomes a status code and a last-error message.
// Every export's body goes through here, so no exception can cross extern "C".
template <typename Body>
sc_status guard(Body&& body) noexcept {
    try {
        clear_last_error();
        body();
        return SC_OK;
    } catch (...) {
        return status_from_current_exception();
    }
}

}  // namespace sc
#endif
