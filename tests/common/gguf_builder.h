// Builds small GGUF files byte by byte for tests, including deliberately broken ones.
#pragma once

#include <stdlib.h>
#include <unistd.h>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace flash::testing {

class GgufBuilder {
  public:
    std::vector<uint8_t> bytes;

    GgufBuilder() {
        bytes.reserve(4096);
    }  // also keeps GCC 12's -Warray-bounds false positive away

    template <typename T>
    GgufBuilder& put(T v) {
        const size_t at = bytes.size();
        bytes.resize(at + sizeof v);
        std::memcpy(bytes.data() + at, &v, sizeof v);
        return *this;
    }
    GgufBuilder& str(const std::string& s) {
        put<uint64_t>(s.size());
        bytes.insert(bytes.end(), s.begin(), s.end());
        return *this;
    }
    GgufBuilder& header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
        return put<uint32_t>(0x46554747u)
            .put<uint32_t>(version)
            .put<uint64_t>(n_tensors)
            .put<uint64_t>(n_kv);
    }
    GgufBuilder& kv_u32(const std::string& key, uint32_t v) {
        return str(key).put<uint32_t>(4).put<uint32_t>(v);
    }
    GgufBuilder& kv_f32(const std::string& key, float v) {
        return str(key).put<uint32_t>(6).put<float>(v);
    }
    GgufBuilder& kv_str(const std::string& key, const std::string& v) {
        return str(key).put<uint32_t>(8).str(v);
    }
    GgufBuilder& kv_bool(const std::string& key, bool v) {
        return str(key).put<uint32_t>(7).put<uint8_t>(v);
    }
    GgufBuilder& kv_i32_array(const std::string& key, const std::vector<int32_t>& v) {
        str(key).put<uint32_t>(9).put<uint32_t>(5).put<uint64_t>(v.size());
        for (int32_t x : v) put(x);
        return *this;
    }
    GgufBuilder& kv_str_array(const std::string& key, const std::vector<std::string>& v) {
        str(key).put<uint32_t>(9).put<uint32_t>(8).put<uint64_t>(v.size());
        for (const auto& s : v) str(s);
        return *this;
    }
    GgufBuilder& tensor(const std::string& name, const std::vector<uint64_t>& dims, uint32_t type,
                        uint64_t offset) {
        str(name).put<uint32_t>(static_cast<uint32_t>(dims.size()));
        for (uint64_t d : dims) put(d);
        return put(type).put(offset);
    }
    GgufBuilder& align(size_t a = 32) {
        while (bytes.size() % a) bytes.push_back(0);
        return *this;
    }
    GgufBuilder& zeros(size_t n) {
        bytes.insert(bytes.end(), n, 0);
        return *this;
    }

    std::string write(const std::string& path) const {
        std::ofstream out(path, std::ios::binary);
        out.write(reinterpret_cast<const char*>(bytes.data()),
                  static_cast<std::streamsize>(bytes.size()));
        return path;
    }
};

// One scratch directory per test process, removed when the process exits, so the files tests
// write through temp_path (and any a failing test leaves) do not pile up in /tmp.
class ProcessTempDir {
  public:
    ProcessTempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() /
                            ("flash_test_" + std::to_string(::getpid()) + "_XXXXXX"))
                               .string();
        if (::mkdtemp(tmpl.data())) path_ = tmpl;
    }
    ~ProcessTempDir() {
        std::error_code ec;
        if (!path_.empty()) std::filesystem::remove_all(path_, ec);
    }
    ProcessTempDir(const ProcessTempDir&) = delete;
    ProcessTempDir& operator=(const ProcessTempDir&) = delete;
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

inline std::string temp_path(const std::string& name) {
    static const ProcessTempDir dir;
    if (dir.path().empty()) throw std::runtime_error("temp_path: mkdtemp failed");
    return dir.path() + "/" + name;
}

inline void write_file(const std::string& path, const std::vector<uint8_t>& data, size_t n) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(n));
}

inline std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace flash::testing
