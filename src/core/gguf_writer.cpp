#include "core/gguf_writer.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "core/error.h"

namespace flash {
namespace {

class Out {
  public:
    explicit Out(const std::string& path)
        : path_(path), f_(path, std::ios::binary | std::ios::trunc) {
        if (!f_) throw Error(path + ": cannot open for writing");
    }
    template <typename T>
    void put(T v) {
        bytes(&v, sizeof v);
    }
    void bytes(const void* p, size_t n) {
        f_.write(static_cast<const char*>(p), static_cast<std::streamsize>(n));
        if (!f_) throw Error(path_ + ": write failed (disk full?)");
        at_ += n;
    }
    void str(std::string_view s) {
        put<uint64_t>(s.size());
        bytes(s.data(), s.size());
    }
    void pad(uint64_t alignment) {
        static const char zeros[256] = {};
        while (at_ % alignment) bytes(zeros, std::min<uint64_t>(alignment - at_ % alignment, 256));
    }
    void close() {
        f_.close();
        if (!f_) throw Error(path_ + ": write failed on close");
    }

  private:
    std::string path_;
    std::ofstream f_;
    uint64_t at_ = 0;
};

void put_scalar(Out& o, GgufType t, const GgufValue& v) {
    switch (t) {
        case GgufType::U8:
            o.put<uint8_t>(static_cast<uint8_t>(v.u));
            break;
        case GgufType::I8:
            o.put<int8_t>(static_cast<int8_t>(v.i));
            break;
        case GgufType::U16:
            o.put<uint16_t>(static_cast<uint16_t>(v.u));
            break;
        case GgufType::I16:
            o.put<int16_t>(static_cast<int16_t>(v.i));
            break;
        case GgufType::U32:
            o.put<uint32_t>(static_cast<uint32_t>(v.u));
            break;
        case GgufType::I32:
            o.put<int32_t>(static_cast<int32_t>(v.i));
            break;
        case GgufType::U64:
            o.put<uint64_t>(v.u);
            break;
        case GgufType::I64:
            o.put<int64_t>(v.i);
            break;
        case GgufType::F32:
            o.put<float>(static_cast<float>(v.f));
            break;
        case GgufType::F64:
            o.put<double>(v.f);
            break;
        case GgufType::BOOL:
            o.put<uint8_t>(v.b ? 1 : 0);
            break;
        case GgufType::STRING:
            o.str(v.str);
            break;
        case GgufType::ARRAY:
            throw Error("GGUF: nested arrays are not supported");
    }
}

void put_value(Out& o, const GgufValue& v) {
    o.put<uint32_t>(static_cast<uint32_t>(v.type));
    if (v.type != GgufType::ARRAY) return put_scalar(o, v.type, v);
    o.put<uint32_t>(static_cast<uint32_t>(v.elem_type));
    o.put<uint64_t>(v.count);
    if (v.elem_type == GgufType::STRING) {
        for (const std::string_view s : v.strings) o.str(s);
    } else {
        o.bytes(v.elems, v.count * gguf_scalar_size(v.elem_type));  // little-endian as read
    }
}

}  // namespace

void GgufWriter::set(const std::string& key, const GgufValue& value) {
    for (auto& [k, v] : kv_)
        if (k == key) {
            v = value;
            return;
        }
    kv_.emplace_back(key, value);
}

void GgufWriter::set_u32(const std::string& key, uint32_t value) {
    GgufValue v;
    v.type = GgufType::U32;
    v.u = value;
    set(key, v);
}

void GgufWriter::set_string(const std::string& key, const std::string& value) {
    owned_strings_.push_back(value);
    GgufValue v;
    v.type = GgufType::STRING;
    v.str = owned_strings_.back();
    set(key, v);
}

void GgufWriter::set_f32(const std::string& key, float value) {
    GgufValue v;
    v.type = GgufType::F32;
    v.f = value;
    set(key, v);
}

void GgufWriter::set_bool(const std::string& key, bool value) {
    GgufValue v;
    v.type = GgufType::BOOL;
    v.b = value;
    set(key, v);
}

void GgufWriter::set_array(const std::string& key, GgufType elem_type, std::vector<uint8_t> bytes,
                           uint64_t count) {
    if (gguf_scalar_size(elem_type) == 0 || bytes.size() != count * gguf_scalar_size(elem_type))
        throw Error("GGUF key " + key + ": array bytes do not match " + std::to_string(count) +
                    " values of " + std::string(gguf_type_name(elem_type)));
    owned_arrays_.push_back(std::move(bytes));
    GgufValue v;
    v.type = GgufType::ARRAY;
    v.elem_type = elem_type;
    v.count = count;
    v.elems = owned_arrays_.back().data();
    set(key, v);
}

void GgufWriter::set_string_array(const std::string& key, const std::vector<std::string>& values) {
    GgufValue v;
    v.type = GgufType::ARRAY;
    v.elem_type = GgufType::STRING;
    v.count = values.size();
    for (const std::string& s : values) {
        owned_strings_.push_back(s);
        v.strings.push_back(owned_strings_.back());
    }
    set(key, v);
}

void GgufWriter::add_tensor(const std::string& name, DType type, const std::vector<int64_t>& dims,
                            Producer produce) {
    int64_t rows = 1;
    for (size_t i = 1; i < dims.size(); ++i) rows *= dims[i];
    const uint64_t bytes =
        row_bytes(type, dims.empty() ? 1 : dims[0]) * static_cast<uint64_t>(rows);
    tensors_.push_back({name, type, dims, std::move(produce), bytes});
}

void GgufWriter::write(
    const std::string& path,
    const std::function<void(size_t, size_t, const std::string&)>& progress) const {
    const std::string part = path + ".part";
    try {
        Out o(part);
        o.bytes("GGUF", 4);
        o.put<uint32_t>(3);
        o.put<uint64_t>(tensors_.size());
        o.put<uint64_t>(kv_.size());
        for (const auto& [key, value] : kv_) {
            o.str(key);
            put_value(o, value);
        }
        uint64_t offset = 0;
        for (const Tensor& t : tensors_) {
            o.str(t.name);
            o.put<uint32_t>(static_cast<uint32_t>(t.dims.size()));
            for (const int64_t d : t.dims) o.put<uint64_t>(static_cast<uint64_t>(d));
            o.put<uint32_t>(static_cast<uint32_t>(t.type));
            o.put<uint64_t>(offset);
            offset += (t.bytes + alignment_ - 1) / alignment_ * alignment_;
        }
        o.pad(alignment_);
        std::vector<uint8_t> data;
        for (size_t i = 0; i < tensors_.size(); ++i) {
            const Tensor& t = tensors_[i];
            if (progress) progress(i, tensors_.size(), t.name);
            data.clear();
            t.produce(data);
            if (data.size() != t.bytes)
                throw Error("tensor " + t.name + ": produced " + std::to_string(data.size()) +
                            " bytes, expected " + std::to_string(t.bytes));
            o.bytes(data.data(), data.size());
            o.pad(alignment_);
        }
        o.close();
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove(part, ignored);  // nothing half-written is left behind
        throw;
    }
    std::error_code ec;
    std::filesystem::rename(part, path, ec);
    if (ec) throw Error(path + ": cannot move the finished file into place: " + ec.message());
}

}  // namespace flash
