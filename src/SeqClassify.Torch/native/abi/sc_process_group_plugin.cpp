// sc::ProcessGroup through the Gloo plugin's C ABI (sc_gloo_plugin.h), which is loaded here, on the first
// request for a process group, from beside this library. A machine without Gloo's library (Debian's
// libgloo0) runs everything else; asking it for a process group says what to install.
#include <mutex>
#include <string>

#include "sc_distributed.h"
#include "sc_gloo_plugin.h"
#include "sc_platform.h"
#include "sc_process_group.h"
#include "sc_status.h"

namespace sc {
namespace {

struct Loaded {
    const sc_gloo_plugin* api = nullptr;
    std::string error;  // why api is null
};

const Loaded& plugin() {
    static Loaded loaded;
    static std::once_flag once;
    std::call_once(once, [] {
        // Built and shipped beside the engine's library.
        const std::string file = platform::library_file("seqclassify_gloo");
        const std::string path = platform::library_folder() + "/" + file;
        std::string why;
        void* handle = platform::load_library(path, &why);
        if (!handle) {
            loaded.error = why.find("libgloo") != std::string::npos
                               ? "distributed training needs Gloo's library, which is not installed (" + why +
                                     "); on Debian or Ubuntu: apt-get install libgloo0"
                               : "distributed training is not available: " + file + " could not be loaded (" + why +
                                     "); the engine is built with it where Gloo's headers are installed (Debian: libgloo-dev)";
            return;
        }
        using Get = const sc_gloo_plugin* (*)();
        auto get = reinterpret_cast<Get>(platform::find_symbol(handle, "sc_gloo_plugin_get"));
        const sc_gloo_plugin* api = get ? get() : nullptr;
        if (!api || api->version != SC_GLOO_PLUGIN_VERSION) {
            loaded.error = path + " is not this engine's Gloo plugin (another build's?)";
            return;
        }
        loaded.api = api;  // never unloaded: groups may live until the process exits
    });
    return loaded;
}

// The plugin's failure as the exception its status stands for.
[[noreturn]] void fail(sc_status status, const sc_gloo_plugin& api) {
    const std::string message = api.last_error();
    switch (status) {
        case SC_INVALID_ARGUMENT: throw InvalidArgument(message);
        case SC_INVALID_STATE: throw InvalidState(message);
        case SC_DISTRIBUTED_ERROR: throw PeerFailure(message);
        case SC_OUT_OF_MEMORY: throw std::bad_alloc();
        default: throw std::runtime_error(message);
    }
}

void check(sc_status status, const sc_gloo_plugin& api) {
    if (status != SC_OK) fail(status, api);
}

class PluginPending final : public PendingCollective {
public:
    PluginPending(const sc_gloo_plugin& api, sc_gloo_pending* pending) : api_(api), pending_(pending) {}
    ~PluginPending() override {
        // Never waited for (an exception on the way): the collective must still finish before its
        // buffer goes, so wait here and drop any failure (the caller is failing already).
        if (pending_) api_.wait(pending_);
    }
    void wait() override {
        auto* pending = pending_;
        pending_ = nullptr;
        check(api_.wait(pending), api_);
    }

private:
    const sc_gloo_plugin& api_;
    sc_gloo_pending* pending_;
};

class PluginProcessGroup final : public ProcessGroup {
public:
    PluginProcessGroup(const sc_gloo_plugin& api, const sc_process_group_config& config)
        : api_(api), rank_(config.rank), world_size_(config.world_size) {
        check(api_.create(&config, &group_), api_);
    }
    ~PluginProcessGroup() override { api_.dispose(group_); }

    int rank() const override { return rank_; }
    int world_size() const override { return world_size_; }
    void all_reduce(void* values, int64_t count, ReduceType type, ReduceOp op) override { start_all_reduce(values, count, type, op)->wait(); }
    std::unique_ptr<PendingCollective> start_all_reduce(void* values, int64_t count, ReduceType type, ReduceOp op) override {
        sc_gloo_pending* pending = nullptr;
        check(api_.start_all_reduce(group_, values, count, static_cast<int32_t>(type), static_cast<int32_t>(op), &pending), api_);
        return std::make_unique<PluginPending>(api_, pending);
    }
    void broadcast(float* values, int64_t count) override { check(api_.broadcast(group_, values, count), api_); }
    void barrier() override { check(api_.barrier(group_), api_); }
    CollectiveStatistics statistics() const override {
        CollectiveStatistics s;
        api_.statistics(group_, &s.seconds, &s.collectives, &s.bytes);
        return s;
    }

private:
    const sc_gloo_plugin& api_;
    sc_gloo_group* group_ = nullptr;
    int rank_, world_size_;
};

}  // namespace

std::shared_ptr<ProcessGroup> make_process_group(const sc_process_group_config& config) {
    const auto& loaded = plugin();
    if (!loaded.api) throw InvalidState(loaded.error);
    return std::make_shared<PluginProcessGroup>(*loaded.api, config);
}

}  // namespace sc

extern "C" int32_t sc_process_group_available(void) { return sc::plugin().api ? 1 : 0; }
