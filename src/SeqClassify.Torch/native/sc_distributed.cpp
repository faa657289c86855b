#include "sc_distributed.h"

#include <string>

#include "sc_status.h"

struct sc_process_group {
    std::shared_ptr<sc::ProcessGroup> group;
};

namespace {

void validate(const sc_process_group_config& c) {
    if (c.struct_size != sizeof(sc_process_group_config) || c.version != SC_PROCESS_GROUP_ABI_VERSION) {
        throw sc::InvalidArgument("sc_process_group_config of " + std::to_string(c.struct_size) + " bytes, version " +
                                  std::to_string(c.version) + "; this library expects " + std::to_string(sizeof(sc_process_group_config)) +
                                  " bytes, version " + std::to_string(SC_PROCESS_GROUP_ABI_VERSION));
    }
    if (!c.master_address || !*c.master_address) throw sc::InvalidArgument("master_address is empty");
    if (c.master_port < 1 || c.master_port > 65535) {
        throw sc::InvalidArgument("master_port must be in [1, 65535], got " + std::to_string(c.master_port));
    }
    if (c.world_size < 1) throw sc::InvalidArgument("world_size must be >= 1, got " + std::to_string(c.world_size));
    if (c.rank < 0 || c.rank >= c.world_size) {
        throw sc::InvalidArgument("rank must be in [0, " + std::to_string(c.world_size) + "), got " + std::to_string(c.rank));
    }
    if (c.timeout_ms < 1) throw sc::InvalidArgument("timeout_ms must be >= 1, got " + std::to_string(c.timeout_ms));
}

}  // namespace

extern "C" sc_status sc_process_group_create(const sc_process_group_config* config, sc_process_group** out_group) {
    if (out_group) *out_group = nullptr;
    return sc::guard([&] {
        if (!config) throw sc::InvalidArgument("config is null");
        if (!out_group) throw sc::InvalidArgument("out_group is null");
        validate(*config);
        *out_group = new sc_process_group{sc::make_process_group(*config)};
    });
}

extern "C" void sc_process_group_dispose(sc_process_group* group) { delete group; }

std::shared_ptr<sc::ProcessGroup> sc_process_group_of(sc_process_group* group) {
    if (!group) throw sc::InvalidArgument("group is null");
    return group->group;
}
