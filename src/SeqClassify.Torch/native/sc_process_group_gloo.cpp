// sc::ProcessGroup on c10d's ProcessGroupGloo, rendezvous through a TCPStore. Compiled when Gloo's
// headers are found (CMakeLists.txt); sc_process_group_none.cpp otherwise.
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <string>

#include "sc_distributed.h"
#include "sc_status.h"

namespace sc {
namespace {

class GlooProcessGroup final : public ProcessGroup {
public:
    explicit GlooProcessGroup(const sc_process_group_config& c) : rank_(c.rank), world_size_(c.world_size) {
        const auto timeout = std::chrono::milliseconds(c.timeout_ms);
        c10d::TCPStoreOptions store_options;
        store_options.port = static_cast<uint16_t>(c.master_port);
        store_options.isServer = c.rank == 0;
        store_options.numWorkers = c.world_size;
        store_options.waitWorkers = false;
        store_options.timeout = timeout;
        auto store = c10::make_intrusive<c10d::TCPStore>(c.master_address, store_options);
        auto options = c10d::ProcessGroupGloo::Options::create(timeout);
        const std::string master = c.master_address;
        // Loopback rendezvous: loopback transport too (a host name may resolve to an address other
        // ranks cannot reach); otherwise the interface this host's name resolves to, as PyTorch does.
        options->devices.push_back(master == "localhost" || master.rfind("127.", 0) == 0
                                       ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                       : c10d::ProcessGroupGloo::createDefaultDevice());
        group_ = c10::make_intrusive<c10d::ProcessGroupGloo>(store, c.rank, c.world_size, options);
    }

    int rank() const override { return rank_; }
    int world_size() const override { return world_size_; }

    void average(std::vector<torch::Tensor>& tensors) override {
        if (tensors.empty()) return;
        // One flat buffer, one all-reduce: a collective per parameter would pay the latency each time.
        std::vector<torch::Tensor> flat{torch::cat(flatten(tensors))};
        group_->allreduce(flat)->wait();
        flat[0].div_(world_size_);
        unflatten(flat[0], tensors);
    }

    void broadcast(std::vector<torch::Tensor>& tensors) override {
        if (tensors.empty()) return;
        std::vector<torch::Tensor> flat{torch::cat(flatten(tensors))};
        group_->broadcast(flat)->wait();
        unflatten(flat[0], tensors);
    }

    std::pair<double, double> min_max(double value) override {
        std::vector<torch::Tensor> low{torch::full({1}, value, torch::kFloat64)}, high{torch::full({1}, value, torch::kFloat64)};
        group_->allreduce(low, c10d::AllreduceOptions{c10d::ReduceOp::MIN})->wait();
        group_->allreduce(high, c10d::AllreduceOptions{c10d::ReduceOp::MAX})->wait();
        return {low[0].item<double>(), high[0].item<double>()};
    }

private:
    static std::vector<torch::Tensor> flatten(const std::vector<torch::Tensor>& tensors) {
        std::vector<torch::Tensor> flat;
        for (const auto& t : tensors) flat.push_back(t.reshape(-1));
        return flat;
    }

    static void unflatten(const torch::Tensor& flat, std::vector<torch::Tensor>& tensors) {
        int64_t offset = 0;
        torch::NoGradGuard no_grad;
        for (auto& t : tensors) {
            t.copy_(flat.narrow(0, offset, t.numel()).view_as(t));
            offset += t.numel();
        }
    }

    int rank_, world_size_;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group_;
};

}  // namespace

std::shared_ptr<ProcessGroup> make_process_group(const sc_process_group_config& config) {
    return std::make_shared<GlooProcessGroup>(config);
}

}  // namespace sc

extern "C" int32_t sc_process_group_available(void) { return 1; }
