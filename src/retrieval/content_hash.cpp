#include "retrieval/content_hash.h"

#include <openssl/evp.h>

#include "core/error.h"

namespace flash::retrieval {

std::string sha256_hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr) != 1)
        throw Error("sha256: OpenSSL could not compute a digest");
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out += k_hex[digest[i] >> 4];
        out += k_hex[digest[i] & 0xF];
    }
    return out;
}

}  // namespace flash::retrieval
