// What the engine needs of a process group: all-reduce, broadcast and barrier over plain buffers,
// across the ranks of a data-parallel training run. abi/sc_process_group_plugin.cpp implements it over the
// Gloo plugin's C ABI (abi/sc_gloo_plugin.h), loaded when a group is made; where the plugin is missing, making one
// is refused, naming what to install.
#pragma once
#include <cstdint>
#include <memory>

#include "sc_process_group_types.h"

namespace sc {

enum class ReduceOp { Sum, Min, Max };
enum class ReduceType { Float32, Float64, Int64, UInt8 };

struct CollectiveStatistics {
    double seconds = 0.0;
    int64_t collectives = 0;
    int64_t bytes = 0;
};

// A collective under way on the group's own thread.
class PendingCollective {
public:
    virtual ~PendingCollective() = default;
    // Blocks until it is done; throws as the blocking collectives do.
    virtual void wait() = 0;
};

// Every collective throws PeerFailure when another rank does not take part in time.
class ProcessGroup {
public:
    virtual ~ProcessGroup() = default;
    virtual int rank() const = 0;
    virtual int world_size() const = 0;
    // count values of this type become their reduction across ranks, in place.
    virtual void all_reduce(void* values, int64_t count, ReduceType type, ReduceOp op) = 0;
    // The same, started: the values must be left alone until wait() returns. Collectives run in the
    // order they are started, which must be the same on every rank.
    virtual std::unique_ptr<PendingCollective> start_all_reduce(void* values, int64_t count, ReduceType type, ReduceOp op) = 0;
    // count floats become rank 0's, in place.
    virtual void broadcast(float* values, int64_t count) = 0;
    virtual void barrier() = 0;
    virtual CollectiveStatistics statistics() const = 0;
};

// Throws InvalidState in a build without Gloo.
std::shared_ptr<ProcessGroup> make_process_group(const sc_process_group_config& config);

}  // namespace sc
