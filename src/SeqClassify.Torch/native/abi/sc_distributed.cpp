#include "sc_distributed.h"

#include "sc_process_group.h"

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

sc::ReduceType reduce_type(int32_t type) {
    switch (type) {
        case SC_REDUCE_FLOAT32: return sc::ReduceType::Float32;
        case SC_REDUCE_FLOAT64: return sc::ReduceType::Float64;
        case SC_REDUCE_INT64: return sc::ReduceType::Int64;
        default: throw sc::InvalidArgument("type must be 0 (float32), 1 (float64) or 2 (int64), got " + std::to_string(type));
    }
}

sc::ReduceOp reduce_op(int32_t op) {
    switch (op) {
        case SC_REDUCE_SUM: return sc::ReduceOp::Sum;
        case SC_REDUCE_MIN: return sc::ReduceOp::Min;
        case SC_REDUCE_MAX: return sc::ReduceOp::Max;
        default: throw sc::InvalidArgument("op must be 0 (sum), 1 (min) or 2 (max), got " + std::to_string(op));
    }
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

std::shared_ptr<sc::ProcessGroup> sc::process_group_of(sc_process_group* group) {
    if (!group) throw sc::InvalidArgument("group is null");
    return group->group;
}

extern "C" sc_status sc_process_group_all_reduce(sc_process_group* group, void* values, int64_t count, int32_t type, int32_t op) {
    return sc::guard([&] {
        auto g = sc::process_group_of(group);
        if (count < 0) throw sc::InvalidArgument("count must be >= 0, got " + std::to_string(count));
        if (count > 0 && !values) throw sc::InvalidArgument("values is null");
        const auto element = reduce_type(type);
        const auto reduce = reduce_op(op);
        if (count > 0) g->all_reduce(values, count, element, reduce);
    });
}

extern "C" sc_status sc_process_group_barrier(sc_process_group* group) {
    return sc::guard([&] { sc::process_group_of(group)->barrier(); });
}

extern "C" sc_status sc_process_group_statistics(sc_process_group* group, double* out_seconds, int64_t* out_collectives,
                                                 int64_t* out_bytes) {
    return sc::guard([&] {
        const auto statistics = sc::process_group_of(group)->statistics();
        if (out_seconds) *out_seconds = statistics.seconds;
        if (out_collectives) *out_collectives = statistics.collectives;
        if (out_bytes) *out_bytes = statistics.bytes;
    });
}
