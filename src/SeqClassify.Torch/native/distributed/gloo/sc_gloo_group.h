// A process group on Gloo's collectives (the library behind PyTorch's CPU DistributedDataParallel),
// introduced through the store of sc_store.h. Part of the Gloo plugin (whose C ABI is abi/sc_gloo_plugin.h).
//
// Gloo says that a collective failed ("connection closed by peer", a timeout), not which rank is to
// blame. So every rank beats a heartbeat counter in the store; when a collective fails, the ranks
// whose counter stood still over a short window are the ones named as missing (a dead or stopped
// process does not beat; one merely slow in its own work does).
#pragma once
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "sc_process_group_types.h"
#include "sc_process_group.h"
#include "sc_store.h"

namespace gloo {
class Context;
}

namespace sc {

class Heartbeat;

class GlooGroup {
public:
    explicit GlooGroup(const sc_process_group_config& config);
    ~GlooGroup();
    GlooGroup(const GlooGroup&) = delete;
    GlooGroup& operator=(const GlooGroup&) = delete;

    // A collective under way on the group's thread; collectives run in the order they are started.
    struct Work {
        std::function<void()> run;
        int64_t bytes = 0;
        std::mutex lock;
        std::condition_variable finished;
        bool done = false;
        std::exception_ptr error;
    };

    std::shared_ptr<Work> start_all_reduce(void* values, int64_t count, ReduceType type, ReduceOp op);
    // Blocks until the work is done; a failure becomes PeerFailure naming the ranks that stopped
    // answering. The time blocked counts in the statistics.
    void wait(Work& work);
    void broadcast(float* values, int64_t count);
    void barrier();
    CollectiveStatistics statistics() const;

private:
    std::shared_ptr<Work> start(std::function<void()> run, int64_t bytes);
    void worker_loop();
    std::string missing_after_failure(const std::string& cause);
    std::string missing_at_rendezvous(const std::string& cause);

    int rank_, world_size_;
    std::chrono::milliseconds timeout_;
    StoreAddress master_;
    std::unique_ptr<StoreServer> server_;  // rank 0 only
    std::unique_ptr<StoreClient> store_;
    std::unique_ptr<Heartbeat> heartbeat_;
    std::shared_ptr<gloo::Context> context_;
    uint32_t next_tag_ = 0;

    std::mutex queue_lock_;
    std::condition_variable queue_changed_;
    std::deque<std::shared_ptr<Work>> queue_;
    bool stopping_ = false;
    std::thread worker_;

    mutable std::mutex statistics_lock_;
    CollectiveStatistics statistics_;
};

}  // namespace sc
