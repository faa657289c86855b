// The kernel set for CPUs with only the x86-64 baseline (SSE2), or another architecture: 4 floats per vector. Compile flags: CMakeLists.txt.
#include <cstdint>

#include "sc_cpu_kernels.h"
#include "sc_cell.h"

#define SC_KERNEL_NAME "baseline"
#define SC_VECTOR_FLOATS 4
#define SC_TILE_ROWS 4

namespace sc::cpu::baseline {
#include "sc_cpu_kernels.inc"
}  // namespace sc::cpu::baseline
