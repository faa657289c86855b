// The kernel set for CPUs with AVX2 and FMA: 8 floats per vector. Compile flags: CMakeLists.txt.
#include <cstdint>

#include "sc_cpu_kernels.h"
#include "sc_cell.h"

#define SC_KERNEL_NAME "avx2"
#define SC_VECTOR_FLOATS 8
#define SC_TILE_ROWS 6

namespace sc::cpu::avx2 {
#include "sc_cpu_kernels.inc"
}  // namespace sc::cpu::avx2
