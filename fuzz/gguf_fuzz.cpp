// The model-file path: GGUF reader (header, metadata, tensor table, bounds), the model's
// hyperparameter contract and tensor binding, and the tokenizer's vocabulary loading.
#include <sys/mman.h>
#include <unistd.h>

#include "core/gguf.h"
#include "fuzz_support.h"
#include "model/config.h"
#include "model/weights.h"
#include "tokenizer/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // GgufFile maps a path: hand it the input through an in-memory file.
    const int fd = memfd_create("gguf_fuzz", 0);
    if (fd < 0) return 0;
    if (size > 0 && write(fd, data, size) != static_cast<ssize_t>(size)) {
        close(fd);
        return 0;
    }
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
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
    close(fd);
    return 0;
}
