// The recurrent cells the kernels step and the models build, as the engine's own names for the values
// the C ABI passes (abi/sc_model_config.cpp checks each against sc_cell at compile time), so that
// neither layer includes the ABI's header.
#pragma once
#include <cstdint>

namespace sc {

enum Cell : int32_t { kCellRnn = 0, kCellRnnRelu = 1, kCellGru = 2, kCellLstm = 3 };

// Gates per hidden unit: a cell's weights have gates x hidden rows.
inline int64_t cell_gates(int32_t cell) { return cell == kCellGru ? 3 : cell == kCellLstm ? 4 : 1; }

}  // namespace sc
