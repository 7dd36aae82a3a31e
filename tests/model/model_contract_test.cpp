// A model file is a contract: hyperparameters finite and in range, the embedding covering the
// vocabulary, special token ids inside it. Each case takes a real testdata model, breaks one
// value, and expects the load to be refused with the key and the value — not garbage logits.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <deque>
#include <filesystem>
#include <limits>
#include <string>

#include "common/error_of.h"
#include "common/gguf_builder.h"
#include "common/testdata.h"
#include "core/gguf.h"
#include "core/gguf_writer.h"
#include "model/config.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"

namespace flash {
namespace {

using testing::error_of;

GgufValue f32_value(float f) {
    GgufValue v;
    v.type = GgufType::F32;
    v.f = f;
    return v;
}

GgufValue u32_value(uint64_t u) {
    GgufValue v;
    v.type = GgufType::U32;
    v.u = u;
    v.i = static_cast<int64_t>(u);
    return v;
}

// Copies `source` to a temporary file with `key` set to `value` (added when absent).
class BrokenCopy {
  public:
    BrokenCopy(const std::string& source, const std::string& key, const GgufValue& value)
        : source_(source), path_(testing::temp_path(std::to_string(counter_++) + "_broken.gguf")) {
        GgufWriter w(source_.alignment());
        for (const auto& [k, v] : source_.metadata()) w.set(k, v);
        w.set(key, value);
        for (const GgufTensor& t : source_.tensors())
            w.add_tensor(t.name, t.type, t.dims, [&t](std::vector<uint8_t>& out) {
                out.assign(t.data, t.data + t.n_bytes);
            });
        w.write(path_);
    }
    ~BrokenCopy() { std::filesystem::remove(path_); }
    const std::string& path() const { return path_; }

  private:
    static inline int counter_ = 0;
    GgufFile source_;
    std::string path_;
};

// The testdata models carry a placeholder vocabulary; special ids are checked on a real one.
std::string load_error(const std::string& path) {
    return error_of([&] { ModelConfig::from_gguf(GgufFile(path)); });
}
std::string vocab_error(const std::string& path) {
    return error_of([&] { Tokenizer::from_gguf(GgufFile(path)); });
}

std::string llama() {
    return testing::testdata_path("models/llama-F32.gguf");
}
std::string vocab() {
    return testing::testdata_path("tokenizer/ggml-vocab-llama-bpe.gguf");
}

TEST(ModelContract, TheUnbrokenCopyLoads) {
    GgufValue name;
    name.type = GgufType::STRING;
    name.str = "unbroken";
    const BrokenCopy same(llama(), "general.name", name);
    EXPECT_EQ(load_error(same.path()), "");
    const BrokenCopy same_vocab(vocab(), "general.name", name);
    EXPECT_EQ(vocab_error(same_vocab.path()), "");
}

TEST(ModelContract, NonFiniteOrNonPositiveFloatsAreRefusedByKeyAndValue) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    const struct {
        const char* key;
        float value;
        const char* shown;
    } cases[] = {
        {"llama.attention.layer_norm_rms_epsilon", nan, "nan"},
        {"llama.attention.layer_norm_rms_epsilon", 0.0f, "0"},
        {"llama.attention.layer_norm_rms_epsilon", 5.0f, "5"},
        {"llama.rope.freq_base", -inf, "-inf"},
        {"llama.rope.freq_base", inf, "inf"},
        {"llama.attention.scale", nan, "nan"},
    };
    for (const auto& c : cases) {
        const BrokenCopy broken(llama(), c.key, f32_value(c.value));
        const std::string e = load_error(broken.path());
        EXPECT_NE(e.find(std::string("'") + c.key + "' = " + c.shown), std::string::npos)
            << c.key << " = " << c.value << ": " << e;
    }
}

TEST(ModelContract, IntegersOutsideTheirRangeAreRefused) {
    for (const auto& [key, value] :
         {std::pair<const char*, uint64_t>{"llama.context_length", 0xFFFFFFFFull},
          {"llama.block_count", 1u << 20},
          {"llama.vocab_size", 1u << 30},
          {"llama.vocab_size", 7}}) {
        const BrokenCopy broken(llama(), key, u32_value(value));
        const std::string e = load_error(broken.path());
        EXPECT_NE(e.find(std::string("'") + key + "' = " + std::to_string(value)),
                  std::string::npos)
            << key << ": " << e;
    }
}

TEST(ModelContract, SpecialTokenIdsOutsideTheVocabularyAreRefused) {
    for (const char* key : {"tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
                            "tokenizer.ggml.padding_token_id"}) {
        const BrokenCopy broken(vocab(), key, u32_value(1000000));
        const std::string e = vocab_error(broken.path());
        EXPECT_NE(e.find(key), std::string::npos) << e;
        EXPECT_NE(e.find("token id 1000000 is outside the vocabulary"), std::string::npos) << e;
    }
    // 0xFFFFFFFF is how converters write "no such token": accepted, as llama.cpp does.
    const BrokenCopy none(vocab(), "tokenizer.ggml.padding_token_id", u32_value(0xFFFFFFFFull));
    EXPECT_EQ(vocab_error(none.path()), "");
}

TEST(ModelContract, AnEmbeddingWithFewerRowsThanTokensIsRefused) {
    const GgufFile g(llama());
    const auto* tokens = g.get_string_array("tokenizer.ggml.tokens");
    ASSERT_NE(tokens, nullptr);
    std::deque<std::string> extra;
    GgufValue more = *g.find("tokenizer.ggml.tokens");
    for (int i = 0; i < 10; ++i)
        more.strings.push_back(extra.emplace_back("<extra" + std::to_string(i) + ">"));
    more.count = more.strings.size();
    const BrokenCopy broken(llama(), "tokenizer.ggml.tokens", more);
    const std::string e = load_error(broken.path());
    EXPECT_NE(e.find("token_embd.weight only"), std::string::npos) << e;
}

// Found by the GGUF fuzzer: a byte token that is not <0xHH> ended the process with
// std::invalid_argument from std::stoi; it is now refused naming the token.
TEST(ModelContract, AByteTokenThatIsNotHexIsRefused) {
    const std::string spm = testing::testdata_path("tokenizer/ggml-vocab-llama-spm.gguf");
    const GgufFile g(spm);
    GgufValue tokens = *g.find("tokenizer.ggml.tokens");
    size_t at = tokens.strings.size();
    for (size_t i = 0; i < tokens.strings.size() && at == tokens.strings.size(); ++i)
        if (tokens.strings[i] == "<0x41>") at = i;
    ASSERT_LT(at, tokens.strings.size()) << "no <0x41> byte token in the llama-spm vocabulary";
    tokens.strings[at] = "<0xZZ>";
    const BrokenCopy broken(spm, "tokenizer.ggml.tokens", tokens);
    const std::string e = vocab_error(broken.path());
    EXPECT_NE(e.find("byte token " + std::to_string(at) + " '<0xZZ>' is not <0xHH>"),
              std::string::npos)
        << e;
}

}  // namespace
}  // namespace flash
