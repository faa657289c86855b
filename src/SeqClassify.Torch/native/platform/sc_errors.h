// The engine's C++ errors: what its code throws, whatever the layer. Only the C ABI (abi/sc_status.h's
// guard) turns them into status codes and a last-error message; nothing here knows the ABI.
#pragma once
#include <stdexcept>

namespace sc {

// A caller's mistake: a shape, a range, a null; becomes SC_INVALID_ARGUMENT.
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

}  // namespace sc
