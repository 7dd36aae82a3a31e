// A GGUF vocabulary as Hugging Face's tokenizer files (tokenizer.json for the `tokenizers`
// library, tokenizer_config.json for transformers), and back. Byte-level BPE vocabularies
// (tokenizer.ggml.model "gpt2": GPT-2, Llama 3, Qwen, SmolLM, ...) convert both ways: the
// tokens and merges, the pre-tokenizer as the same regexes llama.cpp applies (a Split per
// regex, then ByteLevel), special tokens as added tokens, BOS by a template post-processor.
// SentencePiece vocabularies (tokenizer.ggml.model "llama": Llama 2, Gemma, Phi-3) convert both
// ways as Llama 2's tokenizer.json spells them: a BPE with byte fallback whose merges are every
// split of a token into two tokens, ranked by score (GGUF -> HF), and scores from the merge
// ranks (HF -> GGUF); the space prefix as a Prepend normalizer.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/gguf.h"
#include "core/gguf_writer.h"

namespace flash::convert {

using Json = nlohmann::ordered_json;

struct HfTokenizer {
    std::optional<Json> tokenizer;  // tokenizer.json; nullopt when this vocabulary is not converted
    Json config;                    // tokenizer_config.json (always: the chat template, at least)
    std::string note;               // why tokenizer.json is missing, for the person converting
};

HfTokenizer hf_tokenizer(const GgufFile& g);

// The tokenizer.ggml.* keys (and the chat template) from tokenizer.json (null: none) and
// tokenizer_config.json. Throws flash::Error for a tokenizer.json it cannot read back.
// tokenizer.json is read unordered: its vocabulary can hold 250k entries.
void gguf_tokenizer(const nlohmann::json& tokenizer, const Json& config, GgufWriter& out);

}  // namespace flash::convert
