#include "sc_cpu_kernels.h"

#include <atomic>
#include <cstring>

#include "sc_platform.h"

namespace sc::cpu {
namespace {

std::vector<const KernelSet*> detect() {
    std::vector<const KernelSet*> sets;
#if defined(SC_HAVE_X86_KERNELS)
    if (platform::cpu_supports("avx512f")) sets.push_back(&avx512::kKernelSet);
    if (platform::cpu_supports("avx2") && platform::cpu_supports("fma")) sets.push_back(&avx2::kKernelSet);
#endif
    sets.push_back(&baseline::kKernelSet);
    return sets;
}

std::atomic<const KernelSet*>& selected() {
    static std::atomic<const KernelSet*> set{available_kernels().front()};
    return set;
}

}  // namespace

const std::vector<const KernelSet*>& available_kernels() {
    static const std::vector<const KernelSet*> sets = detect();
    return sets;
}

const KernelSet& kernels() { return *selected().load(std::memory_order_relaxed); }

bool select_kernels(const char* name) {
    for (const KernelSet* set : available_kernels()) {
        if (std::strcmp(set->name, name) == 0) {
            selected().store(set);
            return true;
        }
    }
    return false;
}

}  // namespace sc::cpu
