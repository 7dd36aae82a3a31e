// Special-token partitioning, with the lstrip/rstrip attributes some models set (Phi-3's
// special tokens swallow the whitespace after them).
#include "tokenizer/special_split.h"

namespace flash::tok {

namespace {

// C-locale isspace, which is what the reference uses for stripping.
bool is_c_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

}  // namespace

std::vector<Fragment> split_special(const Vocab& v, std::string_view text, bool parse_special) {
    std::vector<Fragment> frags;
    if (text.empty()) return frags;
    frags.push_back({-1, 0, text.size()});
    std::vector<Fragment> next;
    for (int32_t id : v.special_tokens) {
        const uint32_t attr = v.attr[id];
        if (!parse_special && (attr & (kAttrControl | kAttrUnknown))) continue;
        const std::string_view tok = v.text[id];
        next.clear();
        for (const Fragment& f : frags) {
            if (f.token >= 0) {
                next.push_back(f);
                continue;
            }
            size_t off = f.offset, len = f.length;
            while (len > 0) {
                const size_t match = text.substr(0, off + len).find(tok, off);
                if (match == std::string_view::npos) {
                    next.push_back({-1, off, len});
                    break;
                }
                size_t left_len = match - off;
                if (attr & kAttrLstrip) {
                    while (left_len > 0 && is_c_space(text[off + left_len - 1])) --left_len;
                }
                if (left_len > 0) next.push_back({-1, off, left_len});
                next.push_back({id, 0, 0});
                size_t right_off = match + tok.size();
                size_t right_len = off + len - right_off;
                if (attr & kAttrRstrip) {
                    while (right_len > 0 && is_c_space(text[right_off])) {
                        ++right_off;
                        --right_len;
                    }
                }
                off = right_off;
                len = right_len;
            }
        }
        frags.swap(next);
    }
    return frags;
}

}  // namespace flash::tok
