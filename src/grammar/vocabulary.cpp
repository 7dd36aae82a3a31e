// TokenVocabulary construction: token kinds from the tokenizer, and the pre-order trie built
// from the pieces in sorted order (a prefix sorts before its extensions, so each token ends at
// the node created last).
#include "grammar/vocabulary.h"

#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "grammar/utf8_ranges.h"

namespace flash::grammar {

namespace {
constexpr size_t kMaxPieceBytes = 65535;  // trie depths are 16-bit
}

TokenVocabulary::TokenVocabulary(std::vector<std::string> pieces, std::vector<Kind> kind)
    : pieces_(std::move(pieces)), kind_(std::move(kind)) {
    for (size_t i = 0; i < pieces_.size(); ++i) {
        if (kind_[i] == Kind::Eog) eog_.push_back(static_cast<int32_t>(i));
        if (kind_[i] == Kind::Text && (pieces_[i].empty() || pieces_[i].size() > kMaxPieceBytes)) {
            kind_[i] = Kind::Never;
        }
    }
    build_trie();
}

std::shared_ptr<const TokenVocabulary> TokenVocabulary::from_tokenizer(const Tokenizer& tok) {
    const int32_t n = tok.n_vocab();
    std::vector<std::string> pieces(n);
    std::vector<Kind> kind(n, Kind::Text);
    for (int32_t i = 0; i < n; ++i) {
        pieces[i] = tok.token_piece(i);
        if (tok.is_end_of_generation(i)) {
            kind[i] = Kind::Eog;
        } else if (tok.is_control(i)) {
            kind[i] = Kind::Never;
        }
    }
    return std::shared_ptr<const TokenVocabulary>(
        new TokenVocabulary(std::move(pieces), std::move(kind)));
}

std::shared_ptr<const TokenVocabulary> TokenVocabulary::from_pieces(
    std::vector<std::string> pieces, std::vector<int32_t> end_of_generation_ids) {
    std::vector<Kind> kind(pieces.size(), Kind::Text);
    for (int32_t id : end_of_generation_ids) {
        if (id < 0 || static_cast<size_t>(id) >= pieces.size()) {
            throw Error("grammar: end-of-generation id " + std::to_string(id) +
                        " is outside the vocabulary");
        }
        kind[id] = Kind::Eog;
    }
    return std::shared_ptr<const TokenVocabulary>(
        new TokenVocabulary(std::move(pieces), std::move(kind)));
}

void TokenVocabulary::build_trie() {
    std::vector<int32_t> order;
    for (size_t i = 0; i < pieces_.size(); ++i) {
        if (kind_[i] == Kind::Text) order.push_back(static_cast<int32_t>(i));
    }
    std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
        return pieces_[a] < pieces_[b] || (pieces_[a] == pieces_[b] && a < b);
    });
    Trie& t = trie_;
    std::vector<uint32_t> path;      // open nodes, one per depth
    std::vector<uint32_t> tok_node;  // node of each entry of t.toks
    const std::string* prev = nullptr;
    for (int32_t id : order) {
        const std::string& p = pieces_[id];
        size_t common = 0;
        if (prev) {
            const size_t lim = std::min(prev->size(), p.size());
            while (common < lim && (*prev)[common] == p[common]) ++common;
        }
        while (path.size() > common) {  // close nodes that are not on this piece's path
            t.end[path.back()] = t.size();
            path.pop_back();
        }
        for (size_t k = common; k < p.size(); ++k) {
            path.push_back(t.size());
            t.byte.push_back(static_cast<uint8_t>(p[k]));
            t.depth.push_back(static_cast<uint16_t>(k + 1));
            t.end.push_back(0);
        }
        t.toks.push_back(id);
        tok_node.push_back(path.back());
        t.max_depth = std::max<uint32_t>(t.max_depth, static_cast<uint32_t>(p.size()));
        prev = &p;
    }
    while (!path.empty()) {
        t.end[path.back()] = t.size();
        path.pop_back();
    }
    // Bytes below each node, accumulated from the last node back (children follow parents).
    t.below_ascii.assign(t.size(), {0, 0});
    t.below_non_ascii.assign(t.size(), 0);
    std::vector<uint32_t> parent(t.size());
    path.clear();
    for (uint32_t i = 0; i < t.size(); ++i) {
        while (!path.empty() && t.end[path.back()] <= i) path.pop_back();
        parent[i] = path.empty() ? UINT32_MAX : path.back();
        path.push_back(i);
    }
    for (uint32_t i = t.size(); i-- > 0;) {
        const uint32_t p = parent[i];
        if (p == UINT32_MAX) continue;
        const uint8_t b = t.byte[i];
        if (b < 128) {
            t.below_ascii[p][b >> 6] |= uint64_t{1} << (b & 63);
        } else {
            t.below_non_ascii[p] = 1;
        }
        t.below_ascii[p][0] |= t.below_ascii[i][0];
        t.below_ascii[p][1] |= t.below_ascii[i][1];
        t.below_non_ascii[p] |= t.below_non_ascii[i];
    }
    // Per node, the decoder states from which every path below stays valid (bit per state).
    std::vector<uint8_t> ok(t.size(), 0xFF);
    t.below_utf8_ok.assign(t.size(), 0);
    for (uint32_t i = t.size(); i-- > 0;) {
        uint8_t m = 0xFF;
        for (uint32_t c = i + 1; c < t.end[i]; c = t.end[c]) {
            uint8_t from = 0;
            for (int u = 0; u < 8; ++u) {
                const int v = utf8_step(u, t.byte[c]);
                if (v >= 0 && ((ok[c] >> v) & 1)) from |= uint8_t(1u << u);
            }
            m &= from;
        }
        ok[i] = m;
        t.below_utf8_ok[i] = (m >> kUtf8Boundary) & 1;
    }
    t.tok_off.assign(t.size() + 1, 0);
    for (uint32_t n : tok_node) ++t.tok_off[n + 1];
    std::partial_sum(t.tok_off.begin(), t.tok_off.end(), t.tok_off.begin());
}

}  // namespace flash::grammar
