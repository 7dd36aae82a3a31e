#include "core/gguf.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "core/error.h"

namespace flash {
namespace {

constexpr uint64_t kMaxTensors = 1u << 20;    // far above any real model (a 70B has ~700)
constexpr uint64_t kMaxKeys = 1u << 20;
constexpr uint32_t kMaxDims = 4;              // GGML_MAX_DIMS
constexpr uint64_t kMaxStringBytes = 1u << 30;


// Bounds-checked little-endian cursor; every read names the field it is reading.
class Cursor {
public:
    Cursor(const MappedFile& f) : f_(f) {}

    uint64_t pos() const { return pos_; }
    uint64_t remaining() const { return f_.size() - pos_; }

    [[noreturn]] void fail(const std::string& field, const std::string& why) const {
        throw Error(f_.path() + ": " + field + " at offset " + std::to_string(pos_) + ": " + why);
    }

    const uint8_t* take(uint64_t n, const std::string& field) {
        if (n > remaining())
            fail(field, "needs " + std::to_string(n) + " bytes but the file ends after " +
                            std::to_string(remaining()) + " (file size " + std::to_string(f_.size()) +
                            ", truncated?)");
        const uint8_t* p = f_.data() + pos_;
        pos_ += n;
        return p;
    }

    template <typename T>
    T read(const std::string& field) {
        T v;
        std::memcpy(&v, take(sizeof v, field), sizeof v);
        return v;
    }

    std::string_view read_string(const std::string& field) {
        const uint64_t len = read<uint64_t>(field + " length");
        if (len > kMaxStringBytes) fail(field, "absurd string length " + std::to_string(len));
        const uint8_t* p = take(len, field);
        return {reinterpret_cast<const char*>(p), static_cast<size_t>(len)};
    }

private:
    const MappedFile& f_;
    uint64_t pos_ = 0;
};

GgufType read_type(Cursor& c, const std::string& field) {
    const uint64_t at = c.pos();
    const uint32_t raw = c.read<uint32_t>(field);
    if (raw > static_cast<uint32_t>(GgufType::F64))
        throw Error("value type " + std::to_string(raw) + " of " + field + " at offset " +
                    std::to_string(at) + " is not a GGUF type");
    return static_cast<GgufType>(raw);
}

void read_scalar(Cursor& c, GgufValue& v, const std::string& field) {
    switch (v.type) {
        case GgufType::U8: v.u = c.read<uint8_t>(field); break;
        case GgufType::I8: v.i = c.read<int8_t>(field); break;
        case GgufType::U16: v.u = c.read<uint16_t>(field); break;
        case GgufType::I16: v.i = c.read<int16_t>(field); break;
        case GgufType::U32: v.u = c.read<uint32_t>(field); break;
        case GgufType::I32: v.i = c.read<int32_t>(field); break;
        case GgufType::U64: v.u = c.read<uint64_t>(field); break;
        case GgufType::I64: v.i = c.read<int64_t>(field); break;
        case GgufType::F32: v.f = c.read<float>(field); break;
        case GgufType::F64: v.f = c.read<double>(field); break;
        case GgufType::BOOL: {
            const uint8_t b = c.read<uint8_t>(field);
            if (b > 1) c.fail(field, "bool value " + std::to_string(b) + " is neither 0 nor 1");
            v.b = b != 0;
            break;
        }
        case GgufType::STRING: v.str = c.read_string(field); break;
        case GgufType::ARRAY: break;  // handled by the caller
    }
}

GgufValue read_value(Cursor& c, const std::string& key) {
    GgufValue v;
    v.type = read_type(c, "type of key '" + key + "'");
    if (v.type != GgufType::ARRAY) {
        read_scalar(c, v, "value of key '" + key + "'");
        return v;
    }
    v.elem_type = read_type(c, "element type of array '" + key + "'");
    v.count = c.read<uint64_t>("element count of array '" + key + "'");
    const std::string field = "elements of array '" + key + "'";
    if (v.elem_type == GgufType::ARRAY) c.fail(field, "nested arrays are not supported");
    if (v.elem_type == GgufType::STRING) {
        // Each string needs at least its 8-byte length: reject absurd counts before reserving.
        if (v.count > c.remaining() / 8)
            c.fail(field, "count " + std::to_string(v.count) + " cannot fit in the " +
                              std::to_string(c.remaining()) + " bytes left");
        v.strings.reserve(v.count);
        for (uint64_t k = 0; k < v.count; ++k) v.strings.push_back(c.read_string(field));
    } else {
        const size_t es = gguf_scalar_size(v.elem_type);
        if (v.count > c.remaining() / es)
            c.fail(field, "count " + std::to_string(v.count) + " x " + std::to_string(es) +
                              " bytes exceeds the " + std::to_string(c.remaining()) + " bytes left");
        v.elems = c.take(v.count * es, field);
        if (v.elem_type == GgufType::BOOL)
            for (uint64_t k = 0; k < v.count; ++k)
                if (v.elems[k] > 1) c.fail(field, "bool element " + std::to_string(k) + " is not 0/1");
    }
    return v;
}

template <typename T>
T load_le(const uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// Numeric array element k as int64 / double, whatever its stored type.
int64_t elem_int(const GgufValue& v, uint64_t k) {
    const uint8_t* p = v.elems + k * gguf_scalar_size(v.elem_type);
    switch (v.elem_type) {
        case GgufType::U8: case GgufType::BOOL: return load_le<uint8_t>(p);
        case GgufType::I8: return load_le<int8_t>(p);
        case GgufType::U16: return load_le<uint16_t>(p);
        case GgufType::I16: return load_le<int16_t>(p);
        case GgufType::U32: return load_le<uint32_t>(p);
        case GgufType::I32: return load_le<int32_t>(p);
        case GgufType::U64: return static_cast<int64_t>(load_le<uint64_t>(p));
        case GgufType::I64: return load_le<int64_t>(p);
        default: return 0;
    }
}

double elem_float(const GgufValue& v, uint64_t k) {
    const uint8_t* p = v.elems + k * gguf_scalar_size(v.elem_type);
    if (v.elem_type == GgufType::F32) return load_le<float>(p);
    if (v.elem_type == GgufType::F64) return load_le<double>(p);
    return static_cast<double>(elem_int(v, k));
}

bool is_integer_type(GgufType t) {
    switch (t) {
        case GgufType::U8: case GgufType::I8: case GgufType::U16: case GgufType::I16:
        case GgufType::U32: case GgufType::I32: case GgufType::U64: case GgufType::I64:
            return true;
        default: return false;
    }
}

}  // namespace

size_t gguf_scalar_size(GgufType t) {
    switch (t) {
        case GgufType::U8: case GgufType::I8: case GgufType::BOOL: return 1;
        case GgufType::U16: case GgufType::I16: return 2;
        case GgufType::U32: case GgufType::I32: case GgufType::F32: return 4;
        case GgufType::U64: case GgufType::I64: case GgufType::F64: return 8;
        default: return 0;
    }
}

std::string_view gguf_type_name(GgufType t) {
    static constexpr std::string_view names[] = {"u8",  "i8",     "u16",   "i16", "u32",
                                                 "i32", "f32",    "bool",  "string",
                                                 "array", "u64",  "i64",   "f64"};
    const auto i = static_cast<uint32_t>(t);
    return i < std::size(names) ? names[i] : "?";
}

bool GgufValue::is_integer() const { return is_integer_type(type); }

std::string GgufValue::to_string(size_t max_array_items) const {
    auto scalar = [&](const GgufValue& s) -> std::string {
        switch (s.type) {
            case GgufType::U8: case GgufType::U16: case GgufType::U32: case GgufType::U64:
                return std::to_string(s.u);
            case GgufType::I8: case GgufType::I16: case GgufType::I32: case GgufType::I64:
                return std::to_string(s.i);
            case GgufType::F32: case GgufType::F64: {
                char buf[32];
                std::snprintf(buf, sizeof buf, "%g", s.f);
                return buf;
            }
            case GgufType::BOOL: return s.b ? "true" : "false";
            case GgufType::STRING: {
                std::string out = "\"";
                for (char ch : s.str.substr(0, 120)) out += ch == '\n' ? std::string("\\n") : std::string(1, ch);
                if (s.str.size() > 120) out += "...";
                return out + "\"";
            }
            default: return "?";
        }
    };
    if (type != GgufType::ARRAY) return scalar(*this);
    std::string out = "[";
    out += gguf_type_name(elem_type);
    out += " x " + std::to_string(count) + "]";
    const uint64_t n = std::min<uint64_t>(count, max_array_items);
    if (n == 0) return out;
    out += " ";
    for (uint64_t k = 0; k < n; ++k) {
        GgufValue e;
        e.type = elem_type;
        if (elem_type == GgufType::STRING) {
            e.str = strings[k];
        } else if (is_integer_type(elem_type)) {
            e.type = GgufType::I64;
            e.i = elem_int(*this, k);
        } else if (elem_type == GgufType::BOOL) {
            e.b = elems[k] != 0;
        } else {
            e.f = elem_float(*this, k);
        }
        out += (k ? ", " : "") + scalar(e);
    }
    if (count > n) out += ", ...";
    return out;
}

std::string GgufTensor::shape_string() const {
    std::string s = "[";
    for (size_t k = 0; k < dims.size(); ++k) s += (k ? ", " : "") + std::to_string(dims[k]);
    return s + "]";
}

GgufFile::GgufFile(const std::string& path) : file_(path) {
    Cursor c(file_);
    const uint32_t magic = c.read<uint32_t>("magic");
    if (magic != 0x46554747u)  // "GGUF" little endian
        throw Error(path + ": not a GGUF file (magic at offset 0 is not 'GGUF')");
    version_ = c.read<uint32_t>("version");
    if (version_ != 2 && version_ != 3)
        throw Error(path + ": GGUF version " + std::to_string(version_) +
                    " at offset 4 is not supported (flash reads v2 and v3)");
    const uint64_t n_tensors = c.read<uint64_t>("tensor count");
    const uint64_t n_kv = c.read<uint64_t>("metadata key count");
    if (n_tensors > kMaxTensors) throw Error(path + ": absurd tensor count " + std::to_string(n_tensors) + " at offset 8");
    if (n_kv > kMaxKeys) throw Error(path + ": absurd metadata key count " + std::to_string(n_kv) + " at offset 16");

    kv_.reserve(n_kv);
    for (uint64_t k = 0; k < n_kv; ++k) {
        std::string key(c.read_string("metadata key #" + std::to_string(k)));
        if (kv_index_.count(key)) c.fail("metadata key '" + key + "'", "duplicate key");
        GgufValue v = read_value(c, key);
        kv_index_.emplace(key, kv_.size());
        kv_.emplace_back(std::move(key), std::move(v));
    }

    if (const GgufValue* a = find("general.alignment")) {
        if (!a->is_integer() || a->type == GgufType::BOOL)
            throw Error(path + ": general.alignment has type " + std::string(gguf_type_name(a->type)));
        const uint64_t al = a->u ? a->u : static_cast<uint64_t>(a->i);
        if (al == 0 || (al & (al - 1)) != 0 || al > (1u << 20))
            throw Error(path + ": general.alignment " + std::to_string(al) + " is not a sane power of two");
        alignment_ = al;
    }

    tensors_.reserve(n_tensors);
    for (uint64_t k = 0; k < n_tensors; ++k) {
        GgufTensor t;
        t.name = std::string(c.read_string("tensor #" + std::to_string(k) + " name"));
        const std::string field = "tensor '" + t.name + "'";
        if (tensor_index_.count(t.name)) c.fail(field, "duplicate tensor name");
        const uint32_t n_dims = c.read<uint32_t>(field + " dimension count");
        if (n_dims == 0 || n_dims > kMaxDims) c.fail(field, "dimension count " + std::to_string(n_dims) + " not in 1..4");
        t.n_elements = 1;
        for (uint32_t d = 0; d < n_dims; ++d) {
            const uint64_t ne = c.read<uint64_t>(field + " dimension " + std::to_string(d));
            if (ne > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
                (ne != 0 && static_cast<uint64_t>(t.n_elements) >
                                static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / ne))
                c.fail(field, "absurd dimension " + std::to_string(ne) + " (element count overflows)");
            t.dims.push_back(static_cast<int64_t>(ne));
            t.n_elements *= static_cast<int64_t>(ne);
        }
        const uint64_t type_at = c.pos();
        const uint32_t raw_type = c.read<uint32_t>(field + " type");
        const auto info = dtype_info(raw_type);
        if (!info)
            throw Error(path + ": tensor '" + t.name + "' at offset " + std::to_string(type_at) +
                        " has unknown or unsupported type " + std::to_string(raw_type));
        t.type = static_cast<DType>(raw_type);
        if (t.dims[0] % info->block_elems != 0)
            c.fail(field, "row length " + std::to_string(t.dims[0]) + " is not a multiple of the " +
                              std::string(info->name) + " block size " + std::to_string(info->block_elems));
        const uint64_t n_blocks = static_cast<uint64_t>(t.n_elements / info->block_elems);
        if (n_blocks > std::numeric_limits<uint64_t>::max() / info->block_bytes)
            c.fail(field, "byte size overflows");
        t.n_bytes = n_blocks * info->block_bytes;
        t.offset = c.read<uint64_t>(field + " data offset");
        if (t.offset % alignment_ != 0)
            c.fail(field, "data offset " + std::to_string(t.offset) + " is not a multiple of the alignment " +
                              std::to_string(alignment_));
        tensor_index_.emplace(t.name, tensors_.size());
        tensors_.push_back(std::move(t));
    }

    // The data section starts at the next aligned offset after the header.
    data_offset_ = (c.pos() + alignment_ - 1) / alignment_ * alignment_;
    const uint64_t size = file_.size();
    if (n_tensors > 0 && data_offset_ > size)
        throw Error(path + ": data section at offset " + std::to_string(data_offset_) +
                    " starts past end of file (size " + std::to_string(size) + ")");
    const uint64_t data_size = data_offset_ <= size ? size - data_offset_ : 0;

    std::vector<const GgufTensor*> by_offset;
    for (GgufTensor& t : tensors_) {
        if (t.offset > data_size || t.n_bytes > data_size - t.offset)
            throw Error(path + ": tensor '" + t.name + "': data [" + std::to_string(data_offset_ + t.offset) +
                        ", " + std::to_string(data_offset_ + t.offset + t.n_bytes) + ") past end of file (size " +
                        std::to_string(size) + ")");
        t.data = file_.data() + data_offset_ + t.offset;
        by_offset.push_back(&t);
    }
    std::sort(by_offset.begin(), by_offset.end(),
              [](const GgufTensor* a, const GgufTensor* b) { return a->offset < b->offset; });
    for (size_t k = 1; k < by_offset.size(); ++k) {
        const GgufTensor& a = *by_offset[k - 1];
        const GgufTensor& b = *by_offset[k];
        if (a.offset + a.n_bytes > b.offset)
            throw Error(path + ": tensors '" + a.name + "' and '" + b.name + "' overlap in the data section");
    }
}

const GgufValue* GgufFile::find(std::string_view key) const {
    auto it = kv_index_.find(key);
    return it == kv_index_.end() ? nullptr : &kv_[it->second].second;
}

const GgufValue& GgufFile::require(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v) throw Error(path() + ": metadata key '" + std::string(key) + "' is missing");
    return *v;
}

void GgufFile::fail_type(std::string_view key, const GgufValue& v, std::string_view want) const {
    std::string got(gguf_type_name(v.type));
    if (v.type == GgufType::ARRAY) got += " of " + std::string(gguf_type_name(v.elem_type));
    throw Error(path() + ": metadata key '" + std::string(key) + "' has type " + got + ", expected " +
                std::string(want));
}

std::optional<int64_t> GgufFile::get_int(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    switch (v->type) {
        case GgufType::U8: case GgufType::U16: case GgufType::U32: case GgufType::U64:
            if (v->u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) fail_type(key, *v, "an int64 value");
            return static_cast<int64_t>(v->u);
        case GgufType::I8: case GgufType::I16: case GgufType::I32: case GgufType::I64: return v->i;
        default: fail_type(key, *v, "an integer");
    }
}

std::optional<double> GgufFile::get_float(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    if (v->is_float()) return v->f;
    if (v->is_integer()) return static_cast<double>(*get_int(key));
    fail_type(key, *v, "a number");
}

std::optional<bool> GgufFile::get_bool(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    if (v->type != GgufType::BOOL) fail_type(key, *v, "bool");
    return v->b;
}

std::optional<std::string_view> GgufFile::get_string(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    if (v->type != GgufType::STRING) fail_type(key, *v, "string");
    return v->str;
}

int64_t GgufFile::require_int(std::string_view key) const {
    require(key);
    return *get_int(key);
}

double GgufFile::require_float(std::string_view key) const {
    require(key);
    return *get_float(key);
}

std::string_view GgufFile::require_string(std::string_view key) const {
    require(key);
    return *get_string(key);
}

std::optional<std::vector<int64_t>> GgufFile::get_int_array(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    if (v->type != GgufType::ARRAY || !(is_integer_type(v->elem_type) || v->elem_type == GgufType::BOOL))
        fail_type(key, *v, "array of integers");
    std::vector<int64_t> out(v->count);
    for (uint64_t k = 0; k < v->count; ++k) out[k] = elem_int(*v, k);
    return out;
}

std::optional<std::vector<float>> GgufFile::get_float_array(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    if (v->type != GgufType::ARRAY || v->elem_type == GgufType::STRING) fail_type(key, *v, "array of numbers");
    std::vector<float> out(v->count);
    for (uint64_t k = 0; k < v->count; ++k) out[k] = static_cast<float>(elem_float(*v, k));
    return out;
}

const std::vector<std::string_view>* GgufFile::get_string_array(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v) return nullptr;
    if (v->type != GgufType::ARRAY || v->elem_type != GgufType::STRING) fail_type(key, *v, "array of strings");
    return &v->strings;
}

const GgufTensor* GgufFile::find_tensor(std::string_view name) const {
    auto it = tensor_index_.find(name);
    return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

const GgufTensor& GgufFile::require_tensor(std::string_view name) const {
    const GgufTensor* t = find_tensor(name);
    if (!t) throw Error(path() + ": tensor '" + std::string(name) + "' is missing");
    return *t;
}

}  // namespace flash
