// SPM merge loop. Symbols start as single UTF-8 characters; a pair is a candidate only when
// its concatenation is a token, ranked by that token's score (higher first, leftmost on ties).
#include "tokenizer/spm.h"

#include "tokenizer/symbol_merge.h"

namespace flash::tok {

void spm_encode(const Vocab& v, std::string_view text, std::vector<int32_t>& out) {
    std::vector<Symbol> syms = utf8_symbols(text);
    if (syms.empty()) return;

    // A pair may merge when its concatenation is a token; the token's score ranks it.
    // Neighbours are contiguous in `text`, so their concatenation is one substring.
    merge_symbols(syms, [&](const Symbol& l, const Symbol& r) -> std::optional<double> {
        const auto id = v.find(text.substr(l.start, l.len + r.len));
        if (!id) return std::nullopt;
        return static_cast<double>(v.score[*id]);
    });

    for (int i = 0; i != -1; i = syms[i].next) {
        const std::string_view piece = text.substr(syms[i].start, syms[i].len);
        if (auto id = v.find(piece)) {
            out.push_back(*id);
            continue;
        }
        // Merged symbols are always tokens, so only single characters get here: spell them
        // out as byte tokens (or <unk> where the vocabulary has no byte fallback).
        for (char c : piece) {
            const int32_t id = v.byte_token[static_cast<unsigned char>(c)];
            if (id >= 0)
                out.push_back(id);
            else if (v.unk >= 0)
                out.push_back(v.unk);
        }
    }
}

}  // namespace flash::tok
