// A build without libtorch's c10d and Gloo's headers (CMakeLists.txt found none): distributed
// training is refused.
#include "sc_process_group.h"
#include "sc_status.h"

namespace sc {

std::shared_ptr<ProcessGroup> make_process_group(const sc_process_group_config&) {
    throw InvalidState("this build of the engine has no distributed training (libtorch's c10d and Gloo's headers were not "
                       "found when it was built; on Debian: apt-get install libtorch-dev libgloo-dev, then rebuild)");
}

}  // namespace sc

extern "C" int32_t sc_process_group_available(void) { return 0; }
