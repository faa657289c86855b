#include "sc_status.h"

#include <new>

namespace sc {
namespace {
thread_local std::string last_error;
}

void set_last_error(const std::string& message) {
    try {
        last_error = message;
    } catch (...) {
        // Out of memory while recording the message: keep the old one rather than throw.
    }
}

void clear_last_error() { last_error.clear(); }

const char* last_error_message() { return last_error.c_str(); }

sc_status status_from_current_exception() {
    try {
        throw;
    } catch (const InvalidArgument& e) {
        set_last_error(e.what());
        return SC_INVALID_ARGUMENT;
    } catch (const FormatError& e) {
        set_last_error(e.what());
        return SC_FORMAT_ERROR;
    } catch (const InvalidState& e) {
        set_last_error(e.what());
        return SC_INVALID_STATE;
    } catch (const PeerFailure& e) {
        set_last_error(e.what());
        return SC_DISTRIBUTED_ERROR;
    } catch (const std::bad_alloc&) {
        set_last_error("out of memory");
        return SC_OUT_OF_MEMORY;
    } catch (const std::exception& e) {
        set_last_error(e.what());
        return SC_UNKNOWN_ERROR;
    } catch (...) {
        set_last_error("unknown native exception");
        return SC_UNKNOWN_ERROR;
    }
}

}  // namespace sc

extern "C" const char* sc_status_last_error(void) { return sc::last_error_message(); }
