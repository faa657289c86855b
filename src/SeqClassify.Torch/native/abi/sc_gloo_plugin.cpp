// The Gloo plugin's C ABI (sc_gloo_plugin.h) over GlooGroup.
#include "sc_gloo_plugin.h"

#include <string>

#include "sc_gloo_group.h"
#include "sc_status.h"

struct sc_gloo_group {
    sc::GlooGroup group;
    explicit sc_gloo_group(const sc_process_group_config& config) : group(config) {}
};

struct sc_gloo_pending {
    sc::GlooGroup* group;
    std::shared_ptr<sc::GlooGroup::Work> work;
};

namespace {

sc::GlooGroup& checked(sc_gloo_group* group) {
    if (!group) throw sc::InvalidArgument("group is null");
    return group->group;
}

sc_status create(const sc_process_group_config* config, sc_gloo_group** out_group) {
    if (out_group) *out_group = nullptr;
    return sc::guard([&] {
        if (!config || !out_group) throw sc::InvalidArgument("config or out_group is null");
        *out_group = new sc_gloo_group(*config);
    });
}

void dispose(sc_gloo_group* group) {
    try {
        delete group;
    } catch (...) {
    }
}

sc_status start_all_reduce(sc_gloo_group* group, void* values, int64_t count, int32_t type, int32_t op, sc_gloo_pending** out_pending) {
    if (out_pending) *out_pending = nullptr;
    return sc::guard([&] {
        auto& g = checked(group);
        if (!out_pending) throw sc::InvalidArgument("out_pending is null");
        if (type < SC_REDUCE_FLOAT32 || type > SC_REDUCE_UINT8) throw sc::InvalidArgument("unknown reduce type " + std::to_string(type));
        if (op < SC_REDUCE_SUM || op > SC_REDUCE_MAX) throw sc::InvalidArgument("unknown reduce op " + std::to_string(op));
        auto work = g.start_all_reduce(values, count, static_cast<sc::ReduceType>(type), static_cast<sc::ReduceOp>(op));
        *out_pending = new sc_gloo_pending{&g, std::move(work)};
    });
}

sc_status wait(sc_gloo_pending* pending) {
    return sc::guard([&] {
        if (!pending) throw sc::InvalidArgument("pending is null");
        std::unique_ptr<sc_gloo_pending> owned(pending);
        owned->group->wait(*owned->work);
    });
}

sc_status broadcast(sc_gloo_group* group, float* values, int64_t count) {
    return sc::guard([&] { checked(group).broadcast(values, count); });
}

sc_status barrier(sc_gloo_group* group) {
    return sc::guard([&] { checked(group).barrier(); });
}

void statistics(sc_gloo_group* group, double* out_seconds, int64_t* out_collectives, int64_t* out_bytes) {
    const auto s = group ? group->group.statistics() : sc::CollectiveStatistics{};
    if (out_seconds) *out_seconds = s.seconds;
    if (out_collectives) *out_collectives = s.collectives;
    if (out_bytes) *out_bytes = s.bytes;
}

const char* last_error() { return sc::last_error_message(); }

const sc_gloo_plugin kPlugin{SC_GLOO_PLUGIN_VERSION, create, dispose, start_all_reduce, wait, broadcast, barrier, statistics, last_error};

}  // namespace

extern "C" const sc_gloo_plugin* sc_gloo_plugin_get(void) { return &kPlugin; }
