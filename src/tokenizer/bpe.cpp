// BPE merge loop: a doubly linked list of symbols and a priority queue of candidate pairs.
// Stale queue entries (a side already merged into something else) are skipped by size.
#include "tokenizer/bpe.h"

#include <queue>
#include <string>

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
    int32_t rank;
    size_t size;
};

struct PairOrder {
    // std::priority_queue pops the "largest": make that the lowest rank, then leftmost.
    bool operator()(const Pair& a, const Pair& b) const {
        return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
    }
};

}  // namespace

void bpe_encode_word(const Vocab& v, std::string_view word, std::vector<int32_t>& out) {
    if (word.empty()) return;
    std::vector<Symbol> syms;
    bool whole = false;
    if (v.ignore_merges && v.find(word)) whole = true;
    if (v.newline_run_whole && word.find_first_not_of('\n') == std::string_view::npos &&
        v.find(word)) {
        whole = true;
    }
    if (whole) {
        syms.push_back({-1, -1, 0, word.size()});
    } else {
        for (size_t pos = 0; pos < word.size();) {
            const size_t len =
                std::min(word.size() - pos, utf8_len(static_cast<unsigned char>(word[pos])));
            const int idx = static_cast<int>(syms.size());
            syms.push_back({idx - 1, pos + len == word.size() ? -1 : idx + 1, pos, len});
            pos += len;
        }
    }

    std::string scratch;
    std::priority_queue<Pair, std::vector<Pair>, PairOrder> queue;
    const auto text_of = [&](const Symbol& s) { return word.substr(s.start, s.len); };
    const auto try_pair = [&](int left, int right) {
        if (left < 0 || right < 0) return;
        const int32_t rank = v.merge(text_of(syms[left]), text_of(syms[right]), scratch);
        if (rank < 0) return;
        queue.push({left, right, rank, syms[left].len + syms[right].len});
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
