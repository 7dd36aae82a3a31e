#include "core/dtype.h"

#include <array>

#include "core/error.h"

namespace flash {
namespace {

struct Entry {
    DType type;
    DTypeInfo info;
};

constexpr std::array kTypes = {
    Entry{DType::F32, {"F32", 1, 4}},
    Entry{DType::F16, {"F16", 1, 2}},
    Entry{DType::BF16, {"BF16", 1, 2}},
    Entry{DType::F64, {"F64", 1, 8}},
    Entry{DType::I8, {"I8", 1, 1}},
    Entry{DType::I16, {"I16", 1, 2}},
    Entry{DType::I32, {"I32", 1, 4}},
    Entry{DType::I64, {"I64", 1, 8}},
    Entry{DType::Q4_0, {"Q4_0", QK4_0, sizeof(BlockQ4_0)}},
    Entry{DType::Q4_1, {"Q4_1", QK4_1, sizeof(BlockQ4_1)}},
    Entry{DType::Q5_0, {"Q5_0", QK5_0, sizeof(BlockQ5_0)}},
    Entry{DType::Q5_1, {"Q5_1", QK5_1, sizeof(BlockQ5_1)}},
    Entry{DType::Q8_0, {"Q8_0", QK8_0, sizeof(BlockQ8_0)}},
    Entry{DType::Q8_1, {"Q8_1", QK8_1, sizeof(BlockQ8_1)}},
    Entry{DType::Q2_K, {"Q2_K", QK_K, sizeof(BlockQ2_K)}},
    Entry{DType::Q3_K, {"Q3_K", QK_K, sizeof(BlockQ3_K)}},
    Entry{DType::Q4_K, {"Q4_K", QK_K, sizeof(BlockQ4_K)}},
    Entry{DType::Q5_K, {"Q5_K", QK_K, sizeof(BlockQ5_K)}},
    Entry{DType::Q6_K, {"Q6_K", QK_K, sizeof(BlockQ6_K)}},
    Entry{DType::Q8_K, {"Q8_K", QK_K, sizeof(BlockQ8_K)}},
};

}  // namespace

std::optional<DTypeInfo> dtype_info(uint32_t raw_type) {
    for (const Entry& e : kTypes)
        if (static_cast<uint32_t>(e.type) == raw_type) return e.info;
    return std::nullopt;
}

const DTypeInfo& dtype_info(DType t) {
    for (const Entry& e : kTypes)
        if (e.type == t) return e.info;
    throw Error("internal: unknown dtype " + std::to_string(static_cast<uint32_t>(t)));
}

std::optional<DType> dtype_from_name(std::string_view name) {
    for (const Entry& e : kTypes)
        if (e.info.name == name) return e.type;
    return std::nullopt;
}

}  // namespace flash
