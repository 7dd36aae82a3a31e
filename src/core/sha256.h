// SHA-256 of files, byte streams and strings (OpenSSL EVP), as lowercase hex: model pulls check
// files with it, the document index tells a changed file from a touched one. The one wrapper
// around OpenSSL's digest in flash.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace flash {

// Incremental hasher: update() any number of times, then hex() once.
class Sha256 {
  public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(const void* data, size_t n);
    std::string hex();  // finishes the digest; the object is spent afterwards

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// One-shot digest of `bytes`.
std::string sha256_hex(std::string_view bytes);

// Streams the file in 1 MiB blocks; throws flash::Error naming the path when it can't be read.
std::string sha256_file(const std::string& path);

// True when `s` looks like a sha256 hex digest (64 hex digits, either case).
bool is_sha256_hex(const std::string& s);

}  // namespace flash
