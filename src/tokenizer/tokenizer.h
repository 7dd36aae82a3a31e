// flash::Tokenizer — text <-> token ids for the vocabularies GGUF files carry, reproducing
// llama.cpp's tokenization exactly: byte-level BPE ("gpt2") with the pre-tokenizer named by
// tokenizer.ggml.pre, SentencePiece-style BPE ("llama"), and Gemma 4's BPE ("gemma4").
// StreamingDecoder turns ids into text one at a time without ever splitting a character.
// Depends on core/ (GGUF reader, Error) and PCRE2.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/gguf.h"

namespace flash {

class Tokenizer {
  public:
    // Reads the vocabulary from GGUF metadata. Throws flash::Error naming the file and key
    // for a missing or unsupported vocabulary (e.g. tokenizer.ggml.model "bert", an unknown
    // tokenizer.ggml.pre). The tokenizer keeps no reference to `gguf`.
    static Tokenizer from_gguf(const GgufFile& gguf);

    // Token ids for `text`, without BOS/EOS. parse_special: the text of control tokens
    // (e.g. "<|im_start|>") becomes those tokens; otherwise it is tokenized as plain text.
    // User-defined tokens are recognised either way.
    std::vector<int32_t> encode(std::string_view text, bool parse_special) const;
    // A rendered prompt: control-token text parsed as tokens, and BOS first when the
    // vocabulary wants one and the text (a template that prints bos_token) has not got it.
    std::vector<int32_t> encode_prompt(std::string_view text) const;
    // Text that continues a sequence already under way (a grammar's forced text in the middle
    // of a reply): as encode(text, false), but a SentencePiece vocabulary's leading space
    // ("add_space_prefix"), which belongs to the start of a text, is not added.
    std::vector<int32_t> encode_continuation(std::string_view text) const;
    // Concatenation of token_piece() over `ids`; no whitespace clean-up is applied (an SPM
    // vocabulary's leading "▁" shows up as a leading space). Throws for an id out of range.
    std::string decode(const std::vector<int32_t>& ids) const;
    // Bytes one token contributes: special tokens render as their text, byte tokens as their
    // byte, byte-level BPE tokens as the bytes they stand for. Throws for an id out of range.
    std::string token_piece(int32_t id) const;

    int32_t n_vocab() const;
    int32_t bos_id() const;  // -1 if none
    int32_t eos_id() const;  // -1 if none
    bool add_bos() const;    // tokenizer.ggml.add_bos_token, with llama.cpp's per-model defaults
    bool add_eos() const;
    // True for the tokens llama.cpp stops generation on: eos, eot, eom and the tokens it
    // recognises by text (<|im_end|>, <|eot_id|>, <end_of_turn>, <|endoftext|>, ...).
    bool is_end_of_generation(int32_t id) const;
    bool is_control(int32_t id) const;
    std::optional<int32_t> find_token(std::string_view text) const;
    std::string_view model_name() const;  // tokenizer.ggml.model, e.g. "gpt2", "llama"
    std::string_view pre_name() const;    // tokenizer.ggml.pre as written, e.g. "smollm"

    struct Impl;

  private:
    explicit Tokenizer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
    std::vector<int32_t> encode_text(std::string_view text, bool parse_special,
                                     bool at_start) const;
    std::shared_ptr<const Impl> impl_;  // immutable and shared: copies are cheap, thread-safe
};

// Streaming-safe detokenization: push ids one at a time and get back only whole UTF-8
// characters; bytes of a character whose remaining bytes may still arrive are held back.
// Bytes that cannot start or continue a character are passed through unchanged, so the
// concatenation of every push() and the final flush() equals Tokenizer::decode(ids).
class StreamingDecoder {
  public:
    explicit StreamingDecoder(const Tokenizer& tokenizer) : tok_(&tokenizer) {}
    std::string push(int32_t id);
    std::string flush();  // whatever is held back (an incomplete character), then reset

  private:
    const Tokenizer* tok_;
    std::string pending_;
};

}  // namespace flash
