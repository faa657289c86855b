#include "sc_gloo_group.h"

#include <gloo/allreduce.h>
#include <gloo/barrier.h>
#include <gloo/broadcast.h>
#include <gloo/math.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/store.h>
#include <gloo/transport/tcp/device.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "sc_errors.h"

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

// Gloo's rendezvous reads and writes connection addresses through this.
class StoreAdapter final : public gloo::rendezvous::Store {
public:
    StoreAdapter(StoreClient& store, std::chrono::milliseconds timeout) : store_(store), timeout_(timeout) {}
    void set(const std::string& key, const std::vector<char>& data) override { store_.set("gloo/" + key, data); }
    std::vector<char> get(const std::string& key) override { return store_.get("gloo/" + key, timeout_); }
    void wait(const std::vector<std::string>& keys) override { wait(keys, timeout_); }
    void wait(const std::vector<std::string>& keys, const std::chrono::milliseconds& timeout) override {
        for (const auto& key : keys) store_.get("gloo/" + key, timeout);
    }

private:
    StoreClient& store_;
    std::chrono::milliseconds timeout_;
};

template <typename T>
gloo::AllreduceOptions::Func reduction(ReduceOp op) {
    using Fn = void (*)(void*, const void*, const void*, size_t);
    switch (op) {
        case ReduceOp::Min: return static_cast<Fn>(&gloo::min<T>);
        case ReduceOp::Max: return static_cast<Fn>(&gloo::max<T>);
        default: return static_cast<Fn>(&gloo::sum<T>);
    }
}

template <typename T>
void all_reduce_as(const std::shared_ptr<gloo::Context>& context, void* values, int64_t count, ReduceOp op, uint32_t tag,
                   std::chrono::milliseconds timeout) {
    gloo::AllreduceOptions options(context);
    options.setOutput(static_cast<T*>(values), static_cast<size_t>(count));
    options.setReduceFunction(reduction<T>(op));
    options.setTag(tag);
    options.setTimeout(timeout);
    gloo::allreduce(options);
}

size_t element_size(ReduceType type) {
    switch (type) {
        case ReduceType::Float64:
        case ReduceType::Int64: return 8;
        case ReduceType::UInt8: return 1;
        default: return 4;
    }
}

// The network interface Gloo's connections use: the one GLOO_SOCKET_IFNAME names (PyTorch's variable:
// for a host whose name resolves to a loopback address, as Debian's 127.0.1.1 does; the first name of
// a comma-separated list); for a loopback rendezvous, loopback; otherwise the address this host's
// name resolves to, as PyTorch does.
std::shared_ptr<gloo::transport::Device> make_device(const std::string& master) {
    gloo::transport::tcp::attr attr;
    if (const char* names = std::getenv("GLOO_SOCKET_IFNAME"); names && *names) {
        std::string name = names;
        name = name.substr(0, name.find(','));
        attr.iface = name;
        try {
            return gloo::transport::tcp::CreateDevice(attr);
        } catch (const std::exception& e) {
            throw InvalidArgument("GLOO_SOCKET_IFNAME names interface '" + name + "', which this host cannot use (" + e.what() + ")");
        }
    }
    if (master == "localhost" || master.rfind("127.", 0) == 0) {
        attr.hostname = "127.0.0.1";
    } else {
        char host[256] = {};
        gethostname(host, sizeof(host) - 1);
        attr.hostname = host;
    }
    return gloo::transport::tcp::CreateDevice(attr);
}

}  // namespace

// Beats this rank's counter in the store from its own thread and connection until destroyed.
class Heartbeat {
public:
    Heartbeat(const StoreAddress& master, const std::string& token, std::chrono::milliseconds timeout, int rank)
        : store_(master, token, timeout), key_(heartbeat_key(rank)) {
        store_.add(key_, 1);
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
                store_.add(key_, 1);
            } catch (...) {
                return;  // the store is gone (rank 0 ended); a failing collective will say so
            }
        }
    }

    StoreClient store_;
    std::string key_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;
};

GlooGroup::GlooGroup(const sc_process_group_config& c)
    : rank_(c.rank), world_size_(c.world_size), timeout_(c.timeout_ms), master_{c.master_address, c.master_port} {
    const std::string token = c.token ? c.token : "";
    if (rank_ == 0) server_ = std::make_unique<StoreServer>(master_, token);
    try {
        store_ = std::make_unique<StoreClient>(master_, token, timeout_);
        heartbeat_ = std::make_unique<Heartbeat>(master_, token, timeout_, rank_);
    } catch (const PeerFailure& e) {
        throw PeerFailure("rank " + std::to_string(rank_) + " " + e.what());
    }
    auto device = make_device(master_.host);
    auto context = std::make_shared<gloo::rendezvous::Context>(rank_, world_size_);
    context->setTimeout(timeout_);
    StoreAdapter adapter(*store_, timeout_);
    try {
        context->connectFullMesh(adapter, device);
    } catch (const std::exception& e) {
        throw PeerFailure(missing_at_rendezvous(e.what()));
    }
    context_ = context;
    worker_ = std::thread([this] { worker_loop(); });
}

GlooGroup::~GlooGroup() {
    {
        std::lock_guard<std::mutex> guard(queue_lock_);
        stopping_ = true;
    }
    queue_changed_.notify_all();
    if (worker_.joinable()) worker_.join();
    // The context's connections close before the store that introduced them.
    context_.reset();
    heartbeat_.reset();
    store_.reset();
    server_.reset();
}

void GlooGroup::worker_loop() {
    for (;;) {
        std::shared_ptr<Work> work;
        {
            std::unique_lock<std::mutex> guard(queue_lock_);
            queue_changed_.wait(guard, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;
            work = queue_.front();
            queue_.pop_front();
        }
        try {
            work->run();
        } catch (...) {
            work->error = std::current_exception();
        }
        {
            std::lock_guard<std::mutex> guard(work->lock);
            work->done = true;
        }
        work->finished.notify_all();
    }
}

std::shared_ptr<GlooGroup::Work> GlooGroup::start(std::function<void()> run, int64_t bytes) {
    auto work = std::make_shared<Work>();
    work->run = std::move(run);
    work->bytes = bytes;
    {
        std::lock_guard<std::mutex> guard(queue_lock_);
        queue_.push_back(work);
    }
    queue_changed_.notify_all();
    return work;
}

std::shared_ptr<GlooGroup::Work> GlooGroup::start_all_reduce(void* values, int64_t count, ReduceType type, ReduceOp op) {
    const uint32_t tag = next_tag_++;
    auto context = context_;
    const auto timeout = timeout_;
    return start([=] {
        switch (type) {
            case ReduceType::Float64: all_reduce_as<double>(context, values, count, op, tag, timeout); break;
            case ReduceType::Int64: all_reduce_as<int64_t>(context, values, count, op, tag, timeout); break;
            case ReduceType::UInt8: all_reduce_as<uint8_t>(context, values, count, op, tag, timeout); break;
            default: all_reduce_as<float>(context, values, count, op, tag, timeout);
        }
    }, count * static_cast<int64_t>(element_size(type)));
}

void GlooGroup::wait(Work& work) {
    const auto begin = Clock::now();
    {
        std::unique_lock<std::mutex> guard(work.lock);
        work.finished.wait(guard, [&] { return work.done; });
    }
    if (work.error) {
        try {
            std::rethrow_exception(work.error);
        } catch (const InvalidArgument&) {
            throw;
        } catch (const std::exception& e) {
            throw PeerFailure(missing_after_failure(e.what()));
        }
    }
    std::lock_guard<std::mutex> guard(statistics_lock_);
    statistics_.seconds += std::chrono::duration<double>(Clock::now() - begin).count();
    statistics_.collectives += 1;
    statistics_.bytes += work.bytes;
}

void GlooGroup::broadcast(float* values, int64_t count) {
    const uint32_t tag = next_tag_++;
    auto context = context_;
    const auto timeout = timeout_;
    auto work = start([=] {
        gloo::BroadcastOptions options(context);
        options.setOutput(values, static_cast<size_t>(count));
        options.setRoot(0);
        options.setTag(tag);
        options.setTimeout(timeout);
        gloo::broadcast(options);
    }, count * 4);
    wait(*work);
}

void GlooGroup::barrier() {
    const uint32_t tag = next_tag_++;
    auto context = context_;
    const auto timeout = timeout_;
    auto work = start([=] {
        gloo::BarrierOptions options(context);
        options.setTag(tag);
        options.setTimeout(timeout);
        gloo::barrier(options);
    }, 0);
    wait(*work);
}

CollectiveStatistics GlooGroup::statistics() const {
    std::lock_guard<std::mutex> guard(statistics_lock_);
    return statistics_;
}

std::string GlooGroup::missing_after_failure(const std::string& cause) {
    const std::string failed = "rank " + std::to_string(rank_) + " of " + std::to_string(world_size_) + ": a collective failed";
    std::vector<int64_t> before(static_cast<size_t>(world_size_));
    std::vector<int> missing;
    try {
        for (int r = 0; r < world_size_; ++r) before[static_cast<size_t>(r)] = store_->add(heartbeat_key(r), 0);
        std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(kFailureWindow, timeout_));
        for (int r = 0; r < world_size_; ++r) {
            if (r != rank_ && store_->add(heartbeat_key(r), 0) == before[static_cast<size_t>(r)]) missing.push_back(r);
        }
    } catch (const std::exception&) {
        return failed + "; rank 0 (which serves the group's store at " + store_->where() + ") stopped answering: it died or hangs (" + cause + ")";
    }
    if (missing.empty()) return failed + " while every rank still answers (" + cause + ")";
    return failed + "; rank" + (missing.size() > 1 ? "s " : " ") + rank_list(missing) + " stopped answering: died or hung (" + cause + ")";
}

std::string GlooGroup::missing_at_rendezvous(const std::string& cause) {
    std::vector<int> missing;
    try {
        for (int r = 0; r < world_size_; ++r) {
            if (!store_->check(heartbeat_key(r))) missing.push_back(r);
        }
    } catch (const std::exception&) {
    }
    const std::string prefix = "rank " + std::to_string(rank_) + " of " + std::to_string(world_size_) + ": the group did not form within " +
                               std::to_string(timeout_.count()) + " ms";
    if (missing.empty()) return prefix + " (" + cause + ")";
    return prefix + "; rank" + (missing.size() > 1 ? "s " : " ") + rank_list(missing) + " never joined (" + cause + ")";
}

}  // namespace sc
