// The fake vocabulary of fake_vocab_model.h written as a GGUF file, with the core library only,
// so tests that run the flash binary can build one: the testdata llama model with its
// embedding resized to the vocabulary, or (vocab_only) the vocabulary alone with no tensors,
// as llama.cpp's ggml-vocab-*.gguf files are. Neither carries a chat template.
#pragma once

#include <string>
#include <vector>

#include "common/testdata.h"
#include "core/gguf.h"
#include "core/gguf_writer.h"

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

struct FakeVocabFileOptions {
    std::string architecture = "llama";     // general.architecture
    bool vocab_only = false;                // no tensors and no hyperparameters
    std::string tokenizer_model = "llama";  // tokenizer.ggml.model
};

namespace fake_vocab_detail {
inline GgufValue array(GgufType type, const void* data, size_t count) {
    GgufValue v;
    v.type = GgufType::ARRAY;
    v.elem_type = type;
    v.count = count;
    v.elems = static_cast<const uint8_t*>(data);
    return v;
}
inline GgufValue boolean(bool b) {
    GgufValue v;
    v.type = GgufType::BOOL;
    v.b = b;
    v.u = b;
    return v;
}
}  // namespace fake_vocab_detail

// Writes the file (SentencePiece-style, spaces as U+2581, no space prefix) and returns `path`.
inline std::string write_fake_vocab_gguf(const std::string& path,
                                         const FakeVocabFileOptions& options = {}) {
    using fake_vocab_detail::array;
    using fake_vocab_detail::boolean;
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
        if (!key.starts_with("tokenizer.") && (!options.vocab_only || key.starts_with("general.")))
            w.set(key, value);
    w.set_string("general.architecture", options.architecture);
    if (!options.vocab_only) {
        w.set_u32("llama.vocab_size", static_cast<uint32_t>(n));
        w.set_u32("llama.context_length", 4096);  // room for the longest budgets
    }
    w.set_string("tokenizer.ggml.model", options.tokenizer_model);
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
    if (!options.vocab_only) {
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
    }
    w.write(path);
    return path;
}

}  // namespace flash::testing
