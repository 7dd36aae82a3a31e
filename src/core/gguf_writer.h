// GgufWriter: writes a GGUF v3 file — metadata, tensor infos, data aligned as the reader
// expects — to PATH.part, renamed to PATH only once complete, so an interrupted write never
// leaves a file that looks whole. Tensor data is produced one tensor at a time while writing,
// so a model never has to fit in memory twice. Depends on core/gguf.h.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/gguf.h"

namespace flash {

class GgufWriter {
  public:
    explicit GgufWriter(uint64_t alignment = 32) : alignment_(alignment) {}

    // Metadata in insertion order; setting a key again replaces its value in place. Values
    // copied from a GgufFile keep views into it, so that file must outlive write().
    void set(const std::string& key, const GgufValue& value);
    void set_u32(const std::string& key, uint32_t value);
    void set_string(const std::string& key, const std::string& value);
    void set_f32(const std::string& key, float value);
    void set_bool(const std::string& key, bool value);
    // Arrays; the writer keeps its own copy of the values.
    void set_array(const std::string& key, GgufType elem_type, std::vector<uint8_t> bytes,
                   uint64_t count);
    void set_string_array(const std::string& key, const std::vector<std::string>& values);

    // `produce` fills exactly row_bytes(type, dims[0]) * rows bytes when the tensor is written.
    using Producer = std::function<void(std::vector<uint8_t>& out)>;
    void add_tensor(const std::string& name, DType type, const std::vector<int64_t>& dims,
                    Producer produce);

    // `progress(i, n, name)` is called before each tensor is produced.
    void write(const std::string& path,
               const std::function<void(size_t, size_t, const std::string&)>& progress = {}) const;

  private:
    struct Tensor {
        std::string name;
        DType type;
        std::vector<int64_t> dims;
        Producer produce;
        uint64_t bytes = 0;
    };
    uint64_t alignment_;
    std::vector<std::pair<std::string, GgufValue>> kv_;
    std::deque<std::string> owned_strings_;  // backing for set_string values (stable addresses)
    std::deque<std::vector<uint8_t>> owned_arrays_;  // backing for set_array values
    std::vector<Tensor> tensors_;
};

}  // namespace flash
