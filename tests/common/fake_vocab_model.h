// A model file with a small, readable vocabulary, for tests that drive the real generation
// loop through a ForwardRunner: the testdata llama model's layers (they give a Session its
// shapes; a runner stands in for them) with the embedding resized to the pieces of
// fake_vocab_file.h, written as a SentencePiece vocabulary without a space prefix, so that
// every ASCII text tokenizes into these pieces and forced text is taken as it is.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/fake_vocab_file.h"
#include "common/gguf_builder.h"
#include "common/testdata.h"
#include "core/gguf.h"
#include "grammar/vocabulary.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"

namespace flash::testing {

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

    void write() { write_fake_vocab_gguf(path); }
};

}  // namespace flash::testing
