#include "core/sha256.h"

#include <openssl/evp.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/error.h"

namespace flash {

struct Sha256::Impl {
    EVP_MD_CTX* ctx = nullptr;
    bool done = false;
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
    impl_->ctx = EVP_MD_CTX_new();
    if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) != 1) {
        EVP_MD_CTX_free(impl_->ctx);
        throw Error("sha256: OpenSSL could not initialise a digest context");
    }
}

Sha256::~Sha256() {
    EVP_MD_CTX_free(impl_->ctx);
}

void Sha256::update(const void* data, size_t n) {
    if (impl_->done) throw Error("sha256: update() after hex()");
    if (n && EVP_DigestUpdate(impl_->ctx, data, n) != 1)
        throw Error("sha256: digest update failed");
}

std::string Sha256::hex() {
    if (impl_->done) throw Error("sha256: hex() called twice");
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(impl_->ctx, md, &len) != 1) throw Error("sha256: digest final failed");
    impl_->done = true;
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve(2 * len);
    for (unsigned int i = 0; i < len; ++i) {
        out.push_back(digits[md[i] >> 4]);
        out.push_back(digits[md[i] & 15]);
    }
    return out;
}

std::string sha256_hex(std::string_view bytes) {
    Sha256 h;
    h.update(bytes.data(), bytes.size());
    return h.hex();
}

std::string sha256_file(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw Error("sha256: cannot open " + path + ": " + std::strerror(errno));
    Sha256 h;
    std::vector<unsigned char> buf(1 << 20);
    for (;;) {
        size_t n = std::fread(buf.data(), 1, buf.size(), f);
        if (n) h.update(buf.data(), n);
        if (n < buf.size()) {
            if (std::ferror(f)) {
                int e = errno;
                std::fclose(f);
                throw Error("sha256: read error in " + path + ": " + std::strerror(e));
            }
            break;
        }
    }
    std::fclose(f);
    return h.hex();
}

bool is_sha256_hex(const std::string& s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

}  // namespace flash
