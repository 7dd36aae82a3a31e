// Matcher: thin per-generation state (a recognizer state id) over the shared TokenMasker.
#include "grammar/matcher.h"

#include <unordered_set>
#include <vector>

#include "grammar/token_masker.h"

namespace flash::grammar {

namespace {
constexpr size_t kMaxForcedBytes = size_t{1} << 20;
// States a completion search may visit: enough for JSON and tool calls with required members,
// small enough that a search costs about as much as a few masks.
constexpr size_t kMaxCompletionStates = 4096;

bool printable(int b) {
    return b >= 0x20 && b < 0x7F;
}
}  // namespace

Matcher::Matcher(std::shared_ptr<const CompiledGrammar> grammar,
                 std::shared_ptr<const TokenVocabulary> vocab)
    : masker_(std::make_shared<TokenMasker>(std::move(grammar), std::move(vocab))) {
    reset();
}

void Matcher::reset() {
    state_ = masker_->engine().initial();
    ended_ = false;
}

void Matcher::compute_mask(TokenMask& out) {
    if (ended_) {
        out.bits.assign(masker_->words(), 0);
        return;
    }
    masker_->compute(state_, out.bits);
}

bool Matcher::accept_token(int32_t id) {
    const TokenVocabulary& v = masker_->vocab();
    if (ended_ || id < 0 || id >= v.size()) return false;
    if (v.is_end_of_generation(id)) {
        if (!masker_->engine().accepting(state_)) return false;
        ended_ = true;
        return true;
    }
    if (!v.is_text(id)) return false;
    return accept_bytes(v.piece(id));
}

bool Matcher::accept_bytes(std::string_view bytes) {
    if (ended_) return bytes.empty();
    StackEngine& e = masker_->engine();
    e.trim();
    int32_t s = state_;
    for (char c : bytes) {
        s = e.next(s, static_cast<uint8_t>(c));
        if (s == StackEngine::kDead) return false;
    }
    state_ = s;
    return true;
}

bool Matcher::is_complete() const {
    return ended_ || masker_->engine().accepting(state_);
}

bool Matcher::can_continue() const {
    if (ended_) return false;
    StackEngine& e = masker_->engine();
    for (int c = 0; c < e.n_classes(); ++c) {
        const int32_t r = e.table(state_)[c];
        if ((r >= 0 ? r : e.fill(state_, c)) != StackEngine::kDead) return true;
    }
    return false;
}

std::string Matcher::forced_bytes() const {
    std::string out;
    if (ended_) return out;
    StackEngine& e = masker_->engine();
    const CompiledGrammar& g = e.grammar();
    int32_t s = state_;
    while (!e.accepting(s) && out.size() < kMaxForcedBytes) {
        int live = -1;  // the one byte that continues, -2 if several
        for (int c = 0; c < e.n_classes() && live != -2; ++c) {
            const int32_t r = e.table(s)[c];
            if ((r >= 0 ? r : e.fill(s, c)) == StackEngine::kDead) continue;
            for (int b = 0; b < 256; ++b) {
                if (g.byte_class[b] != c) continue;
                live = live == -1 ? b : -2;
                if (live == -2) break;
            }
        }
        if (live < 0) break;
        out += static_cast<char>(live);
        s = e.next(s, static_cast<uint8_t>(live));
    }
    return out;
}

std::optional<std::string> Matcher::shortest_completion(size_t max_bytes) const {
    StackEngine& e = masker_->engine();
    if (ended_ || e.accepting(state_)) return std::string();
    const CompiledGrammar& g = e.grammar();
    // Every byte of a class moves the engine alike: one stands for all (printable preferred,
    // so a completion reads as text: "a" rather than a control byte).
    std::vector<int> example(static_cast<size_t>(e.n_classes()), -1);
    for (int b = 0; b < 256; ++b) {
        int& x = example[g.byte_class[b]];
        if (x < 0 || (printable(b) && !printable(x))) x = b;
    }
    struct Node {
        int32_t state;
        int32_t parent;
        uint8_t byte;
        uint32_t depth;
    };
    std::vector<Node> nodes{{state_, -1, 0, 0}};
    std::unordered_set<int32_t> seen{state_};
    for (size_t at = 0; at < nodes.size(); ++at) {
        const Node from = nodes[at];
        if (from.depth >= max_bytes) continue;
        for (int c = 0; c < e.n_classes(); ++c) {
            if (example[c] < 0) continue;
            const int32_t r = e.table(from.state)[c];
            const int32_t to = r >= 0 ? r : e.fill(from.state, c);
            if (to == StackEngine::kDead || !seen.insert(to).second) continue;
            nodes.push_back(
                {to, static_cast<int32_t>(at), static_cast<uint8_t>(example[c]), from.depth + 1});
            if (e.accepting(to)) {
                std::string out;
                for (int32_t n = static_cast<int32_t>(nodes.size()) - 1; nodes[n].parent >= 0;
                     n = nodes[n].parent)
                    out.push_back(static_cast<char>(nodes[n].byte));
                return std::string(out.rbegin(), out.rend());
            }
            if (nodes.size() >= kMaxCompletionStates) return std::nullopt;
        }
    }
    return std::nullopt;
}

}  // namespace flash::grammar
