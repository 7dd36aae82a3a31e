// safetensors, Hugging Face's checkpoint format: an 8-byte little-endian header length, a
// JSON header naming each tensor's dtype, shape and byte range, then the raw data. Written
// here rather than taken from a library: the format is one page long
// (https://github.com/huggingface/safetensors#format), no Debian package reads it from C++,
// and flash needs only the float and integer types. Reading maps the file and checks every
// range against it; writing goes to PATH.part, renamed once complete. Depends on core/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/mapped_file.h"

namespace flash {

// The dtypes flash reads and writes, by their safetensors names.
enum class SafeDType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

size_t safe_dtype_size(SafeDType type);
const char* safe_dtype_name(SafeDType type);

struct SafeTensor {
    std::string name;
    SafeDType dtype = SafeDType::F32;
    std::vector<int64_t> shape;  // row-major, outermost first (PyTorch's order)
    const uint8_t* data = nullptr;
    size_t bytes = 0;

    int64_t elements() const;
};

class SafetensorsFile {
  public:
    // Maps `path` and validates the header: a bounded size, JSON, known dtypes, shapes whose
    // byte size matches their range, ranges inside the file that do not overlap. Throws
    // flash::Error naming the file and the tensor.
    explicit SafetensorsFile(const std::string& path);

    const std::vector<SafeTensor>& tensors() const { return tensors_; }
    const SafeTensor* find(std::string_view name) const;
    const std::map<std::string, std::string>& metadata() const { return metadata_; }
    const std::string& path() const { return file_.path(); }

  private:
    MappedFile file_;
    std::vector<SafeTensor> tensors_;
    std::map<std::string, std::string> metadata_;
};

class SafetensorsWriter {
  public:
    using Producer = std::function<void(std::vector<uint8_t>& out)>;
    // `produce` fills exactly elements × dtype size bytes when the file is written.
    void add(const std::string& name, SafeDType dtype, const std::vector<int64_t>& shape,
             Producer produce);
    void set_metadata(const std::string& key, const std::string& value) { metadata_[key] = value; }
    void write(const std::string& path) const;

  private:
    struct Entry {
        std::string name;
        SafeDType dtype;
        std::vector<int64_t> shape;
        Producer produce;
    };
    std::vector<Entry> entries_;
    std::map<std::string, std::string> metadata_;
};

}  // namespace flash
