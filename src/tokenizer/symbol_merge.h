// The merge loop BPE and SentencePiece share: symbols in a doubly linked list over the text,
// adjacent pairs in a priority queue, the best pair merged first (leftmost on ties). Stale
// queue entries — a side already merged into something else — are recognised by their size
// and skipped. The two tokenizers differ only in how a pair is ranked.
#pragma once

#include <algorithm>
#include <optional>
#include <queue>
#include <string_view>
#include <vector>

#include "tokenizer/utf8.h"

namespace flash::tok {

struct Symbol {
    int prev;
    int next;
    size_t start;  // byte offset in the text
    size_t len;    // 0 once merged into its left neighbour
};

// One symbol per UTF-8 character of `text` (a truncated character at the end stays whole).
inline std::vector<Symbol> utf8_symbols(std::string_view text) {
    std::vector<Symbol> syms;
    for (size_t pos = 0; pos < text.size();) {
        const size_t len =
            std::min(text.size() - pos, utf8_len(static_cast<unsigned char>(text[pos])));
        const int idx = static_cast<int>(syms.size());
        syms.push_back({idx - 1, pos + len == text.size() ? -1 : idx + 1, pos, len});
        pos += len;
    }
    return syms;
}

// Merges adjacent symbols until no pair may merge. priority(left, right) gives the pair's
// priority (higher merges first) or nullopt when the two cannot merge.
template <typename Priority>
void merge_symbols(std::vector<Symbol>& syms, const Priority& priority) {
    struct Pair {
        int left;
        int right;
        double priority;
        size_t size;
    };
    struct Order {
        // std::priority_queue pops the "largest": make that the highest priority, then leftmost.
        bool operator()(const Pair& a, const Pair& b) const {
            return a.priority < b.priority || (a.priority == b.priority && a.left > b.left);
        }
    };
    std::priority_queue<Pair, std::vector<Pair>, Order> queue;
    const auto try_pair = [&](int left, int right) {
        if (left < 0 || right < 0) return;
        if (const std::optional<double> p = priority(syms[left], syms[right]))
            queue.push({left, right, *p, syms[left].len + syms[right].len});
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
}

}  // namespace flash::tok
