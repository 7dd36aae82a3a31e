// GGUF v2/v3 reader over a memory map. Every count, length, size and offset is checked
// against the file before use; a corrupt or truncated file throws flash::Error naming the
// field and byte offset. Tensor data is not copied: views point into the mapping.
// Depends on core/ only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dtype.h"
#include "core/mapped_file.h"

namespace flash {

enum class GgufType : uint32_t {
    U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, BOOL = 7,
    STRING = 8, ARRAY = 9, U64 = 10, I64 = 11, F64 = 12,
};
std::string_view gguf_type_name(GgufType t);
// Bytes of one scalar of type t (0 for STRING and ARRAY).
size_t gguf_scalar_size(GgufType t);

// One metadata value. Scalars are decoded; arrays keep a pointer to their raw little-endian
// elements in the mapping (strings are split into views up front).
struct GgufValue {
    GgufType type = GgufType::U8;
    // Scalar payload (the one matching `type` is meaningful).
    uint64_t u = 0;
    int64_t i = 0;
    double f = 0;
    bool b = false;
    std::string_view str;
    // Array payload.
    GgufType elem_type = GgufType::U8;
    uint64_t count = 0;
    const uint8_t* elems = nullptr;          // numeric / bool arrays
    std::vector<std::string_view> strings;   // string arrays

    bool is_integer() const;
    bool is_float() const { return type == GgufType::F32 || type == GgufType::F64; }
    std::string to_string(size_t max_array_items = 8) const;  // for `flash info`
};

struct GgufTensor {
    std::string name;
    DType type = DType::F32;
    std::vector<int64_t> dims;  // dims[0] is the row length (ggml's ne[0])
    int64_t n_elements = 0;
    uint64_t offset = 0;        // relative to the data section
    size_t n_bytes = 0;
    const uint8_t* data = nullptr;

    int64_t rows() const { return dims.empty() ? 1 : n_elements / dims[0]; }
    std::string shape_string() const;
};

class GgufFile {
public:
    explicit GgufFile(const std::string& path);  // maps and validates; throws flash::Error

    const std::string& path() const { return file_.path(); }
    uint32_t version() const { return version_; }
    uint64_t alignment() const { return alignment_; }
    size_t file_size() const { return file_.size(); }
    uint64_t data_offset() const { return data_offset_; }

    // Metadata in file order, and lookup.
    const std::vector<std::pair<std::string, GgufValue>>& metadata() const { return kv_; }
    const GgufValue* find(std::string_view key) const;

    std::optional<int64_t> get_int(std::string_view key) const;
    std::optional<double> get_float(std::string_view key) const;
    std::optional<bool> get_bool(std::string_view key) const;
    std::optional<std::string_view> get_string(std::string_view key) const;
    // Throwing forms: "FILE: metadata key 'K' missing" / "has type T, expected ...".
    int64_t require_int(std::string_view key) const;
    double require_float(std::string_view key) const;
    std::string_view require_string(std::string_view key) const;

    // Array accessors; nullopt when absent, Error when present with the wrong type.
    std::optional<std::vector<int64_t>> get_int_array(std::string_view key) const;
    std::optional<std::vector<float>> get_float_array(std::string_view key) const;
    const std::vector<std::string_view>* get_string_array(std::string_view key) const;

    const std::vector<GgufTensor>& tensors() const { return tensors_; }
    const GgufTensor* find_tensor(std::string_view name) const;
    const GgufTensor& require_tensor(std::string_view name) const;

private:
    MappedFile file_;
    uint32_t version_ = 0;
    uint64_t alignment_ = 32;
    uint64_t data_offset_ = 0;
    std::vector<std::pair<std::string, GgufValue>> kv_;
    std::map<std::string, size_t, std::less<>> kv_index_;
    std::vector<GgufTensor> tensors_;
    std::map<std::string, size_t, std::less<>> tensor_index_;

    const GgufValue& require(std::string_view key) const;
    [[noreturn]] void fail_type(std::string_view key, const GgufValue& v, std::string_view want) const;
};

}  // namespace flash
