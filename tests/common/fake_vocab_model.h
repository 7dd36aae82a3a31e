// A model file with a small, readable vocabulary, for tests that drive the real generation
// loop through a ForwardRunner: the testdata llama model's layers (they give a Session its
// shapes; a runner stands in for them) with the embedding resized to the pieces below,
// written as a SentencePiece vocabulary without a space prefix, so that every ASCII text
// tokenizes into these pieces and forced text is taken as it is.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/gguf_builder.h"
#include "common/testdata.h"
#include "core/gguf.h"
#include "core/gguf_writer.h"
#include "grammar/vocabulary.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"

namespace flash::testing {

// Every printable ASCII byte (so every ASCII text can be spelt) and newline, words in several
// cases, commas, bullets; then the end-of-generation token and BOS (control tokens).
inline const std::vector<std::string>& fake_pieces() {
    static const std::vector<std::string> pieces = [] {
        std::vector<std::string> p;
        for (int c = 32; c < 127; ++c) p.push_back(std::string(1, static_cast<char>(c)));
        for (const char* s :
             {"\n",    "\n\n", "Hello", " world", " The",    " the", " Cat", " cat", ", ",   ". ",
              "* ",    "- ",   " and",  " AND",   " é",      " É",   "Zoë",  " dog", " sun", " sea",
              "\"a\"", " yes", " no",   "My",     " answer", " is",  "<<",   ">>",   "P.S.", " 42"})
            p.push_back(s);
        p.push_back("<eos>");
        p.push_back("<s>");
        return p;
    }();
    return pieces;
}
inline int32_t fake_eos() {
    return static_cast<int32_t>(fake_pieces().size()) - 2;
}

// The testdata llama model with its embedding resized to the fake vocabulary (zeros: the
// runner never reads it) and that vocabulary as its tokenizer; written once per test program.
struct FakeModelFile {
    std::string path = temp_path("fake_follow_model.gguf");
    std::unique_ptr<Model> model;
    std::unique_ptr<GgufFile> file;
    std::unique_ptr<Tokenizer> tokenizer;
    std::shared_ptr<const grammar::TokenVocabulary> vocab;

    static FakeModelFile& get() {
        static FakeModelFile f;
        return f;
    }

  private:
    FakeModelFile() {
        write();
        model = Model::load(path);
        file = std::make_unique<GgufFile>(path);
        tokenizer = std::make_unique<Tokenizer>(Tokenizer::from_gguf(*file));
        vocab = grammar::TokenVocabulary::from_tokenizer(*tokenizer);
        std::filesystem::remove(path);  // the mappings stay valid
    }

    void write() {
        const GgufFile source(testdata_path("models/llama-F32.gguf"));
        const auto& pieces = fake_pieces();
        const int64_t n = static_cast<int64_t>(pieces.size());
        // SentencePiece spells spaces as U+2581.
        std::vector<std::string> spm;
        for (const std::string& p : pieces) {
            std::string s;
            for (const char c : p) s += c == ' ' ? std::string("\xE2\x96\x81") : std::string(1, c);
            spm.push_back(s);
        }
        std::vector<float> scores;
        std::vector<int32_t> types;
        for (int64_t i = 0; i < n; ++i) {
            scores.push_back(static_cast<float>(pieces[i].size()));  // longer pieces win
            types.push_back(i >= fake_eos() ? 3 : 1);                // control : normal
        }
        GgufWriter w(source.alignment());
        for (const auto& [key, value] : source.metadata())
            if (!key.starts_with("tokenizer.")) w.set(key, value);
        w.set_u32("llama.vocab_size", static_cast<uint32_t>(n));
        w.set_u32("llama.context_length", 4096);  // room for the longest budgets
        w.set_string("tokenizer.ggml.model", "llama");
        GgufValue tokens;
        tokens.type = GgufType::ARRAY;
        tokens.elem_type = GgufType::STRING;
        tokens.count = spm.size();
        for (const std::string& s : spm) tokens.strings.push_back(s);
        w.set("tokenizer.ggml.tokens", tokens);
        w.set("tokenizer.ggml.scores", array(GgufType::F32, scores.data(), scores.size()));
        w.set("tokenizer.ggml.token_type", array(GgufType::I32, types.data(), types.size()));
        w.set_u32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(fake_eos()));
        w.set_u32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(fake_eos() + 1));
        w.set("tokenizer.ggml.add_space_prefix", boolean(false));
        for (const GgufTensor& t : source.tensors()) {
            if (t.name == "token_embd.weight") {
                const std::vector<int64_t> dims{t.dims[0], n};
                w.add_tensor(t.name, t.type, dims, [dims](std::vector<uint8_t>& out) {
                    out.assign(static_cast<size_t>(dims[0] * dims[1]) * sizeof(float), 0);
                });
            } else {
                w.add_tensor(t.name, t.type, t.dims, [&t](std::vector<uint8_t>& out) {
                    out.assign(t.data, t.data + t.n_bytes);
                });
            }
        }
        w.write(path);
    }
    static GgufValue array(GgufType type, const void* data, size_t count) {
        GgufValue v;
        v.type = GgufType::ARRAY;
        v.elem_type = type;
        v.count = count;
        v.elems = static_cast<const uint8_t*>(data);
        return v;
    }
    static GgufValue boolean(bool b) {
        GgufValue v;
        v.type = GgufType::BOOL;
        v.b = b;
        v.u = b;
        return v;
    }
};

}  // namespace flash::testing
