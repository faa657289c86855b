// The kernel set for CPUs with AVX-512 (F): 16 floats per vector. Compile flags: CMakeLists.txt.
#include <cstdint>

#include "sc_cpu_kernels.h"
#include "sc_cell.h"

#define SC_KERNEL_NAME "avx512"
#define SC_VECTOR_FLOATS 16
#define SC_TILE_ROWS 8

namespace sc::cpu::avx512 {
#include "sc_cpu_kernels.inc"
}  // namespace sc::cpu::avx512
