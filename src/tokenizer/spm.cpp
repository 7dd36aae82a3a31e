// SPM merge loop. Symbols start as single UTF-8 characters; a pair is a candidate only when
// its concatenation is a token, ranked by that token's score (higher first, leftmost on ties).
#include "tokenizer/spm.h"

#include <queue>

#include "tokenizer/utf8.h"

namespace flash::tok {

namespace {

struct Symbol {
    int prev;
    int next;
    size_t start;
    size_t len;
};

struct Pair {
    int left;
    int right;
    float score;
    size_t size;
};

struct PairOrder {
    bool operator()(const Pair& a, const Pair& b) const {
        return a.score < b.score || (a.score == b.score && a.left > b.left);
    }
};

}  // namespace

void spm_encode(const Vocab& v, std::string_view text, std::vector<int32_t>& out) {
    std::vector<Symbol> syms;
    for (size_t pos = 0; pos < text.size();) {
        const size_t len =
            std::min(text.size() - pos, utf8_len(static_cast<unsigned char>(text[pos])));
        const int idx = static_cast<int>(syms.size());
        syms.push_back({idx - 1, pos + len == text.size() ? -1 : idx + 1, pos, len});
        pos += len;
    }
    if (syms.empty()) return;

    std::priority_queue<Pair, std::vector<Pair>, PairOrder> queue;
    const auto try_pair = [&](int left, int right) {
        if (left < 0 || right < 0) return;
        // Neighbours are contiguous in `text`, so their concatenation is one substring.
        const size_t size = syms[left].len + syms[right].len;
        auto id = v.find(text.substr(syms[left].start, size));
        if (!id) return;
        queue.push({left, right, v.score[*id], size});
    };
    for (int i = 1; i < static_cast<int>(syms.size()); ++i) try_pair(i - 1, i);

    while (!queue.empty()) {
        const Pair p = queue.top();
        queue.pop();
        Symbol& l = syms[p.left];
        Symbol& r = syms[p.right];
        if (l.len == 0 || r.len == 0 || l.len + r.len != p.size) continue;
        l.len += r.len;
        r.len = 0;
        l.next = r.next;
        if (r.next >= 0) syms[r.next].prev = p.left;
        try_pair(l.prev, p.left);
        try_pair(p.left, l.next);
    }

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
