// The C ABI's error reporting: the thread-local last-error message (the export), and for the exports'
// own definitions the guard that turns every C++ exception (platform/sc_errors.h) into a status code.
// Included by the code that defines exports (abi/, and the Gloo plugin's face), nothing else.
#pragma once
#include "sc_export.h"

#ifdef __cplusplus
extern "C" {
#endif

// The message of the last failed call on this thread ("" when none). Valid until the next call.
SC_API const char* sc_status_last_error(void);

#ifdef __cplusplus
}

#include <string>

#include "sc_errors.h"

namespace sc {

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
