// The tokenizer on untrusted input: text encoded (with and without special-token parsing) and
// arbitrary token ids decoded, whole and through the streaming decoder, on a real vocabulary
// (the testdata's llama-bpe; FLASH_FUZZ_VOCAB names another).
#include <cstdlib>
#include <cstring>
#include <memory>

#include "core/gguf.h"
#include "fuzz_support.h"
#include "tokenizer/tokenizer.h"

namespace {

const flash::Tokenizer& tokenizer() {
    static const std::unique_ptr<flash::Tokenizer> tok = [] {
        const char* env = std::getenv("FLASH_FUZZ_VOCAB");
        const std::string path = env && *env ? env : FLASH_FUZZ_DEFAULT_VOCAB;
        return std::make_unique<flash::Tokenizer>(
            flash::Tokenizer::from_gguf(flash::GgufFile(path)));
    }();
    return *tok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const flash::Tokenizer& tok = tokenizer();
    const std::string_view text = flash::fuzz::as_text(data, size);
    flash::fuzz::expect_only_flash_errors([&] {
        (void)tok.encode(text, size % 2 == 0);
        (void)tok.encode_prompt(text);
    });
    // The same bytes read as token ids, taken into the vocabulary as a client's ids would be
    // range-checked before decoding.
    std::vector<int32_t> ids(size / 4);
    if (!ids.empty()) std::memcpy(ids.data(), data, ids.size() * 4);
    for (int32_t& id : ids)
        id = static_cast<int32_t>(static_cast<uint32_t>(id) % static_cast<uint32_t>(tok.n_vocab()));
    flash::fuzz::expect_only_flash_errors([&] {
        const std::string whole = tok.decode(ids);
        flash::StreamingDecoder stream(tok);
        std::string pieces;
        for (int32_t id : ids) pieces += stream.push(id);
        pieces += stream.flush();
        if (pieces != whole) __builtin_trap();  // the streaming decoder's promise
    });
    return 0;
}
