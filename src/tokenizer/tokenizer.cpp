// Tokenizer: loads the vocabulary and pre-tokenizer, then routes each text fragment left by
// special-token splitting to the SPM or BPE encoder.
#include "tokenizer/tokenizer.h"

#include "core/error.h"
#include "tokenizer/bpe.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/special_split.h"
#include "tokenizer/spm.h"
#include "tokenizer/utf8.h"
#include "tokenizer/vocab.h"

namespace flash {

struct Tokenizer::Impl {
    tok::Vocab vocab;
    std::unique_ptr<tok::PreTokenizer> pre;  // BPE only

    void encode_bpe(std::string_view raw, std::vector<int32_t>& out) const;
    void check_id(int32_t id) const;
};

namespace {

constexpr std::string_view kSpaceMark = "\xE2\x96\x81";  // U+2581, SentencePiece's space

std::string escape_spaces(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 4);
    for (char c : s) {
        if (c == ' ')
            out += kSpaceMark;
        else
            out.push_back(c);
    }
    return out;
}

}  // namespace

void Tokenizer::Impl::encode_bpe(std::string_view raw, std::vector<int32_t>& out) const {
    // The reference decodes to code points before splitting (malformed bytes -> U+FFFD);
    // doing the same keeps PCRE2 on valid UTF-8.
    std::string text = tok::sanitize_utf8(raw);
    if (vocab.escape_whitespace) text = escape_spaces(text);
    std::string encoded;
    for (std::string_view word : pre->split(text)) {
        if (!vocab.byte_encode) {
            tok::bpe_encode_word(vocab, word, out);
            continue;
        }
        encoded.clear();
        for (char c : word) encoded += tok::byte_to_unicode(static_cast<uint8_t>(c));
        tok::bpe_encode_word(vocab, encoded, out);
    }
}

void Tokenizer::Impl::check_id(int32_t id) const {
    if (id < 0 || id >= vocab.n_tokens()) {
        throw Error(vocab.source + ": token id " + std::to_string(id) +
                    " is outside the vocabulary [0, " + std::to_string(vocab.n_tokens()) + ")");
    }
}

Tokenizer Tokenizer::from_gguf(const GgufFile& gguf) {
    auto impl = std::make_shared<Impl>();
    tok::load_vocab(gguf, impl->vocab);
    if (impl->vocab.kind == tok::VocabKind::Bpe) {
        impl->pre =
            std::make_unique<tok::PreTokenizer>(impl->vocab.pre_regexes, impl->vocab.source);
    }
    return Tokenizer(std::move(impl));
}

std::vector<int32_t> Tokenizer::encode_prompt(std::string_view text) const {
    std::vector<int32_t> ids = encode(text, /*parse_special=*/true);
    if (add_bos() && bos_id() >= 0 && (ids.empty() || ids.front() != bos_id()))
        ids.insert(ids.begin(), bos_id());
    return ids;
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool parse_special) const {
    return encode_text(text, parse_special, /*at_start=*/true);
}

std::vector<int32_t> Tokenizer::encode_continuation(std::string_view text) const {
    return encode_text(text, /*parse_special=*/false, /*at_start=*/false);
}

std::vector<int32_t> Tokenizer::encode_text(std::string_view text, bool parse_special,
                                            bool at_start) const {
    const tok::Vocab& v = impl_->vocab;
    std::vector<int32_t> out;
    const auto frags = tok::split_special(v, text, parse_special);
    if (v.kind == tok::VocabKind::Spm) {
        // SentencePiece adds a leading space to text at the start and after each special
        // token ("add_space_prefix"), then spells spaces as U+2581.
        bool prev_special = at_start;
        std::string buf;
        for (const auto& f : frags) {
            if (f.token >= 0) {
                out.push_back(f.token);
                prev_special = true;
                continue;
            }
            buf.clear();
            if (v.add_space_prefix && prev_special) buf.push_back(' ');
            buf.append(text.substr(f.offset, f.length));
            tok::spm_encode(v, escape_spaces(buf), out);
            prev_special = false;
        }
    } else {
        for (const auto& f : frags) {
            if (f.token >= 0)
                out.push_back(f.token);
            else
                impl_->encode_bpe(text.substr(f.offset, f.length), out);
        }
    }
    return out;
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids) const {
    std::string out;
    for (int32_t id : ids) {
        impl_->check_id(id);
        out += impl_->vocab.pieces[id];
    }
    return out;
}

std::string Tokenizer::token_piece(int32_t id) const {
    impl_->check_id(id);
    return impl_->vocab.pieces[id];
}

int32_t Tokenizer::n_vocab() const {
    return impl_->vocab.n_tokens();
}
int32_t Tokenizer::bos_id() const {
    return impl_->vocab.bos;
}
int32_t Tokenizer::eos_id() const {
    return impl_->vocab.eos;
}
bool Tokenizer::add_bos() const {
    return impl_->vocab.add_bos;
}
bool Tokenizer::add_eos() const {
    return impl_->vocab.add_eos;
}

bool Tokenizer::is_end_of_generation(int32_t id) const {
    return impl_->vocab.eog.count(id) > 0;
}

bool Tokenizer::is_control(int32_t id) const {
    return id >= 0 && id < n_vocab() && (impl_->vocab.attr[id] & tok::kAttrControl) != 0;
}

std::optional<int32_t> Tokenizer::find_token(std::string_view text) const {
    return impl_->vocab.find(text);
}

std::string_view Tokenizer::model_name() const {
    return impl_->vocab.model;
}
std::string_view Tokenizer::pre_name() const {
    return impl_->vocab.pre;
}

}  // namespace flash
