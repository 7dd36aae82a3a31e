#include "model/weight_ref.h"

#include "core/error.h"

namespace flash {
namespace {

std::string shape(int64_t cols, int64_t rows) {
    return rows == 1 ? "[" + std::to_string(cols) + "]" : "[" + std::to_string(cols) + ", " + std::to_string(rows) + "]";
}

bool can_be_weight(DType t) {
    switch (t) {
        case DType::F64: case DType::I8: case DType::I16: case DType::I32: case DType::I64: case DType::Q8_1:
        case DType::Q8_K:
            return false;
        default:
            return true;
    }
}

}  // namespace

WeightRef WeightBinder::bind(const std::string& name, int64_t cols, int64_t rows, bool must_be_f32) {
    const GgufTensor* t = gguf_.find_tensor(name);
    if (!t) throw Error(gguf_.path() + ": tensor '" + name + "' is missing");
    return check(*t, cols, rows, must_be_f32);
}

WeightRef WeightBinder::bind_optional(const std::string& name, int64_t cols, int64_t rows, bool must_be_f32) {
    const GgufTensor* t = gguf_.find_tensor(name);
    return t ? check(*t, cols, rows, must_be_f32) : WeightRef{};
}

WeightRef WeightBinder::check(const GgufTensor& t, int64_t cols, int64_t rows, bool must_be_f32) {
    const bool is_vector = rows == 1;
    const bool ok = t.dims[0] == cols && t.rows() == rows && (is_vector ? t.dims.size() == 1 : t.dims.size() == 2);
    if (!ok)
        throw Error(gguf_.path() + ": tensor '" + t.name + "' has shape " + t.shape_string() + ", expected " +
                    shape(cols, rows));
    const std::string type(dtype_name(t.type));
    if (must_be_f32 && t.type != DType::F32)
        throw Error(gguf_.path() + ": tensor '" + t.name + "' has type " + type + ", expected F32");
    if (!can_be_weight(t.type))
        throw Error(gguf_.path() + ": tensor '" + t.name + "' has type " + type + ", which cannot be a weight");
    bytes_ += t.n_bytes;
    return WeightRef{t.type, t.data, rows, cols};
}

}  // namespace flash
