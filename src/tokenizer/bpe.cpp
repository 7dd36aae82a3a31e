// Byte-level BPE on one pre-tokenized word: merges ranked by the vocabulary's merge list.
#include "tokenizer/bpe.h"

#include <string>

#include "tokenizer/symbol_merge.h"

namespace flash::tok {

void bpe_encode_word(const Vocab& v, std::string_view word, std::vector<int32_t>& out) {
    if (word.empty()) return;
    bool whole = false;
    if (v.ignore_merges && v.find(word)) whole = true;
    if (v.newline_run_whole && word.find_first_not_of('\n') == std::string_view::npos &&
        v.find(word)) {
        whole = true;
    }
    std::vector<Symbol> syms =
        whole ? std::vector<Symbol>{{-1, -1, 0, word.size()}} : utf8_symbols(word);

    // Pairs merge by rank: the lowest rank first.
    std::string scratch;
    const auto text_of = [&](const Symbol& s) { return word.substr(s.start, s.len); };
    merge_symbols(syms, [&](const Symbol& l, const Symbol& r) -> std::optional<double> {
        const int32_t rank = v.merge(text_of(l), text_of(r), scratch);
        if (rank < 0) return std::nullopt;
        return -static_cast<double>(rank);
    });

    for (int i = 0; i != -1; i = syms[i].next) {
        const std::string_view piece = text_of(syms[i]);
        if (auto id = v.find(piece)) {
            out.push_back(*id);
            continue;
        }
        for (char c : piece) {
            int32_t id = -1;
            if (v.byte_encode) {
                // Mirrors the reference: it looks up the raw byte of the encoded text, which
                // rarely exists; unmatched bytes are dropped.
                id = v.find(std::string_view(&c, 1)).value_or(-1);
            } else {
                id = v.byte_token[static_cast<unsigned char>(c)];
            }
            if (id >= 0) out.push_back(id);
        }
    }
}

}  // namespace flash::tok
