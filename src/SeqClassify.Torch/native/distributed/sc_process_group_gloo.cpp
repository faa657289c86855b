// sc::ProcessGroup on c10d's ProcessGroupGloo (libtorch's), rendezvous through a TCPStore. Compiled
// when libtorch and Gloo's headers are found (CMakeLists.txt); sc_process_group_none.cpp otherwise.
// The one file of the engine that still uses libtorch: the buffers it reduces are wrapped as tensors
// here and nowhere else.
//
// Gloo says that a collective failed ("connection closed by peer", a timeout), not which rank is to
// blame. So every rank beats a heartbeat counter in the store; when a collective fails, the ranks
// whose counter stood still over a short window are the ones named as missing (a dead or stopped
// process does not beat; one merely slow in its own work does).
#include <torch/torch.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "sc_process_group.h"
#include "sc_status.h"

namespace sc {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kHeartbeatInterval = std::chrono::milliseconds(250);
// Long enough for several beats of a live rank, short enough to keep a failure prompt.
constexpr auto kFailureWindow = std::chrono::milliseconds(1500);

std::string heartbeat_key(int rank) { return "seqclassify/heartbeat/" + std::to_string(rank); }

std::string rank_list(const std::vector<int>& ranks) {
    std::string text;
    for (size_t i = 0; i < ranks.size(); ++i) text += (i ? ", " : "") + std::to_string(ranks[i]);
    return text;
}

torch::ScalarType to_torch(ReduceType type) {
    switch (type) {
        case ReduceType::Float64: return torch::kFloat64;
        case ReduceType::Int64: return torch::kInt64;
        case ReduceType::UInt8: return torch::kUInt8;
        default: return torch::kFloat32;
    }
}

c10d::ReduceOp to_c10d(ReduceOp op) {
    switch (op) {
        case ReduceOp::Min: return c10d::ReduceOp::MIN;
        case ReduceOp::Max: return c10d::ReduceOp::MAX;
        default: return c10d::ReduceOp::SUM;
    }
}

c10::intrusive_ptr<c10d::TCPStore> connect_store(const sc_process_group_config& c, bool serve) {
    c10d::TCPStoreOptions options;
    options.port = static_cast<uint16_t>(c.master_port);
    options.isServer = serve;
    options.numWorkers = c.world_size;
    options.waitWorkers = false;
    options.timeout = std::chrono::milliseconds(c.timeout_ms);
    try {
        return c10::make_intrusive<c10d::TCPStore>(c.master_address, options);
    } catch (const std::exception& e) {
        const std::string where = std::string(c.master_address) + ":" + std::to_string(c.master_port);
        if (serve) throw InvalidState("rank 0 could not serve the group's store at " + where + " (port in use?): " + e.what());
        throw PeerFailure("rank " + std::to_string(c.rank) + " could not reach rank 0's store at " + where + " within " +
                          std::to_string(c.timeout_ms) + " ms (rank 0 not started, or the address or port is wrong or blocked): " +
                          e.what());
    }
}

// Beats this rank's counter in the store from its own thread and connection until destroyed.
class Heartbeat {
public:
    explicit Heartbeat(const sc_process_group_config& c) : store_(connect_store(c, false)), key_(heartbeat_key(c.rank)) {
        store_->add(key_, 1);
        thread_ = std::thread([this] { run(); });
    }
    ~Heartbeat() {
        {
            std::lock_guard<std::mutex> guard(mutex_);
            stop_ = true;
        }
        wake_.notify_all();
        thread_.join();
    }

private:
    void run() {
        std::unique_lock<std::mutex> lock(mutex_);
        while (!wake_.wait_for(lock, kHeartbeatInterval, [this] { return stop_; })) {
            try {
                store_->add(key_, 1);
            } catch (...) {
                return;  // the store is gone (rank 0 ended); a failing collective will say so
            }
        }
    }

    c10::intrusive_ptr<c10d::TCPStore> store_;
    std::string key_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;
};

class GlooProcessGroup final : public ProcessGroup {
public:
    explicit GlooProcessGroup(const sc_process_group_config& c)
        : rank_(c.rank), world_size_(c.world_size), timeout_ms_(c.timeout_ms),
          master_(std::string(c.master_address) + ":" + std::to_string(c.master_port)) {
        store_ = connect_store(c, c.rank == 0);
        heartbeat_ = std::make_unique<Heartbeat>(c);
        auto options = c10d::ProcessGroupGloo::Options::create(std::chrono::milliseconds(c.timeout_ms));
        options->devices = devices(c.master_address);
        try {
            group_ = c10::make_intrusive<c10d::ProcessGroupGloo>(store_, c.rank, c.world_size, options);
        } catch (const std::exception& e) {
            throw PeerFailure(missing_at_rendezvous(e.what()));
        }
    }

    int rank() const override { return rank_; }
    int world_size() const override { return world_size_; }

    void all_reduce(void* values, int64_t count, ReduceType type, ReduceOp op) override {
        start_all_reduce(values, count, type, op)->wait();
    }

    std::unique_ptr<PendingCollective> start_all_reduce(void* values, int64_t count, ReduceType type, ReduceOp op) override {
        auto tensor = torch::from_blob(values, {count}, to_torch(type));
        std::vector<torch::Tensor> tensors{tensor};
        c10::intrusive_ptr<c10d::Work> work;
        try {
            work = group_->allreduce(tensors, c10d::AllreduceOptions{to_c10d(op)});
        } catch (const std::exception& e) {
            throw PeerFailure(missing_after_failure(e.what()));
        }
        return std::make_unique<Pending>(*this, std::move(work), bytes_of(tensor));
    }

    void broadcast(float* values, int64_t count) override {
        auto tensor = torch::from_blob(values, {count}, torch::kFloat32);
        std::vector<torch::Tensor> tensors{tensor};
        collective(bytes_of(tensor), [&] { group_->broadcast(tensors)->wait(); });
    }

    void barrier() override {
        collective(0, [&] { group_->barrier()->wait(); });
    }

    CollectiveStatistics statistics() const override {
        std::lock_guard<std::mutex> guard(statistics_mutex_);
        return statistics_;
    }

private:
    class Pending final : public PendingCollective {
    public:
        Pending(GlooProcessGroup& group, c10::intrusive_ptr<c10d::Work> work, int64_t bytes)
            : group_(group), work_(std::move(work)), bytes_(bytes) {}
        void wait() override { group_.collective(bytes_, [&] { work_->wait(); }); }

    private:
        GlooProcessGroup& group_;
        c10::intrusive_ptr<c10d::Work> work_;
        int64_t bytes_;
    };

    static int64_t bytes_of(const torch::Tensor& tensor) { return tensor.numel() * static_cast<int64_t>(tensor.element_size()); }

    // Runs (or waits for) a collective: the time blocked and the bytes count in the statistics; a
    // failure becomes a PeerFailure naming the missing ranks.
    template <typename Run>
    void collective(int64_t bytes, Run&& run) {
        const auto start = Clock::now();
        try {
            run();
        } catch (const std::exception& e) {
            throw PeerFailure(missing_after_failure(e.what()));
        }
        std::lock_guard<std::mutex> guard(statistics_mutex_);
        statistics_.seconds += std::chrono::duration<double>(Clock::now() - start).count();
        statistics_.collectives += 1;
        statistics_.bytes += bytes;
    }

    // Ranks whose heartbeat stood still over the failure window.
    std::string missing_after_failure(const std::string& cause) {
        const std::string failed = "rank " + std::to_string(rank_) + " of " + std::to_string(world_size_) + ": a collective failed";
        std::vector<int64_t> before(world_size_);
        std::vector<int> missing;
        try {
            for (int r = 0; r < world_size_; ++r) before[r] = store_->add(heartbeat_key(r), 0);
            std::this_thread::sleep_for(std::min<Clock::duration>(kFailureWindow, std::chrono::milliseconds(timeout_ms_)));
            for (int r = 0; r < world_size_; ++r) {
                if (r != rank_ && store_->add(heartbeat_key(r), 0) == before[r]) missing.push_back(r);
            }
        } catch (const std::exception&) {
            return failed + "; rank 0 (which serves the group's store at " + master_ + ") stopped answering: it died or hangs (" + cause + ")";
        }
        if (missing.empty()) return failed + " while every rank still answers (" + cause + ")";
        return failed + "; rank" + (missing.size() > 1 ? "s " : " ") + rank_list(missing) + " stopped answering: died or hung (" + cause + ")";
    }

    // Ranks that never beat: they did not join.
    std::string missing_at_rendezvous(const std::string& cause) {
        std::vector<int> missing;
        try {
            for (int r = 0; r < world_size_; ++r) {
                if (!store_->check({heartbeat_key(r)})) missing.push_back(r);
            }
        } catch (const std::exception&) {
        }
        const std::string prefix = "rank " + std::to_string(rank_) + " of " + std::to_string(world_size_) + ": the group did not form within " +
                                   std::to_string(timeout_ms_) + " ms";
        if (missing.empty()) return prefix + " (" + cause + ")";
        return prefix + "; rank" + (missing.size() > 1 ? "s " : " ") + rank_list(missing) + " never joined (" + cause + ")";
    }

    // The network interfaces Gloo's connections use: those GLOO_SOCKET_IFNAME names (comma-separated,
    // PyTorch's variable: for a host whose name resolves to a loopback address, as Debian's 127.0.1.1
    // does); for a loopback rendezvous, loopback; otherwise the interface this host's name resolves
    // to, as PyTorch does.
    static std::vector<std::shared_ptr<::gloo::transport::Device>> devices(const std::string& master) {
        std::vector<std::shared_ptr<::gloo::transport::Device>> chosen;
        if (const char* names = std::getenv("GLOO_SOCKET_IFNAME"); names && *names) {
            std::string list = names;
            for (size_t start = 0; start <= list.size();) {
                const size_t comma = std::min(list.find(',', start), list.size());
                if (comma > start) {
                    const std::string name = list.substr(start, comma - start);
                    try {
                        chosen.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(name));
                    } catch (const std::exception& e) {
                        throw InvalidArgument("GLOO_SOCKET_IFNAME names interface '" + name + "', which this host cannot use (" + e.what() + ")");
                    }
                }
                start = comma + 1;
            }
            if (!chosen.empty()) return chosen;
        }
        chosen.push_back(master == "localhost" || master.rfind("127.", 0) == 0
                             ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                             : c10d::ProcessGroupGloo::createDefaultDevice());
        return chosen;
    }

    int rank_, world_size_, timeout_ms_;
    std::string master_;
    c10::intrusive_ptr<c10d::TCPStore> store_;
    std::unique_ptr<Heartbeat> heartbeat_;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group_;
    mutable std::mutex statistics_mutex_;
    CollectiveStatistics statistics_;
};

}  // namespace

std::shared_ptr<ProcessGroup> make_process_group(const sc_process_group_config& config) {
    return std::make_shared<GlooProcessGroup>(config);
}

}  // namespace sc

extern "C" int32_t sc_process_group_available(void) { return 1; }
