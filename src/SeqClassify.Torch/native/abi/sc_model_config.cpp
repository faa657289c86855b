// sc_model_config's layout table and the enums' value table, made from the one lists in sc_model.h, and the check that
// the struct has no padding between its fields (an inserted field then moves every later offset, which the managed
// side's check by name sees).
#include <cstddef>
#include <iterator>
#include <string>
#include <type_traits>

#include "sc_cell.h"
#include "sc_model.h"
#include "sc_status.h"

namespace {

struct FieldInfo {
    const char* name;
    int64_t offset;
    int64_t size;
    int32_t kind;
};

template <class T>
constexpr int32_t kind_of() {
    if constexpr (std::is_pointer_v<T>) return SC_FIELD_POINTER;
    else if constexpr (std::is_floating_point_v<T>) return SC_FIELD_FLOAT;
    else if constexpr (std::is_unsigned_v<T>) return SC_FIELD_UINT;
    else return SC_FIELD_INT;
}

#define SC_FIELD_INFO(type, name) \
    FieldInfo{#name, static_cast<int64_t>(offsetof(sc_model_config, name)), static_cast<int64_t>(sizeof(type)), kind_of<type>()},
constexpr FieldInfo kFields[] = {SC_MODEL_CONFIG_FIELDS(SC_FIELD_INFO)};
#undef SC_FIELD_INFO

// Each field starts where the one before it ends. (Padding after the last field is harmless: the
// managed side allocates struct_size bytes and writes fields only at their offsets.)
constexpr bool packed_in_order() {
    for (size_t i = 1; i < std::size(kFields); ++i) {
        if (kFields[i].offset != kFields[i - 1].offset + kFields[i - 1].size) return false;
    }
    return true;
}
static_assert(packed_in_order(), "sc_model_config has padding between fields: keep 8-byte fields before 4-byte ones");

struct EnumValue {
    const char* enumeration;
    const char* name;
    int32_t value;
};

// Each list in turn, with kEnum naming the enum its rows belong to.
#define SC_ENUM_ROW(name, value) EnumValue{kEnum, #name, value},
constexpr EnumValue kEnumValues[] = {
#define kEnum "sc_encoder"
    SC_ENCODER_VALUES(SC_ENUM_ROW)
#undef kEnum
#define kEnum "sc_cell"
    SC_CELL_VALUES(SC_ENUM_ROW)
#undef kEnum
#define kEnum "sc_positional"
    SC_POSITIONAL_VALUES(SC_ENUM_ROW)
#undef kEnum
#define kEnum "sc_activation"
    SC_ACTIVATION_VALUES(SC_ENUM_ROW)
#undef kEnum
#define kEnum "sc_pooling"
    SC_POOLING_VALUES(SC_ENUM_ROW)
#undef kEnum
#define kEnum "sc_task"
    SC_TASK_VALUES(SC_ENUM_ROW)
#undef kEnum
#define kEnum "sc_window_pooling"
    SC_WINDOW_POOLING_VALUES(SC_ENUM_ROW)
#undef kEnum
#define kEnum "sc_output"
    SC_OUTPUT_VALUES(SC_ENUM_ROW)
#undef kEnum
};
#undef SC_ENUM_ROW

// The engine's own names for the cells (kernels/sc_cell.h) are the ABI's values.
constexpr bool same(sc::Cell engine, sc_cell abi) { return static_cast<int32_t>(engine) == static_cast<int32_t>(abi); }
static_assert(same(sc::kCellRnn, SC_CELL_RNN) && same(sc::kCellRnnRelu, SC_CELL_RNN_RELU) && same(sc::kCellGru, SC_CELL_GRU) && same(sc::kCellLstm, SC_CELL_LSTM),
              "kernels/sc_cell.h and sc_cell in sc_model.h name the cells alike");

}  // namespace

extern "C" int32_t sc_model_enum_value_count(void) { return static_cast<int32_t>(std::size(kEnumValues)); }

extern "C" sc_status sc_model_enum_value(int32_t index, const char** out_enum, const char** out_name, int32_t* out_value) {
    return sc::guard([&] {
        if (!out_enum || !out_name || !out_value) throw sc::InvalidArgument("an output pointer is null");
        if (index < 0 || index >= sc_model_enum_value_count()) throw sc::InvalidArgument("the enums have no value " + std::to_string(index));
        *out_enum = kEnumValues[index].enumeration;
        *out_name = kEnumValues[index].name;
        *out_value = kEnumValues[index].value;
    });
}

extern "C" int32_t sc_model_config_field_count(void) { return static_cast<int32_t>(std::size(kFields)); }

extern "C" sc_status sc_model_config_field(int32_t index, const char** out_name, int64_t* out_offset, int64_t* out_size,
                                           int32_t* out_kind) {
    return sc::guard([&] {
        if (!out_name || !out_offset || !out_size || !out_kind) throw sc::InvalidArgument("an output pointer is null");
        if (index < 0 || index >= sc_model_config_field_count()) {
            throw sc::InvalidArgument("sc_model_config has no field " + std::to_string(index));
        }
        const FieldInfo& field = kFields[index];
        *out_name = field.name;
        *out_offset = field.offset;
        *out_size = field.size;
        *out_kind = field.kind;
    });
}
