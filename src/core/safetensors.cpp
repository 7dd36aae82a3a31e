#include "core/safetensors.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json_input.h"

namespace flash {
namespace {

using Json = nlohmann::ordered_json;

// The reference implementation refuses headers over 100 MB; so do we.
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

struct DTypeInfo {
    SafeDType type;
    const char* name;
    size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {SafeDType::F64, "F64", 8},   {SafeDType::F32, "F32", 4}, {SafeDType::F16, "F16", 2},
    {SafeDType::BF16, "BF16", 2}, {SafeDType::I64, "I64", 8}, {SafeDType::I32, "I32", 4},
    {SafeDType::I16, "I16", 2},   {SafeDType::I8, "I8", 1},   {SafeDType::U8, "U8", 1},
    {SafeDType::BOOL, "BOOL", 1},
};

const DTypeInfo& info(SafeDType type) {
    for (const DTypeInfo& d : kDTypes)
        if (d.type == type) return d;
    throw Error("safetensors: unknown dtype");
}

}  // namespace

size_t safe_dtype_size(SafeDType type) {
    return info(type).size;
}
const char* safe_dtype_name(SafeDType type) {
    return info(type).name;
}

int64_t SafeTensor::elements() const {
    int64_t n = 1;
    for (const int64_t d : shape) n *= d;
    return n;
}

SafetensorsFile::SafetensorsFile(const std::string& path) : file_(path) {
    auto fail = [&](const std::string& why) -> Error { return Error(path + ": " + why); };
    if (file_.size() < 8)
        throw fail("too short for a safetensors file (" + std::to_string(file_.size()) + " bytes)");
    uint64_t header_bytes = 0;
    for (int i = 7; i >= 0; --i) header_bytes = (header_bytes << 8) | file_.data()[i];
    if (header_bytes > kMaxHeaderBytes || header_bytes > file_.size() - 8)
        throw fail("header length " + std::to_string(header_bytes) +
                   " runs past the file or the 100 MB limit: not a safetensors file");
    const std::string_view text(reinterpret_cast<const char*>(file_.data()) + 8, header_bytes);
    Json header;
    try {
        header = parse_json<Json>(text, path + " header");
    } catch (const Error& e) {
        throw fail(std::string("header is not JSON: ") + e.what());
    }
    if (!header.is_object()) throw fail("header is not a JSON object");
    const uint64_t data_start = 8 + header_bytes;
    const uint64_t data_bytes = file_.size() - data_start;
    std::vector<std::pair<uint64_t, uint64_t>> ranges;
    for (const auto& [name, value] : header.items()) {
        if (name == "__metadata__") {
            if (!value.is_object()) throw fail("__metadata__ is not an object");
            for (const auto& [k, v] : value.items()) {
                if (!v.is_string()) throw fail("__metadata__." + k + " is not a string");
                metadata_[k] = v.get<std::string>();
            }
            continue;
        }
        const std::string where = "tensor '" + name + "': ";
        if (!value.is_object() || !value.contains("dtype") || !value["dtype"].is_string() ||
            !value.contains("shape") || !value["shape"].is_array() ||
            !value.contains("data_offsets") || !value["data_offsets"].is_array() ||
            value["data_offsets"].size() != 2)
            throw fail(where + "needs dtype, shape and data_offsets [begin, end]");
        SafeTensor t;
        t.name = name;
        const std::string dtype = value["dtype"].get<std::string>();
        const auto known = std::find_if(std::begin(kDTypes), std::end(kDTypes),
                                        [&](const DTypeInfo& d) { return dtype == d.name; });
        if (known == std::end(kDTypes))
            throw fail(where + "dtype '" + dtype + "' is not supported");
        t.dtype = known->type;
        uint64_t elements = 1;
        for (const Json& d : value["shape"]) {
            if (!d.is_number_unsigned())
                throw fail(where + "shape must hold non-negative integers");
            const uint64_t n = d.get<uint64_t>();
            if (n > 0 && elements > (1ull << 62) / n) throw fail(where + "shape is too large");
            elements *= n;
            t.shape.push_back(static_cast<int64_t>(n));
        }
        const Json& off = value["data_offsets"];
        if (!off[0].is_number_unsigned() || !off[1].is_number_unsigned())
            throw fail(where + "data_offsets must be non-negative integers");
        const uint64_t begin = off[0].get<uint64_t>(), end = off[1].get<uint64_t>();
        if (begin > end || end > data_bytes)
            throw fail(where + "data_offsets [" + std::to_string(begin) + ", " +
                       std::to_string(end) + "] fall outside the " + std::to_string(data_bytes) +
                       " data bytes");
        if (end - begin != elements * known->size)
            throw fail(where + "shape and dtype need " + std::to_string(elements * known->size) +
                       " bytes, data_offsets give " + std::to_string(end - begin));
        t.data = file_.data() + data_start + begin;
        t.bytes = end - begin;
        ranges.push_back({begin, end});
        tensors_.push_back(std::move(t));
    }
    std::sort(ranges.begin(), ranges.end());
    for (size_t i = 1; i < ranges.size(); ++i)
        if (ranges[i].first < ranges[i - 1].second) throw fail("two tensors' data overlap");
}

const SafeTensor* SafetensorsFile::find(std::string_view name) const {
    for (const SafeTensor& t : tensors_)
        if (t.name == name) return &t;
    return nullptr;
}

void SafetensorsWriter::add(const std::string& name, SafeDType dtype,
                            const std::vector<int64_t>& shape, Producer produce) {
    for (const Entry& e : entries_)
        if (e.name == name) throw Error("safetensors: tensor '" + name + "' added twice");
    entries_.push_back({name, dtype, shape, std::move(produce)});
}

void SafetensorsWriter::write(const std::string& path) const {
    Json header = Json::object();
    if (!metadata_.empty()) header["__metadata__"] = metadata_;
    uint64_t offset = 0;
    std::vector<uint64_t> sizes;
    for (const Entry& e : entries_) {
        uint64_t n = safe_dtype_size(e.dtype);
        for (const int64_t d : e.shape) n *= static_cast<uint64_t>(d);
        header[e.name] = Json{{"dtype", safe_dtype_name(e.dtype)},
                              {"shape", e.shape},
                              {"data_offsets", {offset, offset + n}}};
        sizes.push_back(n);
        offset += n;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');  // data 8-byte aligned, as the reference pads
    const std::string part = path + ".part";
    try {
        std::ofstream out(part, std::ios::binary | std::ios::trunc);
        if (!out) throw Error(part + ": cannot be written");
        uint8_t length[8];
        for (int i = 0; i < 8; ++i) length[i] = static_cast<uint8_t>(text.size() >> (8 * i));
        out.write(reinterpret_cast<const char*>(length), 8);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        std::vector<uint8_t> buffer;
        for (size_t i = 0; i < entries_.size(); ++i) {
            buffer.clear();
            entries_[i].produce(buffer);
            if (buffer.size() != sizes[i])
                throw Error("safetensors: tensor '" + entries_[i].name + "' produced " +
                            std::to_string(buffer.size()) + " bytes, expected " +
                            std::to_string(sizes[i]));
            out.write(reinterpret_cast<const char*>(buffer.data()),
                      static_cast<std::streamsize>(buffer.size()));
        }
        out.flush();
        if (!out) throw Error(part + ": write failed (disk full?)");
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove(part, ignored);
        throw;
    }
    std::filesystem::rename(part, path);
}

}  // namespace flash
