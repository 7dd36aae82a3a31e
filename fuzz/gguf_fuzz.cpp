// The model-file path: GGUF reader (header, metadata, tensor table, bounds), the model's
// hyperparameter contract and tensor binding, and the tokenizer's vocabulary loading.
#include "core/gguf.h"
#include "fuzz_support.h"
#include "model/config.h"
#include "model/weights.h"
#include "tokenizer/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // GgufFile maps a path: hand it the input through an in-memory file.
    flash::fuzz::with_file(data, size, "gguf_fuzz", [](const std::string& path) {
        flash::fuzz::expect_only_flash_errors([&] {
            const flash::GgufFile g(path);
            for (const auto& [key, value] : g.metadata()) (void)value.to_string();
            try {
                const flash::ModelConfig c = flash::ModelConfig::from_gguf(g);
                (void)flash::ModelWeights::bind(g, c);
            } catch (const flash::Error&) {
            }
            const flash::Tokenizer tok = flash::Tokenizer::from_gguf(g);
            (void)tok.decode(tok.encode("Hello, world! <|im_end|> 123", true));
        });
    });
    return 0;
}
