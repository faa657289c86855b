// A build without Gloo's headers (CMakeLists.txt found none): distributed training is refused.
#include "sc_distributed.h"
#include "sc_status.h"

namespace sc {

std::shared_ptr<ProcessGroup> make_process_group(const sc_process_group_config&) {
    throw InvalidState("this build of the engine has no c10d/Gloo (Gloo's headers were not found when it was built; "
                       "on Debian: apt-get install libgloo-dev, then rebuild)");
}

}  // namespace sc

extern "C" int32_t sc_process_group_available(void) { return 0; }
